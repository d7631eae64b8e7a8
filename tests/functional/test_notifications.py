"""Notifications: notify (rows now, email after commit), the list page, marking read, the
header's unread badge. Email goes to a real SMTP sink (tests/unit/test_mail.py)."""

from __future__ import annotations

import logging
import re
from html import unescape

import pytest
from sqlalchemy import event, func, select

from opopmart.accounts.models import MemberRole, ProducerMember
from opopmart.extensions import db
from opopmart.notifications.kinds import KINDS
from opopmart.notifications.mail import QUEUE_KEY
from opopmart.notifications.models import Notification
from opopmart.notifications.services import mark_read, notify, notify_producer, unread_count
from tests.functional.seller_support import seller
from tests.functional.test_accounts import csrf_token, login, make_user
from tests.unit.test_mail import closed_port, smtp_sink  # noqa: F401 - fixture

APPROVED = {"kind": "review_approved", "params": {"product_name": "Kopi Arabika Ijen"}}


@pytest.fixture
def mail_to_sink(app, smtp_sink):  # noqa: F811
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_sink.port, MAIL_USE_TLS=False,
                      MAIL_FROM="OPOP Mart <noreply@opopmart.test>", SITE_URL="https://opopmart.test/")
    return smtp_sink


def rows(session) -> list[tuple]:
    session.expire_all()
    return [tuple(r) for r in session.execute(
        select(Notification.user_id, Notification.kind, Notification.params, Notification.link,
               Notification.read_at.is_(None)).order_by(Notification.id))]


def count_notifications(session) -> int:
    session.expire_all()
    return session.execute(select(func.count()).select_from(Notification)).scalar_one()


def listed_ids(response) -> list[int]:
    return [int(i) for i in re.findall(r'data-notification="(\d+)"', response.get_data(as_text=True))]


def unread_ids(response) -> list[int]:
    return [int(i) for i in re.findall(r'class="notification unread" data-notification="(\d+)"',
                                       response.get_data(as_text=True))]


# --------------------------------------------------------------------------------------
# notify and email


def test_notify_writes_one_row_per_user_and_mails_each_in_indonesian_after_commit(session, mail_to_sink):
    # Given Siti and Ani
    siti = make_user(session)
    ani = make_user(session, email="ani@contoh.id", name="Ani Rahma")
    # When the curator's action notifies both (Siti named twice)
    created = notify(session, user_ids=[siti.id, ani.id, siti.id], link="/studio/produk/7", **APPROVED)
    # Then one row each, unread, holding only the kind and its parameters
    assert [n.user_id for n in created] == [siti.id, ani.id]
    assert rows(session) == [
        (siti.id, "review_approved", {"product_name": "Kopi Arabika Ijen"}, "/studio/produk/7", True),
        (ani.id, "review_approved", {"product_name": "Kopi Arabika Ijen"}, "/studio/produk/7", True),
    ]
    # And no email before the commit
    assert mail_to_sink.received == []
    session.commit()
    # After it, one email each, in Indonesian, linking to the page on the site
    assert [r for _, r, _ in mail_to_sink.received] == [["siti@contoh.id"], ["ani@contoh.id"]]
    _, _, message = mail_to_sink.received[0]
    assert message["Subject"] == "Kopi Arabika Ijen lolos kurasi"
    assert message.get_content() == (
        "Halo Siti,\n\n"
        "Kurator menyetujui Kopi Arabika Ijen. Produk ini sudah terbit di OPOP Mart.\n\n"
        "Lihat di OPOP Mart: https://opopmart.test/studio/produk/7\n\n"
        "Semua pemberitahuan Anda ada di halaman Notifikasi akun OPOP Mart.\n\n"
        "Salam,\nOPOP Mart\n")


def test_without_a_mail_server_the_email_is_logged(session, caplog):
    siti = make_user(session)
    notify(session, user_ids=[siti.id], **APPROVED)
    with caplog.at_level(logging.INFO, logger="opopmart.mail"):
        session.commit()
    [record] = [r for r in caplog.records if r.name == "opopmart.mail"]
    assert record.levelno == logging.INFO
    assert record.getMessage().startswith(
        "Email (MAIL_SERVER not set, not sent)\nTo: siti@contoh.id\nSubject: Kopi Arabika Ijen lolos kurasi\n\n"
        "Halo Siti,\n\nKurator menyetujui Kopi Arabika Ijen.")


def test_a_rollback_stores_nothing_and_sends_nothing(session, mail_to_sink):
    siti = make_user(session)
    notify(session, user_ids=[siti.id], **APPROVED)
    session.rollback()
    session.commit()
    assert count_notifications(session) == 0
    assert mail_to_sink.received == []


def test_a_deactivated_account_gets_the_row_but_no_email(session, mail_to_sink):
    siti = make_user(session)
    gone = make_user(session, email="lama@contoh.id", name="Akun Lama")
    gone.is_active_account = False
    session.commit()
    notify(session, user_ids=[siti.id, gone.id], **APPROVED)
    session.commit()
    assert count_notifications(session) == 2
    assert [r for _, r, _ in mail_to_sink.received] == [["siti@contoh.id"]]


def _register_notifying_route(app, user_id: int) -> None:
    """A stand-in for a curator's action: notify, commit once, answer."""
    def approve():
        notify(db.session, user_ids=[user_id], link="/studio/produk/7", **APPROVED)
        db.session.commit()
        return "disetujui"
    app.add_url_rule("/_uji/setujui", "uji_setujui", approve)


def test_a_request_that_notifies_sends_after_its_commit(app, client, session, mail_to_sink):
    siti = make_user(session)
    _register_notifying_route(app, siti.id)
    response = client.get("/_uji/setujui")
    assert (response.status_code, response.get_data(as_text=True)) == (200, "disetujui")
    assert [r for _, r, _ in mail_to_sink.received] == [["siti@contoh.id"]]
    assert unread_count(session, siti.id) == 1


def test_a_mail_server_that_is_down_does_not_break_the_request(app, client, session, caplog):
    # Given a mail server that refuses connections
    siti = make_user(session)
    port = closed_port()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False)
    _register_notifying_route(app, siti.id)
    # When a request notifies Siti
    with caplog.at_level(logging.INFO, logger="opopmart.mail"):
        response = client.get("/_uji/setujui")
    # Then the request succeeded, the notification is kept, and the failure is logged
    assert (response.status_code, response.get_data(as_text=True)) == (200, "disetujui")
    assert unread_count(session, siti.id) == 1
    [record] = [r for r in caplog.records if r.name == "opopmart.mail"]
    assert record.levelno == logging.ERROR
    assert record.getMessage() == f"1 email(s) not sent through 127.0.0.1:{port}"
    assert isinstance(record.exc_info[1], ConnectionRefusedError)


def test_notify_producer_reaches_the_owner_and_the_staff_only(session, mail_to_sink):
    # Given Ani owns a shop with Budi as staff, and Citra owns another shop
    ani, shop = seller(session)
    budi = make_user(session, email="budi@contoh.id", name="Budi Santoso")
    session.add(ProducerMember(user_id=budi.id, producer_id=shop.id, role=MemberRole.STAFF))
    citra, _other = seller(session, email="citra@contoh.id", name="Citra", shop="Kopontren Lain")
    session.commit()
    # When the shop is verified
    created = notify_producer(session, producer_id=shop.id, kind="producer_verified",
                              params={"producer_name": shop.name}, link="/studio/")
    session.commit()
    # Then Ani and Budi are told, Citra is not
    assert sorted(n.user_id for n in created) == sorted([ani.id, budi.id])
    assert (unread_count(session, ani.id), unread_count(session, budi.id),
            unread_count(session, citra.id)) == (1, 1, 0)
    assert sorted(r[0] for _, r, _ in mail_to_sink.received) == ["ani@contoh.id", "budi@contoh.id"]
    assert {m["Subject"] for _, _, m in mail_to_sink.received} == {"Kopontren Al Amin sudah terverifikasi"}


@pytest.mark.parametrize("call, message", [
    ({"kind": "tidak_ada", "params": {}}, "unknown notification kind 'tidak_ada'"),
    ({"kind": "review_rejected", "params": {"product_name": "Kopi"}},
     "notification kind 'review_rejected' needs param 'reason'"),
    ({**APPROVED, "params": {"product_name": ["Kopi"]}}, "must be a string or a whole number"),
    ({**APPROVED, "params": {"product_name": True}}, "must be a string or a whole number"),
    ({**APPROVED, "link": "https://jahat.example/"}, "must be a path on this site"),
    ({**APPROVED, "link": "//jahat.example/"}, "must be a path on this site"),
    ({**APPROVED, "link": "/\\jahat.example"}, "must be a path on this site"),
    ({**APPROVED, "link": "javascript:alert(1)"}, "must be a path on this site"),
    ({**APPROVED, "link": "studio/produk/7"}, "must be a path on this site"),
    ({**APPROVED, "link": "/studio\n/x"}, "must be a path on this site"),
    ({**APPROVED, "link": "/" + "a" * 500}, "must be a path on this site"),
])
def test_notify_refuses_a_bad_call_and_writes_nothing(session, mail_to_sink, call, message):
    siti = make_user(session)
    with pytest.raises(ValueError, match=re.escape(message)):
        notify(session, user_ids=[siti.id], **call)
    assert QUEUE_KEY not in session.info
    session.commit()
    assert count_notifications(session) == 0
    assert mail_to_sink.received == []


def test_notify_refuses_an_unknown_user(session, mail_to_sink):
    siti = make_user(session)
    with pytest.raises(ValueError, match=re.escape(f"no such users: [{siti.id + 1}]")):
        notify(session, user_ids=[siti.id, siti.id + 1], **APPROVED)
    session.commit()
    assert count_notifications(session) == 0
    assert mail_to_sink.received == []


def test_every_kind_renders_with_its_documented_params(app):
    documented = {
        "producer_verified": {"producer_name"},
        "producer_refused": {"producer_name", "reason"},
        "review_approved": {"product_name"},
        "review_changes_requested": {"product_name", "note"},
        "review_rejected": {"product_name", "reason"},
        "certificate_expired": {"product_name", "certificate"},
        "revision_approved": {"product_name"},
        "revision_changes_requested": {"product_name", "note"},
    }
    assert documented.keys() <= KINDS.keys()
    with app.test_request_context():
        for kind, params in documented.items():
            values = {name: f"<{name}>" for name in params}
            subject, body = str(KINDS[kind].subject) % values, str(KINDS[kind].body) % values
            # Every documented parameter is shown somewhere, and nothing else is needed
            assert all(f"<{name}>" in subject + body for name in params), kind


# --------------------------------------------------------------------------------------
# The list page


def test_the_list_shows_the_users_notifications_newest_first_escaped(client, session):
    # Given Siti has three notifications (one read, one of a kind since removed) and Ani one
    siti = make_user(session)
    ani = make_user(session, email="ani@contoh.id", name="Ani Rahma")
    first = notify(session, user_ids=[siti.id], kind="review_rejected",
                   params={"product_name": "<script>alert(1)</script> & Kopi", "reason": "Foto buram"})[0]
    old = Notification(user_id=siti.id, kind="jenis_lama", params={"x": 1}, link="//jahat.example")
    session.add(old)
    session.flush()
    newest = notify(session, user_ids=[siti.id], link="/studio/produk/7", **APPROVED)[0]
    others = notify(session, user_ids=[ani.id], **APPROVED)[0]
    mark_read(session, user_id=siti.id, notification_ids=[first.id])
    session.commit()
    # When Siti opens her notifications
    login(client)
    response = client.get("/notifikasi")
    html = response.get_data(as_text=True)
    # Then she sees her own, newest first, the unread ones marked
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert listed_ids(response) == [newest.id, old.id, first.id]
    assert others.id not in listed_ids(response)
    assert unread_ids(response) == [newest.id, old.id]
    assert 'data-testid="unread-total">2 belum dibaca</p>' in html
    # Parameters are escaped, never markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Kopi ditolak" in html
    assert "<script>alert(1)" not in html
    assert "Kurator menolak &lt;script&gt;alert(1)&lt;/script&gt; &amp; Kopi. Alasan: Foto buram" in html
    # A link goes to the site path; a kind this version does not know shows a generic
    # line, and a link that is not a site path is not shown
    assert '<a href="/studio/produk/7">Lihat</a>' in html
    assert "Pemberitahuan</strong>" in html
    assert "Ada pemberitahuan untuk Anda di OPOP Mart." in html
    assert "jahat.example" not in html


def test_the_list_is_paged_twenty_at_a_time(client, session):
    siti = make_user(session)
    made = [notify(session, user_ids=[siti.id], **APPROVED)[0].id for _ in range(23)]
    session.commit()
    login(client)
    page1, page2 = client.get("/notifikasi"), client.get("/notifikasi?halaman=2")
    assert listed_ids(page1) == made[::-1][:20]
    assert listed_ids(page2) == made[::-1][20:]
    assert 'href="/notifikasi?halaman=2"' in page1.get_data(as_text=True)
    assert "Halaman 2 dari 2" in page2.get_data(as_text=True)
    assert listed_ids(client.get("/notifikasi?halaman=abc")) == made[::-1][:20]


def test_no_notifications_says_so(client, session):
    make_user(session)
    login(client)
    html = unescape(client.get("/notifikasi").get_data(as_text=True))
    assert "Belum ada notifikasi." in html
    assert "Tandai semua sudah dibaca" not in html


# --------------------------------------------------------------------------------------
# Marking read


@pytest.fixture
def two_users(session):
    siti = make_user(session)
    ani = make_user(session, email="ani@contoh.id", name="Ani Rahma")
    mine = [notify(session, user_ids=[siti.id], **APPROVED)[0].id for _ in range(3)]
    theirs = notify(session, user_ids=[ani.id], **APPROVED)[0].id
    session.commit()
    return siti, ani, mine, theirs


def test_mark_all_read(client, session, two_users):
    siti, ani, mine, theirs = two_users
    login(client)
    response = client.post("/notifikasi/baca", data={"csrf_token": csrf_token(client, "/notifikasi")})
    assert (response.status_code, response.headers["Location"]) == (303, "/notifikasi")
    assert (unread_count(session, siti.id), unread_count(session, ani.id)) == (0, 1)
    page = client.get("/notifikasi")
    assert "3 pemberitahuan ditandai sudah dibaca." in unescape(page.get_data(as_text=True))
    assert unread_ids(page) == []
    # Again: nothing left to mark
    client.post("/notifikasi/baca", data={"csrf_token": csrf_token(client, "/notifikasi")})
    assert "Tidak ada pemberitahuan baru." in unescape(client.get("/notifikasi").get_data(as_text=True))


def test_mark_given_ids_read_and_another_users_ids_are_not_affected(client, session, two_users):
    siti, ani, mine, theirs = two_users
    login(client)
    response = client.post("/notifikasi/baca", data={
        "csrf_token": csrf_token(client, "/notifikasi"), "id": [str(mine[0]), str(theirs)],
        "next": "/notifikasi?halaman=1"})
    assert (response.status_code, response.headers["Location"]) == (303, "/notifikasi?halaman=1")
    assert unread_ids(client.get("/notifikasi")) == [mine[2], mine[1]]
    assert (unread_count(session, siti.id), unread_count(session, ani.id)) == (2, 1)


@pytest.mark.parametrize("ids", [["abc"], ["-1"], ["1.5"], ["9" * 20], [str(n) for n in range(501)]])
def test_mark_read_refuses_bad_ids_and_writes_nothing(client, session, two_users, ids):
    siti, ani, mine, theirs = two_users
    login(client)
    response = client.post("/notifikasi/baca", data={"csrf_token": csrf_token(client, "/notifikasi"),
                                                     "id": ids})
    assert response.status_code == 400
    assert (unread_count(session, siti.id), unread_count(session, ani.id)) == (3, 1)


def test_mark_read_service_is_owner_scoped(session, two_users):
    siti, ani, mine, theirs = two_users
    assert mark_read(session, user_id=siti.id, notification_ids=[theirs]) == 0
    assert mark_read(session, user_id=siti.id, notification_ids=[]) == 0
    assert mark_read(session, user_id=siti.id, notification_ids=[mine[1], mine[1]]) == 1
    assert mark_read(session, user_id=siti.id, notification_ids=None) == 2
    session.commit()
    assert (unread_count(session, siti.id), unread_count(session, ani.id)) == (0, 1)


# --------------------------------------------------------------------------------------
# The header


@pytest.fixture
def statements(app):
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    yield seen
    event.remove(db.engine, "before_cursor_execute", record)


def unread_counts(statements) -> int:
    return sum(1 for s in statements if "FROM notifications" in s and "read_at IS NULL" in s)


def test_the_header_shows_the_unread_count_to_its_owner_only(app, session, two_users, statements):
    siti, ani, mine, theirs = two_users
    siti_client, ani_client, anonymous = app.test_client(), app.test_client(), app.test_client()
    login(siti_client)
    login(ani_client, email="ani@contoh.id")
    # A cached public page: each visitor's own count, with one COUNT per request
    statements.clear()
    siti_home = siti_client.get("/").get_data(as_text=True)
    assert unread_counts(statements) == 1
    assert ('<summary data-testid="account-name"><span class="badge badge-out" data-testid="unread-badge" '
            'title="3 notifikasi belum dibaca">3</span> Siti</summary>') in siti_home
    assert '<a href="/notifikasi" data-testid="notifications-link">Notifikasi <span' in siti_home
    assert 'title="1 notifikasi belum dibaca">1</span> Ani</summary>' in ani_client.get("/").get_data(as_text=True)
    statements.clear()
    assert "unread-badge" not in anonymous.get("/").get_data(as_text=True)
    assert unread_counts(statements) == 0
    # The list page shows the count too, still counted once
    statements.clear()
    siti_client.get("/notifikasi")
    assert unread_counts(statements) == 1
    # Nothing unread: no badge, the menu as before
    mark_read(session, user_id=siti.id, notification_ids=None)
    session.commit()
    home = siti_client.get("/").get_data(as_text=True)
    assert 'data-testid="account-name">Siti</summary>' in home
    assert '<a href="/notifikasi" data-testid="notifications-link">Notifikasi</a>' in home


def test_bad_pages_and_ids_are_refused_and_nothing_is_marked(client, session):
    # Given Siti with one unread notification
    siti = make_user(session)
    notify(session, user_ids=[siti.id], **APPROVED)
    session.commit()
    login(client)
    # When the page is "²" (str.isdigit() says yes, int() raised: a 500)
    page = client.get("/notifikasi?halaman=²")
    # and ids that are no number, or past an INTEGER column (PostgreSQL: "integer out of range")
    refused = [client.post("/notifikasi/baca", data={"csrf_token": csrf_token(client, "/notifikasi"),
                                                     "id": bad})
               for bad in ("²", "2147483648", "abc")]
    # Then the list shows, each id is a bad request, and the notification is still unread
    assert page.status_code == 200
    assert [r.status_code for r in refused] == [400, 400, 400]
    assert unread_count(session, siti.id) == 1
