"""The seller's journey in a real browser, at phone and desktop width: register, open a
shop, add a product with a photo and a halal certificate, and submit it for curation."""

from __future__ import annotations

import io

from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select

from opopmart.catalogue.models import CertType, Producer, Product, ProductStatus
from tests import factories
from tests.browser.test_storefront import assert_no_sideways_scroll
from tests.functional.test_seller_photos import MINIMAL_PDF


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (900, 900), (120, 80, 40)).save(out, "JPEG")
    return out.getvalue()


def test_seller_registers_opens_a_shop_and_submits_a_product(page, session, viewport):
    # Given a catalogue with a food category and nobody signed in
    food = factories.category(session, "Makanan & Minuman")
    factories.category(session, "Keripik", parent=food)
    session.commit()

    # When a santri entrepreneur registers
    page.goto("/daftar")
    page.fill("#name", "Siti Aminah")
    page.fill("#email", "siti@contoh.id")
    page.fill("#phone", "0812 3456 7890")
    page.fill("#password", "keripik tempe renyah")
    page.fill("#confirm", "keripik tempe renyah")
    page.get_by_role("button", name="Daftar").click()
    page.wait_for_load_state()

    # ...opens a shop for her pesantren's cooperative
    page.goto("/studio/buka-toko")
    page.select_option("#kind", "kopontren")
    page.fill("#name", "Kopontren Al Hikmah")
    page.fill("#pesantren_name", "Pondok Pesantren Al Hikmah")
    page.fill("#koperasi_name", "Koperasi Al Hikmah")
    page.fill("#nib", "9120301234567")
    page.select_option("#region_code", "35.24")
    page.fill("#address", "Jl. Raya Paciran 12, Lamongan")
    page.get_by_role("button", name="Daftarkan toko").click()
    expect(page.get_by_test_id("unverified")).to_be_visible()
    assert_no_sideways_scroll(page)

    # ...adds a product with one variant
    page.get_by_role("link", name="Tambah produk").click()
    page.fill("#name", "Keripik Tempe Al Hikmah")
    page.select_option("#category_id", label="Makanan & Minuman › Keripik")
    page.fill("#new_brand", "Al Hikmah Snack")
    page.fill("#description", "Keripik tempe renyah, digoreng santri setiap pagi.")
    page.check("#claims_halal")
    page.fill("#variants-0-sku", "KT-200")
    page.fill("#variants-0-price", "18.500")
    page.fill("#variants-0-stock", "40")
    page.fill("#variants-0-weight_grams", "200")
    page.get_by_role("button", name="Simpan sebagai draf").click()
    expect(page.get_by_test_id("status")).to_have_text("draf")
    assert_no_sideways_scroll(page)

    # ...uploads a photo
    page.set_input_files("#photo", files=[{"name": "keripik.jpg", "mimeType": "image/jpeg",
                                            "buffer": jpeg()}])
    page.fill("#alt", "Kemasan keripik tempe")
    page.get_by_role("button", name="Unggah foto").click()
    expect(page.get_by_alt_text("Kemasan keripik tempe")).to_be_visible()

    # ...adds the halal certificate with its scan
    page.select_option("#type", "halal")
    page.fill("#number", "ID35110000123450123")
    page.select_option("#halal_scheme", "self_declare")
    page.fill("#issuer", "BPJPH")
    page.fill("#issued_on", "2025-05-01")
    page.fill("#expires_on", "2029-05-01")
    page.set_input_files("#document", files=[{"name": "halal.pdf", "mimeType": "application/pdf",
                                               "buffer": MINIMAL_PDF}])
    page.get_by_role("button", name="Tambah sertifikat").click()
    expect(page.locator(".studio-certs")).to_contain_text("ID35110000123450123")

    # ...and submits it for curation
    page.get_by_role("button", name="Ajukan kurasi").click()

    # Then the studio shows it waiting for the curators, and the database agrees
    expect(page.get_by_test_id("status")).to_have_text("menunggu kurasi")
    assert_no_sideways_scroll(page)
    session.expire_all()
    product = session.execute(select(Product)).scalar_one()
    producer = session.execute(select(Producer)).scalar_one()
    assert (product.name, product.status, product.claims_halal) == (
        "Keripik Tempe Al Hikmah", ProductStatus.SUBMITTED, True)
    assert [v.price for v in product.variants] == [18_500]
    assert len(product.images) == 1
    assert [(c.type, c.number, c.verified) for c in product.certifications] == [
        (CertType.HALAL, "ID35110000123450123", False)]
    assert (producer.name, producer.verified, producer.region_code) == (
        "Kopontren Al Hikmah", False, "35.24")
    # Nothing of an unverified shop is public
    assert product.is_listed is False
    assert page.goto(f"/produk/{product.slug}").status == 404
