"""Opening a shop: a new producer waits for a curator; its applicant owns it."""

from __future__ import annotations

from sqlalchemy import func, select

from opopmart.accounts.models import MemberRole, ProducerMember
from opopmart.catalogue.models import Producer, ProductStatus
from opopmart.extensions import db
from tests import factories as f
from tests.functional.seller_support import TOKEN_PAGE, post, snapshot
from tests.functional.test_accounts import errors_by_field, login, make_user, text

SHOP = {
    "kind": "pesantren", "name": "Pesantren Darul Ulum Mart", "pesantren_name": "PP Darul Ulum",
    "koperasi_name": "", "nib": "9120 0012 3456 7", "region_code": "35.17",
    "address": "Jl. Raya Rejoso, Peterongan", "description": "Produk santri Darul Ulum.",
}


def test_open_shop_makes_an_unverified_producer_owned_by_the_applicant(client, session):
    # Given a logged-in user without a shop
    user = make_user(session, email="umar@contoh.id", name="Umar Faruq")
    login(client, email="umar@contoh.id")
    assert "Buka toko" in text(client.get("/akun"))
    # When they apply
    response = post(client, "/studio/buka-toko", SHOP)
    # Then an unverified producer exists, with them as owner
    assert response.status_code == 303
    producer = session.execute(select(Producer)).scalar_one()
    assert response.headers["Location"] == f"/studio/toko/{producer.id}"
    assert (producer.name, producer.slug, producer.kind.value, producer.nib, producer.region_code,
            producer.verified) == ("Pesantren Darul Ulum Mart", "pesantren-darul-ulum-mart", "pesantren",
                                   "9120001234567", "35.17", False)
    member = session.execute(select(ProducerMember)).scalar_one()
    assert (member.user_id, member.producer_id, member.role) == (user.id, producer.id, MemberRole.OWNER)
    page = client.get(f"/studio/toko/{producer.id}")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "Menunggu verifikasi" in text(page)
    assert "Buka toko" not in text(client.get("/akun"))


def test_a_second_shop_with_the_same_name_gets_its_own_slug(client, session):
    make_user(session, email="umar@contoh.id")
    login(client, email="umar@contoh.id")
    post(client, "/studio/buka-toko", SHOP)
    post(client, "/studio/buka-toko", SHOP)
    slugs = session.execute(select(Producer.slug).order_by(Producer.id)).scalars().all()
    assert slugs == ["pesantren-darul-ulum-mart", "pesantren-darul-ulum-mart-2"]


def test_published_products_of_an_unverified_shop_are_not_public(client, session):
    # Given a shop that applied but was not verified, with a product moved to published
    make_user(session, email="umar@contoh.id")
    login(client, email="umar@contoh.id")
    post(client, "/studio/buka-toko", SHOP)
    producer = session.execute(select(Producer)).scalar_one()
    cat = f.category(session, "Camilan")
    item = f.product(session, producer, cat, "Keripik Santri", status=ProductStatus.PUBLISHED)
    session.commit()
    # Then it is published but not listed, and its page is a 404
    assert (item.status, item.is_listed) == (ProductStatus.PUBLISHED, False)
    assert client.get("/produk/keripik-santri").status_code == 404
    assert "Keripik Santri" not in text(client.get("/katalog"))


def test_bad_nib_unknown_region_and_missing_fields_write_nothing(client, session):
    make_user(session, email="umar@contoh.id")
    login(client, email="umar@contoh.id")
    before = snapshot()
    response = post(client, "/studio/buka-toko", {
        **SHOP, "kind": "koperasi", "name": "  ", "nib": "12345", "region_code": "99.99",
        "address": "", "pesantren_name": ""})
    assert response.status_code == 200
    assert errors_by_field(response) == {
        "kind": ["Pilih jenis usaha."],
        "name": ["Wajib diisi."],
        "nib": ["NIB terdiri dari 13 angka."],
        "region_code": ["Pilih kabupaten/kota dari daftar."],
        "address": ["Wajib diisi."],
    }
    # a province is not a kabupaten/kota; a pesantren needs its pesantren's name
    response = post(client, "/studio/buka-toko", {**SHOP, "region_code": "35", "pesantren_name": ""})
    assert errors_by_field(response) == {"pesantren_name": ["Wajib diisi."],
                                         "region_code": ["Pilih kabupaten/kota dari daftar."]}
    response = post(client, "/studio/buka-toko", {**SHOP, "nib": ""})
    assert errors_by_field(response) == {"nib": ["NIB wajib diisi."]}
    assert snapshot() == before


def test_region_list_puts_the_38_of_jawa_timur_first_and_allows_other_cities(client, session):
    make_user(session, email="umar@contoh.id")
    login(client, email="umar@contoh.id")
    html = client.get(TOKEN_PAGE).get_data(as_text=True)
    first_group = html.split("<optgroup", 2)[1]
    assert 'label="Jawa Timur"' in first_group and first_group.count("<option") == 38
    response = post(client, "/studio/buka-toko", {**SHOP, "region_code": "31.71"})
    assert response.status_code == 303
    assert session.execute(select(Producer.region_code)).scalar_one() == "31.71"


def test_anonymous_visitors_are_sent_to_login(client, session):
    for path in ("/studio", "/studio/buka-toko", "/studio/produk/baru", "/studio/produk/1"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/masuk?next=")
    assert db.session.execute(select(func.count()).select_from(Producer)).scalar_one() == 0


def _logo_bytes() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (400, 400), (20, 120, 80)).save(out, "PNG")
    return out.getvalue()


def _apply_with_logo(client, data: bytes, **fields):
    import io

    from tests.functional.test_accounts import csrf_token

    return client.post("/studio/buka-toko", data={
        **SHOP, **fields, "csrf_token": csrf_token(client, TOKEN_PAGE),
        "logo": (io.BytesIO(data), "logo.png")}, content_type="multipart/form-data")


def test_the_application_may_carry_a_logo(app, client, session):
    import os

    # Given a logged-in user applying with a logo
    make_user(session, email="umar@contoh.id")
    login(client, email="umar@contoh.id")
    # When they apply
    response = _apply_with_logo(client, _logo_bytes())
    # Then the shop has the logo, stored in three sizes
    assert response.status_code == 303
    producer = session.execute(select(Producer)).scalar_one()
    assert producer.logo_path is not None
    assert sorted(os.listdir(app.config["MEDIA_ROOT"])) == sorted(
        f"{producer.logo_path}{suffix}.jpg" for suffix in ("", "_md", "_sm"))


def test_a_refused_application_or_logo_leaves_no_file_and_no_row(app, client, session):
    import os

    make_user(session, email="umar@contoh.id")
    login(client, email="umar@contoh.id")
    # A valid logo with an invalid application is never stored
    response = _apply_with_logo(client, _logo_bytes(), nib="123")
    assert errors_by_field(response) == {"nib": ["NIB terdiri dari 13 angka."]}
    # A file that is not a picture is refused with a message
    response = _apply_with_logo(client, b"<svg onload=alert(1)></svg>")
    assert response.status_code == 200
    assert list(errors_by_field(response)) == ["logo"]
    assert session.execute(select(func.count(Producer.id))).scalar() == 0
    root = app.config["MEDIA_ROOT"]
    assert (os.listdir(root) if os.path.isdir(root) else []) == []
