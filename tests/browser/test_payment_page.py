"""Paying with a test card in a real browser, at phone and desktop width.

localstripe delivers its signed webhook to the live server itself (registered as
`make run` does); the page, under its own Content-Security-Policy, polls the order's
status and shows it paid without the shopper reloading. No console errors (a CSP
violation would be one).
"""

from __future__ import annotations

import urllib.parse
import urllib.request

from playwright.sync_api import expect

from opopmart.accounts.models import MemberRole, ProducerMember
from opopmart.orders.models import OrderStatus
from tests import factories as f
from tests.browser.test_storefront import assert_no_sideways_scroll
from tests.functional.order_support import order_with_intent
from tests.functional.payment_support import reload_order
from tests.functional.test_accounts import PASSWORD, make_user


def test_a_shopper_pays_with_a_test_card_and_sees_the_order_paid(
        app, session, page, live_server, localstripe):
    # Given Siti's order waiting for payment, and localstripe sending webhooks to the app
    kopi = f.category(session, "Kopi")
    producer = f.producer(session, "Kopontren Sidogiri", region_code="35.14")
    product = f.product(session, producer, kopi, "Kopi Arabika Ijen", prices=[45_000])
    seller = make_user(session, email="ani@contoh.id", name="Ani Rahma")
    session.add(ProducerMember(user_id=seller.id, producer_id=producer.id, role=MemberRole.OWNER))
    siti = make_user(session)
    order, _ = order_with_intent(app, session, siti, [(product.variants[0], 2)])
    body = urllib.parse.urlencode({"url": f"{live_server}/stripe/webhook",
                                   "secret": app.config["STRIPE_WEBHOOK_SECRET"]}).encode()
    urllib.request.urlopen(urllib.request.Request(
        f"{localstripe}/_config/webhooks/tests-browser", data=body, method="POST"), timeout=5).read()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    page.goto("/masuk")
    page.fill("#email", "siti@contoh.id")
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_load_state()
    page.goto(f"/pembayaran/{order.number}")
    expect(page.get_by_test_id("grand-total")).to_have_text("Rp 99.000")
    expect(page.get_by_text("Kartu uji — tidak ada uang sungguhan")).to_be_visible()
    assert_no_sideways_scroll(page)

    # When she pays with the card that succeeds
    page.get_by_role("button", name="Kartu uji: berhasil").click()

    # Then the page waits for Stripe's confirmation, and turns to paid by itself
    expect(page.get_by_test_id("stage-paid")).to_be_visible(timeout=15_000)
    expect(page.get_by_test_id("order-status")).to_have_text("Dibayar")
    assert reload_order(order).status is OrderStatus.PAID
    assert_no_sideways_scroll(page)
    assert errors == []
