"""What shipping costs: billable weight, the zone between two places, quotes from the rate table.

A producer's shipment is priced as its weight rounded up to whole kilograms (couriers
bill every started kilogram, and never less than one) times the courier's price per kg
for the zone. Zones go from near to far: the same kabupaten/kota, both ends in Jawa
Timur, both on Java, anything else. The rate table (``shipping_rates``) is data, so
admins change prices and delivery days at /admin/ongkir without a deploy; each change
is written to the ``opopmart.checkout.shipping`` log (who, which rate, from what to what).

Everything here reads only what it is given and the rate table: no request, no user.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core.money import format_rupiah, parse_rupiah
from ..regions.models import JAWA_TIMUR
from .models import COURIER_LABELS, ZONE_LABELS, Courier, ShippingRate, Zone

log = logging.getLogger(__name__)

GRAMS_PER_KG = 1000
# Kemendagri province codes of the island of Java: DKI Jakarta, Jawa Barat, Jawa Tengah,
# DI Yogyakarta, Jawa Timur, Banten.
JAVA_PROVINCES = frozenset({"31", "32", "33", "34", "35", "36"})

# Limits of the admin's rate table: a price per kg above Rp 10 juta or a delivery time
# above two months is a typing slip, not a rate.
MAX_PRICE_PER_KG = 10_000_000
MAX_ETD_DAYS = 60

_COURIER_ORDER = {courier: index for index, courier in enumerate(Courier)}
_ZONE_ORDER = {zone: index for index, zone in enumerate(Zone)}


# -- Weight and zone ------------------------------------------------------------------


def billable_kg(weight_grams: int) -> int:
    """Grams rounded up to whole kilograms, at least 1: 1 g -> 1, 1000 -> 1, 1001 -> 2."""
    if isinstance(weight_grams, bool) or not isinstance(weight_grams, int):
        raise TypeError("weights are whole grams")
    if weight_grams < 0:
        raise ValueError("a weight cannot be negative")
    return max(1, -(-weight_grams // GRAMS_PER_KG))


def province_of(region_code: str) -> str:
    """``"35.78"`` -> ``"35"``: a Kemendagri code starts with its province's."""
    return region_code.split(".", 1)[0]


def zone_for(origin_region_code: str, dest_region_code: str | None, dest_province_code: str) -> Zone:
    """The zone from a producer's kabupaten/kota to a destination.

    The destination's kabupaten/kota may be unknown (``None``: a city the regions table
    does not hold, typed by the shopper); it then cannot be the same city as any
    producer, whose region always comes from the table.
    """
    if not origin_region_code or not dest_province_code:
        raise ValueError("origin region and destination province are required")
    if dest_region_code and province_of(dest_region_code) != dest_province_code:
        raise ValueError(f"region {dest_region_code} is not in province {dest_province_code}")
    origin_province = province_of(origin_region_code)
    if dest_region_code and dest_region_code == origin_region_code:
        return Zone.SAME_CITY
    if origin_province == JAWA_TIMUR and dest_province_code == JAWA_TIMUR:
        return Zone.JAWA_TIMUR
    if origin_province in JAVA_PROVINCES and dest_province_code in JAVA_PROVINCES:
        return Zone.JAVA
    return Zone.OUTSIDE_JAVA


# -- Quotes ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Quote:
    """One courier's price for one shipment; ``cost`` is integer rupiah."""

    courier: Courier
    zone: Zone
    billable_kg: int
    cost: int
    etd_min_days: int
    etd_max_days: int

    @property
    def courier_label(self) -> str:
        return COURIER_LABELS[self.courier]


def _quote(rate: ShippingRate, kg: int) -> Quote:
    return Quote(courier=rate.courier, zone=rate.zone, billable_kg=kg, cost=kg * rate.price_per_kg,
                 etd_min_days=rate.etd_min_days, etd_max_days=rate.etd_max_days)


def quotes(session: Session, *, origin_region_code: str, dest_region_code: str | None,
           dest_province_code: str, weight_grams: int) -> list[Quote]:
    """Every active courier's quote for the zone, cheapest first (then fastest, then by courier)."""
    zone = zone_for(origin_region_code, dest_region_code, dest_province_code)
    kg = billable_kg(weight_grams)
    rates = session.execute(
        select(ShippingRate).where(ShippingRate.zone == zone, ShippingRate.is_active.is_(True))
    ).scalars()
    found = [_quote(rate, kg) for rate in rates]
    return sorted(found, key=lambda q: (q.cost, q.etd_max_days, _COURIER_ORDER[q.courier]))


def quote_for(session: Session, *, courier: Courier | str, origin_region_code: str,
              dest_region_code: str | None, dest_province_code: str, weight_grams: int) -> Quote | None:
    """The quote of one courier; None when it has no active rate for the zone.

    ``courier`` may be what a form sent: an unknown value is simply no quote, so a
    tampered choice ends as "choose a courier", never as an error page.
    """
    try:
        courier = Courier(courier)
    except ValueError:
        return None
    zone = zone_for(origin_region_code, dest_region_code, dest_province_code)
    kg = billable_kg(weight_grams)
    rate = session.execute(
        select(ShippingRate).where(ShippingRate.zone == zone, ShippingRate.courier == courier,
                                   ShippingRate.is_active.is_(True))
    ).scalar_one_or_none()
    return _quote(rate, kg) if rate is not None else None


# -- The admin's rate table -------------------------------------------------------------


class RateError(ValueError):
    """Messages per form field name (``jne-java-price``; ``""`` for the table); nothing was written."""

    def __init__(self, errors: dict[str, list]):
        super().__init__("; ".join(f"{k}: {[str(m) for m in v]}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class RateInput:
    """One row of the admin's form, as typed."""

    price_per_kg: str = ""
    etd_min_days: str = ""
    etd_max_days: str = ""
    is_active: bool = False


@dataclass(frozen=True)
class RateChange:
    courier: Courier
    zone: Zone
    before: dict
    after: dict


RATE_PARTS = ("price_per_kg", "etd_min_days", "etd_max_days", "is_active")


def rate_field(courier: Courier | str, zone: Zone | str, part: str) -> str:
    """The form field name of one cell: ``jne-jawa_timur-price_per_kg``."""
    return f"{Courier(courier).value}-{Zone(zone).value}-{part}"


def all_rates(session: Session) -> list[ShippingRate]:
    """The table in display order: zone near to far, then courier."""
    rates = session.execute(select(ShippingRate)).scalars().all()
    return sorted(rates, key=lambda r: (_ZONE_ORDER[r.zone], _COURIER_ORDER[r.courier]))


def _days(errors: dict, name: str, raw: str) -> int | None:
    text = (raw or "").strip()
    if not text:
        errors.setdefault(name, []).append(_l("Wajib diisi."))
        return None
    if not text.isascii() or not text.isdigit() or len(text) > 3 or int(text) > MAX_ETD_DAYS:
        errors.setdefault(name, []).append(
            _l("Tulis jumlah hari 0 sampai %(max)s.", max=MAX_ETD_DAYS))
        return None
    return int(text)


def _state(rate: ShippingRate) -> dict:
    return {"price_per_kg": rate.price_per_kg, "etd_min_days": rate.etd_min_days,
            "etd_max_days": rate.etd_max_days, "is_active": rate.is_active}


def update_rates(session: Session, inputs: Mapping[tuple[Courier, Zone], RateInput]) -> list[RateChange]:
    """Apply the whole table at once: every cell is checked first, then written.

    A row of the table with no input counts as an empty row (refused), so a form that
    lost a row never zeroes a rate silently. Each zone keeps at least one active
    courier, or checkout could not ship there at all. Returns what changed, for
    ``log_rate_changes`` once the view has committed (a log line must not claim a change
    that was rolled back).
    """
    errors: dict[str, list] = {}
    rates = all_rates(session)
    planned: list[tuple[ShippingRate, dict]] = []
    active_per_zone: dict[Zone, int] = {}
    for rate in rates:
        given = inputs.get((rate.courier, rate.zone)) or RateInput()

        def name(part: str, rate: ShippingRate = rate) -> str:
            return rate_field(rate.courier, rate.zone, part)

        price = parse_rupiah(given.price_per_kg)
        if not (given.price_per_kg or "").strip():
            errors.setdefault(name("price_per_kg"), []).append(_l("Wajib diisi."))
        elif price is None:
            errors.setdefault(name("price_per_kg"), []).append(
                _l("Tulis harga dalam rupiah, misalnya 11.000."))
        elif not 0 < price <= MAX_PRICE_PER_KG:
            errors.setdefault(name("price_per_kg"), []).append(
                _l("Harga per kg harus lebih dari Rp 0 dan paling banyak %(max)s.",
                   max=format_rupiah(MAX_PRICE_PER_KG)))
        etd_min = _days(errors, name("etd_min_days"), given.etd_min_days)
        etd_max = _days(errors, name("etd_max_days"), given.etd_max_days)
        if etd_min is not None and etd_max is not None and etd_max < etd_min:
            errors.setdefault(name("etd_max_days"), []).append(
                _l("Hari maks. tidak boleh kurang dari hari min."))
        if given.is_active:
            active_per_zone[rate.zone] = active_per_zone.get(rate.zone, 0) + 1
        planned.append((rate, {"price_per_kg": price, "etd_min_days": etd_min,
                               "etd_max_days": etd_max, "is_active": bool(given.is_active)}))
    for zone in sorted({r.zone for r in rates}, key=_ZONE_ORDER.get):
        if not active_per_zone.get(zone):
            errors.setdefault("", []).append(
                _l("Zona %(zone)s perlu sedikitnya satu kurir aktif.", zone=ZONE_LABELS[zone]))
    if errors:
        raise RateError(errors)

    changes: list[RateChange] = []
    for rate, after in planned:
        before = _state(rate)
        if before == after:
            continue
        for part in RATE_PARTS:
            setattr(rate, part, after[part])
        changes.append(RateChange(rate.courier, rate.zone, before, after))
    session.flush()
    return changes


def log_rate_changes(changes: list[RateChange], *, actor_id: int) -> None:
    """One line per changed rate: who, which rate, from what to what (the audit trail).

    Rates have no event table; the app log is their record, e.g.
    ``shipping rate jne/java changed by user 7: price_per_kg 17000 -> 18000``.
    """
    for change in changes:
        diff = ", ".join(f"{part} {change.before[part]!r} -> {change.after[part]!r}"
                         for part in RATE_PARTS if change.before[part] != change.after[part])
        log.info("shipping rate %s/%s changed by user %s: %s",
                 change.courier.value, change.zone.value, actor_id, diff)
