"""Stripe's webhook: the one place where an order becomes paid, or fails to.

Each event is stored once (``stripe_events``, keyed by Stripe's event id) in the same
transaction as its effect, and stored first: a second delivery of the same event, even
one arriving at the same moment, conflicts on the primary key and changes nothing (the
view answers it 200). Order moves are conditional updates (orders.services), so a
webhook racing the expiry command or another event for the same intent moves the order
once; the loser gets StatusChanged and the view runs it again on fresh rows.

Events may arrive in any order and more than once:

- ``payment_intent.succeeded`` on a pending order pays it (amount and currency must be
  the order's grand total in IDR); on an order already paid it does nothing; on an order
  that ended unpaid (payment failed, expired) the money is refunded at once through
  Stripe and noted on the order, since its stock has gone back on the shelf.
- ``payment_intent.payment_failed`` on a pending order cancels it and releases its stock
  (the view then cancels the intent at Stripe, best effort). On any other order, or when
  an event for the same intent that is later (or a success, which is final at Stripe)
  has been applied, it is stale and changes nothing.
- Other types are recorded and ignored.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from ..core.money import format_rupiah, from_stripe_amount, to_stripe_amount
from ..notifications.services import notify, notify_producer
from ..orders.models import Order, OrderStatus, Refund
from ..orders.services import cancel_unpaid, mark_paid, note_order
from .models import StripeEvent
from .payments import (
    NOTE_AMOUNT_MISMATCH,
    NOTE_LATE_PAYMENT_REFUNDED,
    REASON_PAYMENT_FAILED,
)
from .stripe_gateway import CURRENCY, StripeGateway

log = logging.getLogger("opopmart.payments")

SUCCEEDED = "payment_intent.succeeded"
FAILED = "payment_intent.payment_failed"


class Outcome(StrEnum):
    PAID = "paid"
    CANCELLED = "cancelled"  # payment failed: order cancelled, stock released
    REFUNDED = "refunded"  # money for an order that had ended unpaid, returned at once
    ALREADY = "already"  # the order had already moved on (paid, or ended): nothing to do
    STALE = "stale"  # older than what was already applied for this intent
    AMOUNT_MISMATCH = "amount_mismatch"  # not the order's total in IDR: not fulfilled
    UNKNOWN_ORDER = "unknown_order"
    IGNORED = "ignored"  # a type we do not act on, or no payment intent in it


# Outcomes that changed an order: later events for the same intent are judged against them.
APPLIED = frozenset({Outcome.PAID, Outcome.CANCELLED, Outcome.REFUNDED})


@dataclass(frozen=True)
class Handled:
    outcome: Outcome
    order_id: int | None = None
    # An intent to cancel at Stripe once the transaction has committed (best effort).
    cancel_intent_after_commit: str | None = None


def already_recorded(session: Session, event_id: str) -> bool:
    return session.scalar(select(exists().where(StripeEvent.id == event_id))) is True


def handle_event(session: Session, event: dict, *, gateway: StripeGateway, now: datetime) -> Handled:
    """Record ``event`` (already verified) and apply it; flush, never commit.

    Raises IntegrityError (at the first flush) when the event id is already stored,
    StatusChanged when another writer moved the order first (run again), PaymentError
    when an automatic refund could not be made (roll back: Stripe delivers again).
    """
    event_type = event.get("type") if isinstance(event.get("type"), str) else ""
    data = event.get("data") if isinstance(event.get("data"), dict) else {}
    obj = data.get("object") if isinstance(data.get("object"), dict) else {}
    intent_id = obj.get("id") if (event_type.startswith("payment_intent.")
                                  and isinstance(obj.get("id"), str)) else None
    created = event.get("created") if isinstance(event.get("created"), int) else 0

    record = StripeEvent(id=event["id"][:255], type=event_type[:80],
                         payment_intent_id=intent_id[:255] if intent_id else None,
                         stripe_created=created, outcome="", received_at=now)
    session.add(record)
    session.flush()  # the duplicate check: a second delivery stops here

    if event_type not in (SUCCEEDED, FAILED) or not intent_id:
        handled = Handled(Outcome.IGNORED)
    else:
        order = _find_order(session, intent_id, obj)
        if order is None:
            log.warning("Stripe event %s (%s): no order for payment intent %s",
                        record.id, event_type, intent_id)
            handled = Handled(Outcome.UNKNOWN_ORDER)
        elif event_type == SUCCEEDED:
            handled = _succeeded(session, order, obj, intent_id, gateway=gateway, now=now)
        else:
            handled = _failed(session, order, obj, intent_id, record, now=now)
    record.outcome = handled.outcome.value
    session.flush()
    if handled.outcome is not Outcome.IGNORED:
        log.info("Stripe event %s (%s, intent %s): %s", record.id, event_type, intent_id,
                 handled.outcome.value)
    return handled


def _find_order(session: Session, intent_id: str, obj: dict) -> Order | None:
    order = session.scalar(select(Order).where(Order.payment_intent_id == intent_id))
    if order is not None:
        return order
    # The intent was created but its id never stored (the request died in between):
    # the order number Stripe carries in its metadata still names the order.
    number = (obj.get("metadata") or {}).get("order_number")
    if not isinstance(number, str) or not number:
        return None
    order = session.scalar(select(Order).where(Order.number == number))
    if order is None:
        return None
    if order.payment_intent_id is None:
        order.payment_intent_id = intent_id
        session.flush()
        return order
    # The order already has another intent: this one is no payment for it that we know.
    log.error("Stripe intent %s names order %s, which belongs to intent %s",
              intent_id, number, order.payment_intent_id)
    return None


def _succeeded(session: Session, order: Order, obj: dict, intent_id: str, *,
               gateway: StripeGateway, now: datetime) -> Handled:
    if order.status is OrderStatus.PENDING_PAYMENT:
        amount, currency = obj.get("amount"), obj.get("currency")
        if currency != CURRENCY or amount != to_stripe_amount(order.grand_total):
            log.error("Stripe intent %s paid %r %r but order %s is %d IDR (x100 = %d): not fulfilled",
                      intent_id, amount, currency, order.number, order.grand_total,
                      to_stripe_amount(order.grand_total))
            note_order(session, order, NOTE_AMOUNT_MISMATCH, actor_id=None, now=now)
            return Handled(Outcome.AMOUNT_MISMATCH, order.id)
        mark_paid(session, order, now=now)
        _tell_paid(session, order)
        return Handled(Outcome.PAID, order.id)
    if order.status is OrderStatus.CANCELLED:
        return _refund_late_payment(session, order, obj, intent_id, gateway=gateway, now=now)
    return Handled(Outcome.ALREADY, order.id)


def _refund_late_payment(session: Session, order: Order, obj: dict, intent_id: str, *,
                         gateway: StripeGateway, now: datetime) -> Handled:
    """The order ended unpaid (its stock is back on the shelf), then the money came."""
    received = obj.get("amount_received") or obj.get("amount")
    if not isinstance(received, int) or received <= 0:
        log.error("Stripe intent %s succeeded for cancelled order %s without an amount",
                  intent_id, order.number)
        return Handled(Outcome.ALREADY, order.id)
    amount = from_stripe_amount(received)
    refund_id = gateway.refund(intent_id, amount_rupiah=amount,
                               idempotency_key=f"opopmart-late-payment-{intent_id}")
    session.add(Refund(order_id=order.id, shipment_id=None, amount=amount,
                       stripe_refund_id=refund_id, reason=NOTE_LATE_PAYMENT_REFUNDED,
                       actor_id=None, created_at=now))
    note_order(session, order, NOTE_LATE_PAYMENT_REFUNDED, actor_id=None, now=now)
    log.warning("order %s was %s when its payment %s succeeded: %s refunded (%s)",
                order.number, order.cancel_reason or "cancelled", intent_id,
                format_rupiah(amount), refund_id)
    return Handled(Outcome.REFUNDED, order.id)


def _failed(session: Session, order: Order, obj: dict, intent_id: str, record: StripeEvent, *,
            now: datetime) -> Handled:
    if _is_stale(session, record):
        return Handled(Outcome.STALE, order.id)
    if order.status is not OrderStatus.PENDING_PAYMENT:
        return Handled(Outcome.ALREADY, order.id)
    error = obj.get("last_payment_error") if isinstance(obj.get("last_payment_error"), dict) else {}
    log.info("payment for order %s failed: %s", order.number, error.get("code") or "unknown")
    cancel_unpaid(session, order, reason=REASON_PAYMENT_FAILED, now=now)
    return Handled(Outcome.CANCELLED, order.id, cancel_intent_after_commit=intent_id)


def _is_stale(session: Session, record: StripeEvent) -> bool:
    """A failure is stale once the intent succeeded (final at Stripe) or a later event
    for it has been applied."""
    return session.scalar(select(exists().where(
        StripeEvent.payment_intent_id == record.payment_intent_id,
        StripeEvent.id != record.id,
        or_(StripeEvent.type == SUCCEEDED,
            (StripeEvent.stripe_created > record.stripe_created)
            & StripeEvent.outcome.in_([o.value for o in APPLIED])),
    ))) is True


def _tell_paid(session: Session, order: Order) -> None:
    """The shopper, and each producer's members, by notification and email (after commit).

    Links go to the order pages (orders.views ``/pesanan/<number>``, orders.studio_views
    ``/studio/pesanan/<shipment id>``).
    """
    notify(session, user_ids=[order.user_id], kind="order_paid",
           params={"order_number": order.number, "total": format_rupiah(order.grand_total)},
           link=f"/pesanan/{order.number}")
    for shipment in order.shipments:
        items = sum(line.quantity for line in shipment.lines)
        notify_producer(session, producer_id=shipment.producer_id, kind="order_new",
                        params={"order_number": order.number, "producer_name": shipment.producer.name,
                                "items": items, "subtotal": format_rupiah(shipment.items_subtotal)},
                        link=f"/studio/pesanan/{shipment.id}")

