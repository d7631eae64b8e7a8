"""Trade missions (Misi Dagang): who took part, which deals were struck, which were voided.

A mission is run by programme admins; during the event its desk staff record deals.
Nothing about a deal is ever updated or deleted: a mistake is corrected by a new deal
that names the one it replaces (``replaces_id``), or voided with a reason. Either way a
``DealVoid`` row says who voided it, when and why, and every figure leaves it out.

The database itself keeps a deal inside its mission: its producer must be a participant
and its partner a partner of the same mission (composite foreign keys), and a deal can be
replaced or voided only once (unique ``replaces_id`` and ``deal_voids.deal_id``), so two
staff correcting the same entry at once cannot both win.
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
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..catalogue.models import Producer
from ..core.models import TimestampMixin, str_enum
from ..core.timeutil import utcnow
from ..core.workflow import Workflow
from ..extensions import db
from ..regions.models import Region

# The largest single deal the desk accepts: Rp 10 triliun. Anything above is a typo.
MAX_DEAL_VALUE = 10_000_000_000_000


class MissionStatus(StrEnum):
    DRAFT = "draft"  # being prepared: only admins (and its desk staff, at the desk) see it
    PUBLISHED = "published"  # public: its page and live tally; deals are being recorded
    CLOSED = "closed"  # figures final: no more deals, corrections or voids


# Published -> draft takes a mission off the public pages again (published by mistake);
# closed -> published reopens the desk for a late correction.
MISSION_WORKFLOW: Workflow[MissionStatus] = Workflow(
    "mission",
    {
        MissionStatus.DRAFT: {MissionStatus.PUBLISHED},
        MissionStatus.PUBLISHED: {MissionStatus.CLOSED, MissionStatus.DRAFT},
        MissionStatus.CLOSED: {MissionStatus.PUBLISHED},
    },
)

MISSION_STATUS_LABELS = {
    MissionStatus.DRAFT: _l("Draf"),
    MissionStatus.PUBLISHED: _l("Diterbitkan"),
    MissionStatus.CLOSED: _l("Ditutup"),
}


class DealKind(StrEnum):
    JATIM_SELLS = "jatim_sells"  # a Jatim producer sells to the partner business
    JATIM_BUYS = "jatim_buys"  # a Jatim producer buys from the partner business
    INVESTMENT = "investment"  # an investment agreement


DEAL_KIND_LABELS = {
    DealKind.JATIM_SELLS: _l("Jatim menjual"),
    DealKind.JATIM_BUYS: _l("Jatim membeli"),
    DealKind.INVESTMENT: _l("Investasi"),
}


class TradeMission(TimestampMixin, db.Model):
    __tablename__ = "trade_missions"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="dates_in_order"),
        CheckConstraint("target_value IS NULL OR target_value > 0", name="target_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160))
    slug: Mapped[str] = mapped_column(String(140), unique=True)
    partner_province_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    partner_city: Mapped[str] = mapped_column(String(120))
    venue: Mapped[str] = mapped_column(String(200))
    # Calendar days in Western Indonesia Time (the programme's clock), both included.
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text, default="")
    target_value: Mapped[int | None] = mapped_column(BigInteger)
    # Changed only by missions.services.change_status, which writes a MissionEvent.
    status: Mapped[MissionStatus] = mapped_column(
        str_enum(MissionStatus, 16), default=MissionStatus.DRAFT, index=True)
    published_at: Mapped[datetime | None] = mapped_column()
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    partner_province: Mapped[Region] = relationship(lazy="joined", innerjoin=True)
    created_by: Mapped[User | None] = relationship()
    participants: Mapped[list[MissionProducer]] = relationship(
        back_populates="mission", order_by="MissionProducer.id")
    partners: Mapped[list[MissionPartner]] = relationship(
        back_populates="mission", order_by="MissionPartner.name_key")

    @property
    def is_public(self) -> bool:
        return self.status in (MissionStatus.PUBLISHED, MissionStatus.CLOSED)

    def is_over(self, today: date) -> bool:
        """The event is behind us: closed by an admin, or its last day has passed."""
        return self.status is MissionStatus.CLOSED or today > self.ends_on


class MissionEvent(db.Model):
    """A status change of a mission, or a note about it (from == to): who was added to or
    removed from its participants, partners or desk staff."""

    __tablename__ = "trade_mission_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    mission_id: Mapped[int] = mapped_column(
        ForeignKey("trade_missions.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    from_status: Mapped[MissionStatus | None] = mapped_column(str_enum(MissionStatus, 16))
    to_status: Mapped[MissionStatus] = mapped_column(str_enum(MissionStatus, 16))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MissionProducer(db.Model):
    """A Jatim producer taking part in a mission (verified when it was added)."""

    __tablename__ = "trade_mission_producers"
    __table_args__ = (UniqueConstraint("mission_id", "producer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mission_id: Mapped[int] = mapped_column(ForeignKey("trade_missions.id", ondelete="CASCADE"))
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), index=True)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    mission: Mapped[TradeMission] = relationship(back_populates="participants")
    producer: Mapped[Producer] = relationship(lazy="joined", innerjoin=True)


class MissionPartner(db.Model):
    """A business on the partner side. ``name_key`` (sort_key of the name) keeps one row
    per business per mission, however the desk types it."""

    __tablename__ = "trade_mission_partners"
    __table_args__ = (
        UniqueConstraint("mission_id", "name_key"),
        # The target of deals' composite foreign key (a partner of *this* mission).
        UniqueConstraint("mission_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mission_id: Mapped[int] = mapped_column(ForeignKey("trade_missions.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(160))
    name_key: Mapped[str] = mapped_column(String(160))
    city: Mapped[str] = mapped_column(String(120), default="")
    sector: Mapped[str] = mapped_column(String(120), default="")
    # Shown to admins only: a person's phone or email is not for the public pages.
    contact: Mapped[str] = mapped_column(String(200), default="")
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    mission: Mapped[TradeMission] = relationship(back_populates="partners")


class MissionDeskStaff(db.Model):
    """A user allowed to record deals on this mission (admins always may)."""

    __tablename__ = "trade_mission_desk_staff"
    __table_args__ = (UniqueConstraint("mission_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mission_id: Mapped[int] = mapped_column(ForeignKey("trade_missions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined", innerjoin=True)


class Deal(db.Model):
    """One deal as the desk recorded it; never changed afterwards (see module docstring)."""

    __tablename__ = "trade_mission_deals"
    __table_args__ = (
        ForeignKeyConstraint(
            ["mission_id", "producer_id"],
            ["trade_mission_producers.mission_id", "trade_mission_producers.producer_id"],
            name="fk_trade_mission_deals_participant"),
        ForeignKeyConstraint(
            ["mission_id", "partner_id"],
            ["trade_mission_partners.mission_id", "trade_mission_partners.id"],
            name="fk_trade_mission_deals_partner"),
        CheckConstraint(f"value > 0 AND value <= {MAX_DEAL_VALUE}", name="value_in_range"),
        CheckConstraint("quantity IS NULL OR quantity > 0", name="quantity_positive"),
        Index("ix_trade_mission_deals_mission_id_occurred_at", "mission_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mission_id: Mapped[int] = mapped_column(ForeignKey("trade_missions.id"))
    kind: Mapped[DealKind] = mapped_column(str_enum(DealKind, 16))
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), index=True)
    partner_id: Mapped[int] = mapped_column(Integer, index=True)
    commodity: Mapped[str] = mapped_column(String(120))
    # sort_key(commodity): "Kopi  Arabika" and "kopi arabika" count as one commodity.
    commodity_key: Mapped[str] = mapped_column(String(120))
    quantity: Mapped[int | None] = mapped_column(BigInteger)
    unit: Mapped[str] = mapped_column(String(20), default="")
    value: Mapped[int] = mapped_column(BigInteger)
    occurred_at: Mapped[datetime] = mapped_column()  # naive UTC, like every stored time
    replaces_id: Mapped[int | None] = mapped_column(
        ForeignKey("trade_mission_deals.id"), unique=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    producer: Mapped[Producer] = relationship(lazy="joined", innerjoin=True)
    partner: Mapped[MissionPartner] = relationship(
        primaryjoin="and_(Deal.partner_id == MissionPartner.id, Deal.mission_id == MissionPartner.mission_id)",
        foreign_keys=[partner_id], viewonly=True, lazy="joined", innerjoin=True)
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])


class DealVoid(db.Model):
    """A deal taken out of every figure: voided with a reason, or replaced by a correction
    (then ``reason`` says so and the new deal's ``replaces_id`` points back)."""

    __tablename__ = "trade_mission_deal_voids"

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("trade_mission_deals.id"), unique=True)
    reason: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    actor: Mapped[User | None] = relationship()
