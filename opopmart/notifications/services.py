"""Writing and reading notifications. Callers pass the session; nothing here commits.

``notify`` checks everything before it writes (the kind, every parameter its text needs,
the link, the recipients), adds one row per recipient and queues one email each, sent
only after the caller's commit (notifications.mail).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from flask import current_app, has_app_context
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from ..accounts.models import ProducerMember, User
from ..core.timeutil import utcnow
from ..core.urls import safe_next
from .kinds import KINDS, MissingParam, render_strict
from .mail import Mail, MailSettings, queue_after_commit
from .models import LINK_MAX_LENGTH, Notification

# Emails go out in the programme's language, whatever the language of the request
# that caused them (a curator may be reading the site in English).
MAIL_LOCALE = "id"
# mark_read takes at most this many ids at once (one page of the list is far fewer).
MAX_IDS = 500


def check_link(link: str | None) -> str | None:
    """A path on this site or None; anything else (another site, ``//host``, a scheme,
    control characters) is a programming error and refused."""
    if link is None:
        return None
    if (not isinstance(link, str) or len(link) > LINK_MAX_LENGTH
            or safe_next(link, default="") != link):
        raise ValueError(f"notification link must be a path on this site, got {link!r}")
    return link


def check_params(kind: str, params: Mapping[str, str | int]) -> dict[str, str | int]:
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    if not isinstance(params, Mapping):
        raise ValueError("notification params must be a mapping")
    clean: dict[str, str | int] = {}
    for key, value in params.items():
        # bool is an int to Python, but never what a message means to show.
        if not isinstance(key, str) or isinstance(value, bool) or not isinstance(value, str | int):
            raise ValueError(f"notification param {key!r} must be a string or a whole number")
        clean[key] = value
    try:
        with force_locale(MAIL_LOCALE):
            render_strict(kind, clean)
    except MissingParam as exc:
        raise ValueError(f"notification kind {kind!r} needs param {exc.args[0]!r}") from None
    return clean


def _mail_settings() -> MailSettings:
    return MailSettings.from_config(current_app.config) if has_app_context() else MailSettings()


def _mail_for(user: User, kind: str, params: Mapping, link: str | None,
              settings: MailSettings) -> Mail:
    with force_locale(MAIL_LOCALE):
        subject, body = render_strict(kind, params)
        lines = [_("Halo %(name)s,", name=user.first_name), "", body, ""]
        if link and settings.site_url:
            lines += [_("Lihat di OPOP Mart: %(url)s", url=settings.site_url + link), ""]
        lines += [_("Semua pemberitahuan Anda ada di halaman Notifikasi akun OPOP Mart."),
                  "", _("Salam,"), "OPOP Mart"]
    return Mail(to=user.email, subject=subject, body="\n".join(lines))


def notify(session, *, user_ids: Iterable[int], kind: str, params: dict[str, str | int],
           link: str | None = None) -> list[Notification]:
    """One notification (and one email, after commit) per distinct user id.

    Raises ValueError, having written nothing, for an unknown kind, a parameter the
    kind's text needs but ``params`` lacks, a link that is not a path on this site, or
    a user id that does not exist. Deactivated accounts get the row but no email.
    """
    params = check_params(kind, params)
    link = check_link(link)
    ids = list(dict.fromkeys(int(user_id) for user_id in user_ids))
    if not ids:
        return []
    users = {user.id: user for user in session.scalars(select(User).where(User.id.in_(ids)))}
    unknown = [user_id for user_id in ids if user_id not in users]
    if unknown:
        raise ValueError(f"no such users: {unknown}")
    settings = _mail_settings()
    mails = [_mail_for(users[user_id], kind, params, link, settings)
             for user_id in ids if users[user_id].is_active_account]
    rows = [Notification(user_id=user_id, kind=kind, params=dict(params), link=link) for user_id in ids]
    session.add_all(rows)
    session.flush()
    queue_after_commit(session, settings, mails)
    return rows


def notify_producer(session, *, producer_id: int, kind: str, params: dict,
                    link: str | None = None) -> list[Notification]:
    """Notify every member of a producer's shop, owner and staff alike."""
    member_ids = session.scalars(
        select(ProducerMember.user_id).where(ProducerMember.producer_id == producer_id)
        .order_by(ProducerMember.user_id)
    ).all()
    # Checked even when the shop has no members: a wrong call fails the same way always.
    check_params(kind, params)
    check_link(link)
    return notify(session, user_ids=member_ids, kind=kind, params=params, link=link)


def unread_count(session, user_id: int) -> int:
    """One COUNT on the (user_id, read_at) index: cheap enough for every page's header."""
    return session.execute(
        select(func.count()).select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
    ).scalar_one()


def mark_read(session, *, user_id: int, notification_ids: list[int] | None) -> int:
    """Mark the user's unread notifications read: all of them (None) or those ids.

    Ids of other users' notifications are simply not matched. Returns how many changed.
    """
    stmt = update(Notification).where(Notification.user_id == user_id,
                                      Notification.read_at.is_(None))
    if notification_ids is not None:
        ids = {int(i) for i in notification_ids}
        if not ids:
            return 0
        if len(ids) > MAX_IDS:
            raise ValueError(f"at most {MAX_IDS} notification ids at once")
        stmt = stmt.where(Notification.id.in_(ids))
    return session.execute(stmt.values(read_at=utcnow())).rowcount


def list_query(user_id: int):
    """The user's notifications, newest first (for db.paginate)."""
    return (select(Notification).where(Notification.user_id == user_id)
            .order_by(Notification.created_at.desc(), Notification.id.desc()))
