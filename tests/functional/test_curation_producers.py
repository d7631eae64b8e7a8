"""Producer verification: the curators' queue, verify / refuse / suspend, re-applying."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from opopmart.catalogue.models import (CertType, Producer, ProducerEvent, ProducerStatus,
                                       ProductStatus)
from opopmart.catalogue.services import set_producer_verified
from opopmart.core.timeutil import utcnow
from opopmart.curation import services
from opopmart.curation.services import NotPending
from opopmart.extensions import db
from opopmart.notifications.models import Notification
from tests import factories as f
from tests.functional.seller_support import seller
from tests.functional.test_accounts import errors_by_field, login, make_user, text
from tests.functional.test_curation import CSRF, flashes

REASON = "NIB tidak terdaftar di OSS; unggah NIB yang benar."


@pytest.fixture
def curator(session):
    return make_user(session, email="kurator@contoh.id", name="Kurnia Kurator", is_curator=True)


def post(client, path: str, **fields):
    token = CSRF.search(client.get("/akun").get_data(as_text=True)).group(1)
    return client.post(path, data={"csrf_token": token, **fields})


def queue_names(response) -> list[str]:
    return [unescape(n) for n in re.findall(r'data-testid="producer-name">([^<]+)<',
                                            response.get_data(as_text=True))]


def events(session, producer_id: int) -> list[tuple]:
    session.expire_all()
    return [(e.from_status, e.to_status, e.actor_id, e.reason) for e in session.execute(
        select(ProducerEvent).where(ProducerEvent.producer_id == producer_id)
        .order_by(ProducerEvent.id)).scalars()]


def state(session, producer_id: int) -> tuple:
    session.expire_all()
    p = session.get(Producer, producer_id)
    return p.status, p.verified, p.verified_at is not None


def notified(session, kind: str) -> list[tuple[int, dict, str]]:
    session.expire_all()
    return [(n.user_id, n.params, n.link) for n in session.execute(
        select(Notification).where(Notification.kind == kind).order_by(Notification.user_id)).scalars()]


def test_queue_lists_pending_producers_oldest_first_with_their_facts(client, session, curator):
    # Given two shops waiting (one with a malformed NIB from before format checks) and a verified one
    owner, newer = seller(session, email="baru@contoh.id", name="Nur Baru", shop="Kopontren Baru",
                          verified=False)
    older = f.producer(session, "Pesantren Lama", region_code="35.07", verified=False, nib="12345",
                       pesantren_name="PP Al Falah", address="Jl. Raya 5, Malang",
                       description="Kerajinan bambu santri.", created_at=utcnow() - timedelta(days=9))
    f.producer(session, "Toko Terverifikasi", region_code="35.78")
    session.commit()
    # When a curator opens the producer queue
    login(client, email=curator.email)
    page = client.get("/kurasi/produsen")
    # Then the waiting shops are listed, the longest waiting first, with the count
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert queue_names(page) == ["Pesantren Lama", "Kopontren Baru"]
    assert "2 toko" in text(page)
    html = page.get_data(as_text=True)
    assert 'data-testid="status-pending">Menunggu verifikasi (2)' in html
    assert 'data-testid="status-verified">Terverifikasi (1)' in html
    # And each with its NIB check, kind, pesantren/koperasi, kabupaten, address and members
    rows = dict(re.findall(r'<tr data-producer="(\d+)">(.*?)</tr>', html, re.S))
    old_row, new_row = unescape(rows[str(older.id)]), unescape(rows[str(newer.id)])
    for shown in ["12345", "NIB terdiri dari 13 angka.", "UMKM", "PP Al Falah", "Kab. Malang",
                  "Jl. Raya 5, Malang", "Kerajinan bambu santri."]:
        assert shown in old_row, shown
    for shown in ["1234567890123", "Format sah", "Koperasi Pondok Pesantren", "Pondok Pesantren Al Amin",
                  "Koperasi Al Amin", "Kab. Jember", "Jl. Pesantren 1", "Nur Baru", "baru@contoh.id"]:
        assert shown in new_row, shown
    # And the verified ones are one click away
    assert queue_names(client.get("/kurasi/produsen?status=verified")) == ["Toko Terverifikasi"]


def test_verify_makes_the_shop_public_records_an_event_and_notifies_members(client, session, curator):
    # Given a waiting shop with a published product (hidden while the shop is unverified)
    owner, shop = seller(session, verified=False)
    cat = f.category(session, "Kerajinan")
    item = f.product(session, shop, cat, "Tas Anyaman")
    session.commit()
    assert "Tas Anyaman" not in text(client.get("/katalog"))
    login(client, email=curator.email)
    # When the curator verifies it
    response = post(client, f"/kurasi/produsen/{shop.id}/verifikasi")
    # Then it is verified, its product public, the change an event, the members notified
    assert flashes(client, response) == [
        ("success", "Kopontren Al Amin terverifikasi. Produknya yang sudah disetujui kini tampil di katalog.")]
    assert state(session, shop.id) == (ProducerStatus.VERIFIED, True, True)
    assert events(session, shop.id) == [(ProducerStatus.PENDING, ProducerStatus.VERIFIED, curator.id, "")]
    assert "Tas Anyaman" in text(client.get("/katalog"))
    assert session.get(type(item), item.id).is_listed is True
    assert notified(session, "producer_verified") == [
        (owner.id, {"producer_name": "Kopontren Al Amin"}, f"/studio/toko/{shop.id}")]
    # And verifying again is a message, not a second event
    response = post(client, f"/kurasi/produsen/{shop.id}/verifikasi")
    assert flashes(client, response) == [("error", "Hanya toko yang menunggu verifikasi yang bisa diverifikasi.")]
    assert len(events(session, shop.id)) == 1


def test_refuse_needs_a_reason_then_the_seller_sees_it_and_re_applies(client, session, curator):
    owner, shop = seller(session, verified=False)
    login(client, email=curator.email)
    # When the curator refuses without a reason
    response = post(client, f"/kurasi/produsen/{shop.id}/tolak", reason=" ")
    # Then the form says so and nothing changes
    assert response.status_code == 200
    assert errors_by_field(response) == {"reason": ["Wajib diisi."]}
    assert state(session, shop.id) == (ProducerStatus.PENDING, False, False)
    assert events(session, shop.id) == []
    # When they refuse with a reason
    response = post(client, f"/kurasi/produsen/{shop.id}/tolak", reason=REASON)
    assert flashes(client, response) == [("success", "Verifikasi Kopontren Al Amin ditolak; penjual melihat alasannya.")]
    assert state(session, shop.id) == (ProducerStatus.REFUSED, False, False)
    assert events(session, shop.id) == [(ProducerStatus.PENDING, ProducerStatus.REFUSED, curator.id, REASON)]
    assert notified(session, "producer_refused") == [
        (owner.id, {"producer_name": "Kopontren Al Amin", "reason": REASON}, f"/studio/toko/{shop.id}")]
    # And the seller's shop page shows the reason and a re-apply button
    seller_client = client.application.test_client()
    login(seller_client, email=owner.email)
    page = seller_client.get(f"/studio/toko/{shop.id}")
    assert f"Alasan dari kurator: {REASON}" in text(page)
    assert 'data-testid="reapply"' in page.get_data(as_text=True)
    assert queue_names(client.get("/kurasi/produsen")) == []
    # When the seller re-applies with a note
    response = post(seller_client, f"/kurasi/ajukan-ulang/{shop.id}", note="NIB sudah diperbarui.")
    # Then the shop waits again, the event names the seller, and it is back in the queue
    assert flashes(seller_client, response) == [("success", "Toko diajukan ulang untuk verifikasi.")]
    assert response.headers["Location"] == f"/studio/toko/{shop.id}"
    assert state(session, shop.id) == (ProducerStatus.PENDING, False, False)
    assert events(session, shop.id)[-1] == (ProducerStatus.REFUSED, ProducerStatus.PENDING, owner.id,
                                            "NIB sudah diperbarui.")
    assert 'data-testid="unverified"' in seller_client.get(f"/studio/toko/{shop.id}").get_data(as_text=True)
    assert queue_names(client.get("/kurasi/produsen")) == ["Kopontren Al Amin"]
    # And the curator's page shows the whole history
    page = client.get(f"/kurasi/produsen/{shop.id}")
    assert len(re.findall(r'data-testid="producer-event"', page.get_data(as_text=True))) == 2
    # And re-applying again (the shop is waiting) is a message, not an event
    response = post(seller_client, f"/kurasi/ajukan-ulang/{shop.id}")
    assert flashes(seller_client, response) == [("error", "Hanya toko yang ditolak yang bisa mengajukan ulang.")]
    assert len(events(session, shop.id)) == 2


def test_only_members_may_re_apply(client, session, curator):
    owner, shop = seller(session, verified=False)
    services.refuse_producer(session, producer=shop, curator_id=curator.id, reason=REASON)
    session.commit()
    stranger = make_user(session, email="orang@contoh.id", name="Orang Lain")
    for email in [stranger.email, curator.email]:
        visitor = client.application.test_client()
        login(visitor, email=email)
        assert post(visitor, f"/kurasi/ajukan-ulang/{shop.id}").status_code == 404
    token = CSRF.search(client.get("/daftar").get_data(as_text=True)).group(1)
    response = client.post(f"/kurasi/ajukan-ulang/{shop.id}", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].startswith("/masuk")
    assert state(session, shop.id) == (ProducerStatus.REFUSED, False, False)


def test_suspending_a_verified_shop_hides_its_products(client, session, curator):
    # Given a verified shop with a public product
    owner, shop = seller(session)
    cat = f.category(session, "Kerajinan")
    f.product(session, shop, cat, "Tas Anyaman")
    session.commit()
    assert "Tas Anyaman" in text(client.get("/katalog"))
    login(client, email=curator.email)
    # When a curator suspends it with a reason
    response = post(client, f"/kurasi/produsen/{shop.id}/tolak", reason="Laporan pemalsuan merek.")
    # Then its products leave the catalogue and the suspension is recorded
    assert flashes(client, response) == [
        ("success", "Kopontren Al Amin ditangguhkan; semua produknya disembunyikan dari katalog.")]
    assert state(session, shop.id) == (ProducerStatus.REFUSED, False, False)
    assert events(session, shop.id)[-1] == (ProducerStatus.VERIFIED, ProducerStatus.REFUSED, curator.id,
                                            "Laporan pemalsuan merek.")
    assert "Tas Anyaman" not in text(client.get("/katalog"))
    assert client.get(f"/produsen/{shop.slug}").status_code == 404


def test_a_curator_acting_on_a_stale_page_gets_a_message(app, session, curator):
    # Given a second request that read the shop while it was waiting
    owner, shop = seller(session, verified=False)
    other = Session(db.engine)
    try:
        stale = other.get(Producer, shop.id)
        assert stale.status is ProducerStatus.PENDING
        # When the first curator verifies it and commits, then the second refuses it
        services.verify_producer(session, producer=shop, curator_id=curator.id)
        session.commit()
        with pytest.raises(NotPending) as refused:
            services.refuse_producer(other, producer=stale, curator_id=curator.id, reason="Terlambat.")
        other.rollback()
    finally:
        other.close()
    # Then the second is told, and only the first change is recorded
    assert str(refused.value.message) == "Status toko ini baru saja diubah orang lain. Periksa lagi."
    assert state(session, shop.id) == (ProducerStatus.VERIFIED, True, True)
    assert [e[1] for e in events(session, shop.id)] == [ProducerStatus.VERIFIED]


def test_producer_page_shows_facts_certificates_documents_and_products(app, client, session, curator):
    owner, shop = seller(session, verified=False)
    cat = f.category(session, "Kopi")
    item = f.product(session, shop, cat, "Kopi Argopuro", status=ProductStatus.SUBMITTED)
    cert = f.certificate(session, shop, CertType.PIRT, "2063509010123-28", products=[item], verified=False)
    cert.document_path = "0123456789abcdef0123456789abcdef.pdf"
    os.makedirs(app.config["DOCUMENT_ROOT"], exist_ok=True)
    with open(os.path.join(app.config["DOCUMENT_ROOT"], cert.document_path), "wb") as out:
        out.write(b"%PDF-1.4\n%%EOF\n")
    session.commit()
    login(client, email=curator.email)
    page = client.get(f"/kurasi/produsen/{shop.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'data-testid="nib-ok"' in html and 'data-testid="verify"' in html
    for shown in ["Kopontren Al Amin", "Koperasi Pondok Pesantren", "Pondok Pesantren Al Amin",
                  "Koperasi Al Amin", "Kab. Jember", "Jl. Pesantren 1", "Ani Rahma", "ani@contoh.id",
                  "2063509010123-28", "Kopi Argopuro", "menunggu kurasi"]:
        assert shown in text(page), shown
    link = f'href="/dokumen/sertifikat/{cert.id}"'
    assert link in html
    with client.get(f"/dokumen/sertifikat/{cert.id}") as document:
        assert document.status_code == 200
    assert client.get("/kurasi/produsen/999999").status_code == 404


def test_set_producer_verified_goes_through_the_status_service(session):
    # Fixtures and the demo loader verify and suspend through the same service
    shop = f.producer(session, "Toko Uji", verified=False)
    assert (shop.status, shop.verified) == (ProducerStatus.PENDING, False)
    set_producer_verified(session, shop, True)
    set_producer_verified(session, shop, True)  # already verified: nothing more
    assert (shop.status, shop.verified) == (ProducerStatus.VERIFIED, True)
    set_producer_verified(session, shop, False)
    set_producer_verified(session, shop, True)  # refused -> pending -> verified
    session.commit()
    assert [e[:2] for e in events(session, shop.id)] == [
        (ProducerStatus.PENDING, ProducerStatus.VERIFIED),
        (ProducerStatus.VERIFIED, ProducerStatus.REFUSED),
        (ProducerStatus.REFUSED, ProducerStatus.PENDING),
        (ProducerStatus.PENDING, ProducerStatus.VERIFIED),
    ]
    assert state(session, shop.id) == (ProducerStatus.VERIFIED, True, True)


def test_producer_pages_are_for_curators_only(client, session, curator):
    owner, shop = seller(session, verified=False)
    assert client.get("/kurasi/produsen").status_code == 302
    make_user(session, email="admin@contoh.id", name="Admin", is_admin=True)
    for email in ["admin@contoh.id", owner.email]:
        visitor = client.application.test_client()
        login(visitor, email=email)
        assert visitor.get("/kurasi/produsen").status_code == 403
        assert visitor.get(f"/kurasi/produsen/{shop.id}").status_code == 403
        assert post(visitor, f"/kurasi/produsen/{shop.id}/verifikasi").status_code == 403
        assert post(visitor, f"/kurasi/produsen/{shop.id}/tolak", reason="x").status_code == 403
    assert state(session, shop.id) == (ProducerStatus.PENDING, False, False)
    assert events(session, shop.id) == []
