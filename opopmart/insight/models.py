"""Direct sales: what producers sell outside the marketplace (at an expo, in the pesantren
store, on a trade mission), recorded by the producer so that the programme sees them
beside online orders.

A row is never deleted or edited. A mistake is corrected by voiding the row (who, when,
why) and recording the right one: the programme's figures for a past period can then
always be explained. ``commodity`` is kept even when a product is chosen (it is copied
from the product's name), so that a row reads the same after the catalogue changes,
as order lines do.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..catalogue.models import Producer, Product
from ..core.models import str_enum
from ..core.timeutil import utcnow
from ..extensions import db
from ..orders.models import Order, OrderLine, Shipment
from ..regions.models import Region


class SaleChannel(StrEnum):
    EXPO = "expo"  # expo, pameran, bazaar
    PESANTREN_STORE = "pesantren_store"  # the pesantren's own shop (toko/kopontren)
    TRADE_MISSION = "trade_mission"  # misi dagang
    RESELLER = "reseller"  # reseller or wholesale buyer (grosir)
    OTHER = "other"


CHANNEL_LABELS = {
    SaleChannel.EXPO: _l("Expo / pameran"),
    SaleChannel.PESANTREN_STORE: _l("Toko pesantren"),
    SaleChannel.TRADE_MISSION: _l("Misi dagang"),
    SaleChannel.RESELLER: _l("Reseller / grosir"),
    SaleChannel.OTHER: _l("Lainnya"),
}

MAX_VALUE = 10_000_000_000_000  # Rp 10 triliun: anything above is a typing slip
MAX_QUANTITY = 100_000_000


class DirectSale(db.Model):
    __tablename__ = "direct_sales"
    __table_args__ = (
        CheckConstraint(f"value > 0 AND value <= {MAX_VALUE}", name="value_in_range"),
        CheckConstraint(f"quantity > 0 AND quantity <= {MAX_QUANTITY}", name="quantity_in_range"),
        CheckConstraint("commodity <> ''", name="commodity_present"),
        # A void always says why.
        CheckConstraint("voided_at IS NULL OR void_reason <> ''", name="void_has_reason"),
        # The studio lists a producer's sales by date; the dashboard reads a period, from
        # the index alone (it holds every column the dashboard's queries read).
        Index("ix_direct_sales_producer_id_sold_on", "producer_id", "sold_on"),
        Index("ix_direct_sales_sold_on", "sold_on", "channel", "value", "producer_id", "voided_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"))
    sold_on: Mapped[date] = mapped_column(Date)  # the calendar day in Jakarta
    channel: Mapped[SaleChannel] = mapped_column(str_enum(SaleChannel, 24))
    product_id: Mapped[int | None] = mapped_column(
        ForeignKey("products.id", ondelete="SET NULL"), index=True)
    commodity: Mapped[str] = mapped_column(String(160))
    quantity: Mapped[int] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(String(20))
    value: Mapped[int] = mapped_column(BigInteger)  # rupiah
    # A province (``35``) or a kabupaten/kota (``35.07``); None when not known.
    buyer_region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    note: Mapped[str] = mapped_column(Text, default="")
    # None: written by the system (the demo loader), not by a person in the studio.
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    voided_at: Mapped[datetime | None] = mapped_column()
    voided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    void_reason: Mapped[str] = mapped_column(Text, default="")

    producer: Mapped[Producer] = relationship()
    product: Mapped[Product | None] = relationship()
    buyer_region: Mapped[Region | None] = relationship()

    @property
    def is_void(self) -> bool:
        return self.voided_at is not None


# The admins' market data (insight.queries) reads a period's orders, their shipments and
# their lines. These indexes hold every column those queries read, so each is answered
# from the indexes alone (no table rows): paid orders by the time they were paid, then
# each order's shipments and lines by order. Declared here, beside the queries that need
# them, rather than on the order models: Alembic's autogenerate still sees them (an
# Index on a table's columns joins that table).
_orders, _shipments, _lines = Order.__table__.c, Shipment.__table__.c, OrderLine.__table__.c
Index("ix_orders_paid_at", _orders.paid_at, _orders.status, _orders.refunded_total,
      _orders.items_total, _orders.user_id, _orders.province_code, _orders.region_code)
# By delivery area first: with statistics (ANALYZE), SQLite reads the period of each area
# in turn (a skip-scan) and groups the areas without sorting the period's orders.
Index("ix_orders_province_code_region_code_paid_at", _orders.province_code,
      _orders.region_code, _orders.paid_at, _orders.status, _orders.refunded_total,
      _orders.items_total)
# The few orders that had a refund, by the time they were paid: what the figures read
# from orders alone take off again (insight.queries.refunds_in).
Index("ix_orders_refunded_paid_at", _orders.paid_at, _orders.status, _orders.province_code,
      _orders.region_code, _orders.refunded_total, sqlite_where=text("refunded_total > 0"),
      postgresql_where=text("refunded_total > 0"))
Index("ix_shipments_order_id_producer_id_status", _shipments.order_id, _shipments.producer_id,
      _shipments.status, _shipments.items_subtotal)
Index("ix_order_lines_order_id_product_id", _lines.order_id, _lines.product_id,
      _lines.quantity, _lines.line_total)
