"""Seller studio products: create, edit, quick price/stock, workflow moves, certificates."""

from __future__ import annotations

from sqlalchemy import select

from opopmart.catalogue.models import (Brand, Certification, Product, ProductEvent, ProductStatus,
                                       ProductVariant)
from opopmart.catalogue.services import change_product_status
from tests import factories as f
from tests.functional.seller_support import (category, edit_data, own, post, product_data, seller,
                                             snapshot)
from tests.functional.test_accounts import errors_by_field, form_errors, text


def _create(client, session, cat, **overrides) -> Product:
    response = post(client, "/studio/produk/baru", product_data(cat.id, **overrides))
    assert response.status_code == 303, errors_by_field(response) or form_errors(response)
    session.expire_all()
    return session.execute(select(Product).order_by(Product.id.desc())).scalars().first()


def test_create_product_with_two_variants_a_tier_and_a_new_brand(client, session):
    # Given a seller with a verified shop
    user, shop = seller(session, client)
    cat = category(session)
    # When they create a product (prices typed as "25.000" and "Rp 47.000")
    item = _create(client, session, cat)
    # Then it is a draft of their shop with both variants, the tier and the brand
    assert (item.name, item.slug, item.status, item.producer_id, item.category_id, item.claims_halal,
            item.option1_name, item.is_listed) == (
        "Kopi Robusta Al Amin", "kopi-robusta-al-amin", ProductStatus.DRAFT, shop.id, cat.id, True,
        "Berat", False)
    assert session.get(Brand, item.brand_id).name == "Santri Kopi"
    assert [(v.sku, v.option1, v.price, v.stock, v.weight_grams, v.min_order_qty, v.producer_id)
            for v in item.variants] == [("ROB-250", "250 g", 25_000, 40, 260, 1, shop.id),
                                       ("ROB-500", "500 g", 47_000, 15, 510, 2, shop.id)]
    assert [(t.min_qty, t.unit_price) for t in item.variants[0].wholesale_tiers] == [(10, 22_500)]
    assert item.variants[1].wholesale_tiers == []
    assert (item.min_price, item.max_price) == (25_000, 47_000)
    page = client.get(f"/studio/produk/{item.id}")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "draf" in text(page)


def test_a_shop_id_no_database_holds_picks_the_first_own_shop(client, session):
    # Given a seller with a shop (the new product form takes a shop from ?toko= or the form)
    _, shop = seller(session, client)
    cat = category(session)
    before = snapshot()
    # When the shop asked for is a number past 64 bits (it reached the database: a 500)
    page = client.get("/studio/produk/baru?toko=99999999999999999999999")
    response = post(client, "/studio/produk/baru",
                    product_data(cat.id, producer_id="99999999999999999999999"))
    # Then the form is for their own shop, and the posted shop is refused, nothing written
    assert page.status_code == 200
    assert f'<option selected value="{shop.id}">' in page.get_data(as_text=True)
    assert response.status_code == 200
    assert list(errors_by_field(response)) == ["producer_id"]
    assert snapshot() == before


def test_a_dashboard_page_that_is_no_number_is_the_first_page(client, session):
    # Given a seller with a product
    seller(session, client)
    _create(client, session, category(session))
    # When the page asked for is "²" (str.isdigit() says yes, int() raised: a 500)
    response = client.get("/studio/?halaman=²")
    # Then the first page shows
    assert response.status_code == 200
    assert "Kopi Robusta Al Amin" in text(response)


def test_a_tier_not_cheaper_than_the_price_is_refused_and_nothing_is_written(client, session):
    seller(session, client)
    cat = category(session)
    before = snapshot()
    response = post(client, "/studio/produk/baru", product_data(
        cat.id, **{"variants-0-tiers-0-unit_price": "25.000", "variants-1-price": "abc",
                   "variants-1-stock": "-3"}))
    assert response.status_code == 200
    assert errors_by_field(response) == {
        "variants-0-tiers": ["Harga grosir: jumlah minimum mulai 2 dan naik, harga per unit turun "
                             "dan di bawah harga normal."],
        "variants-1-price": ["Tulis harga dalam rupiah tanpa sen, misalnya 25.000."],
        "variants-1-stock": ["Masukkan bilangan bulat, misalnya 10."],
    }
    assert snapshot() == before


def test_missing_fields_and_a_duplicate_sku_are_shown_next_to_their_fields(client, session):
    seller(session, client)
    category(session)
    before = snapshot()
    response = post(client, "/studio/produk/baru", product_data(
        "999", name="", description=" ", **{"variants-1-sku": "ROB-250", "variants-1-weight_grams": ""}))
    assert errors_by_field(response) == {
        "name": ["Wajib diisi."],
        "category_id": ["Pilih kategori dari daftar."],
        "description": ["Wajib diisi."],
        "variants-1-sku": ["SKU ini dipakai dua kali."],
        "variants-1-weight_grams": ["Wajib diisi."],
    }
    assert snapshot() == before


def test_edit_a_draft(client, session):
    user, shop = seller(session, client)
    cat = category(session)
    other_cat = category(session, "Teh")
    item = _create(client, session, cat)
    data = edit_data(item)
    data.update({"name": "Kopi Robusta Argopuro", "category_id": str(other_cat.id),
                 "variants-1-price": "48.500", "variants-0-tiers-1-min_qty": "50",
                 "variants-0-tiers-1-unit_price": "21.000",
                 # a third variant in the first blank row
                 "variants-2-sku": "ROB-1000", "variants-2-option1": "1 kg", "variants-2-price": "90.000",
                 "variants-2-stock": "5", "variants-2-weight_grams": "1010"})
    response = post(client, f"/studio/produk/{item.id}", data)
    assert response.status_code == 303, errors_by_field(response) or form_errors(response)
    item = own(session, user.id, item.id)
    assert (item.name, item.category_id, item.status) == ("Kopi Robusta Argopuro", other_cat.id,
                                                          ProductStatus.DRAFT)
    assert [(v.sku, v.price) for v in item.variants] == [("ROB-250", 25_000), ("ROB-500", 48_500),
                                                        ("ROB-1000", 90_000)]
    assert [(t.min_qty, t.unit_price) for t in item.variants[0].wholesale_tiers] == [(10, 22_500),
                                                                                   (50, 21_000)]


def test_quick_price_and_stock_of_a_published_product_show_on_its_page_at_once(client, session):
    # Given a published product whose public page has been seen (and cached)
    user, shop = seller(session, client)
    cat = category(session)
    item = f.product(session, shop, cat, "Kopi Tubruk Santri", prices=[30_000], stock=10)
    session.commit()
    variant_id = item.variants[0].id
    page = text(client.get("/produk/kopi-tubruk-santri"))
    assert "Rp 30.000" in page
    # When the seller changes price and stock from the list
    response = post(client, f"/studio/produk/{item.id}/varian/{variant_id}",
                    {"price": "32.500", "stock": "7", "back": "list"})
    assert response.status_code == 303 and response.headers["Location"] == "/studio"
    # Then the public page shows them immediately
    page = text(client.get("/produk/kopi-tubruk-santri"))
    assert "Rp 32.500" in page and "Rp 30.000" not in page
    assert "Tersedia 7" in page
    session.expire_all()
    assert (session.get(ProductVariant, variant_id).price, session.get(Product, item.id).min_price) == (
        32_500, 32_500)
    # And a bad value is refused with a message, nothing written
    before = snapshot()
    response = post(client, f"/studio/produk/{item.id}/varian/{variant_id}", {"price": "0", "stock": "x"})
    assert response.status_code == 303
    follow = text(client.get(response.headers["Location"]))
    assert "Harga harus lebih dari Rp 0." in follow and "Masukkan bilangan bulat, misalnya 10." in follow
    assert snapshot() == before


def test_editing_the_variants_of_a_published_product_is_refused(client, session):
    # (Content edits of a published product become revisions: tests/functional/test_revisions.py.)
    user, shop = seller(session, client)
    cat = category(session)
    item = f.product(session, shop, cat, "Kopi Tubruk Santri", prices=[30_000],
                     description="Kopi tubruk.")
    session.commit()
    before = snapshot()
    data = edit_data(item)
    data["variants-0-sku"] = "TUBRUK-BARU"
    response = post(client, f"/studio/produk/{item.id}", data)
    assert response.status_code == 200
    assert form_errors(response) == ["Produk yang sudah tayang: SKU dan pilihan varian tidak bisa "
                                     "diubah, dan varian baru tidak bisa ditambahkan. Buat produk "
                                     "baru untuk varian lain."]
    assert snapshot() == before
    # price and stock through the same form apply (no content changed)
    data = edit_data(item)
    data["variants-0-price"] = "31.000"
    assert post(client, f"/studio/produk/{item.id}", data).status_code == 303
    assert own(session, user.id, item.id).variants[0].price == 31_000


def test_submit_archive_restore_and_illegal_moves(client, session):
    user, shop = seller(session, client)
    cat = category(session)
    item = _create(client, session, cat)
    # submit: draft -> submitted, with an event naming the seller
    response = post(client, f"/studio/produk/{item.id}/ajukan", {})
    assert response.status_code == 303
    assert own(session, user.id, item.id).status is ProductStatus.SUBMITTED
    event = session.execute(select(ProductEvent).where(ProductEvent.product_id == item.id)).scalar_one()
    assert (event.actor_id, event.from_status, event.to_status) == (
        user.id, ProductStatus.DRAFT, ProductStatus.SUBMITTED)
    # submitted cannot be archived or restored by the seller
    before = snapshot()
    response = post(client, f"/studio/produk/{item.id}/arsipkan", {})
    assert "Produk berstatus menunggu kurasi tidak bisa diarsipkan." in text(client.get(response.headers["Location"]))
    post(client, f"/studio/produk/{item.id}/pulihkan", {})
    assert snapshot() == before
    # published -> archived -> draft
    change_product_status(session, own(session, user.id, item.id), ProductStatus.PUBLISHED, actor_id=None)
    session.commit()
    assert post(client, f"/studio/produk/{item.id}/arsipkan", {}).status_code == 303
    assert own(session, user.id, item.id).status is ProductStatus.ARCHIVED
    # an archived product cannot be submitted
    before = snapshot()
    response = post(client, f"/studio/produk/{item.id}/ajukan", {})
    assert "Produk berstatus diarsipkan tidak bisa diajukan untuk kurasi." in text(
        client.get(response.headers["Location"]))
    assert snapshot() == before
    assert post(client, f"/studio/produk/{item.id}/pulihkan", {}).status_code == 303
    assert own(session, user.id, item.id).status is ProductStatus.DRAFT
    history = [(e.from_status, e.to_status, e.actor_id) for e in session.execute(
        select(ProductEvent).where(ProductEvent.product_id == item.id).order_by(ProductEvent.id)).scalars()]
    assert history == [(ProductStatus.DRAFT, ProductStatus.SUBMITTED, user.id),
                       (ProductStatus.SUBMITTED, ProductStatus.PUBLISHED, None),
                       (ProductStatus.PUBLISHED, ProductStatus.ARCHIVED, user.id),
                       (ProductStatus.ARCHIVED, ProductStatus.DRAFT, user.id)]
    page = text(client.get(f"/studio/produk/{item.id}"))
    assert page.count('data-testid="event"') == 4 and "Ani Rahma" in page


def test_certificates_errors_block_warnings_show_and_verified_cannot_be_set(client, session):
    user, shop = seller(session, client)
    cat = category(session)
    item = _create(client, session, cat)
    before = snapshot()
    response = post(client, f"/studio/produk/{item.id}/sertifikat", {
        "type": "halal", "number": "KH 2023 0001", "halal_scheme": "", "issued_on": "2025-13-01"})
    assert errors_by_field(response) == {
        "number": ["Nomor KH adalah nomor pendaftaran, bukan sertifikat halal. "
                   "Masukkan nomor sertifikat yang diawali ID."],
        "halal_scheme": ["Pilih skema sertifikasi halal."],
        "issued_on": ["Tulis tanggal sebagai TTTT-BB-HH, misalnya 2026-03-31."],
    }
    assert snapshot() == before
    # a P-IRT whose year disagrees with its expiry: saved, with a warning; never verified
    response = post(client, f"/studio/produk/{item.id}/sertifikat", {
        "type": "pirt", "number": "2063514010123-28", "issuer": "Dinkes Kab. Jember",
        "issued_on": "2023-06-30", "expires_on": "2029-06-30", "verified": "1"})
    assert response.status_code == 303
    follow = text(client.get(response.headers["Location"]))
    assert "Dua angka terakhir menyebut tahun 2028, tetapi masa berlaku diisi 2029-06-30." in follow
    cert = session.execute(select(Certification)).scalar_one()
    assert (cert.type.value, cert.number, cert.producer_id, cert.verified, cert.issuer) == (
        "pirt", "2063514010123-28", shop.id, False, "Dinkes Kab. Jember")
    assert [c.id for c in own(session, user.id, item.id).certifications] == [cert.id]
