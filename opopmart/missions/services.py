"""Trade mission rules: missions, their participants, partners and desk staff, and deals.

Every function takes what it needs as arguments (never the request or the signed-in
user), checks everything before it writes, flushes and never commits: the view commits
once. A refusal is a MissionError with messages per form field, and nothing was written.

Figures (the live tally, the summary, the CSV) read only live deals: a deal with a
``DealVoid`` row or a correction pointing at it is out of every sum and count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session, aliased

from ..accounts.models import User
from ..accounts.services import normalize_email
from ..catalogue.models import Producer, ProducerStatus
from ..core.money import format_rupiah, parse_rupiah
from ..core.params import whole_number
from ..core.text import sort_key
from ..core.timeutil import JAKARTA
from ..core.workflow import IllegalTransition
from ..regions.models import JAWA_TIMUR, Region, RegionKind
from ..seller.services import FieldErrors, SellerError, unique_slug
from .models import (
    DEAL_KIND_LABELS,
    MAX_DEAL_VALUE,
    MISSION_WORKFLOW,
    Deal,
    DealKind,
    DealVoid,
    MissionDeskStaff,
    MissionEvent,
    MissionPartner,
    MissionProducer,
    MissionStatus,
    TradeMission,
)

REQUIRED = _l("Wajib diisi.")
MAX_TEXT = 5000
# A trade mission is an event of days, not months; a longer span is a typo in a date.
MAX_MISSION_DAYS = 60
MAX_QUANTITY = 1_000_000_000_000
# A deal time may run a little ahead of the server's clock (a phone's clock), no more.
FUTURE_SLACK = timedelta(minutes=10)
TOP_COMMODITIES = 10


class MissionError(SellerError):
    """Messages per form field name (as SellerError, so the studio's helpers apply)."""


class _Errors(FieldErrors):
    error_class = MissionError


def _text(errors: _Errors, name: str, raw: str | None, max_len: int, required: bool = False) -> str:
    value = " ".join((raw or "").split())
    if required and not value:
        errors.add(name, REQUIRED)
    elif len(value) > max_len:
        errors.add(name, _l("Paling banyak %(n)s karakter.", n=max_len))
    return value


def _long_text(errors: _Errors, name: str, raw: str | None) -> str:
    value = (raw or "").replace("\r\n", "\n").strip()
    if len(value) > MAX_TEXT:
        errors.add(name, _l("Paling banyak %(n)s karakter.", n=MAX_TEXT))
    return value


def _thousands(value: int) -> str:
    return f"{value:,}".replace(",", ".")


# --------------------------------------------------------------------------------------
# Reading what people type


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$")
# 1500, or with Indonesian thousands dots: 1.500, 12.000.000
_WHOLE = re.compile(r"^(?:\d+|\d{1,3}(?:\.\d{3})+)$")


def parse_day(errors: _Errors, name: str, raw: str | None) -> date | None:
    text = (raw or "").strip()
    if not text:
        errors.add(name, REQUIRED)
        return None
    try:
        day = date.fromisoformat(text) if _DATE.match(text) else None
    except ValueError:
        day = None
    if day is None or not 2000 <= day.year <= 2100:
        errors.add(name, _l("Tulis tanggal sebagai TTTT-BB-HH, misalnya 2026-11-24."))
        return None
    return day


def parse_local_datetime(raw: str | None) -> datetime | None:
    """``2026-11-24T10:30`` (what a datetime-local input sends) as a WIB wall-clock time."""
    match = _DATETIME.match((raw or "").strip())
    if not match:
        return None
    try:
        day = date.fromisoformat(match.group(1))
        clock = time(int(match.group(2)), int(match.group(3)), int(match.group(4) or 0))
    except ValueError:
        return None
    return datetime.combine(day, clock)


def local_to_utc(local: datetime) -> datetime:
    return local.replace(tzinfo=JAKARTA).astimezone(UTC).replace(tzinfo=None)


def utc_to_local(stored: datetime) -> datetime:
    return stored.replace(tzinfo=UTC).astimezone(JAKARTA).replace(tzinfo=None)


def parse_deal_value(errors: _Errors, name: str, raw: str | None) -> int | None:
    """Whole rupiah, more than zero and at most Rp 10 triliun, with a message that says
    which of those a refused value broke."""
    text = (raw or "").strip()
    if not text:
        errors.add(name, REQUIRED)
        return None
    value = parse_rupiah(text)
    digits = text.lower().removeprefix("rp").strip().replace(".", "").replace(" ", "")
    if value is None and digits.startswith("-") and digits[1:].isascii() and digits[1:].isdigit():
        errors.add(name, _l("Nilai transaksi harus lebih dari nol."))
        return None
    if value is None and digits.isascii() and digits.isdigit():
        value = MAX_DEAL_VALUE + 1  # more digits than parse_rupiah reads: absurd either way
    if value is None:
        errors.add(name, _l("Tulis nilai dalam rupiah tanpa sen, misalnya 1.500.000.000."))
        return None
    if value <= 0:
        errors.add(name, _l("Nilai transaksi harus lebih dari nol."))
        return None
    if value > MAX_DEAL_VALUE:
        errors.add(name, _l("Nilai lebih dari %(max)s (10 triliun): periksa lagi angkanya.",
                            max=format_rupiah(MAX_DEAL_VALUE)))
        return None
    return value


def parse_target(errors: _Errors, name: str, raw: str | None) -> int | None:
    """An optional target: empty is none; otherwise the same bounds as a deal's value."""
    if not (raw or "").strip():
        return None
    return parse_deal_value(errors, name, raw)


def parse_quantity(errors: _Errors, name: str, raw: str | None, *, required: bool) -> int | None:
    text = (raw or "").strip().replace(" ", "")
    if not text:
        if required:
            errors.add(name, REQUIRED)
        return None
    if text.startswith("-") and _WHOLE.match(text[1:]):
        errors.add(name, _l("Jumlah harus lebih dari nol."))
        return None
    if not text.isascii() or not _WHOLE.match(text) or len(text) > 20:
        errors.add(name, _l("Jumlah harus bilangan bulat, misalnya 25 atau 1.500."))
        return None
    value = int(text.replace(".", ""))
    if value <= 0:
        errors.add(name, _l("Jumlah harus lebih dari nol."))
        return None
    if value > MAX_QUANTITY:
        errors.add(name, _l("Jumlah terlalu besar: periksa lagi angkanya."))
        return None
    return value


MAX_ID = 2**31 - 1  # an INTEGER column


def _id(raw) -> int | None:
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw if 0 < raw <= MAX_ID else None
    return whole_number(str(raw) if raw is not None else None)


# --------------------------------------------------------------------------------------
# Missions


@dataclass
class MissionInput:
    name: str = ""
    partner_province_code: str = ""
    partner_city: str = ""
    venue: str = ""
    starts_on: str = ""
    ends_on: str = ""
    description: str = ""
    target_value: str = ""


def province_choices(session: Session) -> list[tuple[str, str]]:
    """Every province but Jawa Timur (the mission's home side), by code."""
    rows = session.execute(
        select(Region.code, Region.name)
        .where(Region.kind == RegionKind.PROVINSI, Region.code != JAWA_TIMUR)
        .order_by(Region.code)
    ).all()
    return [(code, name) for code, name in rows]


def _check_mission(session: Session, data: MissionInput) -> dict:
    errors = _Errors()
    values = {
        "name": _text(errors, "name", data.name, 160, required=True),
        "partner_city": _text(errors, "partner_city", data.partner_city, 120, required=True),
        "venue": _text(errors, "venue", data.venue, 200, required=True),
        "description": _long_text(errors, "description", data.description),
        "target_value": parse_target(errors, "target_value", data.target_value),
    }
    code = (data.partner_province_code or "").strip()
    if not code:
        errors.add("partner_province_code", REQUIRED)
    elif code not in dict(province_choices(session)):
        errors.add("partner_province_code", _l("Pilih provinsi mitra dari daftar."))
    values["partner_province_code"] = code
    starts_on = parse_day(errors, "starts_on", data.starts_on)
    ends_on = parse_day(errors, "ends_on", data.ends_on)
    if starts_on and ends_on:
        if ends_on < starts_on:
            errors.add("ends_on", _l("Tanggal selesai tidak boleh sebelum tanggal mulai."))
        elif (ends_on - starts_on).days >= MAX_MISSION_DAYS:
            errors.add("ends_on", _l("Misi dagang paling lama %(n)s hari.", n=MAX_MISSION_DAYS))
    values["starts_on"], values["ends_on"] = starts_on, ends_on
    errors.raise_if_any()
    return values


def _unique_slug(session: Session, base: str) -> str:
    return unique_slug(session, TradeMission, base, 126)


def _event(session: Session, mission: TradeMission, *, actor_id: int | None, note: str,
           now: datetime, from_status: MissionStatus | None = None,
           to_status: MissionStatus | None = None) -> None:
    session.add(MissionEvent(
        mission_id=mission.id, actor_id=actor_id,
        from_status=from_status if to_status is not None else mission.status,
        to_status=to_status or mission.status, note=note, created_at=now))


def create_mission(session: Session, *, data: MissionInput, actor_id: int, now: datetime) -> TradeMission:
    values = _check_mission(session, data)
    mission = TradeMission(slug=_unique_slug(session, values["name"]), status=MissionStatus.DRAFT,
                           created_by_id=actor_id, created_at=now, updated_at=now, **values)
    session.add(mission)
    session.flush()
    _event(session, mission, actor_id=actor_id, note="", now=now, to_status=MissionStatus.DRAFT)
    session.flush()
    return mission


def update_mission(session: Session, mission: TradeMission, *, data: MissionInput, actor_id: int,
                   now: datetime) -> TradeMission:
    """Edit a mission's details; its slug (its public address) stays as it was.

    New dates must still hold every deal already recorded, voided ones included: a
    deal never moves out of its mission's days.
    """
    values = _check_mission(session, data)
    start, end = _mission_window(values["starts_on"], values["ends_on"])
    outside = session.scalar(
        select(func.count(Deal.id)).where(
            Deal.mission_id == mission.id, (Deal.occurred_at < start) | (Deal.occurred_at >= end)))
    if outside:
        raise MissionError({"starts_on": [_l(
            "%(n)s transaksi yang sudah dicatat berada di luar tanggal baru ini.", n=outside)]})
    for name, value in values.items():
        setattr(mission, name, value)
    mission.updated_at = now
    session.flush()
    return mission


def change_status(session: Session, mission: TradeMission, target: str | MissionStatus, *,
                  actor_id: int, now: datetime) -> TradeMission:
    try:
        target = MissionStatus(target)
        MISSION_WORKFLOW.require(mission.status, target)
    except (ValueError, IllegalTransition):
        raise MissionError({"": [_l("Status misi tidak bisa diubah seperti itu.")]}) from None
    before = mission.status
    mission.status = target
    if target is MissionStatus.PUBLISHED and mission.published_at is None:
        mission.published_at = now
    mission.updated_at = now
    _event(session, mission, actor_id=actor_id, note="", now=now, from_status=before, to_status=target)
    session.flush()
    return mission


def _mission_window(starts_on: date, ends_on: date) -> tuple[datetime, datetime]:
    """[first day 00:00 WIB, the day after the last 00:00 WIB) as stored (naive UTC)."""
    return (local_to_utc(datetime.combine(starts_on, time())),
            local_to_utc(datetime.combine(ends_on + timedelta(days=1), time())))


# --------------------------------------------------------------------------------------
# Participants, partners, desk staff


def verified_producer_choices(session: Session, mission: TradeMission) -> list[tuple[int, str]]:
    """Verified producers not yet taking part, by name."""
    taken = select(MissionProducer.producer_id).where(MissionProducer.mission_id == mission.id)
    rows = session.execute(
        select(Producer.id, Producer.name).where(
            Producer.status == ProducerStatus.VERIFIED, Producer.id.not_in(taken))
        .order_by(Producer.name, Producer.id)
    ).all()
    return [(pid, name) for pid, name in rows]


def add_participant(session: Session, mission: TradeMission, *, producer_id, actor_id: int,
                    now: datetime) -> MissionProducer:
    pid = _id(producer_id)
    producer = session.get(Producer, pid) if pid is not None else None
    if producer is None:
        raise MissionError({"producer_id": [_l("Pilih produsen dari daftar.")]})
    if producer.status is not ProducerStatus.VERIFIED:
        raise MissionError({"producer_id": [_l("Hanya produsen terverifikasi yang bisa ikut misi dagang.")]})
    if session.scalar(select(MissionProducer.id).where(
            MissionProducer.mission_id == mission.id, MissionProducer.producer_id == producer.id)):
        raise MissionError({"producer_id": [_l("%(name)s sudah menjadi peserta.", name=producer.name)]})
    row = MissionProducer(mission_id=mission.id, producer_id=producer.id, added_by_id=actor_id,
                          created_at=now)
    session.add(row)
    _event(session, mission, actor_id=actor_id, now=now, note=f"+producer {producer.id} {producer.name}")
    session.flush()
    return row


def remove_participant(session: Session, mission: TradeMission, *, producer_id: int, actor_id: int,
                       now: datetime) -> Producer:
    """Take a producer off the list; refused once a deal (even a voided one) names it."""
    row = session.execute(select(MissionProducer).where(
        MissionProducer.mission_id == mission.id, MissionProducer.producer_id == producer_id)
    ).scalar_one_or_none()
    if row is None:
        raise LookupError(producer_id)
    if session.scalar(select(func.count(Deal.id)).where(
            Deal.mission_id == mission.id, Deal.producer_id == producer_id)):
        raise MissionError({"": [_l("%(name)s sudah punya transaksi di misi ini, jadi tetap menjadi peserta.",
                                    name=row.producer.name)]})
    producer = row.producer
    session.delete(row)
    _event(session, mission, actor_id=actor_id, now=now, note=f"-producer {producer.id} {producer.name}")
    session.flush()
    return producer


@dataclass
class PartnerInput:
    name: str = ""
    city: str = ""
    sector: str = ""
    contact: str = ""


def _partner_by_key(session: Session, mission_id: int, key: str) -> MissionPartner | None:
    return session.execute(select(MissionPartner).where(
        MissionPartner.mission_id == mission_id, MissionPartner.name_key == key)
    ).scalar_one_or_none()


def _check_partner(session: Session, mission: TradeMission, data: PartnerInput,
                   partner: MissionPartner | None = None) -> dict:
    errors = _Errors()
    values = {
        "name": _text(errors, "name", data.name, 160, required=True),
        "city": _text(errors, "city", data.city, 120, required=True),
        "sector": _text(errors, "sector", data.sector, 120),
        "contact": _text(errors, "contact", data.contact, 200),
    }
    key = sort_key(values["name"])
    if values["name"] and not key:
        errors.add("name", _l("Nama harus memuat huruf atau angka."))
    elif key:
        same = _partner_by_key(session, mission.id, key)
        if same is not None and (partner is None or same.id != partner.id):
            errors.add("name", _l("%(name)s sudah ada di daftar mitra.", name=same.name))
    errors.raise_if_any()
    values["name_key"] = key
    return values


def add_partner(session: Session, mission: TradeMission, *, data: PartnerInput, actor_id: int,
                now: datetime) -> MissionPartner:
    values = _check_partner(session, mission, data)
    partner = MissionPartner(mission_id=mission.id, added_by_id=actor_id, created_at=now, **values)
    session.add(partner)
    _event(session, mission, actor_id=actor_id, now=now, note=f"+partner {values['name']}")
    session.flush()
    return partner


def update_partner(session: Session, mission: TradeMission, partner: MissionPartner, *,
                   data: PartnerInput, actor_id: int, now: datetime) -> MissionPartner:
    values = _check_partner(session, mission, data, partner)
    for name, value in values.items():
        setattr(partner, name, value)
    session.flush()
    return partner


def remove_partner(session: Session, mission: TradeMission, partner: MissionPartner, *,
                   actor_id: int, now: datetime) -> None:
    if session.scalar(select(func.count(Deal.id)).where(
            Deal.mission_id == mission.id, Deal.partner_id == partner.id)):
        raise MissionError({"": [_l("%(name)s sudah punya transaksi di misi ini, jadi tetap di daftar mitra.",
                                    name=partner.name)]})
    _event(session, mission, actor_id=actor_id, now=now, note=f"-partner {partner.name}")
    session.delete(partner)
    session.flush()


def add_desk_staff(session: Session, mission: TradeMission, *, email: str, actor_id: int,
                   now: datetime) -> MissionDeskStaff:
    address = normalize_email(email)
    if not address:
        raise MissionError({"email": [REQUIRED]})
    user = session.execute(select(User).where(User.email == address)).scalar_one_or_none()
    if user is None:
        raise MissionError({"email": [_l("Tidak ada akun dengan email itu. Minta dia mendaftar dulu.")]})
    if session.scalar(select(MissionDeskStaff.id).where(
            MissionDeskStaff.mission_id == mission.id, MissionDeskStaff.user_id == user.id)):
        raise MissionError({"email": [_l("%(name)s sudah menjadi petugas meja transaksi.", name=user.name)]})
    row = MissionDeskStaff(mission_id=mission.id, user_id=user.id, added_by_id=actor_id, created_at=now)
    session.add(row)
    _event(session, mission, actor_id=actor_id, now=now, note=f"+desk {user.id}")
    session.flush()
    return row


def remove_desk_staff(session: Session, mission: TradeMission, *, user_id: int, actor_id: int,
                      now: datetime) -> User:
    row = session.execute(select(MissionDeskStaff).where(
        MissionDeskStaff.mission_id == mission.id, MissionDeskStaff.user_id == user_id)
    ).scalar_one_or_none()
    if row is None:
        raise LookupError(user_id)
    user = row.user
    session.delete(row)
    _event(session, mission, actor_id=actor_id, now=now, note=f"-desk {user_id}")
    session.flush()
    return user


def desk_staff(session: Session, mission: TradeMission) -> list[MissionDeskStaff]:
    return list(session.execute(
        select(MissionDeskStaff).where(MissionDeskStaff.mission_id == mission.id)
        .order_by(MissionDeskStaff.id)).scalars())


def can_record(session: Session, mission: TradeMission, user: User | None) -> bool:
    """Admins, and the mission's own desk staff: nobody else sees its desk."""
    if user is None:
        return False
    if user.is_admin:
        return True
    return session.scalar(select(MissionDeskStaff.id).where(
        MissionDeskStaff.mission_id == mission.id, MissionDeskStaff.user_id == user.id)) is not None


def desk_missions(session: Session, user: User) -> list[TradeMission]:
    """The missions whose desk this user may open, newest first."""
    query = select(TradeMission).order_by(TradeMission.starts_on.desc(), TradeMission.id.desc())
    if not user.is_admin:
        query = query.join(MissionDeskStaff, and_(
            MissionDeskStaff.mission_id == TradeMission.id, MissionDeskStaff.user_id == user.id))
    return list(session.execute(query).scalars())


def has_open_desk(session: Session, user_id: int) -> bool:
    """Whether the header's menu shows the desk link: staff of a mission not closed yet."""
    return session.scalar(
        select(MissionDeskStaff.id).join(TradeMission, TradeMission.id == MissionDeskStaff.mission_id)
        .where(MissionDeskStaff.user_id == user_id, TradeMission.status != MissionStatus.CLOSED)
        .limit(1)) is not None


# --------------------------------------------------------------------------------------
# Deals


@dataclass
class DealInput:
    kind: str = ""
    producer_id: str = ""
    partner_id: str = ""
    new_partner: str = ""
    commodity: str = ""
    quantity: str = ""
    unit: str = ""
    value: str = ""
    occurred_at: str = ""


@dataclass
class _CheckedDeal:
    kind: DealKind
    producer_id: int
    partner: MissionPartner | None  # an existing partner of the mission, or
    new_partner_name: str  # a name to add as a partner
    commodity: str
    quantity: int | None
    unit: str
    value: int
    occurred_at: datetime  # naive UTC


def _require_open(mission: TradeMission) -> None:
    if mission.status is MissionStatus.CLOSED:
        raise MissionError({"": [_l("Misi ini sudah ditutup: transaksi tidak bisa dicatat, dikoreksi "
                                    "atau dibatalkan lagi.")]})


def _check_deal(session: Session, mission: TradeMission, data: DealInput, *, now: datetime) -> _CheckedDeal:
    errors = _Errors()
    kind = None
    try:
        kind = DealKind((data.kind or "").strip())
    except ValueError:
        errors.add("kind", _l("Pilih jenis transaksi."))

    producer_id = _id(data.producer_id)
    if not (data.producer_id or "").strip():
        errors.add("producer_id", _l("Pilih produsen Jawa Timur."))
    elif producer_id is None or session.scalar(select(MissionProducer.id).where(
            MissionProducer.mission_id == mission.id, MissionProducer.producer_id == producer_id)) is None:
        errors.add("producer_id", _l("Produsen ini bukan peserta misi dagang ini."))

    partner = None
    new_name = _text(errors, "new_partner", data.new_partner, 160)
    raw_partner = (data.partner_id or "").strip()
    if raw_partner:
        pid = _id(raw_partner)
        partner = session.get(MissionPartner, pid) if pid is not None else None
        if partner is None or partner.mission_id != mission.id:
            errors.add("partner_id", _l("Mitra ini bukan mitra misi dagang ini."))
            partner = None
        elif new_name and sort_key(new_name) != partner.name_key:
            errors.add("new_partner", _l("Pilih mitra dari daftar atau tulis mitra baru, bukan keduanya."))
    elif new_name:
        key = sort_key(new_name)
        if not key:
            errors.add("new_partner", _l("Nama harus memuat huruf atau angka."))
        else:
            partner = _partner_by_key(session, mission.id, key)  # already known: the same one
    else:
        errors.add("partner_id", _l("Pilih mitra atau tulis nama mitra baru."))

    commodity = _text(errors, "commodity", data.commodity, 120, required=True)
    if commodity and not sort_key(commodity):
        errors.add("commodity", _l("Nama komoditas harus memuat huruf atau angka."))
    quantity = parse_quantity(errors, "quantity", data.quantity, required=kind is not DealKind.INVESTMENT)
    unit = _text(errors, "unit", data.unit, 20, required=quantity is not None)
    if unit and quantity is None and "quantity" not in errors.by_field:
        errors.add("quantity", _l("Isi jumlahnya juga, atau kosongkan satuannya."))
    value = parse_deal_value(errors, "value", data.value)

    occurred = None
    if not (data.occurred_at or "").strip():
        errors.add("occurred_at", REQUIRED)
    else:
        local = parse_local_datetime(data.occurred_at)
        if local is None:
            errors.add("occurred_at", _l("Tulis waktu sebagai tanggal dan jam, misalnya 2026-11-24 10:30."))
        elif not mission.starts_on <= local.date() <= mission.ends_on:
            errors.add("occurred_at", _l("Waktu transaksi harus di antara %(start)s dan %(end)s (WIB).",
                                         start=mission.starts_on.isoformat(), end=mission.ends_on.isoformat()))
        elif local_to_utc(local) > now + FUTURE_SLACK:
            errors.add("occurred_at", _l("Waktu transaksi belum terjadi: periksa jam dan tanggalnya."))
        else:
            occurred = local_to_utc(local)
    errors.raise_if_any()
    return _CheckedDeal(kind=kind, producer_id=producer_id, partner=partner,
                        new_partner_name="" if partner else new_name, commodity=commodity,
                        quantity=quantity, unit=unit if quantity is not None else "", value=value,
                        occurred_at=occurred)


def _write_deal(session: Session, mission: TradeMission, checked: _CheckedDeal, *, actor_id: int,
                now: datetime, replaces_id: int | None = None) -> Deal:
    partner = checked.partner
    if partner is None:
        partner = MissionPartner(mission_id=mission.id, name=checked.new_partner_name,
                                 name_key=sort_key(checked.new_partner_name), city=mission.partner_city,
                                 added_by_id=actor_id, created_at=now)
        session.add(partner)
        session.flush()
    deal = Deal(mission_id=mission.id, kind=checked.kind, producer_id=checked.producer_id,
                partner_id=partner.id, commodity=checked.commodity,
                commodity_key=sort_key(checked.commodity), quantity=checked.quantity,
                unit=checked.unit, value=checked.value, occurred_at=checked.occurred_at,
                replaces_id=replaces_id, recorded_by_id=actor_id, created_at=now)
    session.add(deal)
    session.flush()
    return deal


def record_deal(session: Session, mission: TradeMission, *, data: DealInput, actor_id: int,
                now: datetime) -> Deal:
    _require_open(mission)
    checked = _check_deal(session, mission, data, now=now)
    return _write_deal(session, mission, checked, actor_id=actor_id, now=now)


def is_voided(session: Session, deal: Deal) -> bool:
    return (session.scalar(select(DealVoid.id).where(DealVoid.deal_id == deal.id)) is not None
            or session.scalar(select(Deal.id).where(Deal.replaces_id == deal.id)) is not None)


def _require_live(session: Session, mission: TradeMission, deal: Deal, field_name: str) -> None:
    if is_voided(session, deal):
        raise MissionError({field_name: [_l("Transaksi #%(id)s sudah dibatalkan atau dikoreksi.", id=deal.id)]})


def correct_deal(session: Session, mission: TradeMission, deal: Deal, *, data: DealInput,
                 reason: str, actor_id: int, now: datetime) -> Deal:
    """A new deal with the right details that voids ``deal`` (never edited in place)."""
    _require_open(mission)
    _require_live(session, mission, deal, "")
    errors = _Errors()
    why = _text(errors, "reason", reason, 500)
    try:
        checked = _check_deal(session, mission, data, now=now)
    except MissionError as exc:
        errors.by_field.update(exc.errors)
    errors.raise_if_any()
    new = _write_deal(session, mission, checked, actor_id=actor_id, now=now, replaces_id=deal.id)
    session.add(DealVoid(deal_id=deal.id, reason=why, actor_id=actor_id, created_at=now))
    session.flush()
    return new


def void_deal(session: Session, mission: TradeMission, deal: Deal, *, reason: str, actor_id: int,
              now: datetime) -> DealVoid:
    _require_open(mission)
    _require_live(session, mission, deal, "")
    errors = _Errors()
    why = _text(errors, "reason", reason, 500, required=True)
    errors.raise_if_any()
    row = DealVoid(deal_id=deal.id, reason=why, actor_id=actor_id, created_at=now)
    session.add(row)
    session.flush()
    return row


def deal_input_from(deal: Deal) -> DealInput:
    """A deal's details as the form shows them, to start a correction from."""
    local = utc_to_local(deal.occurred_at)
    return DealInput(kind=deal.kind.value, producer_id=str(deal.producer_id), partner_id=str(deal.partner_id),
                     commodity=deal.commodity, quantity=_thousands(deal.quantity) if deal.quantity else "",
                     unit=deal.unit, value=_thousands(deal.value),
                     occurred_at=local.strftime("%Y-%m-%dT%H:%M"))


def mission_deal(session: Session, mission: TradeMission, deal_id: int) -> Deal | None:
    deal = session.get(Deal, deal_id)
    return deal if deal is not None and deal.mission_id == mission.id else None


# --------------------------------------------------------------------------------------
# Figures


def _not_voided():
    replacer = aliased(Deal)
    return and_(~exists().where(DealVoid.deal_id == Deal.id),
                ~exists().where(replacer.replaces_id == Deal.id))


def live_deals(mission_id: int):
    """The WHERE clause of every figure: this mission's deals, neither voided nor replaced.

    A correction writes a DealVoid row too; the second test makes a replaced deal count
    as voided even without one."""
    return and_(Deal.mission_id == mission_id, _not_voided())


def totals_by_mission(session: Session, mission_ids: list[int]) -> dict[int, tuple[int, int]]:
    """(value, deals) of live deals per mission, for the public list."""
    if not mission_ids:
        return {}
    rows = session.execute(
        select(Deal.mission_id, func.sum(Deal.value), func.count(Deal.id))
        .where(Deal.mission_id.in_(mission_ids), _not_voided()).group_by(Deal.mission_id)).all()
    return {mid: (int(value), count) for mid, value, count in rows}


def _pct(part: int, whole: int) -> int:
    """Rounded whole percent, half up, in integers (no float drift on big rupiah sums)."""
    return (200 * part + whole) // (2 * whole) if whole else 0


@dataclass
class KindFigure:
    kind: DealKind
    label: str
    value: int
    count: int
    share_pct: int


@dataclass
class CommodityFigure:
    name: str
    value: int
    count: int
    share_pct: int
    bar_pct: int  # against the largest commodity, for the bars


@dataclass
class Tally:
    total_value: int
    deal_count: int
    kinds: list[KindFigure]
    commodities: list[CommodityFigure]
    commodity_count: int
    target_value: int | None = None
    target_pct: int | None = None


def _commodities(session: Session, mission_id: int, total: int, limit: int | None) -> tuple[list[CommodityFigure], int]:
    total_sum = func.sum(Deal.value)
    rows = session.execute(
        select(Deal.commodity_key, total_sum, func.count(Deal.id), func.min(Deal.id))
        .where(live_deals(mission_id)).group_by(Deal.commodity_key)
        .order_by(total_sum.desc(), Deal.commodity_key)
    ).all()
    shown = rows if limit is None else rows[:limit]
    # Each commodity is named as its first deal spelled it, on every database alike.
    names = dict(session.execute(
        select(Deal.id, Deal.commodity).where(Deal.id.in_([r[3] for r in shown]))).all()) if shown else {}
    top = int(shown[0][1]) if shown else 0
    return [CommodityFigure(name=names[first], value=int(value), count=count,
                            share_pct=_pct(int(value), total), bar_pct=_pct(int(value), top))
            for _key, value, count, first in shown], len(rows)


def tally(session: Session, mission: TradeMission, *, top: int | None = TOP_COMMODITIES) -> Tally:
    live = live_deals(mission.id)
    total, count = session.execute(
        select(func.coalesce(func.sum(Deal.value), 0), func.count(Deal.id)).where(live)).one()
    total = int(total)
    by_kind = {kind: (int(value), n) for kind, value, n in session.execute(
        select(Deal.kind, func.sum(Deal.value), func.count(Deal.id)).where(live).group_by(Deal.kind))}
    kinds = [KindFigure(kind=kind, label=str(DEAL_KIND_LABELS[kind]), value=by_kind.get(kind, (0, 0))[0],
                        count=by_kind.get(kind, (0, 0))[1], share_pct=_pct(by_kind.get(kind, (0, 0))[0], total))
             for kind in DealKind]
    commodities, commodity_count = _commodities(session, mission.id, total, top)
    target = mission.target_value
    return Tally(total_value=total, deal_count=count, kinds=kinds, commodities=commodities,
                 commodity_count=commodity_count, target_value=target,
                 target_pct=_pct(total, target) if target else None)


def tally_json(result: Tally) -> dict:
    """What the big screen's script reads: numbers, and the same numbers as people read
    them (formatted here, once, in the request's language)."""
    return {
        "total_value": result.total_value,
        "total_value_text": format_rupiah(result.total_value),
        "deal_count": result.deal_count,
        "deal_count_text": _thousands(result.deal_count),
        "target_value": result.target_value,
        "target_pct": result.target_pct,
        "kinds": [{"kind": k.kind.value, "label": k.label, "value": k.value,
                   "value_text": format_rupiah(k.value), "count": k.count, "share_pct": k.share_pct}
                  for k in result.kinds],
        "commodities": [{"name": c.name, "value": c.value, "value_text": format_rupiah(c.value),
                         "count": c.count, "share_pct": c.share_pct, "bar_pct": c.bar_pct}
                        for c in result.commodities],
        "commodity_count": result.commodity_count,
    }


@dataclass
class ProducerFigure:
    producer: Producer
    value: int
    count: int


@dataclass
class PartnerFigure:
    partner: MissionPartner
    value: int
    count: int


@dataclass
class Summary:
    tally: Tally
    producers: list[ProducerFigure] = field(default_factory=list)
    partners: list[PartnerFigure] = field(default_factory=list)


def summary(session: Session, mission: TradeMission) -> Summary:
    """Every commodity, and each participant and partner with what it signed (zero too)."""
    live = live_deals(mission.id)
    by_producer = {pid: (int(v), n) for pid, v, n in session.execute(
        select(Deal.producer_id, func.sum(Deal.value), func.count(Deal.id)).where(live).group_by(Deal.producer_id))}
    by_partner = {pid: (int(v), n) for pid, v, n in session.execute(
        select(Deal.partner_id, func.sum(Deal.value), func.count(Deal.id)).where(live).group_by(Deal.partner_id))}
    producers = [ProducerFigure(p.producer, *by_producer.get(p.producer_id, (0, 0))) for p in mission.participants]
    producers.sort(key=lambda f: (-f.value, sort_key(f.producer.name), f.producer.id))
    partners = [PartnerFigure(p, *by_partner.get(p.id, (0, 0))) for p in mission.partners]
    partners.sort(key=lambda f: (-f.value, f.partner.name_key, f.partner.id))
    return Summary(tally=tally(session, mission, top=None), producers=producers, partners=partners)


# --------------------------------------------------------------------------------------
# Lists


@dataclass
class DeskRow:
    deal: Deal
    void: DealVoid | None
    replaced_by_id: int | None
    occurred_local: datetime

    @property
    def is_voided(self) -> bool:
        return self.void is not None or self.replaced_by_id is not None


DESK_ROWS = 200


def desk_rows(session: Session, mission: TradeMission, limit: int = DESK_ROWS) -> list[DeskRow]:
    """The mission's deals, newest first, voided ones too (struck through on the desk)."""
    replacer = aliased(Deal)
    rows = session.execute(
        select(Deal, DealVoid, replacer.id)
        .outerjoin(DealVoid, DealVoid.deal_id == Deal.id)
        .outerjoin(replacer, replacer.replaces_id == Deal.id)
        .where(Deal.mission_id == mission.id)
        .order_by(Deal.occurred_at.desc(), Deal.id.desc()).limit(limit)
    ).all()
    return [DeskRow(deal, void, replaced, utc_to_local(deal.occurred_at)) for deal, void, replaced in rows]


def deal_count(session: Session, mission: TradeMission) -> int:
    return session.scalar(select(func.count(Deal.id)).where(Deal.mission_id == mission.id)) or 0


def csv_rows(session: Session, mission: TradeMission) -> list[Deal]:
    """Live deals in the order they happened."""
    return list(session.execute(
        select(Deal).where(live_deals(mission.id)).order_by(Deal.occurred_at, Deal.id)).scalars())


def public_missions(session: Session) -> list[TradeMission]:
    return list(session.execute(
        select(TradeMission).where(TradeMission.status.in_([MissionStatus.PUBLISHED, MissionStatus.CLOSED]))
        .order_by(TradeMission.starts_on.desc(), TradeMission.id.desc())).scalars())


def all_missions(session: Session) -> list[TradeMission]:
    return list(session.execute(
        select(TradeMission).order_by(TradeMission.starts_on.desc(), TradeMission.id.desc())).scalars())


def mission_by_slug(session: Session, slug: str) -> TradeMission | None:
    return session.execute(select(TradeMission).where(TradeMission.slug == slug)).scalar_one_or_none()
