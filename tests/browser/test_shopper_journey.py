"""The shopper's journey in a real browser, at phone and desktop width: search, filter,
open a product, put products of two producers in the cart, log in at checkout, add an
address, choose couriers, pay with a test card, and see the order paid in two shipments.

The payment is confirmed the way it is in production: localstripe sends its signed
webhook to the live server (registered as `make run` does), and the payment page, which
polls the order's status, turns to paid by itself.
"""

from __future__ import annotations

import re
import urllib.parse
import urllib.request

from playwright.sync_api import expect
from sqlalchemy import select

from opopmart.catalogue.models import ProducerKind, ProductVariant
from opopmart.checkout.models import Courier, ShippingRate, Zone
from opopmart.orders.models import Order, OrderStatus, ShipmentStatus
from opopmart.search.indexer import reindex
from tests import factories
from tests.browser.test_storefront import assert_no_sideways_scroll
from tests.functional.test_accounts import PASSWORD, make_user

# Long enough for localstripe's ~1 s before it sends the webhook and the page's 2 s polls.
PAYMENT_TIMEOUT_MS = 15_000


def rp(amount: int) -> str:
    """Rupiah as the pages write it (Rp 12.345), spelled out here rather than by the app."""
    return f"Rp {amount:,}".replace(",", ".")


def rate(session, courier: Courier, zone: Zone) -> int:
    """The courier's price per kg for the zone, as the database holds it today."""
    return session.execute(
        select(ShippingRate.price_per_kg).where(ShippingRate.courier == courier, ShippingRate.zone == zone)
    ).scalar_one()


def send_webhooks_to(live_server: str, app, localstripe: str) -> None:
    """Have the test's localstripe sign and send its events to the live server."""
    body = urllib.parse.urlencode({"url": f"{live_server}/stripe/webhook",
                                   "secret": app.config["STRIPE_WEBHOOK_SECRET"]}).encode()
    urllib.request.urlopen(urllib.request.Request(
        f"{localstripe}/_config/webhooks/tests-browser", data=body, method="POST"), timeout=5).read()


def test_shopper_searches_filters_buys_from_two_producers_and_pays(
        app, session, page, viewport, live_server, localstripe):
    # Given two producers: a cooperative in Kab. Pasuruan selling coffee, and a UMKM in
    # Kab. Malang selling coffee and tempe chips; all indexed for search
    food = factories.category(session, "Makanan & Minuman")
    kopi = factories.category(session, "Kopi", parent=food)
    camilan = factories.category(session, "Camilan", parent=food)
    sidogiri = factories.producer(session, "Kopontren Sidogiri", region_code="35.14",
                                  kind=ProducerKind.KOPONTREN)
    dampit = factories.producer(session, "UMKM Dampit Jaya", region_code="35.07")
    arabika = factories.product(session, sidogiri, kopi, "Kopi Arabika Ijen", prices=[45_000],
                                stock=10, weight_grams=250)
    factories.product(session, dampit, kopi, "Kopi Robusta Dampit", prices=[35_000], stock=10)
    keripik = factories.product(session, dampit, camilan, "Keripik Tempe Malang", prices=[15_000],
                                stock=20, weight_grams=400)
    arabika_variant, keripik_variant = arabika.variants[0].id, keripik.variants[0].id
    make_user(session, email="siti@contoh.id", name="Siti Aminah")
    session.commit()
    reindex(app)
    send_webhooks_to(live_server, app, localstripe)

    # What she will pay: 2 coffees (500 g: 1 kg billed) sent by SiCepat within Jawa
    # Timur, 3 bags of chips (1.200 g: 2 kg) by the cheapest courier within Kab. Malang
    coffee_total, chips_total = 2 * 45_000, 3 * 15_000
    coffee_shipping = 1 * rate(session, Courier.SICEPAT, Zone.JAWA_TIMUR)
    chips_shipping = 2 * rate(session, Courier.POS, Zone.SAME_CITY)
    items_total = coffee_total + chips_total
    shipping_total = coffee_shipping + chips_shipping
    grand_total = items_total + shipping_total

    # When Siti, not signed in, searches the home page's box for "kopi"
    page.goto("/")
    search_box = page.get_by_role("combobox", name="Cari produk", exact=True)
    search_box.fill("kopi")
    # ...the typeahead offers both coffees; she submits the search instead
    suggestions = page.locator("#site-search-q-suggestions")
    expect(suggestions.get_by_role("option", name="Kopi Arabika Ijen")).to_be_visible()
    expect(suggestions.get_by_role("option", name="Kopi Robusta Dampit")).to_be_visible()
    search_box.press("Enter")
    expect(page.locator("h1")).to_have_text("Hasil untuk “kopi”")
    expect(page.get_by_test_id("result-count")).to_have_text("2 produk")
    cards = page.locator(".results .card-name")
    expect(cards).to_have_count(2)
    assert_no_sideways_scroll(page)

    # ...narrows them to Kab. Pasuruan (phones fold the filters: she opens them first)
    if viewport == "phone":
        expect(page.locator(".facet-region")).to_be_hidden()
        page.get_by_text("Saring hasil", exact=True).click()
    page.locator(".facet-region").get_by_role("link", name=re.compile(r"^Kab\. Pasuruan 1$")).click()
    expect(page.get_by_test_id("result-count")).to_have_text("1 produk")
    expect(cards).to_have_text(["Kopi Arabika Ijen"])
    expect(page.locator(".chosen-filters")).to_contain_text("Kab. Pasuruan")
    # (phones fold the filters again on the new page; wide screens keep them open)
    if viewport == "phone":
        expect(page.locator(".facet-region")).to_be_hidden()
    else:
        expect(page.locator(".facet-region")).to_be_visible()

    # ...opens the coffee and puts 2 bags in the cart
    cards.first.click()
    expect(page.locator("h1")).to_have_text("Kopi Arabika Ijen")
    expect(page.locator("[data-price]")).to_have_text(rp(45_000))
    page.locator("#cart-quantity").fill("2")
    page.get_by_role("button", name="Tambah ke keranjang").click()
    expect(page.locator(".flash-success")).to_have_text("Produk masuk keranjang.")
    expect(page.get_by_test_id("cart-count")).to_have_text("1")
    assert_no_sideways_scroll(page)

    # ...types "keripik" in the header box and takes the product the typeahead offers
    search_box.fill("keripik")
    suggestions.get_by_role("option", name="Keripik Tempe Malang").click()
    expect(page.locator("h1")).to_have_text("Keripik Tempe Malang")
    page.locator("#cart-quantity").fill("3")
    page.get_by_role("button", name="Tambah ke keranjang").click()
    expect(page.get_by_test_id("cart-count")).to_have_text("2")

    # ...and opens the cart: one section per producer
    page.get_by_test_id("cart-link").click()
    expect(page.locator("h1")).to_have_text("Keranjang")
    groups = page.get_by_test_id("cart-group")
    expect(groups.locator("h2")).to_have_text(["Kopontren Sidogiri", "UMKM Dampit Jaya"])
    expect(page.get_by_test_id("group-subtotal")).to_have_text([rp(coffee_total), rp(chips_total)])
    expect(page.get_by_test_id("cart-total")).to_have_text(rp(items_total))
    assert_no_sideways_scroll(page)

    # When she goes to pay, checkout asks her to log in first, then returns to checkout
    page.get_by_test_id("checkout-link").click()
    expect(page).to_have_url(re.compile(r"/masuk\?"))
    page.fill("#email", "siti@contoh.id")
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page.locator("h1")).to_have_text("Checkout")
    expect(page.get_by_text("Anda belum punya alamat pengiriman.")).to_be_visible()
    expect(page.get_by_role("button", name="Buat pesanan & bayar")).to_be_disabled()

    # ...adds her address in Kab. Malang on the way
    page.get_by_role("link", name="+ Tambah alamat").click()
    expect(page.locator("#recipient")).to_have_value("Siti Aminah")
    page.fill("#street", "Jl. Kawi 5")
    page.fill("#village", "Kauman")
    page.fill("#district", "Klojen")
    page.select_option("#province_code", "35")
    page.select_option("#region_code", "35.07")
    page.fill("#postal_code", "65119")
    assert_no_sideways_scroll(page)
    page.get_by_role("button", name="Simpan alamat").click()
    expect(page.locator("h1")).to_have_text("Checkout")
    expect(page.get_by_role("radio", name=re.compile("Jl. Kawi 5"))).to_be_checked()

    # ...and sends the coffee by SiCepat (the chips keep the cheapest, Pos Indonesia)
    coffee = page.locator(".checkout-shipment").filter(has_text="Kopontren Sidogiri")
    chips = page.locator(".checkout-shipment").filter(has_text="UMKM Dampit Jaya")
    expect(chips.get_by_role("radio", name=re.compile(r"^Pos Indonesia"))).to_be_checked()
    # (a change recalculates the page: click, then wait for the new page rather than the radio)
    coffee.get_by_role("radio", name=re.compile(r"^SiCepat")).click()
    expect(page).to_have_url(re.compile(rf"kurir-{sidogiri.id}=sicepat"))
    expect(coffee.get_by_role("radio", name=re.compile(r"^SiCepat"))).to_be_checked()
    # (each courier is a row of its own to tap, one under the other)
    rows = [choice.bounding_box() for choice in coffee.locator(".courier-options .choice").all()]
    assert len(rows) == 4 and len({row["x"] for row in rows}) == 1
    assert all(upper["y"] + upper["height"] <= lower["y"] for upper, lower in zip(rows, rows[1:]))
    expect(coffee.locator(".checkout-subtotal")).to_have_text(
        f"Subtotal: {rp(coffee_total)} · Ongkir: {rp(coffee_shipping)}")
    expect(chips.locator(".checkout-subtotal")).to_have_text(
        f"Subtotal: {rp(chips_total)} · Ongkir: {rp(chips_shipping)}")
    expect(page.get_by_test_id("items-total")).to_have_text(rp(items_total))
    expect(page.get_by_test_id("shipping-total")).to_have_text(rp(shipping_total))
    expect(page.get_by_test_id("grand-total")).to_have_text(rp(grand_total))
    assert_no_sideways_scroll(page)
    page.get_by_role("button", name="Buat pesanan & bayar").click()

    # ...and pays with the test card that succeeds
    expect(page.locator("h1")).to_have_text("Pembayaran pesanan")
    expect(page.get_by_test_id("grand-total")).to_have_text(rp(grand_total))
    expect(page.get_by_test_id("order-status")).to_have_text("Menunggu pembayaran")
    assert_no_sideways_scroll(page)
    page.get_by_role("button", name="Kartu uji: berhasil").click()

    # Then the page turns to paid by itself once Stripe's webhook has arrived
    expect(page.get_by_test_id("stage-paid")).to_be_visible(timeout=PAYMENT_TIMEOUT_MS)
    expect(page.get_by_test_id("order-status")).to_have_text("Dibayar")

    # ...and her order shows it paid, in two shipments, one per producer
    page.get_by_test_id("order-link").click()
    expect(page.get_by_test_id("order-status")).to_have_text("Dibayar")
    expect(page.get_by_test_id("items-total")).to_have_text(rp(items_total))
    expect(page.get_by_test_id("shipping-total")).to_have_text(rp(shipping_total))
    expect(page.get_by_test_id("grand-total")).to_have_text(rp(grand_total))
    shipments = page.locator(".order-shipment")
    expect(shipments.locator("h2")).to_have_text([re.compile(r"^Kopontren Sidogiri\s"),
                                                  re.compile(r"^UMKM Dampit Jaya\s")])
    expect(shipments.locator("h2 .status")).to_have_text(["Dibayar, menunggu dikemas"] * 2)
    expect(shipments.nth(0).locator(".order-totals dd")).to_have_text([rp(coffee_total), rp(coffee_shipping)])
    expect(shipments.nth(1).locator(".order-totals dd")).to_have_text([rp(chips_total), rp(chips_shipping)])
    expect(shipments.nth(0).locator(".order-lines tbody td")).to_have_text(
        ["Kopi Arabika Ijen", "2", rp(45_000), rp(coffee_total)])
    expect(shipments.nth(1).locator(".order-lines tbody td")).to_have_text(
        ["Keripik Tempe Malang", "3", rp(15_000), rp(chips_total)])
    assert_no_sideways_scroll(page)

    # ...and the database agrees: one paid order, two shipments, stock down by what she bought
    session.expire_all()
    order = session.execute(select(Order)).scalar_one()
    assert (order.status, order.items_total, order.shipping_total, order.grand_total) == (
        OrderStatus.PAID, items_total, shipping_total, grand_total)
    assert sorted((s.producer_id, s.status, s.courier, s.zone, s.billable_kg, s.items_subtotal,
                   s.shipping_cost) for s in order.shipments) == sorted([
        (sidogiri.id, ShipmentStatus.PAID, Courier.SICEPAT, Zone.JAWA_TIMUR, 1, coffee_total,
         coffee_shipping),
        (dampit.id, ShipmentStatus.PAID, Courier.POS, Zone.SAME_CITY, 2, chips_total, chips_shipping),
    ])
    stock = dict(session.execute(select(ProductVariant.id, ProductVariant.stock)
                                 .where(ProductVariant.id.in_([arabika_variant, keripik_variant]))).all())
    assert stock == {arabika_variant: 10 - 2, keripik_variant: 20 - 3}
