"""Moving orders and shipments along their transition tables, one writer for each.

Every move is a conditional UPDATE on the status this request read, so of two racing
requests (a webhook and the expiry command, a shopper cancelling while the producer
ships) exactly one wins and the other gets StatusChanged and writes nothing. Services
flush, never commit; they take the actor and the time explicitly.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from ..catalogue.services import StatusChanged
from . import stock
from .models import (
    ORDER_WORKFLOW,
    SHIPMENT_WORKFLOW,
    UNSHIPPED_ENDS,
    Order,
    OrderEvent,
    OrderStatus,
    Shipment,
    ShipmentEvent,
    ShipmentStatus,
)

__all__ = [
    "StatusChanged",
    "move_order",
    "move_shipment",
    "note_order",
    "mark_paid",
    "cancel_unpaid",
    "settle_order",
]


def _conditional_move(session: Session, row, model, current, values: dict) -> None:
    session.flush()
    result = session.execute(
        update(model)
        .where(model.id == row.id, model.status == current)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise StatusChanged(f"{model.__tablename__} {row.id} is no longer {current.value}")
    for key, value in values.items():
        set_committed_value(row, key, value)


def move_order(
    session: Session, order: Order, target: OrderStatus, *, actor_id: int | None, now: datetime,
    note: str = "", **values,
) -> OrderEvent:
    """IllegalTransition if the table forbids it; StatusChanged if someone moved it first."""
    current = order.status
    ORDER_WORKFLOW.require(current, target)
    if target in (OrderStatus.CANCELLED, OrderStatus.REFUNDED, OrderStatus.COMPLETED):
        values.setdefault("closed_at", now)
    _conditional_move(session, order, Order, current, {"status": target, "updated_at": now, **values})
    event = OrderEvent(order_id=order.id, actor_id=actor_id, from_status=current, to_status=target,
                       note=note, created_at=now)
    session.add(event)
    session.flush()
    return event


def note_order(session: Session, order: Order, note: str, *, actor_id: int | None, now: datetime) -> OrderEvent:
    """An event that changes no status (a declined card, a late payment refunded)."""
    event = OrderEvent(order_id=order.id, actor_id=actor_id, from_status=order.status,
                       to_status=order.status, note=note, created_at=now)
    session.add(event)
    session.flush()
    return event


def move_shipment(
    session: Session, shipment: Shipment, target: ShipmentStatus, *, actor_id: int | None,
    now: datetime, note: str = "", **values,
) -> ShipmentEvent:
    current = shipment.status
    SHIPMENT_WORKFLOW.require(current, target)
    stamp = {ShipmentStatus.SHIPPED: "shipped_at", ShipmentStatus.DELIVERED: "delivered_at",
             ShipmentStatus.COMPLETED: "completed_at"}.get(target)
    if stamp:
        values.setdefault(stamp, now)
    _conditional_move(session, shipment, Shipment, current,
                      {"status": target, "updated_at": now, **values})
    event = ShipmentEvent(shipment_id=shipment.id, actor_id=actor_id, from_status=current,
                          to_status=target, note=note, created_at=now)
    session.add(event)
    session.flush()
    if target in UNSHIPPED_ENDS and current is not ShipmentStatus.PENDING_PAYMENT:
        # A paid shipment cancelled before it left: its goods are back on the shelf.
        stock.release(session, _stock_lines(shipment))
    return event


def _stock_lines(shipment: Shipment) -> list[tuple[int, int]]:
    return [(line.variant_id, line.quantity) for line in shipment.lines if line.variant_id is not None]


def mark_paid(session: Session, order: Order, *, now: datetime, note: str = "") -> OrderEvent:
    """The webhook's effect of ``payment_intent.succeeded`` on a pending order."""
    event = move_order(session, order, OrderStatus.PAID, actor_id=None, now=now, note=note, paid_at=now)
    for shipment in order.shipments:
        move_shipment(session, shipment, ShipmentStatus.PAID, actor_id=None, now=now)
    return event


def cancel_unpaid(
    session: Session, order: Order, *, reason: str, now: datetime, actor_id: int | None = None
) -> OrderEvent:
    """Payment failed or time ran out: the order ends and its reserved stock returns."""
    event = move_order(session, order, OrderStatus.CANCELLED, actor_id=actor_id, now=now,
                       note=reason, cancel_reason=reason)
    for shipment in order.shipments:
        move_shipment(session, shipment, ShipmentStatus.CANCELLED, actor_id=actor_id, now=now)
    stock.release(session, [(line.variant_id, line.quantity) for line in order.lines
                            if line.variant_id is not None])
    return event


def settle_order(session: Session, order: Order, *, actor_id: int | None, now: datetime) -> OrderEvent | None:
    """A paid order ends when its last shipment does: completed if any was, else refunded."""
    if order.status is not OrderStatus.PAID:
        return None
    ends = {ShipmentStatus.COMPLETED, ShipmentStatus.REFUNDED}
    statuses = {s.status for s in order.shipments}
    if not statuses <= ends:
        return None
    target = OrderStatus.COMPLETED if ShipmentStatus.COMPLETED in statuses else OrderStatus.REFUNDED
    return move_order(session, order, target, actor_id=actor_id, now=now)
