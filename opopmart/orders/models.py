"""An order is one checkout: one payment, one shipment per producer, lines that remember.

Lines copy the product's and variant's name, SKU, unit price (after wholesale tiers)
and weight at purchase, so that later edits to the catalogue never rewrite history.
The order's status summarises its shipments; each producer moves only its shipment.
Every status change, of either, is an event row.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..catalogue.models import Producer
from ..checkout.models import Courier, Zone
from ..core.models import TimestampMixin, str_enum
from ..core.timeutil import utcnow
from ..core.workflow import Workflow
from ..extensions import db


class OrderStatus(StrEnum):
    PENDING_PAYMENT = "pending_payment"  # stock reserved, waiting for Stripe's webhook
    PAID = "paid"  # payment confirmed by the webhook; shipments are the producers' to move
    COMPLETED = "completed"  # every shipment completed (or refunded, with one completed)
    CANCELLED = "cancelled"  # never paid: payment failed or expired; stock released
    REFUNDED = "refunded"  # paid, then every shipment cancelled and refunded


ORDER_WORKFLOW: Workflow[OrderStatus] = Workflow(
    "order",
    {
        OrderStatus.PENDING_PAYMENT: {OrderStatus.PAID, OrderStatus.CANCELLED},
        OrderStatus.PAID: {OrderStatus.COMPLETED, OrderStatus.REFUNDED},
    },
)

ORDER_STATUS_LABELS = {
    OrderStatus.PENDING_PAYMENT: _l("Menunggu pembayaran"),
    OrderStatus.PAID: _l("Dibayar"),
    OrderStatus.COMPLETED: _l("Selesai"),
    OrderStatus.CANCELLED: _l("Dibatalkan"),
    OrderStatus.REFUNDED: _l("Dana dikembalikan"),
}


class ShipmentStatus(StrEnum):
    PENDING_PAYMENT = "pending_payment"
    PAID = "paid"  # new order for the producer
    PROCESSING = "processing"  # being packed
    SHIPPED = "shipped"  # handed to the courier, with a tracking number
    DELIVERED = "delivered"  # the courier reports it delivered
    COMPLETED = "completed"  # the shopper confirmed receipt
    CANCELLED = "cancelled"  # the order was never paid
    REFUNDED = "refunded"  # cancelled before shipping, money returned through Stripe


SHIPMENT_WORKFLOW: Workflow[ShipmentStatus] = Workflow(
    "shipment",
    {
        ShipmentStatus.PENDING_PAYMENT: {ShipmentStatus.PAID, ShipmentStatus.CANCELLED},
        ShipmentStatus.PAID: {ShipmentStatus.PROCESSING, ShipmentStatus.REFUNDED},
        ShipmentStatus.PROCESSING: {ShipmentStatus.SHIPPED, ShipmentStatus.REFUNDED},
        ShipmentStatus.SHIPPED: {ShipmentStatus.DELIVERED, ShipmentStatus.COMPLETED},
        ShipmentStatus.DELIVERED: {ShipmentStatus.COMPLETED},
    },
)

SHIPMENT_STATUS_LABELS = {
    ShipmentStatus.PENDING_PAYMENT: _l("Menunggu pembayaran"),
    ShipmentStatus.PAID: _l("Pesanan baru"),
    ShipmentStatus.PROCESSING: _l("Dikemas"),
    ShipmentStatus.SHIPPED: _l("Dikirim"),
    ShipmentStatus.DELIVERED: _l("Sampai tujuan"),
    ShipmentStatus.COMPLETED: _l("Selesai"),
    ShipmentStatus.CANCELLED: _l("Dibatalkan"),
    ShipmentStatus.REFUNDED: _l("Dana dikembalikan"),
}

# Stock goes back to the shelf when a shipment ends in one of these without leaving.
UNSHIPPED_ENDS = frozenset({ShipmentStatus.CANCELLED, ShipmentStatus.REFUNDED})


class Order(TimestampMixin, db.Model):
    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint("grand_total = items_total + shipping_total", name="grand_total_sum"),
        CheckConstraint(
            "items_total >= 0 AND shipping_total >= 0 AND refunded_total >= 0"
            " AND refunded_total <= grand_total",
            name="amounts_in_range",
        ),
        Index("ix_orders_user_id_created_at", "user_id", "created_at"),
        Index("ix_orders_status_expires_at", "status", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)  # OPM-261123-7K3QX9
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[OrderStatus] = mapped_column(
        str_enum(OrderStatus, 24), default=OrderStatus.PENDING_PAYMENT
    )
    # One per rendered checkout summary: a second submit of the same form finds this
    # order instead of placing another (and so asks Stripe for no second PaymentIntent).
    checkout_token: Mapped[str] = mapped_column(String(64), unique=True)

    # The delivery address, copied from the shopper's address book at checkout.
    recipient: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(20))
    street: Mapped[str] = mapped_column(Text)
    village: Mapped[str] = mapped_column(String(80))
    district: Mapped[str] = mapped_column(String(80))
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)
    city_name: Mapped[str] = mapped_column(String(80))
    province_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    postal_code: Mapped[str] = mapped_column(String(5))

    items_total: Mapped[int] = mapped_column(BigInteger)
    shipping_total: Mapped[int] = mapped_column(BigInteger)
    grand_total: Mapped[int] = mapped_column(BigInteger)
    refunded_total: Mapped[int] = mapped_column(BigInteger, default=0)

    payment_intent_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    expires_at: Mapped[datetime] = mapped_column()
    paid_at: Mapped[datetime | None] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()  # cancelled, refunded or completed
    cancel_reason: Mapped[str] = mapped_column(Text, default="")

    shipments: Mapped[list[Shipment]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="Shipment.id"
    )
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderLine.id",
        overlaps="shipment,lines",
    )
    events: Mapped[list[OrderEvent]] = relationship(
        cascade="all, delete-orphan", order_by="OrderEvent.id"
    )


class Shipment(TimestampMixin, db.Model):
    __tablename__ = "shipments"
    __table_args__ = (
        UniqueConstraint("order_id", "producer_id"),
        Index("ix_shipments_producer_id_status", "producer_id", "status"),
        CheckConstraint("billable_kg >= 1 AND weight_grams >= 0", name="weight_in_range"),
        CheckConstraint("shipping_cost >= 0 AND items_subtotal >= 0", name="amounts_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"))
    status: Mapped[ShipmentStatus] = mapped_column(
        str_enum(ShipmentStatus, 24), default=ShipmentStatus.PENDING_PAYMENT
    )
    origin_region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    courier: Mapped[Courier] = mapped_column(str_enum(Courier, 16))
    zone: Mapped[Zone] = mapped_column(str_enum(Zone, 16))
    weight_grams: Mapped[int] = mapped_column(Integer)
    billable_kg: Mapped[int] = mapped_column(Integer)
    shipping_cost: Mapped[int] = mapped_column(BigInteger)
    items_subtotal: Mapped[int] = mapped_column(BigInteger)
    tracking_number: Mapped[str | None] = mapped_column(String(40))
    shipped_at: Mapped[datetime | None] = mapped_column()
    delivered_at: Mapped[datetime | None] = mapped_column()
    completed_at: Mapped[datetime | None] = mapped_column()

    order: Mapped[Order] = relationship(back_populates="shipments")
    producer: Mapped[Producer] = relationship()
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="shipment", order_by="OrderLine.id", overlaps="order,lines"
    )
    events: Mapped[list[ShipmentEvent]] = relationship(
        cascade="all, delete-orphan", order_by="ShipmentEvent.id"
    )

    @property
    def total(self) -> int:
        return self.items_subtotal + self.shipping_cost


class OrderLine(db.Model):
    __tablename__ = "order_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0 AND unit_price >= 0", name="quantity_and_price"),
        CheckConstraint("line_total = unit_price * quantity", name="line_total_product"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    shipment_id: Mapped[int] = mapped_column(
        ForeignKey("shipments.id", ondelete="CASCADE"), index=True
    )
    # Kept for links and restocking; NULL once the catalogue row is gone.
    product_id: Mapped[int | None] = mapped_column(
        ForeignKey("products.id", ondelete="SET NULL"), index=True
    )
    variant_id: Mapped[int | None] = mapped_column(
        ForeignKey("product_variants.id", ondelete="SET NULL"), index=True
    )
    product_name: Mapped[str] = mapped_column(String(160))
    variant_name: Mapped[str] = mapped_column(String(130), default="")
    sku: Mapped[str] = mapped_column(String(64))
    unit_price: Mapped[int] = mapped_column(BigInteger)
    quantity: Mapped[int] = mapped_column(Integer)
    weight_grams: Mapped[int] = mapped_column(Integer)  # per unit
    line_total: Mapped[int] = mapped_column(BigInteger)

    order: Mapped[Order] = relationship(back_populates="lines", overlaps="shipment,lines")
    shipment: Mapped[Shipment] = relationship(back_populates="lines", overlaps="order,lines")


class OrderEvent(db.Model):
    """A status change of an order, or a note on it (from == to) such as a failed payment."""

    __tablename__ = "order_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    from_status: Mapped[OrderStatus | None] = mapped_column(str_enum(OrderStatus, 24))
    to_status: Mapped[OrderStatus] = mapped_column(str_enum(OrderStatus, 24))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class ShipmentEvent(db.Model):
    __tablename__ = "shipment_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(
        ForeignKey("shipments.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    from_status: Mapped[ShipmentStatus | None] = mapped_column(str_enum(ShipmentStatus, 24))
    to_status: Mapped[ShipmentStatus] = mapped_column(str_enum(ShipmentStatus, 24))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Refund(db.Model):
    """Money returned through Stripe: a whole order, or one producer's shipment."""

    __tablename__ = "refunds"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    shipment_id: Mapped[int | None] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"))
    amount: Mapped[int] = mapped_column(BigInteger)
    stripe_refund_id: Mapped[str] = mapped_column(String(255), unique=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
