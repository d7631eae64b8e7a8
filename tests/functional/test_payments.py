"""The payment page against a real localstripe: test cards, 3D Secure, the webhook's effect.

Siti's order: 2 x Kopi Arabika Ijen (Rp 45.000) from Pasuruan to Kab. Malang (Jawa
Timur, 500 g -> 1 kg, Pos Rp 9.000) = Rp 99.000, so Stripe holds 9.900.000 IDR hundredths.
The order is paid only when the webhook that localstripe signed is delivered.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import select
from werkzeug.serving import make_server

from opopmart.checkout.stripe_gateway import SandboxCard, StripeGateway, gateway
from opopmart.notifications.models import Notification
from opopmart.orders.models import OrderStatus, ShipmentStatus
from tests.functional.payment_support import (
    captured_webhooks,  # noqa: F401 - fixture
    deliver,
    form_post,
    pending_order,
    reload_order,
    shop,  # noqa: F401 - fixture
    stock_of,
    stripe_event_count,
)
from tests.functional.test_accounts import login, make_user

GRAND_TOTAL = 99_000


def page(client, order) -> str:
    response = client.get(f"/pembayaran/{order.number}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def policy(response) -> dict[str, str]:
    """The Content-Security-Policy header as {directive: sources}."""
    parts = [p.strip() for p in response.headers["Content-Security-Policy"].split(";") if p.strip()]
    return dict(part.split(" ", 1) for part in parts)


def order_events(order) -> list[tuple]:
    return [(e.from_status, e.to_status, e.note) for e in reload_order(order).events]


def shipment_events(order) -> list[tuple]:
    return [(e.from_status, e.to_status) for s in reload_order(order).shipments for e in s.events]


def pay(client, order, card: str):
    response = form_post(client, f"/pembayaran/{order.number}/kartu-uji", {"kartu": card})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/pembayaran/{order.number}")
    return response


def test_given_pending_order_when_page_shown_then_total_status_and_marked_test_cards(
        app, client, session, shop, localstripe):
    order, intent = pending_order(app, session, shop)

    response = client.get(f"/pembayaran/{order.number}")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-testid="grand-total">Rp 99.000<' in html
    assert 'data-testid="order-status">Menunggu pembayaran<' in html
    assert "Kartu uji — tidak ada uang sungguhan" in html
    assert [v for v in ("berhasil", "ditolak", "autentikasi") if f'name="kartu" value="{v}"' in html] == \
        ["berhasil", "ditolak", "autentikasi"]
    # No script from another site, and a policy that would refuse one.
    assert "js.stripe.com" not in html
    assert policy(response)["script-src"] == "'self'"
    assert "js.stripe.com" not in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"


def test_given_card_succeeds_when_webhook_delivered_then_order_and_shipments_paid_and_mailed(
        app, client, session, shop, localstripe, captured_webhooks, caplog):
    order, intent = pending_order(app, session, shop)
    assert (intent.amount_rupiah, order.grand_total) == (GRAND_TOTAL, GRAND_TOTAL)

    # When Siti pays with the succeeding test card
    pay(client, order, "berhasil")

    # Then, until the webhook lands, the page says so and nothing is paid
    html = page(client, order)
    assert 'data-testid="stage-waiting"' in html and "Menunggu konfirmasi pembayaran" in html
    assert 'data-status-url="/pembayaran/' in html
    assert client.get(f"/pembayaran/{order.number}/status").get_json() == {
        "number": order.number, "status": "pending_payment", "label": "Menunggu pembayaran",
        "pending": True}
    assert reload_order(order).status is OrderStatus.PENDING_PAYMENT

    # When localstripe's signed payment_intent.succeeded reaches the webhook
    delivery = captured_webhooks.wait_for(intent.id, "payment_intent.succeeded")
    with caplog.at_level(logging.INFO, logger="opopmart.mail"):
        response = deliver(client, delivery)

    # Then the order and its shipment are paid, each move an event, and both sides told
    assert (response.status_code, response.get_json()) == (200, {"received": True, "outcome": "paid"})
    paid = reload_order(order)
    assert paid.status is OrderStatus.PAID and paid.paid_at is not None
    assert [s.status for s in paid.shipments] == [ShipmentStatus.PAID]
    assert order_events(order) == [(None, OrderStatus.PENDING_PAYMENT, ""),
                                   (OrderStatus.PENDING_PAYMENT, OrderStatus.PAID, "")]
    assert shipment_events(order) == [(None, ShipmentStatus.PENDING_PAYMENT),
                                      (ShipmentStatus.PENDING_PAYMENT, ShipmentStatus.PAID)]
    assert stripe_event_count() == 1
    mails = sorted((r.args[0], r.args[1]) for r in caplog.records if r.name == "opopmart.mail")
    assert mails == [("ani@contoh.id", f"Pesanan baru {order.number} untuk Kopontren Sidogiri"),
                     ("siti@contoh.id", f"Pesanan {order.number} sudah dibayar")]
    notes = session.execute(select(Notification.user_id, Notification.kind, Notification.link)
                            .order_by(Notification.user_id)).all()
    shipment_id = paid.shipments[0].id
    assert sorted(notes) == sorted([(shop.seller.id, "order_new", f"/studio/pesanan/{shipment_id}"),
                                    (shop.shopper.id, "order_paid", f"/pesanan/{order.number}")])
    assert stock_of(shop.variant) == 8
    html = page(client, order)
    assert 'data-testid="stage-paid"' in html and 'data-testid="order-status">Dibayar<' in html


def test_given_card_declined_when_webhook_delivered_then_order_cancelled_and_stock_back(
        app, client, session, shop, localstripe, captured_webhooks):
    order, intent = pending_order(app, session, shop)
    assert stock_of(shop.variant) == 8

    pay(client, order, "ditolak")
    html = page(client, order)
    assert 'data-testid="payment-error"' in html and "Kartu ditolak oleh bank." in html
    assert reload_order(order).status is OrderStatus.PENDING_PAYMENT

    response = deliver(client, captured_webhooks.wait_for(intent.id, "payment_intent.payment_failed"))

    assert (response.status_code, response.get_json()["outcome"]) == (200, "cancelled")
    cancelled = reload_order(order)
    assert (cancelled.status, cancelled.cancel_reason) == (OrderStatus.CANCELLED, "payment_failed")
    assert [s.status for s in cancelled.shipments] == [ShipmentStatus.CANCELLED]
    assert order_events(order)[-1] == (OrderStatus.PENDING_PAYMENT, OrderStatus.CANCELLED, "payment_failed")
    assert stock_of(shop.variant) == 10
    # The intent is cancelled at Stripe too, so no later attempt can take money for it.
    assert gateway(app).retrieve_intent(intent.id).status == "canceled"
    html = page(client, order)
    assert 'data-testid="stage-cancelled"' in html and "Pembayaran gagal" in html
    assert 'name="kartu"' not in html


def test_given_authentication_required_when_approved_then_paid_by_webhook(
        app, client, session, shop, localstripe, captured_webhooks):
    order, intent = pending_order(app, session, shop)

    pay(client, order, "autentikasi")
    html = page(client, order)
    assert 'data-testid="test-authentication"' in html
    assert 'name="keputusan" value="setuju"' in html and 'name="kartu"' not in html

    response = form_post(client, f"/pembayaran/{order.number}/autentikasi", {"keputusan": "setuju"})
    assert response.status_code == 303
    assert 'data-testid="stage-waiting"' in page(client, order)
    assert reload_order(order).status is OrderStatus.PENDING_PAYMENT

    deliver(client, captured_webhooks.wait_for(intent.id, "payment_intent.succeeded"))

    assert reload_order(order).status is OrderStatus.PAID


def test_given_authentication_required_when_denied_then_still_pending_and_can_pay_again(
        app, client, session, shop, localstripe, captured_webhooks):
    order, intent = pending_order(app, session, shop)
    pay(client, order, "autentikasi")

    response = form_post(client, f"/pembayaran/{order.number}/autentikasi", {"keputusan": "tolak"})

    # Then nothing is paid, the stock stays held, and the page offers the cards again
    assert response.status_code == 303
    html = page(client, order)
    assert "Autentikasi pembayaran ditolak." in html and 'name="kartu" value="berhasil"' in html
    assert gateway(app).retrieve_intent(intent.id).status == "requires_payment_method"
    assert (reload_order(order).status, stock_of(shop.variant)) == (OrderStatus.PENDING_PAYMENT, 8)
    # localstripe sends no event for a failed authentication (Stripe would send
    # payment_failed, handled like a declined card).
    assert [d.type for d in captured_webhooks.for_intent(intent.id)] == []

    # And when she pays with another card, the webhook pays the order
    pay(client, order, "berhasil")
    deliver(client, captured_webhooks.wait_for(intent.id, "payment_intent.succeeded"))
    assert reload_order(order).status is OrderStatus.PAID


def test_given_paid_at_stripe_when_return_page_opened_then_it_marks_nothing_paid(
        app, client, session, shop, localstripe):
    order, intent = pending_order(app, session, shop)
    gateway(app).pay_with_test_card(intent.id, SandboxCard.SUCCEEDS)

    # Stripe sends the shopper back with these parameters after a redirect
    response = client.get(f"/pembayaran/{order.number}?payment_intent={intent.id}"
                          f"&payment_intent_client_secret={intent.client_secret}&redirect_status=succeeded")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Menunggu konfirmasi pembayaran" in html
    assert 'data-testid="order-status">Menunggu pembayaran<' in html
    assert reload_order(order).status is OrderStatus.PENDING_PAYMENT
    assert len(order_events(order)) == 1 and stripe_event_count() == 0
    assert client.get(f"/pembayaran/{order.number}/status").get_json()["status"] == "pending_payment"


def test_given_another_users_order_when_any_payment_route_used_then_404_and_nothing_moves(
        app, client, session, shop, localstripe):
    order, intent = pending_order(app, session, shop)
    make_user(session, email="budi@contoh.id", name="Budi")
    budi = app.test_client()
    login(budi, email="budi@contoh.id")

    answers = [budi.get(f"/pembayaran/{order.number}").status_code,
               budi.get(f"/pembayaran/{order.number}/status").status_code,
               form_post(budi, f"/pembayaran/{order.number}/kartu-uji", {"kartu": "berhasil"}).status_code,
               form_post(budi, f"/pembayaran/{order.number}/autentikasi",
                         {"keputusan": "setuju"}).status_code]

    assert answers == [404, 404, 404, 404]
    assert gateway(app).retrieve_intent(intent.id).status == "requires_payment_method"
    assert budi.get("/pembayaran/OPM-000000-TIDAKADA").status_code == 404


def test_given_unknown_card_choice_when_posted_then_400_and_stripe_untouched(
        app, client, session, shop, localstripe):
    order, intent = pending_order(app, session, shop)

    responses = [form_post(client, f"/pembayaran/{order.number}/kartu-uji", {"kartu": card}).status_code
                 for card in ("4242424242424242", "", "BERHASIL")]
    decision = form_post(client, f"/pembayaran/{order.number}/autentikasi", {"keputusan": "ya"})

    assert responses == [400, 400, 400] and decision.status_code == 400
    assert gateway(app).retrieve_intent(intent.id).status == "requires_payment_method"


def test_given_payment_in_progress_when_card_posted_again_then_refused_with_a_message(
        app, client, session, shop, localstripe):
    order, intent = pending_order(app, session, shop)
    pay(client, order, "berhasil")

    response = form_post(client, f"/pembayaran/{order.number}/kartu-uji", {"kartu": "ditolak"})

    assert response.status_code == 303
    assert "Pembayaran pesanan ini sedang diproses." in page(client, order)
    assert gateway(app).retrieve_intent(intent.id).status == "succeeded"


def test_given_order_past_its_time_when_page_shown_then_no_cards_offered(
        app, client, session, shop, localstripe):
    from datetime import timedelta

    from opopmart.core.timeutil import utcnow

    order, intent = pending_order(app, session, shop, now=utcnow() - timedelta(hours=2))

    html = page(client, order)
    response = form_post(client, f"/pembayaran/{order.number}/kartu-uji", {"kartu": "berhasil"})

    assert 'data-testid="stage-expired"' in html and 'name="kartu"' not in html
    assert response.status_code == 303
    assert "Pesanan ini tidak lagi menunggu pembayaran." in page(client, order)
    assert gateway(app).retrieve_intent(intent.id).status == "requires_payment_method"


def test_given_stripe_keys_when_page_shown_then_payment_element_and_csp_only_there(
        app, client, session, shop, localstripe):
    order, intent = pending_order(app, session, shop)
    # A gateway configured as with real keys (no test cards), whose requests still go
    # to this test's localstripe.
    keyed = StripeGateway(secret_key="sk_test_localstripe", api_base=localstripe,
                          webhook_secret=app.config["STRIPE_WEBHOOK_SECRET"],
                          publishable_key="pk_test_opopmart")
    keyed.is_local = False
    app.extensions["stripe"] = keyed

    response = client.get(f"/pembayaran/{order.number}")
    home = client.get("/")
    card = form_post(client, f"/pembayaran/{order.number}/kartu-uji", {"kartu": "berhasil"})

    html = response.get_data(as_text=True)
    csp = policy(response)
    assert '<script src="https://js.stripe.com/v3/"></script>' in html
    assert f'data-client-secret="{intent.client_secret}"' in html
    assert 'data-publishable-key="pk_test_opopmart"' in html and 'name="kartu"' not in html
    assert (csp["script-src"], csp["frame-src"], csp["connect-src"]) == (
        "'self' https://js.stripe.com", "https://js.stripe.com https://hooks.stripe.com",
        "'self' https://api.stripe.com")
    assert (csp["default-src"], csp["style-src"], csp["frame-ancestors"]) == ("'self'", "'self'", "'none'")
    assert "js.stripe.com" not in home.get_data(as_text=True)
    assert "js.stripe.com" not in home.headers.get("Content-Security-Policy", "")
    # Test cards exist only without keys.
    assert card.status_code == 404


def test_given_make_run_wiring_when_paid_then_localstripe_calls_the_running_app(
        app, client, session, shop, localstripe):
    # Given the app served on a free port and `flask payments register-webhook` run for it
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        port = server.server_port
        result = app.test_cli_runner().invoke(
            args=["payments", "register-webhook", "--host", "0.0.0.0", "--port", str(port)])
        assert result.exit_code == 0, result.output
        assert result.output == (f"localstripe ({localstripe}) sends webhooks to "
                                 f"http://127.0.0.1:{port}/stripe/webhook\n")
        assert app.config["STRIPE_WEBHOOK_SECRET"] not in result.output
        order, intent = pending_order(app, session, shop)

        # When Siti pays: localstripe itself delivers the signed event to the app
        pay(client, order, "berhasil")

        # Then the order is paid without anything replayed by the test
        for _ in range(100):
            if reload_order(order).status is OrderStatus.PAID:
                break
            threading.Event().wait(0.1)
        assert reload_order(order).status is OrderStatus.PAID
    finally:
        server.shutdown()


def test_given_localstripe_down_when_webhook_registered_then_clear_error(app, localstripe_port):
    app.config["LOCALSTRIPE_URL"] = "http://127.0.0.1:9"  # discard port: nothing listens

    result = app.test_cli_runner().invoke(args=["payments", "register-webhook", "--wait", "0.5"])

    assert result.exit_code == 1
    assert "localstripe at http://127.0.0.1:9 did not answer" in result.output
