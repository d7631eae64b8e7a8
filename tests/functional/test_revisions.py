"""Edits after publication: a published product's curated content waits for a curator as a
revision, while the public keeps seeing the approved content (pages, cards, cache)."""

from __future__ import annotations

import io
import os
import re
import threading
from dataclasses import dataclass

import pytest
from PIL import Image
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from opopmart.accounts.models import User
from opopmart.catalogue.models import Brand, Category, CertType, Producer, Product, ProductImage
from opopmart.core.timeutil import utcnow
from opopmart.curation import revisions
from opopmart.curation.revision_models import ProductRevision, RevisionDecision
from opopmart.extensions import db
from opopmart.notifications.models import Notification
from tests import factories as f
from tests.functional.seller_support import edit_data, seller
from tests.functional.test_accounts import csrf_token, form_errors, login, make_user, text

CARD = re.compile(r'<a[^>]+href="/produk/([^"]+)"[^>]*>')


@dataclass
class World:
    owner: User
    shop: Producer
    kopi: Category
    teh: Category
    brand: Brand
    product: Product
    image_key: str
    curator: User


@pytest.fixture
def w(app, session) -> World:
    owner, shop = seller(session)
    kopi = f.category(session, "Kopi")
    teh = f.category(session, "Teh")
    brand = Brand(producer_id=shop.id, name="Santri Kopi")
    session.add(brand)
    session.flush()
    product = f.product(session, shop, kopi, "Kopi Tubruk Santri", prices=[30_000],
                        description="Kopi tubruk lama.")
    image = f.image(session, product, app.config["MEDIA_ROOT"])
    curator = make_user(session, email="kurator@contoh.id", name="Kurnia Kurator", is_curator=True)
    session.commit()
    return World(owner, shop, kopi, teh, brand, product, image.key, curator)


def client_for(app, email):
    c = app.test_client()
    assert login(c, email=email).status_code == 302
    return c


def post(c, path, data):
    return c.post(path, data={**data, "csrf_token": csrf_token(c, "/akun")})


def jpeg(colour=(10, 120, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (800, 600), colour).save(out, "JPEG")
    return out.getvalue()


def edit(c, product, **changes):
    data = edit_data(product)
    data.update(changes)
    return post(c, f"/studio/produk/{product.id}", data)


def public_name(c, slug) -> str:
    return re.search(r"<h1[^>]*>([^<]*)</h1>", text(c.get(f"/produk/{slug}"))).group(1).strip()


def pending(session, product_id):
    session.expire_all()
    return revisions.pending_revision(session, product_id)


def all_revisions(session, product_id):
    session.expire_all()
    return [(r.decision, r.content["name"]) for r in session.execute(
        select(ProductRevision).where(ProductRevision.product_id == product_id)
        .order_by(ProductRevision.id)).scalars()]


def decide(c, revision_id, **data):
    return post(c, f"/kurasi/revisi/{revision_id}/keputusan", data)


def live(session, product_id) -> Product:
    session.expire_all()
    return session.get(Product, product_id)


def test_content_edit_is_held_and_the_public_keeps_the_old_name(app, session, w):
    seller_c, visitor = client_for(app, "ani@contoh.id"), app.test_client()
    slug = w.product.slug
    # Given the public page and the catalogue card were read (and cached)
    assert public_name(visitor, slug) == "Kopi Tubruk Santri"
    assert "Kopi Tubruk Santri" in text(visitor.get("/kategori/kopi"))
    # When the seller renames it, moves it to Teh and changes the price
    response = edit(seller_c, w.product, name="Teh Tubruk Santri", category_id=str(w.teh.id),
                    **{"variants-0-price": "32.000"})
    assert response.status_code == 303
    # Then the price is live, the content waits in a pending revision
    product = live(session, w.product.id)
    assert (product.name, product.category_id, product.min_price) == ("Kopi Tubruk Santri", w.kopi.id, 32_000)
    revision = pending(session, w.product.id)
    assert (revision.content["name"], revision.content["category_id"], revision.submitted_by_id) == (
        "Teh Tubruk Santri", w.teh.id, w.owner.id)
    # And the public page and card still show the approved name
    assert public_name(visitor, slug) == "Kopi Tubruk Santri"
    assert "Teh Tubruk Santri" not in text(visitor.get("/kategori/kopi"))
    assert "Kopi Tubruk Santri" in text(visitor.get("/kategori/kopi"))
    # And the studio shows the banner with the pending values in the form
    page = text(seller_c.get(f"/studio/produk/{w.product.id}"))
    assert "Perubahan menunggu kurasi" in page and 'value="Teh Tubruk Santri"' in page


def test_a_second_edit_updates_the_same_revision(app, session, w):
    seller_c = client_for(app, "ani@contoh.id")
    assert edit(seller_c, w.product, name="Kopi Tubruk Premium").status_code == 303
    first = pending(session, w.product.id).id
    assert edit(seller_c, w.product, name="Kopi Tubruk Istimewa",
                description="Deskripsi baru.").status_code == 303
    assert all_revisions(session, w.product.id) == [(None, "Kopi Tubruk Istimewa")]
    revision = pending(session, w.product.id)
    assert (revision.id, revision.content["description"]) == (first, "Deskripsi baru.")


def test_a_photo_added_to_a_published_product_is_not_public_until_approved(app, session, w):
    seller_c, curator_c, visitor = (client_for(app, "ani@contoh.id"), client_for(app, "kurator@contoh.id"),
                                    app.test_client())
    # When the seller uploads a photo
    response = seller_c.post(f"/studio/produk/{w.product.id}/foto", data={
        "csrf_token": csrf_token(seller_c, "/akun"), "alt": "Kemasan baru",
        "photo": (io.BytesIO(jpeg()), "baru.jpg")}, content_type="multipart/form-data")
    assert response.status_code == 303
    # Then no public row exists; the revision lists the old and the new photo
    session.expire_all()
    assert [i.key for i in session.execute(select(ProductImage)).scalars()] == [w.image_key]
    revision = pending(session, w.product.id)
    keys = [i["key"] for i in revision.content["images"]]
    assert keys[0] == w.image_key and len(keys) == 2
    new_key = keys[1]
    assert new_key not in text(visitor.get(f"/produk/{w.product.slug}"))
    # When the curator approves
    assert decide(curator_c, revision.id, decision="approve").status_code == 303
    # Then the public page shows both photos in order
    session.expire_all()
    assert [i.key for i in session.execute(
        select(ProductImage).order_by(ProductImage.position)).scalars()] == [w.image_key, new_key]
    assert new_key in text(visitor.get(f"/produk/{w.product.slug}"))


def test_approve_applies_name_description_category_brand_and_photos(app, session, w):
    seller_c, curator_c, visitor = (client_for(app, "ani@contoh.id"), client_for(app, "kurator@contoh.id"),
                                    app.test_client())
    slug = w.product.slug
    assert public_name(visitor, slug) == "Kopi Tubruk Santri"  # cached before the change
    # Given a revision renaming, re-describing, re-categorising, branding and removing the photo
    assert edit(seller_c, w.product, name="Teh Tubruk Santri", description="Teh tubruk baru.",
                category_id=str(w.teh.id), brand_id=str(w.brand.id)).status_code == 303
    image_id = w.product.images[0].id
    assert post(seller_c, f"/studio/produk/{w.product.id}/foto/{image_id}/hapus", {}).status_code == 303
    revision = pending(session, w.product.id)
    assert revision.content["images"] == []
    assert live(session, w.product.id).cover_image == w.image_key  # still public
    # The curator sees the diff
    page = text(curator_c.get(f"/kurasi/revisi/{revision.id}"))
    assert 'data-field="name" data-changed="yes"' in page and "Teh Tubruk Santri" in page
    assert 'data-field="option1_name" data-changed="no"' in page
    assert "1 revisi menunggu kurasi" in text(curator_c.get("/kurasi/revisi"))
    # When the curator approves
    assert decide(curator_c, revision.id, decision="approve").status_code == 303
    # Then the product carries the new content, the photo row and its files are gone
    product = live(session, w.product.id)
    assert (product.name, product.description, product.category_id, product.brand_id, product.cover_image) == (
        "Teh Tubruk Santri", "Teh tubruk baru.", w.teh.id, w.brand.id, None)
    assert session.execute(select(ProductImage)).scalars().all() == []
    assert not os.path.exists(os.path.join(app.config["MEDIA_ROOT"], f"{w.image_key}.jpg"))
    assert all_revisions(session, w.product.id) == [(RevisionDecision.APPROVED, "Teh Tubruk Santri")]
    assert pending(session, w.product.id) is None
    # And the public page and the catalogue cards changed (the page cache followed)
    assert public_name(visitor, slug) == "Teh Tubruk Santri"
    assert "Teh Tubruk Santri" in text(visitor.get("/kategori/teh"))
    assert "Tubruk" not in text(visitor.get("/kategori/kopi"))
    # And the seller is notified, and the studio history shows the approval
    notes = session.execute(select(Notification.kind)).scalars().all()
    assert "revision_approved" in notes
    assert "revisi — disetujui" in " ".join(text(seller_c.get(f"/studio/produk/{w.product.id}")).split())


def test_reject_keeps_the_old_content(app, session, w):
    seller_c, curator_c, visitor = (client_for(app, "ani@contoh.id"), client_for(app, "kurator@contoh.id"),
                                    app.test_client())
    assert edit(seller_c, w.product, name="Kopi Palsu").status_code == 303
    revision = pending(session, w.product.id)
    # A rejection needs a reason
    response = decide(curator_c, revision.id, decision="reject", reason="")
    assert response.status_code == 200 and "Tulis alasan penolakan." in text(response)
    assert pending(session, w.product.id) is not None
    # When rejected with a reason
    assert decide(curator_c, revision.id, decision="reject", reason="Nama menyesatkan.").status_code == 303
    # Then the public content stays, and the form shows the approved content again
    assert live(session, w.product.id).name == "Kopi Tubruk Santri"
    assert public_name(visitor, w.product.slug) == "Kopi Tubruk Santri"
    session.expire_all()
    row = session.get(ProductRevision, revision.id)
    assert (row.decision, row.reason, row.curator_id) == (RevisionDecision.REJECTED, "Nama menyesatkan.",
                                                          w.curator.id)
    page = text(seller_c.get(f"/studio/produk/{w.product.id}"))
    assert 'value="Kopi Tubruk Santri"' in page and "Perubahan menunggu kurasi" not in page
    # And the seller is told why
    told = session.execute(select(Notification).where(Notification.kind == "revision_rejected")).scalars().all()
    assert [n.params for n in told] == [{"product_name": "Kopi Tubruk Santri", "reason": "Nama menyesatkan."}]


def test_request_changes_then_the_seller_edits_and_it_is_pending_again(app, session, w):
    seller_c, curator_c = client_for(app, "ani@contoh.id"), client_for(app, "kurator@contoh.id")
    assert edit(seller_c, w.product, name="Kopi Tubruk Super").status_code == 303
    revision = pending(session, w.product.id)
    # Changes without a note are refused
    response = decide(curator_c, revision.id, decision="changes")
    assert form_errors(response) == ["Tulis catatan untuk paling sedikit satu aspek yang perlu diperbaiki."]
    # When the curator asks for changes with a note on the brand aspect
    assert decide(curator_c, revision.id, decision="changes",
                  note_brand="Kata 'Super' tidak boleh.").status_code == 303
    # Then nothing is pending, the seller sees the note and the proposed values, and is notified
    assert pending(session, w.product.id) is None
    page = text(seller_c.get(f"/studio/produk/{w.product.id}"))
    assert "Perubahan perlu perbaikan" in page and "Kata 'Super' tidak boleh." in page
    assert 'value="Kopi Tubruk Super"' in page
    notification = session.execute(select(Notification)).scalars().all()[-1]
    assert notification.kind == "revision_changes_requested"
    # When the seller edits and saves
    assert edit(seller_c, w.product, name="Kopi Tubruk Pilihan").status_code == 303
    # Then a new revision is pending again (one pending per product), the public content unchanged
    assert all_revisions(session, w.product.id) == [
        (RevisionDecision.CHANGES_REQUESTED, "Kopi Tubruk Super"), (None, "Kopi Tubruk Pilihan")]
    assert live(session, w.product.id).name == "Kopi Tubruk Santri"


def test_withdraw_drops_the_revision_and_its_new_photos(app, session, w):
    seller_c = client_for(app, "ani@contoh.id")
    assert edit(seller_c, w.product, name="Kopi Batal").status_code == 303
    seller_c.post(f"/studio/produk/{w.product.id}/foto", data={
        "csrf_token": csrf_token(seller_c, "/akun"), "alt": "",
        "photo": (io.BytesIO(jpeg()), "baru.jpg")}, content_type="multipart/form-data")
    new_key = pending(session, w.product.id).content["images"][1]["key"]
    root = app.config["MEDIA_ROOT"]
    assert os.path.exists(os.path.join(root, f"{new_key}.jpg"))
    # When the seller withdraws the revision
    assert post(seller_c, f"/studio/produk/{w.product.id}/revisi/batal", {}).status_code == 303
    # Then it is closed as withdrawn, the new photo's files are deleted, the approved one kept
    assert all_revisions(session, w.product.id) == [(RevisionDecision.WITHDRAWN, "Kopi Batal")]
    assert not os.path.exists(os.path.join(root, f"{new_key}.jpg"))
    assert os.path.exists(os.path.join(root, f"{w.image_key}.jpg"))
    assert live(session, w.product.id).name == "Kopi Tubruk Santri"
    # A second withdraw has nothing to withdraw
    response = post(seller_c, f"/studio/produk/{w.product.id}/revisi/batal", {})
    assert "Tidak ada perubahan yang menunggu kurasi." in text(seller_c.get(response.headers["Location"]))


def test_a_second_pending_revision_is_refused_by_the_database(session, w):
    now = utcnow()
    session.add(ProductRevision(product_id=w.product.id, submitted_at=now, updated_at=now,
                                content={"name": "A"}, notes={}, reason=""))
    session.commit()
    session.add(ProductRevision(product_id=w.product.id, submitted_at=now, updated_at=now,
                                content={"name": "B"}, notes={}, reason=""))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()
    # A decided one beside the pending one is fine
    session.add(ProductRevision(product_id=w.product.id, submitted_at=now, updated_at=now,
                                content={"name": "C"}, notes={}, reason="",
                                decision=RevisionDecision.REJECTED, decided_at=now))
    session.commit()
    assert [name for _d, name in all_revisions(session, w.product.id)] == ["A", "C"]


def test_two_curators_deciding_at_once_one_wins(app, session, w):
    seller_c = client_for(app, "ani@contoh.id")
    assert edit(seller_c, w.product, name="Kopi Serentak").status_code == 303
    revision_id = pending(session, w.product.id).id
    second_curator = make_user(session, email="kurator2@contoh.id", name="Kedua", is_curator=True)
    first, second = Session(db.engine), Session(db.engine)
    outcome: dict[str, object] = {}
    try:
        mine, theirs = first.get(ProductRevision, revision_id), second.get(ProductRevision, revision_id)
        revisions.decide_revision(first, revision=mine, curator_id=w.curator.id,
                                  data=revisions.RevisionInput(decision="approve"))

        def decide_second():
            with app.app_context():
                try:
                    revisions.decide_revision(second, revision=theirs, curator_id=second_curator.id,
                                              data=revisions.RevisionInput(decision="reject", reason="Bersamaan."))
                except revisions.RevisionNotPending as exc:
                    outcome["refused"] = exc
                else:
                    outcome["won"] = True

        thread = threading.Thread(target=decide_second)
        thread.start()
        thread.join(0.5)
        first.commit()
        thread.join(10)
        second.rollback()
    finally:
        first.close()
        second.close()
    assert not thread.is_alive()
    assert list(outcome) == ["refused"]
    assert all_revisions(session, w.product.id) == [(RevisionDecision.APPROVED, "Kopi Serentak")]
    assert live(session, w.product.id).name == "Kopi Serentak"
    # And deciding the decided revision again over HTTP is refused with a message
    curator_c = client_for(app, "kurator@contoh.id")
    response = decide(curator_c, revision_id, decision="reject", reason="Terlambat.")
    assert response.status_code == 303
    assert "Revisi ini tidak lagi menunggu kurasi" in text(curator_c.get(response.headers["Location"]))


def test_other_sellers_get_404_and_non_curators_403(app, session, w):
    seller_c = client_for(app, "ani@contoh.id")
    assert edit(seller_c, w.product, name="Kopi Rahasia").status_code == 303
    revision_id = pending(session, w.product.id).id
    make_user(session, email="lain@contoh.id", name="Lain")
    seller(session, email="budi@contoh.id", name="Budi", shop="Kopontren Lain")
    other = client_for(app, "budi@contoh.id")
    assert post(other, f"/studio/produk/{w.product.id}/revisi/batal", {}).status_code == 404
    assert post(other, f"/studio/produk/{w.product.id}/revisi/foto/{w.image_key}/hapus", {}).status_code == 404
    for c in (other, seller_c):
        assert c.get("/kurasi/revisi").status_code == 403
        assert c.get(f"/kurasi/revisi/{revision_id}").status_code == 403
        assert decide(c, revision_id, decision="approve").status_code == 403
    assert all_revisions(session, w.product.id) == [(None, "Kopi Rahasia")]


def test_a_revision_into_a_category_needing_certificates_the_product_lacks_cannot_be_approved(
        app, session, w):
    # Given a food category that requires a P-IRT, and a verified P-IRT of the shop
    food = f.category(session, "Camilan", required=[["pirt", "bpom:MD"]])
    pirt = f.certificate(session, w.shop, CertType.PIRT, "2063578010123-28")
    session.commit()
    seller_c, curator_c = client_for(app, "ani@contoh.id"), client_for(app, "kurator@contoh.id")
    # When the seller moves the product into it without the certificate
    assert edit(seller_c, w.product, category_id=str(food.id)).status_code == 303
    revision = pending(session, w.product.id)
    response = decide(curator_c, revision.id, decision="approve")
    # Then the curator is told what is missing and nothing changes
    assert form_errors(response) == [
        "Kategori atau klaim halal yang baru mensyaratkan sertifikat yang belum dimiliki produk ini: "
        "P-IRT / BPOM MD. Minta perbaikan atau tolak revisi ini."]
    assert live(session, w.product.id).category_id == w.kopi.id
    assert pending(session, w.product.id).id == revision.id
    # And once the product carries the P-IRT, the same revision can be approved
    assert post(seller_c, f"/studio/produk/{w.product.id}/sertifikat/pasang",
                {"certification_id": str(pirt.id)}).status_code == 303
    assert decide(curator_c, revision.id, decision="approve").status_code == 303
    assert live(session, w.product.id).category_id == food.id
