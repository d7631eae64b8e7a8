"""Email, sent only once the transaction that caused it has committed.

A service queues messages on its session (``queue_after_commit``); a listener on every
Session sends them after the outermost commit and drops them on rollback, so nobody is
told about a change the database never kept, and a failing mail server never breaks the
request that caused the email (failures are logged, never raised).

Without ``MAIL_SERVER`` (development, tests) each message is written to the
``opopmart.mail`` log at INFO instead.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction, scoped_session

log = logging.getLogger("opopmart.mail")

SMTP_TIMEOUT_SECONDS = 10
QUEUE_KEY = "opopmart.mail_queue"
DEFAULT_SENDER = "OPOP Mart <noreply@localhost>"


@dataclass(frozen=True)
class MailSettings:
    """The MAIL_* configuration, copied when a message is queued: the listener that sends
    it runs inside SQLAlchemy, where no particular app is guaranteed to be current."""

    server: str | None = None
    port: int = 587
    use_tls: bool = True
    username: str | None = None
    password: str | None = None
    sender: str = DEFAULT_SENDER
    site_url: str | None = None

    @classmethod
    def from_config(cls, config: Mapping) -> MailSettings:
        return cls(
            server=config.get("MAIL_SERVER") or None,
            port=int(config.get("MAIL_PORT") or 587),
            use_tls=bool(config.get("MAIL_USE_TLS", True)),
            username=config.get("MAIL_USERNAME") or None,
            password=config.get("MAIL_PASSWORD") or None,
            sender=config.get("MAIL_FROM") or DEFAULT_SENDER,
            site_url=(config.get("SITE_URL") or "").rstrip("/") or None,
        )


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str


def build_message(settings: MailSettings, mail: Mail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = mail.to
    # Subjects carry product names: a line break there would be a header injection.
    message["Subject"] = " ".join(mail.subject.split())
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2].strip("> ") or None)
    message.set_content(mail.body)
    return message


def send_all(settings: MailSettings, mails: Iterable[Mail]) -> int:
    """Send (or log) each message over one connection; returns how many went out.

    Never raises: a mail server that is down, slow (SMTP_TIMEOUT_SECONDS) or refuses a
    recipient is logged with its exception, and the caller carries on.
    """
    mails = list(mails)
    if not mails:
        return 0
    if not settings.server:
        for mail in mails:
            log.info("Email (MAIL_SERVER not set, not sent)\nTo: %s\nSubject: %s\n\n%s",
                     mail.to, mail.subject, mail.body)
        return len(mails)
    sent = 0
    try:
        with smtplib.SMTP(settings.server, settings.port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
            if settings.use_tls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.username:
                smtp.login(settings.username, settings.password or "")
            for mail in mails:
                try:
                    smtp.send_message(build_message(settings, mail))
                except smtplib.SMTPResponseException as exc:
                    # This recipient or message refused; the connection is still good.
                    log.error("Email to %s refused by %s: %s", mail.to, settings.server, exc)
                except smtplib.SMTPRecipientsRefused:
                    log.exception("Email to %s refused by %s", mail.to, settings.server)
                else:
                    sent += 1
    except Exception:
        unsent = len(mails) - sent
        log.exception("%d email(s) not sent through %s:%s", unsent, settings.server, settings.port)
    return sent


# --------------------------------------------------------------------------------------
# After commit


def _innermost(session: Session) -> SessionTransaction | None:
    return session.get_nested_transaction() or session.get_transaction()


def queue_after_commit(session, settings: MailSettings, mails: Iterable[Mail]) -> None:
    """Send ``mails`` once this session's outermost transaction commits.

    Each message remembers the (sub)transaction it was queued in, so rolling back a
    savepoint drops only what was queued inside it.
    """
    if isinstance(session, scoped_session):  # db.session: the Session behind it
        session = session()
    transaction = _innermost(session)
    queue = session.info.setdefault(QUEUE_KEY, [])
    queue.extend((transaction, settings, mail) for mail in mails)


def _within(transaction: SessionTransaction | None, ancestor: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False


def _send_after_commit(session: Session) -> None:
    if QUEUE_KEY not in session.info or session.get_nested_transaction() is not None:
        return  # nothing queued, or only a savepoint was released: wait for the real commit
    queue = session.info.pop(QUEUE_KEY)
    try:
        by_settings: dict[MailSettings, list[Mail]] = {}
        for _transaction, settings, mail in queue:
            by_settings.setdefault(settings, []).append(mail)
        for settings, mails in by_settings.items():
            send_all(settings, mails)
    except Exception:  # the commit happened: nothing here may reach the request
        log.exception("Queued email could not be sent")


def _drop_rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    queue = session.info.get(QUEUE_KEY)
    if queue:
        queue[:] = [entry for entry in queue if not _within(entry[0], previous_transaction)]
        if not queue:
            del session.info[QUEUE_KEY]


def _drop_on_end(session: Session, transaction: SessionTransaction) -> None:
    # The outermost transaction ended without a commit having sent the queue (closed,
    # or rolled back): what it queued must never go out.
    if transaction.parent is None:
        session.info.pop(QUEUE_KEY, None)


def _listen() -> None:
    for name, handler in (("after_commit", _send_after_commit),
                          ("after_soft_rollback", _drop_rolled_back),
                          ("after_transaction_end", _drop_on_end)):
        if not event.contains(Session, name, handler):
            event.listen(Session, name, handler)


_listen()
