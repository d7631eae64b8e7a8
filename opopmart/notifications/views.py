"""``/notifikasi``: the signed-in user's notifications, and marking them read.

Thin views over notifications.services. Every query is scoped to the signed-in user, so
another user's notification ids simply match nothing. Pages are never stored by a
browser or a proxy (``Cache-Control: no-store``).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from ..core.urls import safe_next
from ..core.params import page_number, whole_number
from ..extensions import db
from . import services
from .kinds import render

bp = Blueprint("notifications", __name__)

PER_PAGE = 20


class MarkReadForm(FlaskForm):
    """Only the CSRF token; the ids (if any) come as repeated ``id`` fields."""


def unread_for_request(user_id: int) -> int:
    """The user's unread count, asked of the database at most once per request (the list
    page and the header's account menu both show it)."""
    cached = g.get("_opop_unread")
    if cached is None or cached[0] != user_id:
        cached = g._opop_unread = (user_id, services.unread_count(db.session, user_id))
    return cached[1]


@bp.record_once
def _template_globals(state) -> None:
    # The header's account menu (templates/_account_slot.html) shows the unread count.
    state.app.jinja_env.globals["unread_notifications"] = lambda user: unread_for_request(int(user.id))



def _page_number() -> int:
    return page_number(request.args.get("halaman"))


def _display_link(link: str | None) -> str | None:
    # Checked when written; checked again here in case a row came from elsewhere.
    return link if link and safe_next(link, default="") == link else None


@bp.get("/notifikasi")
@login_required
def index():
    pagination = db.paginate(services.list_query(int(current_user.id)), page=_page_number(),
                             per_page=PER_PAGE, error_out=False, count=True)
    items = []
    for notification in pagination.items:
        subject, body = render(notification.kind, notification.params)
        items.append({
            "id": notification.id,
            "subject": subject,
            "body": body,
            "link": _display_link(notification.link),
            "unread": notification.read_at is None,
            "created": format_datetime(notification.created_at, "d MMM y, HH.mm"),
        })
    unread = unread_for_request(int(current_user.id))
    return render_template("notifications/list.html", pagination=pagination, items=items,
                           unread=unread, form=MarkReadForm())


@bp.post("/notifikasi/baca")
@login_required
def mark_read():
    form = MarkReadForm()
    if not form.validate_on_submit():
        abort(400)
    raw_ids = request.form.getlist("id")
    ids = [whole_number(raw) for raw in raw_ids[:services.MAX_IDS + 1]]
    if len(ids) > services.MAX_IDS or None in ids:
        abort(400)
    ids = ids or None
    changed = services.mark_read(db.session, user_id=int(current_user.id), notification_ids=ids)
    db.session.commit()
    g.pop("_opop_unread", None)
    if changed:
        flash(ngettext("%(num)s pemberitahuan ditandai sudah dibaca.",
                       "%(num)s pemberitahuan ditandai sudah dibaca.", changed), "success")
    else:
        flash(_("Tidak ada pemberitahuan baru."), "info")
    return redirect(safe_next(request.form.get("next"), url_for("notifications.index")), 303)
