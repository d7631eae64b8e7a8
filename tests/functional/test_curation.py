"""Product curation: the queue, the review page, decisions, races, and what the seller sees."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import date, timedelta
from html import unescape

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from opopmart.accounts.models import MemberRole, ProducerMember, User
from opopmart.catalogue.models import (Category, Certification, CertType, HalalScheme, Producer,
                                       Product, ProductEvent, ProductStatus)
from opopmart.core.timeutil import utcnow
from opopmart.curation import services
from opopmart.curation.models import ASPECTS, ProductReview, ReviewDecision
from opopmart.curation.services import DecisionInput, NotPending
from opopmart.extensions import db
from opopmart.notifications.models import Notification
from opopmart.seller.services import SellerError, seller_move
from tests import factories as f
from tests.functional.seller_support import seller
from tests.functional.test_accounts import errors_by_field, form_errors, login, make_user, text

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
REVIEW_ID = re.compile(r'name="review_id" type="hidden" value="([^"]*)"')
ALL_PASS = {f"result_{key}": "pass" for key in ASPECTS}
NOT_PENDING = ("Produk ini tidak lagi menunggu kurasi: kurator lain sudah memutuskannya atau penjual "
               "menariknya. Keputusan Anda tidak disimpan.")
PIRT_JEMBER = "2063509010123-28"  # digits 4-7: 35.09, Kabupaten Jember
HALAL = "ID35110000123450224"


@dataclass
class Kurasi:
    curator: User
    owner: User
    staff: User
    shop: Producer  # verified, Kabupaten Jember, owner and staff as members
    other_shop: Producer  # verified, Kota Surabaya, no members
    food: Category  # requires a P-IRT or a BPOM MD/ML registration
    kopi: Category  # under food: inherits the requirement
    camilan: Category
    fashion: Category  # requires nothing


@pytest.fixture
def k(app, session) -> Kurasi:
    owner, shop = seller(session)
    staff = make_user(session, email="staf@contoh.id", name="Budi Staf")
    session.add(ProducerMember(user_id=staff.id, producer_id=shop.id, role=MemberRole.STAFF))
    curator = make_user(session, email="kurator@contoh.id", name="Kurnia Kurator", is_curator=True)
    other = f.producer(session, "Kopontren Surabaya", region_code="35.78")
    food = f.category(session, "Makanan & Minuman", required=[["pirt", "bpom:MD", "bpom:ML"]])
    kopi = f.category(session, "Kopi", parent=food)
    camilan = f.category(session, "Camilan", parent=food)
    fashion = f.category(session, "Fesyen & Batik")
    session.commit()
    return Kurasi(curator, owner, staff, shop, other, food, kopi, camilan, fashion)


def draft(session, producer, category, name, **fields) -> Product:
    return f.product(session, producer, category, name, status=ProductStatus.DRAFT, **fields)


def submit(session, product: Product, user_id: int, days_ago: float | None = None) -> ProductReview:
    """The seller's own submit (it opens the review); optionally dated ``days_ago``."""
    seller_move(session, product=product, action="submit", actor_id=user_id)
    review = services.pending_review(session, product.id)
    if days_ago is not None:
        review.submitted_at = utcnow() - timedelta(days=days_ago)
    session.commit()
    return review


def certificate(session, producer, cert_type, number, products, **fields) -> Certification:
    cert = f.certificate(session, producer, cert_type, number, products=products, **fields)
    session.commit()
    return cert


def as_curator(client, k: Kurasi) -> None:
    login(client, email=k.curator.email)


def decide(client, product_id: int, decision: str, **fields):
    """POST the review form as the page serves it (its CSRF token and pending review)."""
    page = client.get(f"/kurasi/produk/{product_id}").get_data(as_text=True)
    review_id = REVIEW_ID.search(page)
    data = {"csrf_token": CSRF.search(page).group(1), "decision": decision,
            "review_id": review_id.group(1) if review_id else "", **fields}
    return client.post(f"/kurasi/produk/{product_id}/keputusan", data=data)


def flashes(client, response) -> list[tuple[str, str]]:
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    return [(kind, unescape(message))
            for kind, message in re.findall(r'<li class="flash flash-(\w+)">([^<]*)</li>', page)]


def queue_names(response) -> list[str]:
    return [unescape(n) for n in re.findall(r'data-testid="queue-product">([^<]+)<',
                                            response.get_data(as_text=True))]


def option_counts(response, select_name: str) -> dict[str, int]:
    html = response.get_data(as_text=True)
    block = re.search(rf'<select id="{select_name}" name="{select_name}">(.*?)</select>', html, re.S).group(1)
    return {value: int(count) for value, count in
            re.findall(r'<option value="([^"]+)"[^>]*data-count="(\d+)"', block)}


def reviews(session, product_id: int) -> list[ProductReview]:
    session.expire_all()
    return list(session.execute(select(ProductReview).where(ProductReview.product_id == product_id)
                                .order_by(ProductReview.id)).scalars())


def status_of(session, product_id: int) -> ProductStatus:
    session.expire_all()
    return session.get(Product, product_id).status


def notifications(session, kind: str) -> list[tuple[int, dict, str]]:
    session.expire_all()
    return [(n.user_id, n.params, n.link) for n in session.execute(
        select(Notification).where(Notification.kind == kind).order_by(Notification.user_id)).scalars()]


# --------------------------------------------------------------------------------------
# The queue


def test_queue_lists_submitted_products_oldest_first_with_the_count(client, session, k):
    # Given three submitted products, submitted 1, 3 and 2 days ago, and others not waiting
    for name, days in [("Kopi Baru", 1), ("Kopi Lama", 3), ("Kopi Tengah", 2)]:
        submit(session, draft(session, k.shop, k.kopi, name), k.owner.id, days_ago=days)
    draft(session, k.shop, k.kopi, "Kopi Draf")
    f.product(session, k.shop, k.kopi, "Kopi Tayang")
    session.commit()
    # When a curator opens the queue
    as_curator(client, k)
    page = client.get("/kurasi/produk")
    # Then the waiting products are listed, the longest waiting first, with their count
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert queue_names(page) == ["Kopi Lama", "Kopi Tengah", "Kopi Baru"]
    assert "3 produk menunggu kurasi" in text(page)


def test_queue_filters_by_category_region_and_certificate_with_counts(client, session, k):
    # Given four submitted products in two kabupaten/kota, categories and certificates
    a = draft(session, k.shop, k.kopi, "A Kopi Jember")
    b = draft(session, k.other_shop, k.camilan, "B Keripik Surabaya")
    c = draft(session, k.shop, k.fashion, "C Batik Jember")
    d = draft(session, k.other_shop, k.kopi, "D Kopi Surabaya")
    session.commit()
    certificate(session, k.shop, CertType.PIRT, PIRT_JEMBER, [a])
    certificate(session, k.other_shop, CertType.HALAL, HALAL, [b, d], halal_scheme=HalalScheme.REGULER)
    certificate(session, k.other_shop, CertType.PIRT, "2063578010123-28", [d])
    for days, item in enumerate([a, b, c, d]):
        submit(session, item, k.owner.id, days_ago=10 - days)
    as_curator(client, k)
    # When nothing is chosen, every value of every filter shows its count
    page = client.get("/kurasi/produk")
    assert queue_names(page) == ["A Kopi Jember", "B Keripik Surabaya", "C Batik Jember", "D Kopi Surabaya"]
    assert option_counts(page, "kategori") == {"makanan-minuman": 3, "kopi": 2, "camilan": 1,
                                               "fesyen-batik": 1}
    assert option_counts(page, "wilayah") == {"35.09": 2, "35.78": 2}
    assert option_counts(page, "sertifikat") == {"halal": 2, "pirt": 2, "bpom": 0, "sni": 0, "merek": 0}
    # When a parent category is chosen, its subcategories count, and the other filters'
    # counts follow the choice
    page = client.get("/kurasi/produk?kategori=makanan-minuman")
    assert queue_names(page) == ["A Kopi Jember", "B Keripik Surabaya", "D Kopi Surabaya"]
    assert "3 produk menunggu kurasi" in text(page)
    assert option_counts(page, "wilayah") == {"35.09": 1, "35.78": 2}
    assert option_counts(page, "sertifikat") == {"halal": 2, "pirt": 2, "bpom": 0, "sni": 0, "merek": 0}
    # When category and kabupaten/kota are both chosen
    page = client.get("/kurasi/produk?kategori=kopi&wilayah=35.78")
    assert queue_names(page) == ["D Kopi Surabaya"]
    assert "1 produk menunggu kurasi" in text(page)
    assert option_counts(page, "kategori") == {"makanan-minuman": 2, "kopi": 1, "camilan": 1}
    # When a certificate type is chosen
    page = client.get("/kurasi/produk?sertifikat=halal")
    assert queue_names(page) == ["B Keripik Surabaya", "D Kopi Surabaya"]
    # Unknown values are ignored rather than refused
    page = client.get("/kurasi/produk?kategori=tidak-ada&wilayah=99.99&sertifikat=emas&halaman=x")
    assert page.status_code == 200
    assert len(queue_names(page)) == 4


def test_queue_is_paginated(client, session, k):
    # Given 31 waiting products (30 per page)
    for n in range(31):
        submit(session, draft(session, k.shop, k.fashion, f"Batik {n:02d}"), k.owner.id, days_ago=40 - n)
    as_curator(client, k)
    # When the curator reads both pages
    first = client.get("/kurasi/produk")
    second = client.get("/kurasi/produk?halaman=2")
    # Then each product is on exactly one of them, oldest first
    assert queue_names(first) == [f"Batik {n:02d}" for n in range(30)]
    assert queue_names(second) == ["Batik 30"]
    assert "Halaman 1 dari 2" in text(first)


def test_products_submitted_without_a_review_row_still_wait_in_the_queue(client, session, k):
    # Given a product moved to submitted without the seller's submit (as fixtures and the demo do)
    item = f.product(session, k.shop, k.fashion, "Batik Lama", status=ProductStatus.SUBMITTED)
    session.commit()
    assert reviews(session, item.id) == []
    as_curator(client, k)
    # Then it waits in the queue, and a decision opens and closes its review
    assert queue_names(client.get("/kurasi/produk")) == ["Batik Lama"]
    response = decide(client, item.id, "approve", **ALL_PASS)
    assert response.status_code == 303
    assert [(r.decision, r.curator_id) for r in reviews(session, item.id)] == [
        (ReviewDecision.APPROVED, k.curator.id)]
    assert status_of(session, item.id) is ProductStatus.PUBLISHED


# --------------------------------------------------------------------------------------
# Approving


def test_review_page_shows_the_product_as_the_public_will_see_it(client, session, k):
    # Given a coffee with two variants, a photo, an unverified P-IRT and an expired halal certificate
    item = draft(session, k.shop, k.kopi, "Kopi Robusta Argopuro", prices=[25_000, 47_000],
                 option1_name="Berat", options=["250 g", "500 g"], claims_halal=True,
                 description="Robusta dari lereng Argopuro.")
    f.image(session, item, client.application.config["MEDIA_ROOT"])
    session.commit()
    pirt = certificate(session, k.shop, CertType.PIRT, PIRT_JEMBER, [item], verified=False,
                       expires_on=date(2028, 6, 30))
    halal = certificate(session, k.shop, CertType.HALAL, HALAL, [item], verified=True,
                        expires_on=date(2024, 1, 31), halal_scheme=HalalScheme.REGULER)
    submit(session, item, k.owner.id)
    as_curator(client, k)
    # When the curator opens its review page
    page = client.get(f"/kurasi/produk/{item.id}")
    html = page.get_data(as_text=True)
    # Then it shows the public product article: name, price, variants, description, photo
    assert page.status_code == 200
    assert '<article class="product">' in html
    for shown in ["Kopi Robusta Argopuro", "Rp 25.000", "250 g", "500 g", "Robusta dari lereng Argopuro.",
                  "Kopontren Al Amin", "Terverifikasi"]:
        assert shown in text(page), shown
    assert f'src="/media/{item.images[0].key}_md.jpg"' in html
    # And each certificate with its format check and expiry, the expired one flagged
    assert re.search(rf'data-cert="{pirt.id}">.*?data-testid="format-ok"', html, re.S)
    assert re.search(rf'data-cert="{halal.id}">.*?data-testid="expired"', html, re.S)
    assert "Kedaluwarsa sejak 31 Januari 2024" in text(page)
    # And the requirements: the category's (confirmable with the P-IRT) and halal (not met)
    assert re.findall(r'data-requirement="([^"]+)" data-met="(\w+)"', html) == [
        ("pirt,bpom:MD,bpom:ML", "confirmable"), ("halal", "no")]
    # And the unverified, valid P-IRT is offered for confirmation, ticked
    assert f'name="certificates" value="{pirt.id}" checked' in html
    assert f'name="certificates" value="{halal.id}"' not in html


def test_approve_publishes_confirms_certificates_and_notifies_every_member(client, session, k):
    # Given a submitted coffee with an unverified, valid P-IRT
    item = draft(session, k.shop, k.kopi, "Kopi Robusta Argopuro")
    session.commit()
    pirt = certificate(session, k.shop, CertType.PIRT, PIRT_JEMBER, [item], verified=False,
                       expires_on=date(2028, 6, 30))
    submit(session, item, k.owner.id)
    assert "Kopi Robusta Argopuro" not in text(client.get("/katalog"))
    as_curator(client, k)
    # When the curator approves with every aspect passed and the certificate confirmed
    response = decide(client, item.id, "approve", **ALL_PASS, note_brand="Merek jelas.",
                      certificates=[str(pirt.id)])
    # Then the product is published, in the public catalogue, with its certificate verified
    assert flashes(client, response) == [("success", "Kopi Robusta Argopuro disetujui dan tayang di katalog.")]
    assert response.headers["Location"] == "/kurasi/produk"
    assert status_of(session, item.id) is ProductStatus.PUBLISHED
    assert session.get(Certification, pirt.id).verified is True
    assert "Kopi Robusta Argopuro" in text(client.get("/katalog"))
    assert client.get(f"/produk/{item.slug}").status_code == 200
    # And the review row records the curator, time, decision, checklist and notes
    (review,) = reviews(session, item.id)
    assert (review.decision, review.curator_id, review.checklist, review.notes, review.reason,
            review.override_reason, review.confirmed_certificates) == (
        ReviewDecision.APPROVED, k.curator.id, {key: "pass" for key in ASPECTS},
        {"brand": "Merek jelas."}, "", "", [pirt.id])
    assert review.decided_at is not None and review.decided_at >= review.submitted_at
    # And the move is an event with the curator as actor
    event = session.execute(select(ProductEvent).where(ProductEvent.product_id == item.id)
                            .order_by(ProductEvent.id.desc())).scalars().first()
    assert (event.from_status, event.to_status, event.actor_id, event.note) == (
        ProductStatus.SUBMITTED, ProductStatus.PUBLISHED, k.curator.id, "")
    # And every member of the shop is notified
    assert notifications(session, "review_approved") == [
        (k.owner.id, {"product_name": "Kopi Robusta Argopuro"}, f"/studio/produk/{item.id}"),
        (k.staff.id, {"product_name": "Kopi Robusta Argopuro"}, f"/studio/produk/{item.id}"),
    ]


def test_approve_needs_every_aspect_passed(client, session, k):
    item = draft(session, k.shop, k.fashion, "Batik Tulis")
    submit(session, item, k.owner.id)
    as_curator(client, k)
    response = decide(client, item.id, "approve", **{**ALL_PASS, "result_brand": "fail", "result_quality": ""})
    assert response.status_code == 200
    assert errors_by_field(response) == {
        "result_quality": ["Untuk menyetujui, semua aspek harus lolos."],
        "result_brand": ["Untuk menyetujui, semua aspek harus lolos."],
    }
    assert status_of(session, item.id) is ProductStatus.SUBMITTED
    assert [r.decision for r in reviews(session, item.id)] == [None]


def test_approve_without_required_certificate_is_refused_then_allowed_with_a_recorded_override(
        client, session, k):
    # Given a submitted coffee with no certificate (food needs a P-IRT or BPOM MD/ML)
    item = draft(session, k.shop, k.kopi, "Kopi Tanpa Izin")
    submit(session, item, k.owner.id)
    as_curator(client, k)
    # When the curator approves without an override reason
    response = decide(client, item.id, "approve", **ALL_PASS)
    # Then it is refused, the requirement named, and nothing changes
    assert response.status_code == 200
    assert errors_by_field(response) == {"override_reason": [
        "Sertifikat wajib belum terpenuhi: P-IRT / BPOM MD / BPOM ML. Tulis alasan bila tetap "
        "menyetujui; alasan itu dicatat."]}
    assert status_of(session, item.id) is ProductStatus.SUBMITTED
    assert [r.decision for r in reviews(session, item.id)] == [None]
    assert notifications(session, "review_approved") == []
    # When they approve with an override reason
    response = decide(client, item.id, "approve", **ALL_PASS,
                      override_reason="P-IRT sedang diproses Dinkes Jember; surat keterangan terlampir.")
    # Then it is published and the override is recorded on the review and the event
    assert response.status_code == 303
    assert status_of(session, item.id) is ProductStatus.PUBLISHED
    (review,) = reviews(session, item.id)
    assert review.override_reason == "P-IRT sedang diproses Dinkes Jember; surat keterangan terlampir."
    event = session.execute(select(ProductEvent).where(ProductEvent.to_status == ProductStatus.PUBLISHED,
                                                       ProductEvent.product_id == item.id)).scalar_one()
    assert event.note == ("Disetujui dengan pengecualian sertifikat: P-IRT sedang diproses Dinkes "
                          "Jember; surat keterangan terlampir.")
    # And the reason shows in the review history
    assert "Disetujui tanpa sertifikat wajib: P-IRT sedang diproses" in text(client.get(f"/kurasi/produk/{item.id}"))


def test_an_override_reason_is_not_recorded_when_nothing_was_overridden(client, session, k):
    item = draft(session, k.shop, k.fashion, "Batik Cap")
    submit(session, item, k.owner.id)
    as_curator(client, k)
    assert decide(client, item.id, "approve", **ALL_PASS, override_reason="tidak perlu").status_code == 303
    assert reviews(session, item.id)[0].override_reason == ""


def test_an_expired_certificate_does_not_count(client, session, k):
    # Given a coffee whose only P-IRT, verified, expired yesterday
    item = draft(session, k.shop, k.kopi, "Kopi Izin Habis")
    session.commit()
    cert = certificate(session, k.shop, CertType.PIRT, PIRT_JEMBER, [item],
                       expires_on=date.today() - timedelta(days=2))
    submit(session, item, k.owner.id)
    as_curator(client, k)
    # When the curator approves, even ticking the expired certificate
    response = decide(client, item.id, "approve", **ALL_PASS, certificates=[str(cert.id)])
    # Then the requirement is not met, and the certificate cannot be confirmed
    assert response.status_code == 200
    assert errors_by_field(response) == {
        "certificates": [f"Sertifikat {PIRT_JEMBER} kedaluwarsa atau nomornya tidak sah, jadi tidak "
                         "bisa dikonfirmasi."],
        "override_reason": ["Sertifikat wajib belum terpenuhi: P-IRT / BPOM MD / BPOM ML. Tulis "
                            "alasan bila tetap menyetujui; alasan itu dicatat."],
    }
    assert status_of(session, item.id) is ProductStatus.SUBMITTED


def test_a_halal_claim_needs_a_valid_halal_certificate(client, session, k):
    # Given a batik that claims to be halal, with only an expired halal certificate
    item = draft(session, k.shop, k.fashion, "Mukena Halal", claims_halal=True)
    session.commit()
    certificate(session, k.shop, CertType.HALAL, "ID35110000999990221", [item],
                expires_on=date(2024, 1, 31), halal_scheme=HalalScheme.REGULER)
    submit(session, item, k.owner.id)
    as_curator(client, k)
    # When the curator approves it
    response = decide(client, item.id, "approve", **ALL_PASS)
    # Then the halal requirement stops it
    assert errors_by_field(response) == {"override_reason": [
        "Sertifikat wajib belum terpenuhi: Halal (produk ini mengaku halal). Tulis alasan bila "
        "tetap menyetujui; alasan itu dicatat."]}
    # When the seller adds a valid (unverified) halal certificate and the curator confirms it
    valid = certificate(session, k.shop, CertType.HALAL, HALAL, [item], verified=False,
                        expires_on=date(2030, 1, 1), halal_scheme=HalalScheme.SELF_DECLARE)
    response = decide(client, item.id, "approve", **ALL_PASS, certificates=[str(valid.id)])
    # Then the product is published and the certificate verified
    assert response.status_code == 303
    assert status_of(session, item.id) is ProductStatus.PUBLISHED
    assert session.get(Certification, valid.id).verified is True


def test_an_unticked_unverified_certificate_does_not_count(client, session, k):
    item = draft(session, k.shop, k.kopi, "Kopi Belum Diperiksa")
    session.commit()
    cert = certificate(session, k.shop, CertType.PIRT, PIRT_JEMBER, [item], verified=False)
    submit(session, item, k.owner.id)
    as_curator(client, k)
    response = decide(client, item.id, "approve", **ALL_PASS)  # no certificates ticked
    assert list(errors_by_field(response)) == ["override_reason"]
    assert session.get(Certification, cert.id).verified is False


def test_a_product_of_an_unverified_producer_cannot_be_approved(client, session, k):
    # Given a submitted product of a shop still waiting for verification
    _user, shop = seller(session, email="baru@contoh.id", shop="Toko Belum Diverifikasi", verified=False)
    item = draft(session, shop, k.fashion, "Batik Toko Baru")
    submit(session, item, k.owner.id)
    as_curator(client, k)
    # When the curator approves it
    response = decide(client, item.id, "approve", **ALL_PASS)
    # Then they are told to verify the shop first; nothing changes
    assert response.status_code == 200
    assert form_errors(response) == ["Toko Toko Belum Diverifikasi belum terverifikasi: verifikasi "
                                     "tokonya dulu sebelum menyetujui produknya."]
    assert status_of(session, item.id) is ProductStatus.SUBMITTED
    assert "Menunggu verifikasi" in text(response)


# --------------------------------------------------------------------------------------
# Requesting changes and rejecting


def test_request_changes_needs_a_failed_aspect_with_a_note_and_the_seller_sees_the_notes(
        client, session, k):
    item = draft(session, k.shop, k.fashion, "Batik Pesisir")
    submit(session, item, k.owner.id)
    as_curator(client, k)
    # When the curator requests changes with every aspect passed
    response = decide(client, item.id, "changes", **ALL_PASS)
    assert form_errors(response) == ["Tandai paling sedikit satu aspek yang belum lolos, dengan catatannya."]
    # When an aspect fails without a note
    response = decide(client, item.id, "changes", **{**ALL_PASS, "result_presentation": "fail"})
    assert errors_by_field(response) == {"note_presentation": ["Tulis catatan untuk aspek yang belum lolos."]}
    assert status_of(session, item.id) is ProductStatus.SUBMITTED
    # When two aspects fail, each with a note
    response = decide(client, item.id, "changes", **{
        **ALL_PASS, "result_presentation": "fail", "note_presentation": "Foto utama buram.",
        "result_price_stock": "fail", "note_price_stock": "Harga grosir lebih mahal dari eceran."})
    # Then the product goes back to the seller with the checklist and notes recorded
    assert flashes(client, response) == [("success", "Batik Pesisir dikembalikan ke penjual untuk diperbaiki.")]
    assert status_of(session, item.id) is ProductStatus.CHANGES_REQUESTED
    (review,) = reviews(session, item.id)
    assert (review.decision, review.failed_aspects(), review.notes) == (
        ReviewDecision.CHANGES_REQUESTED, ["presentation", "price_stock"],
        {"presentation": "Foto utama buram.", "price_stock": "Harga grosir lebih mahal dari eceran."})
    note = "Foto & deskripsi: Foto utama buram.\nHarga & stok: Harga grosir lebih mahal dari eceran."
    assert notifications(session, "review_changes_requested") == [
        (k.owner.id, {"product_name": "Batik Pesisir", "note": note}, f"/studio/produk/{item.id}"),
        (k.staff.id, {"product_name": "Batik Pesisir", "note": note}, f"/studio/produk/{item.id}"),
    ]
    # And the seller sees the decision and each note in the studio
    seller_client = client.application.test_client()
    login(seller_client, email=k.owner.email)
    page = seller_client.get(f"/studio/produk/{item.id}")
    html = page.get_data(as_text=True)
    assert 'data-testid="curation-decisions"' in html
    assert re.findall(r'data-aspect="(\w+)" data-result="fail"', html) == ["presentation", "price_stock"]
    assert "Foto utama buram." in text(page) and "Harga grosir lebih mahal dari eceran." in text(page)
    # When the seller resubmits, a second review waits, shown as the second submission
    submit(session, session.get(Product, item.id), k.owner.id)
    assert [r.decision for r in reviews(session, item.id)] == [ReviewDecision.CHANGES_REQUESTED, None]
    assert "Pengajuan ke-2" in text(client.get("/kurasi/produk"))
    assert "Menunggu kurasi sejak" in text(seller_client.get(f"/studio/produk/{item.id}"))


def test_reject_needs_a_reason(client, session, k):
    item = draft(session, k.shop, k.fashion, "Batik Tiruan")
    submit(session, item, k.owner.id)
    as_curator(client, k)
    response = decide(client, item.id, "reject", reason="  ")
    assert errors_by_field(response) == {"reason": ["Tulis alasan penolakan."]}
    assert status_of(session, item.id) is ProductStatus.SUBMITTED
    response = decide(client, item.id, "reject", reason="Motif menjiplak karya terdaftar.")
    assert response.status_code == 303
    assert status_of(session, item.id) is ProductStatus.REJECTED
    (review,) = reviews(session, item.id)
    assert (review.decision, review.reason, review.curator_id) == (
        ReviewDecision.REJECTED, "Motif menjiplak karya terdaftar.", k.curator.id)
    assert notifications(session, "review_rejected")[0] == (
        k.owner.id, {"product_name": "Batik Tiruan", "reason": "Motif menjiplak karya terdaftar."},
        f"/studio/produk/{item.id}")
    seller_client = client.application.test_client()
    login(seller_client, email=k.owner.email)
    assert "Alasan: Motif menjiplak karya terdaftar." in text(seller_client.get(f"/studio/produk/{item.id}"))


def test_an_unknown_decision_or_aspect_value_is_a_message_not_a_500(client, session, k):
    item = draft(session, k.shop, k.fashion, "Batik Aneh")
    submit(session, item, k.owner.id)
    as_curator(client, k)
    response = decide(client, item.id, "publish")
    assert form_errors(response) == ["Pilih keputusan: setujui, minta perbaikan, atau tolak."]
    response = decide(client, item.id, "reject", reason="x", result_brand="maybe",
                      note_quality="a" * 1001)
    assert errors_by_field(response) == {"result_brand": ["Pilih lolos atau belum lolos."],
                                         "note_quality": ["Paling banyak 1000 karakter."]}
    assert status_of(session, item.id) is ProductStatus.SUBMITTED


# --------------------------------------------------------------------------------------
# One pending review, one winner


def test_submitting_twice_leaves_one_pending_review(client, session, k):
    item = draft(session, k.shop, k.fashion, "Batik Dua Kali")
    session.commit()
    login(client, email=k.owner.email)
    page = client.get(f"/studio/produk/{item.id}").get_data(as_text=True)
    token = CSRF.search(page).group(1)
    first = client.post(f"/studio/produk/{item.id}/ajukan", data={"csrf_token": token})
    second = client.post(f"/studio/produk/{item.id}/ajukan", data={"csrf_token": token})
    assert first.status_code == second.status_code == 303
    assert ("error", "Produk berstatus menunggu kurasi tidak bisa diajukan untuk kurasi.") in flashes(client, second)
    assert [(r.decision, r.submitted_by_id) for r in reviews(session, item.id)] == [(None, k.owner.id)]


def test_a_submit_racing_another_is_refused_in_words_and_writes_nothing(app, session, k):
    # Given a second request that read the draft before the first submit was committed
    item = draft(session, k.shop, k.fashion, "Batik Balapan")
    session.commit()
    other = Session(db.engine)
    try:
        stale = other.get(Product, item.id)
        assert (stale.status, len(stale.variants)) == (ProductStatus.DRAFT, 1)
        submit(session, item, k.owner.id)
        # When it submits too
        with pytest.raises(SellerError) as refused:
            seller_move(other, product=stale, action="submit", actor_id=k.owner.id)
        other.rollback()
    finally:
        other.close()
    # Then it is told the product already waits, and only the first submit is recorded
    assert {key: [str(m) for m in value] for key, value in refused.value.errors.items()} == {
        "": ["Produk ini sudah diajukan dan sedang menunggu kurasi."]}
    assert [r.decision for r in reviews(session, item.id)] == [None]
    submits = session.execute(select(func.count()).select_from(ProductEvent).where(
        ProductEvent.product_id == item.id, ProductEvent.to_status == ProductStatus.SUBMITTED)).scalar_one()
    assert submits == 1


def test_the_database_refuses_a_second_pending_review(session, k):
    item = draft(session, k.shop, k.fashion, "Batik Unik")
    submit(session, item, k.owner.id)
    session.add(ProductReview(product_id=item.id, submitted_at=utcnow(), checklist={}, notes={},
                              confirmed_certificates=[]))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()
    # A decided review beside the pending one is fine
    session.add(ProductReview(product_id=item.id, submitted_at=utcnow(), decided_at=utcnow(),
                              decision=ReviewDecision.REJECTED, reason="lama", checklist={}, notes={},
                              confirmed_certificates=[]))
    session.commit()
    assert [r.decision for r in reviews(session, item.id)] == [None, ReviewDecision.REJECTED]


def test_the_database_refuses_a_decision_without_its_time(session, k):
    item = draft(session, k.shop, k.fashion, "Batik Tanpa Waktu")
    session.commit()
    session.add(ProductReview(product_id=item.id, submitted_at=utcnow(), decision=ReviewDecision.APPROVED,
                              checklist={}, notes={}, confirmed_certificates=[]))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_a_curator_deciding_after_another_gets_a_message(client, session, k):
    # Given two curators with the same review open
    item = draft(session, k.shop, k.fashion, "Batik Rebutan")
    submit(session, item, k.owner.id)
    second_curator = make_user(session, email="kurator2@contoh.id", name="Kedua", is_curator=True)
    as_curator(client, k)
    other = client.application.test_client()
    login(other, email=second_curator.email)
    page = other.get(f"/kurasi/produk/{item.id}").get_data(as_text=True)
    stale_form = {"csrf_token": CSRF.search(page).group(1), "review_id": REVIEW_ID.search(page).group(1),
                  "decision": "reject", "reason": "Terlambat."}
    # When the first approves, then the second rejects from the page they had open
    assert decide(client, item.id, "approve", **ALL_PASS).status_code == 303
    response = other.post(f"/kurasi/produk/{item.id}/keputusan", data=stale_form)
    # Then the second is told, and the first decision stands alone
    assert flashes(other, response) == [("error", NOT_PENDING)]
    assert response.headers["Location"] == f"/kurasi/produk/{item.id}"
    assert status_of(session, item.id) is ProductStatus.PUBLISHED
    assert [(r.decision, r.curator_id) for r in reviews(session, item.id)] == [
        (ReviewDecision.APPROVED, k.curator.id)]


def test_a_decision_on_a_resubmitted_product_needs_the_new_review(client, session, k):
    # Given a review decided and the product resubmitted since a curator opened the old one
    item = draft(session, k.shop, k.fashion, "Batik Ulang")
    old = submit(session, item, k.owner.id)
    as_curator(client, k)
    assert decide(client, item.id, "changes", result_brand="fail", note_brand="Merek?").status_code == 303
    assert status_of(session, item.id) is ProductStatus.CHANGES_REQUESTED
    submit(session, session.get(Product, item.id), k.owner.id)
    page = client.get(f"/kurasi/produk/{item.id}").get_data(as_text=True)
    # When a decision names the old review
    response = client.post(f"/kurasi/produk/{item.id}/keputusan", data={
        "csrf_token": CSRF.search(page).group(1), "review_id": str(old.id), "decision": "reject",
        "reason": "x"})
    # Then it is refused: the new submission was never seen
    assert flashes(client, response) == [("error", NOT_PENDING)]
    assert [r.decision for r in reviews(session, item.id)] == [ReviewDecision.CHANGES_REQUESTED, None]


def test_two_curators_deciding_at_the_same_moment_one_wins(app, session, k):
    # Given two curators' requests, both having read the waiting product
    item = draft(session, k.shop, k.fashion, "Batik Serentak")
    review = submit(session, item, k.owner.id)
    second_curator = make_user(session, email="kurator2@contoh.id", name="Kedua", is_curator=True)
    first, second = Session(db.engine), Session(db.engine)
    outcome: dict[str, object] = {}
    try:
        mine, theirs = first.get(Product, item.id), second.get(Product, item.id)
        assert theirs.status is ProductStatus.SUBMITTED and len(theirs.certifications) == 0
        # When the first decides (its claim held, not yet committed) and the second decides too
        services.decide(first, product=mine, curator_id=k.curator.id, data=DecisionInput(
            decision="approve", checklist={key: "pass" for key in ASPECTS}, review_id=review.id))

        def decide_second():
            with app.app_context():
                try:
                    services.decide(second, product=theirs, curator_id=second_curator.id, data=DecisionInput(
                        decision="reject", reason="Bersamaan.", review_id=review.id))
                except NotPending as exc:
                    outcome["refused"] = exc
                else:
                    outcome["won"] = True

        thread = threading.Thread(target=decide_second)
        thread.start()
        thread.join(0.5)
        # Then the second waits for the first ...
        assert thread.is_alive()
        first.commit()
        thread.join(10)
        second.rollback()
    finally:
        first.close()
        second.close()
    # ... and, once the first commits, finds the review decided: one outcome only
    assert not thread.is_alive()
    assert list(outcome) == ["refused"]
    assert status_of(session, item.id) is ProductStatus.PUBLISHED
    assert [(r.decision, r.curator_id) for r in reviews(session, item.id)] == [
        (ReviewDecision.APPROVED, k.curator.id)]
    moves = session.execute(select(ProductEvent.to_status).where(ProductEvent.product_id == item.id)
                            .order_by(ProductEvent.id)).scalars().all()
    assert moves == [ProductStatus.SUBMITTED, ProductStatus.PUBLISHED]


def test_a_decision_on_a_product_not_waiting_is_a_message(client, session, k):
    item = f.product(session, k.shop, k.fashion, "Batik Tayang")
    session.commit()
    as_curator(client, k)
    page = client.get(f"/kurasi/produk/{item.id}")
    assert "Produk ini tidak sedang menunggu kurasi." in text(page)
    assert 'data-testid="approve"' not in page.get_data(as_text=True)
    response = decide(client, item.id, "reject", reason="x")
    assert flashes(client, response) == [("error", NOT_PENDING)]
    assert reviews(session, item.id) == []


# --------------------------------------------------------------------------------------
# Access


def test_curation_pages_are_for_curators_only(client, session, k):
    item = draft(session, k.shop, k.fashion, "Batik Rahasia")
    submit(session, item, k.owner.id)
    # Anonymous visitors are sent to log in
    response = client.get("/kurasi/produk")
    assert response.status_code == 302 and response.headers["Location"].startswith("/masuk?next=")
    # An admin without the curator role, and the seller, get 403 and change nothing
    make_user(session, email="admin@contoh.id", name="Admin", is_admin=True)
    for email in ["admin@contoh.id", k.owner.email]:
        visitor = client.application.test_client()
        login(visitor, email=email)
        token = CSRF.search(visitor.get("/akun").get_data(as_text=True)).group(1)
        assert visitor.get("/kurasi/produk").status_code == 403
        assert visitor.get(f"/kurasi/produk/{item.id}").status_code == 403
        assert visitor.post(f"/kurasi/produk/{item.id}/keputusan", data={
            "csrf_token": token, "decision": "approve", **ALL_PASS}).status_code == 403
    assert status_of(session, item.id) is ProductStatus.SUBMITTED
    # The curator sees a Kurasi link in the account menu; others do not
    as_curator(client, k)
    assert 'data-testid="curation-link"' in client.get("/akun").get_data(as_text=True)


def test_a_page_or_variant_that_is_no_number_shows_the_first_one(client, session, k):
    # Given a product waiting for review
    item = draft(session, k.shop, k.kopi, "Kopi Robusta Argopuro", prices=[25_000])
    submit(session, item, k.owner.id)
    as_curator(client, k)
    # When the page or variant asked for is "²" (str.isdigit() says yes, int() raised: a 500)
    queue = client.get("/kurasi/produk?halaman=²")
    producers = client.get("/kurasi/produsen?halaman=²")
    revisions = client.get("/kurasi/revisi?halaman=²")
    review = client.get(f"/kurasi/produk/{item.id}?variant=²")
    # Then the first page and the first variant are shown
    assert [r.status_code for r in (queue, producers, revisions, review)] == [200, 200, 200, 200]
    assert queue_names(queue) == ["Kopi Robusta Argopuro"]
