"""``flask --app opopmart orders expire``: unpaid orders past their time give their stock back.

An order whose payment Stripe already took is left alone (the webhook fulfils it); one
Stripe cannot be asked about is tried again on the next run.
"""

from __future__ import annotations

from datetime import timedelta

from opopmart.checkout.stripe_gateway import SandboxCard, StripeGateway, gateway
from opopmart.core.timeutil import utcnow
from opopmart.orders.models import OrderStatus, ShipmentStatus
from tests.functional.order_support import placed_order
from tests.functional.payment_support import (
    captured_webhooks,  # noqa: F401 - fixture
    deliver,
    pending_order,
    reload_order,
    shop,  # noqa: F401 - fixture
    stock_of,
)

LONG_AGO = timedelta(hours=2)  # with the default 60-minute timeout: overdue


def expire(app):
    result = app.test_cli_runner().invoke(args=["orders", "expire"])
    assert result.exit_code == 0, result.output
    return result.output


def test_given_unpaid_order_past_its_time_when_expired_then_cancelled_and_stock_released(
        app, session, shop, localstripe):
    order, intent = pending_order(app, session, shop, now=utcnow() - LONG_AGO)
    assert stock_of(shop.variant) == 8

    output = expire(app)

    assert output == "1 orders expired, 0 left for their payment's webhook, 0 to retry (Stripe unreachable).\n"
    expired = reload_order(order)
    assert (expired.status, expired.cancel_reason) == (OrderStatus.CANCELLED, "expired")
    assert expired.closed_at is not None
    assert [s.status for s in expired.shipments] == [ShipmentStatus.CANCELLED]
    assert [(e.from_status, e.to_status, e.note, e.actor_id) for e in expired.events][-1] == \
        (OrderStatus.PENDING_PAYMENT, OrderStatus.CANCELLED, "expired", None)
    assert stock_of(shop.variant) == 10
    # No payment can start on it any more.
    assert gateway(app).retrieve_intent(intent.id).status == "canceled"


def test_given_order_within_its_time_when_expiry_runs_then_untouched(app, session, shop, localstripe):
    order, intent = pending_order(app, session, shop)

    output = expire(app)

    assert output.startswith("0 orders expired, 0 left")
    assert reload_order(order).status is OrderStatus.PENDING_PAYMENT
    assert stock_of(shop.variant) == 8
    assert gateway(app).retrieve_intent(intent.id).status == "requires_payment_method"


def test_given_shorter_timeout_configured_when_order_placed_then_it_expires_sooner(
        app, session, shop, localstripe):
    # ORDER_PAYMENT_TIMEOUT_MINUTES is what checkout passes to place_order.
    app.config["ORDER_PAYMENT_TIMEOUT_MINUTES"] = 15
    timeout = timedelta(minutes=app.config["ORDER_PAYMENT_TIMEOUT_MINUTES"])
    order, _ = pending_order(app, session, shop, now=utcnow() - timedelta(minutes=20), timeout=timeout)

    assert "1 orders expired" in expire(app)
    assert reload_order(order).status is OrderStatus.CANCELLED


def test_given_order_never_given_an_intent_when_overdue_then_expired(app, session, shop, localstripe):
    order = placed_order(session, shop.shopper, [(shop.variant, 3)], now=utcnow() - LONG_AGO)
    assert stock_of(shop.variant) == 7

    assert expire(app).startswith("1 orders expired")
    assert (reload_order(order).status, stock_of(shop.variant)) == (OrderStatus.CANCELLED, 10)


def test_given_payment_already_succeeded_when_expiry_runs_then_skipped_and_webhook_fulfils(
        app, client, session, shop, localstripe, captured_webhooks):
    order, intent = pending_order(app, session, shop, now=utcnow() - LONG_AGO)
    # Siti paid just before the deadline; the webhook has not landed yet.
    gateway(app).pay_with_test_card(intent.id, SandboxCard.SUCCEEDS)

    output = expire(app)

    assert output == "0 orders expired, 1 left for their payment's webhook, 0 to retry (Stripe unreachable).\n"
    assert reload_order(order).status is OrderStatus.PENDING_PAYMENT
    assert stock_of(shop.variant) == 8
    assert gateway(app).retrieve_intent(intent.id).status == "succeeded"

    deliver(client, captured_webhooks.wait_for(intent.id, "payment_intent.succeeded"))

    assert reload_order(order).status is OrderStatus.PAID
    assert expire(app).startswith("0 orders expired, 0 left")


def test_given_stripe_unreachable_when_expiry_runs_then_order_kept_for_next_run(
        app, session, shop, localstripe):
    order, intent = pending_order(app, session, shop, now=utcnow() - LONG_AGO)
    live = gateway(app)
    # The same app, with Stripe's address pointing where nothing listens.
    app.extensions["stripe"] = StripeGateway(secret_key="sk_test_localstripe", api_base="http://127.0.0.1:9",
                                             webhook_secret="whsec_x", publishable_key=None)

    output = expire(app)

    assert output == "0 orders expired, 0 left for their payment's webhook, 1 to retry (Stripe unreachable).\n"
    assert (reload_order(order).status, stock_of(shop.variant)) == (OrderStatus.PENDING_PAYMENT, 8)
    app.extensions["stripe"] = live
    assert expire(app).startswith("1 orders expired")
    assert stock_of(shop.variant) == 10
