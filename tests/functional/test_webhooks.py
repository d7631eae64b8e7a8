"""POST /stripe/webhook with the exact bytes and Stripe-Signature localstripe sent.

Duplicates, forgeries, events out of order, amounts that do not match, late payments
for orders that already ended: each answered as Stripe expects (200 once recorded, 400
for a bad signature) and none of them ever paid or cancelled an order twice.
"""

from __future__ import annotations

import json
import logging
import threading
import time

import pytest
from sqlalchemy import func, select

from opopmart.checkout.models import StripeEvent
from opopmart.checkout.stripe_gateway import SandboxCard, gateway
from opopmart.core.timeutil import utcnow
from opopmart.extensions import db
from opopmart.notifications.models import Notification
from opopmart.orders.models import Order, OrderEvent, OrderStatus, Refund, Shipment, ShipmentStatus
from opopmart.orders.services import cancel_unpaid
from tests.functional.order_support import placed_order
from tests.functional.payment_support import (
    captured_webhooks,  # noqa: F401 - fixture
    deliver,
    pending_order,
    reload_order,
    shop,  # noqa: F401 - fixture
    sign,
    stock_of,
    stripe_event_count,
)

SUCCEEDED = "payment_intent.succeeded"
FAILED = "payment_intent.payment_failed"


def count(model) -> int:
    db.session.expire_all()
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def snapshot(session) -> dict:
    """Every row of the tables a webhook may write."""
    session.expire_all()
    tables = [Order, Shipment, OrderEvent, StripeEvent, Refund, Notification]
    return {m.__tablename__: [tuple(r) for r in session.execute(
        select(m.__table__).order_by(*m.__table__.primary_key.columns))] for m in tables}


def outcomes() -> list[tuple[str, str]]:
    db.session.expire_all()
    return [(e.type, e.outcome) for e in db.session.scalars(
        select(StripeEvent).order_by(StripeEvent.stripe_created, StripeEvent.received_at))]


@pytest.fixture
def paid_at_stripe(app, session, shop, localstripe, captured_webhooks):
    """Siti's order, its payment succeeded at Stripe; the signed event captured, not delivered."""
    order, intent = pending_order(app, session, shop)
    gateway(app).pay_with_test_card(intent.id, SandboxCard.SUCCEEDS)
    return order, intent, captured_webhooks.wait_for(intent.id, SUCCEEDED)


# --------------------------------------------------------------------------------------
# Duplicates


def test_given_event_delivered_when_delivered_again_then_200_and_nothing_changes(
        client, session, shop, paid_at_stripe):
    order, intent, delivery = paid_at_stripe
    first = deliver(client, delivery)
    after_first = snapshot(session)

    second = deliver(client, delivery)

    assert (first.status_code, second.status_code) == (200, 200)
    assert second.get_json() == {"received": True, "duplicate": True}
    assert snapshot(session) == after_first
    assert stripe_event_count() == 1
    assert count(Notification) == 2  # Siti and Ani, once each
    assert reload_order(order).status is OrderStatus.PAID


def test_given_two_deliveries_at_once_when_both_land_then_one_effect(
        app, session, shop, paid_at_stripe):
    order, intent, delivery = paid_at_stripe
    barrier = threading.Barrier(2)
    answers: list[tuple[int, str]] = []

    def post():
        client = app.test_client()
        barrier.wait()
        response = deliver(client, delivery)
        answers.append((response.status_code, json.dumps(response.get_json(), sort_keys=True)))

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # One applied it; the other waited on the event's primary key and found it taken.
    assert sorted(answers) == [(200, '{"duplicate": true, "received": true}'),
                               (200, '{"outcome": "paid", "received": true}')]
    assert stripe_event_count() == 1
    paid_events = session.scalar(select(func.count()).select_from(OrderEvent)
                                 .where(OrderEvent.to_status == OrderStatus.PAID))
    assert paid_events == 1
    assert count(Notification) == 2
    assert reload_order(order).status is OrderStatus.PAID


# --------------------------------------------------------------------------------------
# Forgeries


def _forgeries(app, delivery) -> dict[str, tuple[bytes, str | None]]:
    secret = app.config["STRIPE_WEBHOOK_SECRET"]
    tampered = delivery.body.replace(b'"amount": 9900000', b'"amount": 100')
    assert tampered != delivery.body
    return {
        "wrong secret": (delivery.body, sign(delivery.body, "whsec_not_ours")),
        "tampered body": (tampered, delivery.signature),
        "missing header": (delivery.body, None),
        "empty header": (delivery.body, ""),
        "garbage header": (delivery.body, "t=abc,v1=zz"),
        "stale timestamp": (delivery.body, sign(delivery.body, secret, timestamp=int(time.time()) - 3600)),
        "signed, not an event": (b"[]", sign(b"[]", secret)),
    }


def test_given_forged_webhook_when_posted_then_400_logged_and_nothing_changes(
        app, client, session, shop, paid_at_stripe, caplog):
    order, intent, delivery = paid_at_stripe
    before = snapshot(session)

    with caplog.at_level(logging.WARNING, logger="opopmart.payments"):
        answers = {name: deliver(client, body=body, signature=signature).status_code
                   for name, (body, signature) in _forgeries(app, delivery).items()}

    assert answers == {name: 400 for name in answers}
    assert snapshot(session) == before
    warnings = [r.getMessage() for r in caplog.records
                if r.name == "opopmart.payments" and r.levelno == logging.WARNING]
    assert len(warnings) == len(answers)
    assert all(w.startswith("Stripe webhook refused from ") for w in warnings)
    assert not any(app.config["STRIPE_WEBHOOK_SECRET"] in r.getMessage() for r in caplog.records)
    # The genuine delivery still works afterwards.
    assert deliver(client, delivery).status_code == 200
    assert reload_order(order).status is OrderStatus.PAID


# --------------------------------------------------------------------------------------
# Out of order


def _earlier_failure(app, succeeded) -> tuple[bytes, str]:
    """A payment_failed for the same intent, 5 s before its success: an earlier attempt
    declined. localstripe cannot retry an intent after a decline, so this one event is
    written here from the captured success and signed with the webhook secret."""
    event = succeeded.event
    intent = dict(event["data"]["object"], status="requires_payment_method",
                  last_payment_error={"code": "card_declined"})
    failure = dict(event, id=event["id"] + "_failed", type=FAILED, created=event["created"] - 5,
                   data={"object": intent})
    body = json.dumps(failure, indent=2, sort_keys=True).encode()
    return body, sign(body, app.config["STRIPE_WEBHOOK_SECRET"])


def test_given_success_applied_when_older_failure_arrives_then_order_stays_paid(
        app, client, session, shop, paid_at_stripe):
    order, intent, succeeded = paid_at_stripe
    assert deliver(client, succeeded).get_json()["outcome"] == "paid"
    body, signature = _earlier_failure(app, succeeded)

    response = deliver(client, body=body, signature=signature)

    assert (response.status_code, response.get_json()["outcome"]) == (200, "stale")
    assert reload_order(order).status is OrderStatus.PAID
    assert stock_of(shop.variant) == 8
    assert gateway(app).retrieve_intent(intent.id).status == "succeeded"
    assert outcomes() == [(FAILED, "stale"), (SUCCEEDED, "paid")]


def test_given_failure_cancelled_order_when_success_arrives_then_refunded_automatically(
        app, client, session, shop, paid_at_stripe):
    order, intent, succeeded = paid_at_stripe
    body, signature = _earlier_failure(app, succeeded)
    assert deliver(client, body=body, signature=signature).get_json()["outcome"] == "cancelled"
    assert stock_of(shop.variant) == 10

    response = deliver(client, succeeded)

    assert (response.status_code, response.get_json()["outcome"]) == (200, "refunded")
    ended = reload_order(order)
    assert (ended.status, ended.cancel_reason) == (OrderStatus.CANCELLED, "payment_failed")
    [refund] = session.scalars(select(Refund)).all()
    assert (refund.order_id, refund.amount, refund.reason) == (order.id, 99_000, "late_payment_refunded")
    stripe_refund = gateway(app).client.v1.refunds.retrieve(refund.stripe_refund_id)
    assert (stripe_refund["amount"], stripe_refund["payment_intent"], stripe_refund["status"]) == \
        (9_900_000, intent.id, "succeeded")
    assert [(e.to_status, e.note) for e in ended.events][-2:] == [
        (OrderStatus.CANCELLED, "payment_failed"), (OrderStatus.CANCELLED, "late_payment_refunded")]
    assert stock_of(shop.variant) == 10  # the goods stay on the shelf
    assert count(Notification) == 0  # nobody is told the order was paid


def test_given_order_expired_when_its_payment_succeeds_then_refunded_with_a_refund_row(
        app, client, session, shop, localstripe, captured_webhooks):
    order, intent = pending_order(app, session, shop)
    # Given the order already ended unpaid (as `orders expire` does) ...
    cancel_unpaid(session, order, reason="expired", now=utcnow())
    session.commit()
    # ... when its payment still goes through at Stripe
    gateway(app).pay_with_test_card(intent.id, SandboxCard.SUCCEEDS)

    response = deliver(client, captured_webhooks.wait_for(intent.id, SUCCEEDED))

    assert response.get_json()["outcome"] == "refunded"
    [refund] = session.scalars(select(Refund)).all()
    assert (refund.amount, refund.shipment_id, refund.actor_id) == (99_000, None, None)
    assert gateway(app).client.v1.refunds.retrieve(refund.stripe_refund_id)["amount"] == 9_900_000
    assert reload_order(order).status is OrderStatus.CANCELLED
    assert reload_order(order).events[-1].note == "late_payment_refunded"
    assert count(Notification) == 0  # nobody is told the order was paid


def test_given_paid_order_when_failure_for_it_arrives_then_nothing_changes(
        app, client, session, shop, paid_at_stripe):
    order, intent, delivery = paid_at_stripe
    deliver(client, delivery)
    event = json.loads(delivery.body)
    # A payment_failed for the same intent, later than the success, signed with the secret.
    event.update(id="evt_late_failure", type=FAILED, created=event["created"] + 5)
    body = json.dumps(event).encode()
    before = snapshot(session)

    response = deliver(client, body=body, signature=sign(body, app.config["STRIPE_WEBHOOK_SECRET"]))

    assert (response.status_code, response.get_json()["outcome"]) == (200, "stale")
    after = snapshot(session)
    assert {k: v for k, v in after.items() if k != "stripe_events"} == \
        {k: v for k, v in before.items() if k != "stripe_events"}
    assert reload_order(order).status is OrderStatus.PAID


# --------------------------------------------------------------------------------------
# Amounts, unknown orders, other events


@pytest.mark.parametrize("amount_delta, currency", [(-1_000, "idr"), (0, "usd")])
def test_given_intent_not_matching_order_total_when_succeeded_then_not_fulfilled(
        app, client, session, shop, localstripe, captured_webhooks, caplog, amount_delta, currency):
    # Given an order whose intent (found through its metadata) asks for another amount
    order = placed_order(session, shop.shopper, [(shop.variant, 2)])
    gw = gateway(app)
    raw = gw.client.v1.payment_intents.create(params={
        "amount": (order.grand_total + amount_delta) * 100, "currency": currency,
        "metadata": {"order_number": order.number}})
    gw.pay_with_test_card(raw.id, SandboxCard.SUCCEEDS)

    with caplog.at_level(logging.ERROR, logger="opopmart.payments"):
        response = deliver(client, captured_webhooks.wait_for(raw.id, SUCCEEDED))

    assert (response.status_code, response.get_json()["outcome"]) == (200, "amount_mismatch")
    mismatched = reload_order(order)
    assert mismatched.status is OrderStatus.PENDING_PAYMENT
    assert mismatched.payment_intent_id == raw.id  # found by its order number, now linked
    assert [(e.to_status, e.note) for e in mismatched.events][-1] == (
        OrderStatus.PENDING_PAYMENT, "amount_mismatch")
    assert [s.status for s in mismatched.shipments] == [ShipmentStatus.PENDING_PAYMENT]
    assert count(Notification) == 0
    [error] = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert f"order {order.number} is 99000 IDR" in error and "not fulfilled" in error


def test_given_intent_of_no_order_when_succeeded_then_200_recorded_and_ignored(
        app, client, session, shop, localstripe, captured_webhooks):
    gw = gateway(app)
    intent = gw.create_intent(order_number="OPM-000000-ZZZZZZ", amount_rupiah=10_000, idempotency_key="x")
    gw.pay_with_test_card(intent.id, SandboxCard.SUCCEEDS)

    response = deliver(client, captured_webhooks.wait_for(intent.id, SUCCEEDED))

    assert (response.status_code, response.get_json()["outcome"]) == (200, "unknown_order")
    assert outcomes() == [(SUCCEEDED, "unknown_order")]


def test_given_other_event_type_when_delivered_then_200_and_ignored(
        app, client, session, shop, localstripe, captured_webhooks):
    customer = gateway(app).client.v1.customers.create(params={"email": "siti@contoh.id"})
    delivery = captured_webhooks.wait_for(customer.id, "customer.created")
    before = snapshot(session)

    response = deliver(client, delivery)

    assert (response.status_code, response.get_json()["outcome"]) == (200, "ignored")
    assert outcomes() == [("customer.created", "ignored")]
    assert {k: v for k, v in snapshot(session).items() if k != "stripe_events"} == \
        {k: v for k, v in before.items() if k != "stripe_events"}
