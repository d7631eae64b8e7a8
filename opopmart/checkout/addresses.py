"""A shopper's address book: where orders go.

Services take explicit arguments (never ``current_user`` or ``request``), check every
field before writing anything, flush and leave the commit to the view. Bad input raises
``AddressError`` with messages per form field name, so each one shows next to its field.

Every read of an address goes through ``owned_address``: someone else's address is
simply not found (the view answers 404), never "forbidden".

The kabupaten/kota: the regions table knows every one of Jawa Timur (38) and a few large
cities elsewhere. Where the table is complete (Jawa Timur) a shopper must pick from it,
so the shipping zone (same kabupaten/kota as the producer, or not) is always exact.
Elsewhere the shopper picks a known city or types the name, because requiring a choice
from a partial list would leave, say, Bekasi unable to order. A typed name that matches
exactly one known city of the province is linked to it, so a shopper who typed
"Bandung" still gets the same-city rate from a producer in Kota Bandung. A typed city
the table does not know keeps ``region_code`` NULL; producers' cities always come from
the table, so such an address is never in a producer's own city, which is true.

Exactly one address of a shopper who has any is the default (the first one becomes it;
choosing another unsets the rest; deleting it passes the role to the newest remaining).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..accounts.services import AccountError, normalize_phone
from ..regions.models import JAWA_TIMUR, Region, RegionKind
from .models import Address

MAX_ADDRESSES = 20
LABEL_MAX = 40
RECIPIENT_MAX = 120
STREET_MAX = 500
VILLAGE_MAX = 80
DISTRICT_MAX = 80
CITY_MAX = 80

# Provinces whose every kabupaten/kota is in the regions table: there the shopper must
# choose one. Elsewhere the table holds only some cities, so a typed name is allowed.
COMPLETE_PROVINCES = frozenset({JAWA_TIMUR})

REQUIRED = _l("Wajib diisi.")
_POSTAL = re.compile(r"^[0-9]{5}$")

SNAPSHOT_FIELDS = ("recipient", "phone", "street", "village", "district", "region_code",
                   "city_name", "province_code", "postal_code")


class AddressError(ValueError):
    """Messages per form field name (``""`` for the form as a whole); nothing was written."""

    def __init__(self, errors: dict[str, list]):
        super().__init__("; ".join(f"{k}: {[str(m) for m in v]}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class AddressInput:
    """An address as typed into the form (every value a string, possibly empty)."""

    recipient: str = ""
    phone: str = ""
    street: str = ""
    village: str = ""
    district: str = ""
    province_code: str = ""
    region_code: str = ""
    city_name: str = ""  # typed, for a kabupaten/kota the table does not hold
    postal_code: str = ""
    label: str = ""


@dataclass(frozen=True)
class CleanAddress:
    """What ``check_address`` accepted: the values an Address row takes."""

    label: str
    recipient: str
    phone: str
    street: str
    village: str
    district: str
    province_code: str
    region_code: str | None
    city_name: str
    postal_code: str


def _one_line(raw: str | None) -> str:
    return " ".join((raw or "").split())


def _street(raw: str | None) -> str:
    """Keep the shopper's line breaks (RT/RW on its own line), drop blank lines and runs of spaces."""
    lines = (" ".join(line.split()) for line in (raw or "").replace("\r\n", "\n").split("\n"))
    return "\n".join(line for line in lines if line)


def _text(errors: dict, name: str, value: str, max_len: int, required: bool = True) -> str:
    if required and not value:
        errors.setdefault(name, []).append(REQUIRED)
    elif len(value) > max_len:
        errors.setdefault(name, []).append(_l("Paling banyak %(n)s karakter.", n=max_len))
    return value


_KIND_PREFIXES = (("kabupaten ", RegionKind.KABUPATEN), ("kab. ", RegionKind.KABUPATEN),
                  ("kab ", RegionKind.KABUPATEN), ("kota ", RegionKind.KOTA))


def _match_city(session: Session, province_code: str, typed: str) -> Region | None:
    """The one kabupaten/kota of the province whose name the shopper typed, if exactly one.

    "Bandung" and "Kota Bandung" match Kota Bandung; "Kab. Malang" matches Kab. Malang;
    a bare "Malang" matches both Kab. Malang and Kota Malang, so it matches neither.
    """
    wanted, kind = typed.casefold(), None
    for prefix, prefix_kind in _KIND_PREFIXES:
        if wanted.startswith(prefix):
            wanted, kind = wanted.removeprefix(prefix).strip(), prefix_kind
            break
    regions = session.execute(
        select(Region).where(Region.province_code == province_code, Region.kind != RegionKind.PROVINSI)
    ).scalars().all()
    found = [r for r in regions if r.name.casefold() == wanted and kind in (None, r.kind)]
    return found[0] if len(found) == 1 else None


def _has_cities(session: Session, province_code: str) -> bool:
    return session.execute(
        select(Region.code).where(Region.province_code == province_code,
                                  Region.kind != RegionKind.PROVINSI).limit(1)
    ).first() is not None


def check_address(session: Session, data: AddressInput) -> CleanAddress:
    """Every rule of an address; AddressError with every message at once."""
    errors: dict[str, list] = {}
    label = _text(errors, "label", _one_line(data.label), LABEL_MAX, required=False)
    recipient = _text(errors, "recipient", _one_line(data.recipient), RECIPIENT_MAX)
    phone = ""
    try:
        phone = normalize_phone(data.phone)
    except AccountError as exc:
        errors.setdefault("phone", []).append(exc.message)
    street = _text(errors, "street", _street(data.street), STREET_MAX)
    village = _text(errors, "village", _one_line(data.village), VILLAGE_MAX)
    district = _text(errors, "district", _one_line(data.district), DISTRICT_MAX)

    province_code = (data.province_code or "").strip()[:5]
    region_code_raw = (data.region_code or "").strip()[:5]
    region = session.get(Region, region_code_raw) if region_code_raw else None
    if region_code_raw and (region is None or region.kind is RegionKind.PROVINSI):
        errors.setdefault("region_code", []).append(_l("Pilih kabupaten/kota dari daftar."))
        region = None
    if not province_code and region is not None:
        province_code = region.province_code  # chose a city and forgot the province
    province = session.get(Region, province_code) if province_code else None
    if not province_code:
        errors.setdefault("province_code", []).append(_l("Pilih provinsi."))
    elif province is None or province.kind is not RegionKind.PROVINSI:
        errors.setdefault("province_code", []).append(_l("Pilih provinsi dari daftar."))
        province = None

    region_code: str | None = None
    city_name = ""
    typed_city = _one_line(data.city_name)
    if province is not None:
        if region is not None:
            if region.province_code != province.code:
                errors.setdefault("region_code", []).append(
                    _l("Kabupaten/kota ini tidak ada di provinsi %(province)s.", province=province.name))
            else:
                region_code, city_name = region.code, region.display_name
        elif not region_code_raw:
            matched = _match_city(session, province.code, typed_city) if typed_city else None
            if matched is not None:
                region_code, city_name = matched.code, matched.display_name
            elif province.code in COMPLETE_PROVINCES:
                errors.setdefault("region_code", []).append(
                    _l("Pilih kabupaten/kota di %(province)s dari daftar.", province=province.name))
            elif not typed_city:
                errors.setdefault("city_name", []).append(
                    _l("Pilih kabupaten/kota dari daftar atau tulis namanya.")
                    if _has_cities(session, province.code) else _l("Tulis nama kabupaten/kota."))
            else:
                city_name = _text(errors, "city_name", typed_city, CITY_MAX)

    postal_code = "".join((data.postal_code or "").split())
    if not postal_code:
        errors.setdefault("postal_code", []).append(REQUIRED)
    elif not (postal_code.isascii() and _POSTAL.match(postal_code)):
        errors.setdefault("postal_code", []).append(_l("Kode pos terdiri dari 5 angka."))

    if errors:
        raise AddressError(errors)
    return CleanAddress(label=label, recipient=recipient, phone=phone, street=street, village=village,
                        district=district, province_code=province.code, region_code=region_code,
                        city_name=city_name, postal_code=postal_code)


# -- Reading ------------------------------------------------------------------------------


def owned_address(session: Session, user_id: int, address_id: int) -> Address | None:
    """The user's address with that id; None for anyone else's (or no such address)."""
    return session.execute(
        select(Address).where(Address.id == address_id, Address.user_id == user_id)
    ).scalar_one_or_none()


def user_addresses(session: Session, user_id: int) -> list[Address]:
    """The default first, then the newest."""
    return list(session.execute(
        select(Address).where(Address.user_id == user_id)
        .order_by(Address.is_default.desc(), Address.created_at.desc(), Address.id.desc())
    ).scalars())


def default_address(session: Session, user_id: int) -> Address | None:
    return session.execute(
        select(Address).where(Address.user_id == user_id, Address.is_default.is_(True))
        .order_by(Address.id).limit(1)
    ).scalar_one_or_none()


def count_addresses(session: Session, user_id: int) -> int:
    return session.execute(
        select(func.count()).select_from(Address).where(Address.user_id == user_id)
    ).scalar_one()


def address_snapshot(address: Address) -> dict:
    """The fields an order copies, so later edits of the address book never move an order."""
    return {name: getattr(address, name) for name in SNAPSHOT_FIELDS}


def one_line(address: Address) -> str:
    """The address on one line, for lists and order summaries."""
    province = address.province.name if address.province is not None else address.province_code
    parts = [address.street.replace("\n", ", "), address.village, f"Kec. {address.district}",
             address.city_name, province, address.postal_code]
    return ", ".join(p for p in parts if p)


# -- Writing ------------------------------------------------------------------------------


def _lock_owner(session: Session, user_id: int) -> None:
    """Serialise one shopper's address-book writes (the 20 limit, the single default).

    PostgreSQL locks the user's row until commit; SQLite has one writer at a time anyway.
    """
    session.execute(select(User.id).where(User.id == user_id).with_for_update())


def _unset_other_defaults(session: Session, user_id: int, keep_id: int) -> None:
    session.execute(
        update(Address).where(Address.user_id == user_id, Address.id != keep_id,
                              Address.is_default.is_(True))
        .values(is_default=False).execution_options(synchronize_session="fetch")
    )


def _apply(address: Address, clean: CleanAddress) -> None:
    for name, value in vars(clean).items():
        setattr(address, name, value)


def create_address(session: Session, *, user_id: int, data: AddressInput,
                   make_default: bool = False) -> Address:
    """A new address; the first one (or one asked to be) becomes the default."""
    clean = check_address(session, data)
    _lock_owner(session, user_id)
    existing = count_addresses(session, user_id)
    if existing >= MAX_ADDRESSES:
        raise AddressError({"": [_l("Paling banyak %(n)s alamat. Hapus alamat yang tidak dipakai lagi.",
                                    n=MAX_ADDRESSES)]})
    address = Address(user_id=user_id, is_default=make_default or existing == 0)
    _apply(address, clean)
    session.add(address)
    session.flush()
    if address.is_default:
        _unset_other_defaults(session, user_id, address.id)
    return address


def update_address(session: Session, address: Address, data: AddressInput, *,
                   make_default: bool = False) -> Address:
    """Change an address (from ``owned_address``). Unticking "default" does nothing:
    another address becomes the default only by being chosen."""
    clean = check_address(session, data)
    _lock_owner(session, address.user_id)
    _apply(address, clean)
    if make_default and not address.is_default:
        address.is_default = True
        session.flush()
        _unset_other_defaults(session, address.user_id, address.id)
    session.flush()
    return address


def set_default_address(session: Session, address: Address) -> None:
    """Make ``address`` (from ``owned_address``) the default and no other."""
    _lock_owner(session, address.user_id)
    if not address.is_default:
        address.is_default = True
        session.flush()
    _unset_other_defaults(session, address.user_id, address.id)
    session.flush()


def delete_address(session: Session, address: Address) -> Address | None:
    """Delete ``address`` (from ``owned_address``). Orders keep their own copy.

    When it was the default, the newest remaining address takes over; returns that one
    (None when it was not the default or nothing remains).
    """
    user_id, was_default = address.user_id, address.is_default
    _lock_owner(session, user_id)
    session.delete(address)
    session.flush()
    if not was_default:
        return None
    successor = session.execute(
        select(Address).where(Address.user_id == user_id)
        .order_by(Address.created_at.desc(), Address.id.desc()).limit(1)
    ).scalar_one_or_none()
    if successor is not None:
        successor.is_default = True
        session.flush()
    return successor
