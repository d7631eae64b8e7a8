"""Where orders go (addresses), what shipping costs (the rate table) and Stripe's events.

Shipping is priced per producer shipment: its weight rounded up to whole kilograms,
times the courier's rate for the zone between the producer's kabupaten/kota and the
destination. Rates live in a table so that admins change them without a deploy.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.models import TimestampMixin, str_enum
from ..core.timeutil import utcnow
from ..extensions import db
from ..regions.models import Region


class Courier(StrEnum):
    POS = "pos"
    JNE = "jne"
    JNT = "jnt"
    SICEPAT = "sicepat"


COURIER_LABELS = {
    Courier.POS: "Pos Indonesia",
    Courier.JNE: "JNE",
    Courier.JNT: "J&T Express",
    Courier.SICEPAT: "SiCepat",
}


class Zone(StrEnum):
    SAME_CITY = "same_city"  # origin and destination in the same kabupaten/kota
    JAWA_TIMUR = "jawa_timur"  # both in Jawa Timur
    JAVA = "java"  # both on Java (DKI, Jabar, Jateng, DIY, Jatim, Banten)
    OUTSIDE_JAVA = "outside_java"


ZONE_LABELS = {
    Zone.SAME_CITY: _l("Dalam kota"),
    Zone.JAWA_TIMUR: _l("Dalam Jawa Timur"),
    Zone.JAVA: _l("Pulau Jawa"),
    Zone.OUTSIDE_JAVA: _l("Luar Jawa"),
}


class ShippingRate(db.Model):
    __tablename__ = "shipping_rates"
    __table_args__ = (
        UniqueConstraint("courier", "zone"),
        CheckConstraint("price_per_kg >= 0", name="price_not_negative"),
        CheckConstraint("etd_min_days >= 0 AND etd_max_days >= etd_min_days", name="etd_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    courier: Mapped[Courier] = mapped_column(str_enum(Courier, 16))
    zone: Mapped[Zone] = mapped_column(str_enum(Zone, 16))
    price_per_kg: Mapped[int] = mapped_column(BigInteger)
    etd_min_days: Mapped[int] = mapped_column(Integer)
    etd_max_days: Mapped[int] = mapped_column(Integer)
    is_active: Mapped[bool] = mapped_column(default=True)


class Address(TimestampMixin, db.Model):
    """A shopper's saved address. Orders copy it, so editing or deleting is safe."""

    __tablename__ = "addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(40), default="")  # "Rumah", "Kantor"
    recipient: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(20))  # +628...
    street: Mapped[str] = mapped_column(Text)
    village: Mapped[str] = mapped_column(String(80))  # desa/kelurahan
    district: Mapped[str] = mapped_column(String(80))  # kecamatan
    # The kabupaten/kota when the reference table knows it (every one in Jawa Timur);
    # city_name always holds its name for the label, typed when the table has none.
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    city_name: Mapped[str] = mapped_column(String(80))
    province_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    postal_code: Mapped[str] = mapped_column(String(5))
    is_default: Mapped[bool] = mapped_column(default=False)

    region: Mapped[Region | None] = relationship(foreign_keys=[region_code])
    province: Mapped[Region] = relationship(foreign_keys=[province_code])


class StripeEvent(db.Model):
    """Each webhook event once: inserted in the same transaction as its effect."""

    __tablename__ = "stripe_events"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(80))
    payment_intent_id: Mapped[str | None] = mapped_column(String(255), index=True)
    # Stripe's own timestamp (seconds), to tell stale events from fresh ones.
    stripe_created: Mapped[int] = mapped_column(BigInteger)
    outcome: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
