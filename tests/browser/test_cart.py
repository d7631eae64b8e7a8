"""The cart in a real browser, at phone and desktop width: the product page's form follows
the chosen variant, the header badge counts, the cart page fits the screen."""

from __future__ import annotations

from playwright.sync_api import expect

from tests import factories
from tests.browser.test_storefront import assert_no_sideways_scroll, category_tree, coffee_with_sizes


def test_add_from_the_product_page_then_change_and_remove_in_the_cart(page, session):
    # Given a coffee in three sizes (the 500 g bag sold out, 7 bags of 1 kg)
    cats = category_tree(session)
    maker = factories.producer(session, "Koperasi Pondok Nurul Huda")
    item = coffee_with_sizes(session, maker, cats["coffee"])
    small, medium, large = (v.id for v in item.variants)
    session.commit()

    # When the shopper picks the 1 kg bag on the product page
    page.goto(f"/produk/{item.slug}")
    expect(page.locator(f'#cart-variant option[value="{medium}"]')).to_be_disabled()
    page.get_by_role("link", name="1 kg", exact=True).click()
    # Then the form follows the choice
    expect(page.locator("#cart-variant")).to_have_value(str(large))
    expect(page.locator("#cart-quantity")).to_have_value("1")
    assert_no_sideways_scroll(page)

    # When they add 3 bags
    page.locator("#cart-quantity").fill("3")
    page.get_by_role("button", name="Tambah ke keranjang").click()
    # Then they are back on the product page, told so, with a badge of 1 line
    expect(page.locator(".flash-success")).to_have_text("Produk masuk keranjang.")
    expect(page.get_by_test_id("cart-count")).to_have_text("1")

    # When they open the cart and ask for 10 bags, more than the 7 in stock
    page.get_by_test_id("cart-link").click()
    expect(page.locator("h1")).to_have_text("Keranjang")
    expect(page.get_by_test_id("line-total")).to_have_text("Rp 480.000")
    assert_no_sideways_scroll(page)
    page.get_by_label("Jumlah").fill("10")
    page.get_by_role("button", name="Ubah").click()
    # Then the line holds the 7 in stock, and the page says why
    expect(page.locator(".flash-info")).to_have_text("Stok tersisa 7, jumlah di keranjang disesuaikan menjadi 7.")
    expect(page.get_by_label("Jumlah")).to_have_value("7")
    expect(page.get_by_test_id("cart-total")).to_have_text("Rp 1.120.000")

    # When they remove the line
    page.get_by_role("button", name="Hapus").click()
    expect(page.get_by_test_id("cart-empty")).to_be_visible()
    expect(page.get_by_test_id("cart-count")).to_have_count(0)
