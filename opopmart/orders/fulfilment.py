"""Fulfilment: a producer packs and ships its shipment, the shopper confirms receipt.

Every read a seller makes goes through ``own_shipment`` / ``own_shipments``, which join
``producer_members``: another shop's shipment is simply not found (the view: 404).
Shipments of orders that were never paid are not the producer's business and are not
found either. Each move is services.move_shipment's conditional UPDATE, so of two
requests racing on one shipment (the shopper cancelling while the producer ships)
exactly one wins; the other gets an OrderError and has written nothing.

Services flush, never commit, and take the actor and the time explicitly.
"""

from __future__ import annotations

import re
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, joinedload, selectinload

from ..accounts.models import ProducerMember
from ..catalogue.services import StatusChanged
from ..checkout.models import COURIER_LABELS, Courier
from ..core.workflow import IllegalTransition
from ..notifications.services import notify
from ..regions.models import Region
from ..seller.services import SellerError
from .models import (
    SHIPMENT_STATUS_LABELS,
    SHIPMENT_WORKFLOW,
    Order,
    OrderStatus,
    Shipment,
    ShipmentStatus,
)
from .services import move_shipment, settle_order

S = ShipmentStatus

# Never paid: the producer has nothing to do with these, and the buyer's address stays private.
UNPAID = frozenset({S.PENDING_PAYMENT, S.CANCELLED})
VISIBLE_TO_SELLER = frozenset(S) - UNPAID
# A shipment can still be called off, with its money returned, until it leaves.
CANCELLABLE = frozenset({S.PAID, S.PROCESSING})
RECEIVABLE = frozenset({S.SHIPPED, S.DELIVERED})

# The studio's tabs: slug -> (label, statuses). "baru" is the producer's work queue.
STUDIO_TABS: dict[str, tuple] = {
    "baru": (_l("Baru"), (S.PAID,)),
    "dikemas": (_l("Dikemas"), (S.PROCESSING,)),
    "dikirim": (_l("Dikirim"), (S.SHIPPED, S.DELIVERED)),
    "selesai": (_l("Selesai"), (S.COMPLETED,)),
    "dibatalkan": (_l("Dibatalkan"), (S.REFUNDED,)),
    "semua": (_l("Semua"), tuple(s for s in S if s in VISIBLE_TO_SELLER)),
}
DEFAULT_TAB = "baru"

TRACKING_NUMBER = re.compile(r"^[A-Z0-9-]{6,40}$")
MAX_REASON = 500

CHANGED_MEANWHILE = _l(
    "Status kiriman ini baru saja berubah (mungkin oleh orang lain), jadi tidak ada yang "
    "diubah. Lihat status terbarunya di bawah."
)


class OrderError(SellerError):
    """Messages per form field (``""`` for the request as a whole); nothing was written."""

    @classmethod
    def whole(cls, message) -> OrderError:
        return cls({"": [message]})


# --------------------------------------------------------------------------------------
# Reading


def own_shipment(session: Session, user_id: int, shipment_id: int) -> Shipment | None:
    """The shipment if ``user_id`` is a member (owner or staff) of its producer and its
    order was paid; else None."""
    return session.execute(
        select(Shipment)
        .join(ProducerMember, ProducerMember.producer_id == Shipment.producer_id)
        .where(Shipment.id == shipment_id, ProducerMember.user_id == user_id,
               Shipment.status.in_(VISIBLE_TO_SELLER))
        .options(joinedload(Shipment.order), joinedload(Shipment.producer),
                 selectinload(Shipment.lines), selectinload(Shipment.events))
    ).unique().scalar_one_or_none()


def own_shipments(user_id: int, tab: str):
    """A select of the shipments of the user's producers in ``tab``, newest first."""
    statuses = STUDIO_TABS[tab][1]
    return (
        select(Shipment)
        .join(ProducerMember, ProducerMember.producer_id == Shipment.producer_id)
        .where(ProducerMember.user_id == user_id, Shipment.status.in_(statuses))
        .options(joinedload(Shipment.order), joinedload(Shipment.producer),
                 selectinload(Shipment.lines))
        .order_by(Shipment.created_at.desc(), Shipment.id.desc())
    )


def tab_counts(session: Session, user_id: int) -> dict[str, int]:
    """How many shipments each tab holds, from one GROUP BY."""
    rows = session.execute(
        select(Shipment.status, func.count())
        .join(ProducerMember, ProducerMember.producer_id == Shipment.producer_id)
        .where(ProducerMember.user_id == user_id, Shipment.status.in_(VISIBLE_TO_SELLER))
        .group_by(Shipment.status)
    ).all()
    by_status = {ShipmentStatus(status): count for status, count in rows}
    return {slug: sum(by_status.get(s, 0) for s in statuses)
            for slug, (_label, statuses) in STUDIO_TABS.items()}


def new_shipment_count(session: Session, user_id: int) -> int:
    """Paid shipments waiting to be packed: the number on the studio's Pesanan link."""
    return session.execute(
        select(func.count()).select_from(Shipment)
        .join(ProducerMember, ProducerMember.producer_id == Shipment.producer_id)
        .where(ProducerMember.user_id == user_id, Shipment.status == S.PAID)
    ).scalar_one()


def region_names(session: Session, *codes: str | None) -> dict[str, str]:
    """Display names of regions by code, for addresses (``Kab. Malang``, ``Jawa Timur``)."""
    wanted = {code for code in codes if code}
    if not wanted:
        return {}
    return {region.code: region.display_name
            for region in session.scalars(select(Region).where(Region.code.in_(wanted)))}


# --------------------------------------------------------------------------------------
# Moving a shipment


def _refuse_unless_allowed(shipment: Shipment, target: ShipmentStatus, message) -> None:
    if not SHIPMENT_WORKFLOW.allowed(shipment.status, target):
        raise OrderError.whole(_l("%(action)s Status kiriman sekarang: %(status)s.",
                                  action=message, status=SHIPMENT_STATUS_LABELS[shipment.status]))


def _move(session: Session, shipment: Shipment, target: ShipmentStatus, **kwargs) -> None:
    try:
        move_shipment(session, shipment, target, **kwargs)
    except (StatusChanged, IllegalTransition):
        raise OrderError.whole(CHANGED_MEANWHILE) from None


def lock_order(session: Session, order: Order, *, now: datetime) -> None:
    """Take the order's row (a no-op UPDATE) and re-read it and its shipments.

    Whoever may end an order (settle_order) takes this first, so two requests ending
    its last two shipments queue behind each other and the second sees the first's
    change: the order cannot be left paid with every shipment over. An UPDATE rather
    than SELECT FOR UPDATE because it also takes SQLite's write lock.
    """
    session.flush()
    session.execute(update(Order).where(Order.id == order.id).values(updated_at=now)
                    .execution_options(synchronize_session=False))
    # Fetched (not only executed): the ORM overwrites loaded objects as rows are read.
    session.scalars(select(Order).where(Order.id == order.id)
                    .execution_options(populate_existing=True)).all()
    session.scalars(select(Shipment).where(Shipment.order_id == order.id)
                    .execution_options(populate_existing=True)).all()


def start_processing(session: Session, shipment: Shipment, *, actor_id: int, now: datetime) -> None:
    """A new (paid) shipment is being packed."""
    _refuse_unless_allowed(shipment, S.PROCESSING, _l("Hanya pesanan baru yang bisa dikemas."))
    _move(session, shipment, S.PROCESSING, actor_id=actor_id, now=now)


def clean_tracking_number(raw: str | None) -> str:
    """Spaces dropped and upper case: couriers print and read resi numbers that way."""
    return "".join((raw or "").split()).upper()


def check_shipping(tracking_number: str | None, courier: str | None) -> tuple[str, Courier]:
    """The cleaned tracking number and the courier, or OrderError with both fields' messages."""
    errors: dict[str, list] = {}
    number = clean_tracking_number(tracking_number)
    if not number:
        errors["tracking_number"] = [_l("Wajib diisi.")]
    elif not TRACKING_NUMBER.match(number):
        errors["tracking_number"] = [_l("Nomor resi 6–40 karakter: huruf, angka dan tanda hubung (-).")]
    try:
        chosen = Courier(courier or "")
    except ValueError:
        errors["courier"] = [_l("Pilih kurir dari daftar.")]
        chosen = None
    if errors:
        raise OrderError(errors)
    return number, chosen


def ship(session: Session, shipment: Shipment, *, tracking_number: str | None,
         courier: str | None, actor_id: int, now: datetime) -> None:
    """A packed shipment handed to the courier; the shopper is told the tracking number.

    The courier is the one the shopper paid for unless the producer had to use another.
    """
    # The status first: a form for a shipment that can no longer ship has nothing to correct.
    _refuse_unless_allowed(shipment, S.SHIPPED,
                           _l("Hanya pesanan yang sedang dikemas yang bisa dikirim."))
    number, chosen = check_shipping(tracking_number, courier)
    _move(session, shipment, S.SHIPPED, actor_id=actor_id, now=now,
          note=f"{COURIER_LABELS[chosen]} {number}", tracking_number=number, courier=chosen)
    order = shipment.order
    notify(session, user_ids=[order.user_id], kind="shipment_shipped",
           params={"order_number": order.number, "producer_name": shipment.producer.name,
                   "courier": COURIER_LABELS[chosen], "tracking_number": number},
           link=order_link(order))


def mark_delivered(session: Session, shipment: Shipment, *, actor_id: int, now: datetime) -> None:
    """The courier reports the parcel delivered; the shopper still confirms receipt."""
    _refuse_unless_allowed(shipment, S.DELIVERED,
                           _l("Hanya kiriman yang sedang dikirim yang bisa ditandai sampai."))
    _move(session, shipment, S.DELIVERED, actor_id=actor_id, now=now)


def confirm_receipt(session: Session, order: Order, shipment: Shipment, *, actor_id: int,
                    now: datetime) -> None:
    """The shopper has the parcel: the shipment completes, and the order with its last one."""
    if shipment.order_id != order.id:
        raise ValueError("the shipment is not part of this order")
    if shipment.status not in RECEIVABLE:
        raise OrderError.whole(_l("Penerimaan bisa dikonfirmasi setelah kiriman dikirim. "
                                  "Status kiriman sekarang: %(status)s.",
                                  status=SHIPMENT_STATUS_LABELS[shipment.status]))
    lock_order(session, order, now=now)
    _move(session, shipment, S.COMPLETED, actor_id=actor_id, now=now)
    settle_order(session, order, actor_id=actor_id, now=now)


def order_link(order: Order) -> str:
    """The shopper's order page (a path: notifications link within the site)."""
    return f"/pesanan/{order.number}"


def studio_link(shipment: Shipment) -> str:
    return f"/studio/pesanan/{shipment.id}"


def shopper_can_cancel(order: Order) -> bool:
    """Unpaid, or paid with nothing shipped yet (some shipments may be refunded already)."""
    if order.status is OrderStatus.PENDING_PAYMENT:
        return True
    if order.status is not OrderStatus.PAID:
        return False
    statuses = {s.status for s in order.shipments}
    return bool(statuses & CANCELLABLE) and statuses <= CANCELLABLE | {S.REFUNDED}


def check_reason(raw: str | None) -> str:
    reason = (raw or "").replace("\r\n", "\n").strip()
    if not reason:
        raise OrderError({"reason": [_l("Tulis alasannya untuk pembeli.")]})
    if len(reason) > MAX_REASON:
        raise OrderError({"reason": [_l("Paling banyak %(n)s karakter.", n=MAX_REASON)]})
    return reason


def remaining_paid(order: Order) -> int:
    return order.grand_total - order.refunded_total


__all__ = [
    "CANCELLABLE", "OrderError", "RECEIVABLE", "STUDIO_TABS", "DEFAULT_TAB",
    "own_shipment", "own_shipments", "tab_counts", "new_shipment_count", "region_names",
    "start_processing", "ship", "mark_delivered", "confirm_receipt", "lock_order",
    "shopper_can_cancel", "check_reason", "check_shipping", "remaining_paid",
]
