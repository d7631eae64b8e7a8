"""The curator's journey in a real browser, at phone and desktop width: verify a new shop,
approve its submitted product, and see a visitor find the product by searching for it.

The search index is fed by a queue applied after each commit (opopmart/search/indexer.py);
the visitor waits for the product the way a person would, by reloading the results
until it is there (bounded), never by sleeping.
"""

from __future__ import annotations

import time

from playwright.sync_api import expect
from sqlalchemy import select

from opopmart.catalogue.models import (CertType, HalalScheme, Producer, ProducerStatus, Product,
                                       ProductStatus)
from opopmart.curation.models import ASPECTS, ProductReview, ReviewDecision
from opopmart.search.indexer import reindex
from opopmart.seller.services import seller_move
from tests import factories
from tests.browser.conftest import ARTIFACTS, TIMEOUT_MS, VIEWPORTS
from tests.browser.test_storefront import assert_no_sideways_scroll
from tests.functional.seller_support import seller
from tests.functional.test_accounts import PASSWORD, make_user

# How long the visitor keeps reloading the results before the test gives up.
INDEX_WAIT_S = 10


def reload_until_visible(page, locator, timeout_s: float = INDEX_WAIT_S) -> None:
    """Reload the page until ``locator`` shows, as a visitor would; fail after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            expect(locator).to_be_visible(timeout=1_000)
            return
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            page.reload()


def test_curator_verifies_a_shop_approves_its_product_and_it_appears_in_search(
        app, session, page, viewport, browser, live_server):
    # Given a shop waiting for verification, with a product (and its halal certificate)
    # submitted for curation, and a search index that does not list it
    owner, shop = seller(session, verified=False)
    snacks = factories.category(session, "Camilan")
    product = factories.product(session, shop, snacks, "Keripik Tempe Al Amin", prices=[18_500],
                                status=ProductStatus.DRAFT)
    halal = factories.certificate(session, shop, CertType.HALAL, "ID35110000123450123",
                                  products=[product], verified=False,
                                  halal_scheme=HalalScheme.SELF_DECLARE)
    seller_move(session, product=product, action="submit", actor_id=owner.id)
    make_user(session, email="kurator@contoh.id", name="Kurnia Kurator", is_curator=True)
    session.commit()
    product_id, shop_id, halal_id = product.id, shop.id, halal.id
    reindex(app)

    # ...and a visitor (their own browser) who searches for it now and finds nothing
    visitor_context = browser.new_context(base_url=live_server, locale="id-ID", **VIEWPORTS[viewport])
    visitor_context.set_default_timeout(TIMEOUT_MS)
    visitor_context.set_default_navigation_timeout(TIMEOUT_MS)
    visitor = visitor_context.new_page()
    try:
        visitor.goto("/")
        visitor.get_by_role("combobox", name="Cari produk", exact=True).fill("keripik tempe al amin")
        visitor.get_by_role("button", name="Cari", exact=True).click()
        expect(visitor.get_by_test_id("result-count")).to_have_text("0 produk")
        expect(visitor.get_by_text("Tidak ada produk untuk “keripik tempe al amin”.")).to_be_visible()

        # When the curator logs in and opens curation from her account menu
        page.goto("/masuk")
        page.fill("#email", "kurator@contoh.id")
        page.fill("#password", PASSWORD)
        page.get_by_role("button", name="Masuk").click()
        page.get_by_test_id("account-name").click()
        page.get_by_test_id("curation-link").click()
        expect(page.locator("h1")).to_have_text("Kurasi produk")
        expect(page.get_by_test_id("queue-count")).to_have_text(
            "1 produk menunggu kurasi · yang paling lama menunggu di atas")
        assert_no_sideways_scroll(page)

        # ...goes to the shops waiting for verification, opens the new one and verifies it
        page.get_by_role("link", name="Toko menunggu verifikasi (1)").click()
        expect(page.locator("h1")).to_have_text("Verifikasi toko")
        page.get_by_test_id("producer-name").filter(has_text="Kopontren Al Amin").click()
        expect(page.locator("h1")).to_have_text("Kopontren Al Amin")
        expect(page.get_by_test_id("producer-status")).to_have_text("Menunggu verifikasi")
        expect(page.get_by_test_id("nib-ok")).to_have_text("Format sah")
        assert_no_sideways_scroll(page)
        page.get_by_test_id("verify").click()
        expect(page.locator(".flash-success")).to_have_text(
            "Kopontren Al Amin terverifikasi. Produknya yang sudah disetujui kini tampil di katalog.")
        expect(page.get_by_test_id("producer-count")).to_have_text(
            "0 toko · yang paling lama menunggu di atas")

        # ...then opens the product waiting in the queue
        page.get_by_role("link", name="Produk menunggu (1)").click()
        page.get_by_test_id("queue-product").filter(has_text="Keripik Tempe Al Amin").click()
        expect(page.locator("h1").first).to_have_text("Kurasi: Keripik Tempe Al Amin")
        expect(page.get_by_test_id("status")).to_have_text("menunggu kurasi")
        expect(page.get_by_test_id("producer-status")).to_have_text("Terverifikasi")
        # (the certificate number reads on one line: the table scrolls rather than squeezes)
        number = page.locator(f'tr[data-cert="{halal_id}"] td').nth(1)
        expect(number).to_contain_text("ID35110000123450123")
        assert number.evaluate("td => { const r = document.createRange(); "
                               "r.selectNodeContents(td.firstChild); return r.getClientRects().length; }") == 1
        assert_no_sideways_scroll(page)

        # ...passes every aspect, keeps the halal certificate ticked as checked, and approves
        for key in ASPECTS:
            page.locator(f'fieldset[data-aspect="{key}"]').get_by_label("Lolos", exact=True).check()
        expect(page.get_by_role("checkbox", name="ID35110000123450123")).to_be_checked()
        page.get_by_test_id("approve").click()

        # Then the queue is empty and says what happened
        expect(page.locator(".flash-success")).to_have_text(
            "Keripik Tempe Al Amin disetujui dan tayang di katalog.")
        expect(page.get_by_test_id("queue-count")).to_have_text(
            "0 produk menunggu kurasi · yang paling lama menunggu di atas")
        expect(page.get_by_text("Tidak ada produk yang menunggu kurasi.")).to_be_visible()
        assert_no_sideways_scroll(page)

        # ...and the visitor, reloading the same search, finds it
        card = visitor.locator(".results .card").filter(has_text="Keripik Tempe Al Amin")
        reload_until_visible(visitor, card)
        expect(visitor.get_by_test_id("result-count")).to_have_text("1 produk")
        expect(card.locator(".card-price")).to_have_text("Rp 18.500")
        expect(card.locator(".card-meta")).to_have_text("Kopontren Al Amin · Kab. Jember")
        assert_no_sideways_scroll(visitor)
        card.click()
        expect(visitor.locator("h1")).to_have_text("Keripik Tempe Al Amin")
    except Exception:
        # The failure hook keeps the curator's page; keep the visitor's beside it.
        ARTIFACTS.mkdir(exist_ok=True)
        visitor.screenshot(path=str(ARTIFACTS / f"curator_journey_visitor[{viewport}].png"), full_page=True)
        raise
    finally:
        visitor_context.close()

    # ...and the database agrees
    session.expire_all()
    shop_row = session.get(Producer, shop_id)
    product_row = session.get(Product, product_id)
    assert (shop_row.status, shop_row.verified) == (ProducerStatus.VERIFIED, True)
    assert (product_row.status, product_row.is_listed) == (ProductStatus.PUBLISHED, True)
    review = session.execute(select(ProductReview).where(ProductReview.product_id == product_id)).scalar_one()
    assert (review.decision, review.checklist, review.confirmed_certificates) == (
        ReviewDecision.APPROVED, {key: "pass" for key in ASPECTS}, [halal_id])
    assert [c.verified for c in product_row.certifications] == [True]
