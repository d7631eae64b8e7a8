"""notifications.mail: sending over real SMTP (a tiny sink in this process), the log when
no server is configured, failures that are logged and never raised, and the queue that
sends only after the outermost commit (real SQLite or PostgreSQL session)."""

from __future__ import annotations

import logging
import socket
import socketserver
import threading
from email import message_from_bytes, policy

import pytest
from sqlalchemy import select

from opopmart.config import DevelopmentConfig, TestConfig
from opopmart.core.models import CacheVersion
from opopmart.notifications.mail import (
    QUEUE_KEY,
    SMTP_TIMEOUT_SECONDS,
    Mail,
    MailSettings,
    queue_after_commit,
    send_all,
)

# --------------------------------------------------------------------------------------
# A minimal SMTP server: the verbs smtplib uses, one thread per connection.


class _SmtpHandler(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write(line.encode("ascii") + b"\r\n")

    def handle(self) -> None:
        sink: SmtpSink = self.server.sink  # type: ignore[attr-defined]
        self.reply("220 sink.test ESMTP")
        sender, recipients = None, []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            command = line.decode("utf-8", "replace").rstrip("\r\n")
            verb = command[:4].upper()
            argument = command.partition(":")[2].strip().strip("<>").split(">")[0]
            if verb == "EHLO":
                self.wfile.write(b"250-sink.test\r\n250 8BITMIME\r\n")
            elif verb == "HELO" or verb == "NOOP":
                self.reply("250 OK")
            elif verb == "MAIL":
                sender, recipients = argument, []
                self.reply("250 OK")
            elif verb == "RCPT":
                if argument in sink.refuse:
                    self.reply("550 No such user here")
                else:
                    recipients.append(argument)
                    self.reply("250 OK")
            elif verb == "RSET":
                sender, recipients = None, []
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                data = bytearray()
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                with sink.lock:
                    message = message_from_bytes(bytes(data).replace(b"\r\n", b"\n"),
                                                 policy=policy.default)
                    sink.received.append((sender, list(recipients), message))
                self.reply("250 OK queued")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class SmtpSink:
    """Accepts mail on 127.0.0.1 and keeps (envelope sender, recipients, message)."""

    def __init__(self):
        self.received: list = []
        self.refuse: set[str] = set()
        self.lock = threading.Lock()
        self.server = _Server(("127.0.0.1", 0), _SmtpHandler)
        self.server.sink = self
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()

    def settings(self, **overrides) -> MailSettings:
        return MailSettings(**{"server": "127.0.0.1", "port": self.port, "use_tls": False,
                               "sender": "OPOP Mart <noreply@opopmart.test>", **overrides})

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def smtp_sink():
    sink = SmtpSink()
    yield sink
    sink.close()


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (connection refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


SITI = Mail(to="siti@contoh.id", subject="Kopi Arabika Ijen lolos kurasi",
            body="Halo Siti,\n\nKurator menyetujui Kopi Arabika Ijen — selamat!")


# --------------------------------------------------------------------------------------
# Sending


def test_a_configured_server_receives_the_message(smtp_sink):
    # When one message is sent through the sink
    sent = send_all(smtp_sink.settings(), [SITI])
    # Then it arrived whole, with the envelope and headers we set
    assert sent == 1
    [(sender, recipients, message)] = smtp_sink.received
    assert (sender, recipients) == ("noreply@opopmart.test", ["siti@contoh.id"])
    assert message["From"] == "OPOP Mart <noreply@opopmart.test>"
    assert message["To"] == "siti@contoh.id"
    assert message["Subject"] == "Kopi Arabika Ijen lolos kurasi"
    assert message["Message-ID"].endswith("@opopmart.test>")
    assert message.get_content() == "Halo Siti,\n\nKurator menyetujui Kopi Arabika Ijen — selamat!\n"


def test_several_messages_share_one_connection_and_a_refused_recipient_skips_only_itself(
        smtp_sink, caplog):
    # Given the server refuses one of three recipients
    smtp_sink.refuse.add("hilang@contoh.id")
    mails = [SITI, Mail("hilang@contoh.id", "A", "a"), Mail("ani@contoh.id", "B", "b")]
    # When the three are sent
    with caplog.at_level(logging.INFO, logger="opopmart.mail"):
        sent = send_all(smtp_sink.settings(), mails)
    # Then the other two arrived and the refusal is logged as an error
    assert sent == 2
    assert [r for _, r, _ in smtp_sink.received] == [["siti@contoh.id"], ["ani@contoh.id"]]
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert [r.getMessage() for r in errors] == ["Email to hilang@contoh.id refused by 127.0.0.1"]


def test_a_line_break_in_a_subject_cannot_add_a_header(smtp_sink):
    send_all(smtp_sink.settings(), [Mail("siti@contoh.id", "Kopi\r\nBcc: semua@contoh.id", "isi")])
    [(_, recipients, message)] = smtp_sink.received
    assert recipients == ["siti@contoh.id"]
    assert message["Subject"] == "Kopi Bcc: semua@contoh.id"
    assert message["Bcc"] is None


def test_without_a_server_the_message_is_logged_not_sent(caplog):
    with caplog.at_level(logging.INFO, logger="opopmart.mail"):
        sent = send_all(MailSettings(server=None), [SITI])
    assert sent == 1
    [record] = caplog.records
    assert (record.name, record.levelno) == ("opopmart.mail", logging.INFO)
    assert record.getMessage() == (
        "Email (MAIL_SERVER not set, not sent)\nTo: siti@contoh.id\n"
        "Subject: Kopi Arabika Ijen lolos kurasi\n\n"
        "Halo Siti,\n\nKurator menyetujui Kopi Arabika Ijen — selamat!")


def test_a_server_that_refuses_connections_is_logged_never_raised(caplog):
    port = closed_port()
    with caplog.at_level(logging.INFO, logger="opopmart.mail"):
        sent = send_all(MailSettings(server="127.0.0.1", port=port, use_tls=False), [SITI, SITI])
    assert sent == 0
    [record] = caplog.records
    assert record.levelno == logging.ERROR
    assert record.getMessage() == f"2 email(s) not sent through 127.0.0.1:{port}"
    assert isinstance(record.exc_info[1], ConnectionRefusedError)


def test_smtp_waits_about_ten_seconds_at_most():
    assert SMTP_TIMEOUT_SECONDS == 10


# --------------------------------------------------------------------------------------
# Configuration


MAIL_ENV = {"MAIL_SERVER": "smtp.contoh.id", "MAIL_PORT": "2525", "MAIL_USE_TLS": "no",
            "MAIL_USERNAME": "opop", "MAIL_PASSWORD": "rahasia", "MAIL_FROM": "OPOP <opop@contoh.id>",
            "SITE_URL": "https://opopmart.contoh.id/"}


def test_mail_settings_come_from_the_environment(monkeypatch, tmp_path):
    for name, value in MAIL_ENV.items():
        monkeypatch.setenv(name, value)
    config = DevelopmentConfig()
    config.resolve(str(tmp_path))
    settings = MailSettings.from_config(vars(config))
    assert settings == MailSettings(server="smtp.contoh.id", port=2525, use_tls=False, username="opop",
                                    password="rahasia", sender="OPOP <opop@contoh.id>",
                                    site_url="https://opopmart.contoh.id")


def test_defaults_log_instead_of_sending_and_tests_ignore_the_environment(monkeypatch, tmp_path):
    for name in MAIL_ENV:
        monkeypatch.delenv(name, raising=False)
    config = DevelopmentConfig()
    config.resolve(str(tmp_path))
    assert MailSettings.from_config(vars(config)) == MailSettings(
        server=None, port=587, use_tls=True, username=None, password=None,
        sender="OPOP Mart <noreply@localhost>", site_url=None)
    # A developer's MAIL_SERVER never receives the test suite's mail
    monkeypatch.setenv("MAIL_SERVER", "smtp.contoh.id")
    testing = TestConfig()
    testing.resolve(str(tmp_path))
    assert testing.MAIL_SERVER is None


# --------------------------------------------------------------------------------------
# After commit (a real database session)


def _write(session, name: str) -> None:
    session.add(CacheVersion(name=name, value=1))
    session.flush()


def _names(session) -> list[str]:
    """The counters this module's tests wrote (the migrated database has its own)."""
    session.expire_all()
    return session.scalars(select(CacheVersion.name).where(CacheVersion.name.in_(
        ["a", "b", "outer", "kept", "undone"])).order_by(CacheVersion.name)).all()


def test_queued_mail_goes_out_only_after_the_commit(session, smtp_sink):
    _write(session, "a")
    queue_after_commit(session, smtp_sink.settings(), [SITI])
    session.flush()
    assert smtp_sink.received == []  # a flush is not a commit
    session.commit()
    assert [r for _, r, _ in smtp_sink.received] == [["siti@contoh.id"]]
    assert QUEUE_KEY not in session.info
    # And the next commit does not send it again
    _write(session, "b")
    session.commit()
    assert len(smtp_sink.received) == 1


def test_a_rollback_drops_queued_mail(session, smtp_sink):
    _write(session, "a")
    queue_after_commit(session, smtp_sink.settings(), [SITI])
    session.rollback()
    _write(session, "b")
    session.commit()
    assert smtp_sink.received == []
    assert _names(session) == ["b"]


def test_closing_the_session_without_commit_drops_queued_mail(session, smtp_sink):
    _write(session, "a")
    queue_after_commit(session, smtp_sink.settings(), [SITI])
    session.remove()
    _write(session, "b")
    session.commit()
    assert smtp_sink.received == []


def test_a_savepoint_waits_for_the_outer_commit_and_its_rollback_drops_only_its_own(session, smtp_sink):
    settings = smtp_sink.settings()
    _write(session, "outer")
    queue_after_commit(session, settings, [Mail("outer@contoh.id", "s", "b")])
    # A savepoint released: its mail waits for the real commit
    with session.begin_nested():
        _write(session, "kept")
        queue_after_commit(session, settings, [Mail("kept@contoh.id", "s", "b")])
    assert smtp_sink.received == []
    # A savepoint rolled back: only its own mail is dropped
    savepoint = session.begin_nested()
    _write(session, "undone")
    queue_after_commit(session, settings, [Mail("undone@contoh.id", "s", "b")])
    savepoint.rollback()
    session.commit()
    assert [r for _, r, _ in smtp_sink.received] == [["outer@contoh.id"], ["kept@contoh.id"]]
    assert _names(session) == ["kept", "outer"]


def test_a_failing_server_after_commit_does_not_undo_or_raise(session, caplog):
    _write(session, "a")
    queue_after_commit(session, MailSettings(server="127.0.0.1", port=closed_port(), use_tls=False),
                       [SITI])
    with caplog.at_level(logging.INFO, logger="opopmart.mail"):
        session.commit()
    assert _names(session) == ["a"]
    assert [r.levelno for r in caplog.records] == [logging.ERROR]
