"""Calling an order off: by the shopper before anything ships, or by a producer for its part.

The order of steps is what makes these safe:

1. take the order's row (fulfilment.lock_order), then check again what may be cancelled;
2. move every shipment concerned to refunded with the conditional UPDATE: a producer who
   shipped in the meantime makes this fail (StatusChanged), before any money moves;
3. only then ask Stripe for the refund, with an idempotency key derived from the order
   and the shipments, so a retried request can never refund twice;
4. write the Refund row and the order's refunded_total, and settle the order.

If Stripe refuses, the service raises and the view rolls back: the shipments, the stock
(released by move_shipment) and the order are exactly as before. Services flush, never
commit; emails are queued and go out only after the view's commit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import update
from sqlalchemy.orm import Session

from ..catalogue.services import StatusChanged
from ..checkout.stripe_gateway import PaymentError, StripeGateway
from ..core.money import format_rupiah
from ..core.workflow import IllegalTransition
from ..notifications.services import notify, notify_producer
from .fulfilment import (
    CANCELLABLE,
    CHANGED_MEANWHILE,
    OrderError,
    check_reason,
    lock_order,
    order_link,
    shopper_can_cancel,
    studio_link,
)
from .models import SHIPMENT_STATUS_LABELS, Order, OrderStatus, Refund, Shipment, ShipmentStatus
from .services import cancel_unpaid, move_shipment, settle_order

log = logging.getLogger(__name__)

STRIPE_REFUSED = _l(
    "Pengembalian dana lewat Stripe gagal, jadi pesanan tidak dibatalkan. Coba lagi "
    "beberapa saat lagi."
)


@dataclass
class Cancelled:
    """What a shopper's cancellation did. ``intent_to_cancel``: an unpaid PaymentIntent the
    view cancels at Stripe after its commit (best effort: it can no longer be paid for an
    order that no longer waits for it)."""

    order: Order
    refund: Refund | None = None
    intent_to_cancel: str | None = None


def refund_key(order: Order, shipments: list[Shipment]) -> str:
    """One key per set of shipments: each is refunded at most once, so the key names it."""
    ids = "-".join(str(s.id) for s in sorted(shipments, key=lambda s: s.id))
    return f"opopmart-refund-{order.number}-s{ids}"


def _move_all(session: Session, shipments: list[Shipment], *, actor_id: int, now: datetime,
              note: str = "") -> None:
    try:
        for shipment in shipments:
            move_shipment(session, shipment, ShipmentStatus.REFUNDED, actor_id=actor_id,
                          now=now, note=note)
    except (StatusChanged, IllegalTransition):
        raise OrderError.whole(CHANGED_MEANWHILE) from None


def _refund(session: Session, gateway: StripeGateway, order: Order, shipments: list[Shipment],
            *, amount: int, actor_id: int, now: datetime, reason: str,
            shipment_id: int | None) -> Refund:
    if not order.payment_intent_id or amount <= 0:
        raise OrderError.whole(STRIPE_REFUSED)
    try:
        refund_id = gateway.refund(order.payment_intent_id, amount_rupiah=amount,
                                   idempotency_key=refund_key(order, shipments))
    except PaymentError as exc:
        log.warning("refund of %s for order %s refused: %s", amount, order.number, exc)
        raise OrderError.whole(STRIPE_REFUSED) from None
    refund = Refund(order_id=order.id, shipment_id=shipment_id, amount=amount,
                    stripe_refund_id=refund_id, reason=reason, actor_id=actor_id, created_at=now)
    session.add(refund)
    session.execute(update(Order).where(Order.id == order.id)
                    .values(refunded_total=Order.refunded_total + amount)
                    .execution_options(synchronize_session=False))
    session.flush()
    session.refresh(order, ["refunded_total"])
    return refund


def shopper_cancel(session: Session, gateway: StripeGateway, order: Order, *, actor_id: int,
                   now: datetime) -> Cancelled:
    """The shopper calls the whole order off.

    Unpaid: it ends now and its stock returns. Paid, with nothing shipped: every
    shipment still open is refunded, the whole amount still held goes back through
    Stripe in one refund, and each producer concerned is told not to ship.
    """
    if order.user_id != actor_id:
        raise ValueError("only the shopper cancels an order")
    lock_order(session, order, now=now)
    if order.status is OrderStatus.PENDING_PAYMENT:
        try:
            cancel_unpaid(session, order, reason="", now=now, actor_id=actor_id)
        except (StatusChanged, IllegalTransition):
            raise OrderError.whole(CHANGED_MEANWHILE) from None
        return Cancelled(order, intent_to_cancel=order.payment_intent_id)
    if not shopper_can_cancel(order):
        raise OrderError.whole(_cannot_cancel(order))
    open_shipments = [s for s in order.shipments if s.status in CANCELLABLE]
    amount = order.grand_total - order.refunded_total
    _move_all(session, open_shipments, actor_id=actor_id, now=now)
    refund = _refund(session, gateway, order, open_shipments, amount=amount, actor_id=actor_id,
                     now=now, reason="", shipment_id=None)
    settle_order(session, order, actor_id=actor_id, now=now)
    notify(session, user_ids=[order.user_id], kind="order_refunded",
           params={"order_number": order.number, "amount": format_rupiah(amount)},
           link=order_link(order))
    for shipment in open_shipments:
        notify_producer(session, producer_id=shipment.producer_id, kind="order_cancelled_by_shopper",
                        params={"order_number": order.number}, link=studio_link(shipment))
    return Cancelled(order, refund=refund)


def _cannot_cancel(order: Order):
    if order.status is not OrderStatus.PAID:
        return _l("Pesanan ini sudah tidak bisa dibatalkan.")
    return _l("Pesanan tidak bisa dibatalkan lagi karena sebagian atau seluruhnya sudah "
              "dikirim penjual. Tidak ada dana yang ditarik kembali.")


def _require_cancellable(shipment: Shipment) -> None:
    if shipment.order.status is not OrderStatus.PAID or shipment.status not in CANCELLABLE:
        raise OrderError.whole(_l(
            "Hanya pesanan yang belum dikirim yang bisa dibatalkan. Status kiriman sekarang: "
            "%(status)s.", status=SHIPMENT_STATUS_LABELS[shipment.status]))


def seller_cancel(session: Session, gateway: StripeGateway, shipment: Shipment, *,
                  reason: str | None, actor_id: int, now: datetime) -> Refund:
    """A producer that cannot fulfil its part (out of stock, cannot reach the address)
    refuses it: that shipment's items and shipping go back to the shopper, with the reason."""
    # The status first (and again once the order is ours): a form for a shipment that has
    # left has nothing to correct.
    _require_cancellable(shipment)
    reason = check_reason(reason)
    order = shipment.order
    lock_order(session, order, now=now)
    _require_cancellable(shipment)
    amount = shipment.total
    _move_all(session, [shipment], actor_id=actor_id, now=now, note=reason)
    refund = _refund(session, gateway, order, [shipment], amount=amount, actor_id=actor_id,
                     now=now, reason=reason, shipment_id=shipment.id)
    settle_order(session, order, actor_id=actor_id, now=now)
    notify(session, user_ids=[order.user_id], kind="shipment_refunded",
           params={"order_number": order.number, "producer_name": shipment.producer.name,
                   "reason": reason, "amount": format_rupiah(amount)},
           link=order_link(order))
    return refund


__all__ = ["Cancelled", "refund_key", "seller_cancel", "shopper_cancel", "STRIPE_REFUSED"]
