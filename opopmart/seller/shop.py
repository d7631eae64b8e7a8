"""Running a shop from the studio: its details and logo, its staff, pending invitations
and its brands (merek).

Same conventions as seller.services: explicit arguments, every check before any write,
flush and never commit, ``SellerError`` with messages per form field. A row that is not
this shop's (a member, an invitation, a brand) raises ``LookupError``: the view's 404,
exactly as for an id that does not exist.

Public pages are cached per catalogue version (core.cache), so every write here that a
shopper can see (a shop's name, address, description or logo; a brand's name or DJKI
number) bumps the version in the same transaction.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from ..accounts.models import MemberRole, ProducerMember, User
from ..catalogue.certificates import check_certificate
from ..catalogue.models import Brand, CertType, Producer, Product, ProductImage, ProductStatus
from ..core.media import StoredImage, media_files
from ..core.models import bump_version
from ..core.timeutil import utcnow
from .models import ProducerInvite
from .services import SellerError, ShopApplication, ShopValues, _clean, _Errors, _text, check_shop, member_role

log = logging.getLogger(__name__)

# Facts a curator checked when verifying the shop: after that only a curator changes them.
LEGAL_FIELDS = ("kind", "pesantren_name", "koperasi_name", "nib", "region_code")
LEGAL_LOCKED = _l("Data legal toko terverifikasi hanya bisa diubah lewat kurator")
OWNER_ONLY = _l("Hanya pemilik toko yang bisa melakukan ini.")
BRAND_NAME_MAX = 80
DJKI_MAX = 20  # brands.djki_number
BRAND_RENAME_REFUSED = _l(
    "Merek ini dipakai produk yang sudah tayang: namanya bagian dari isi yang dikurasi dan "
    "tidak bisa diubah di sini. Nomor DJKI tetap bisa diisi atau diperbaiki."
)


def _require_owner(session: Session, producer: Producer, user_id: int) -> None:
    """Views answer 403 first; this keeps the rule true for any other caller."""
    if member_role(session, user_id, producer.id) is not MemberRole.OWNER:
        raise SellerError({"": [OWNER_ONLY]})


# --------------------------------------------------------------------------------------
# Shop details and logo


@dataclass
class ShopDetails:
    """What the edit form sends. A legal fact is None when the form did not send it: a
    verified shop shows those as text, so "not sent" means "unchanged"."""

    name: str = ""
    address: str = ""
    description: str = ""
    kind: str | None = None
    pesantren_name: str | None = None
    koperasi_name: str | None = None
    nib: str | None = None
    region_code: str | None = None


def _stored_legal(producer: Producer) -> dict[str, str]:
    return {
        "kind": producer.kind.value, "pesantren_name": producer.pesantren_name or "",
        "koperasi_name": producer.koperasi_name or "", "nib": producer.nib or "",
        "region_code": producer.region_code,
    }


def _legal_value(values: ShopValues, name: str):
    value = getattr(values, name)
    return value or None


def check_shop_update(session: Session, *, producer: Producer, details: ShopDetails) -> ShopValues:
    """The edited details, checked by the same rules as opening a shop (services.check_shop).

    A verified shop keeps its legal facts: sending a different one is refused as a whole
    (not silently ignored), and facts left as they are are not judged again, so a rule
    added after verification never locks a shop out of editing its name.
    """
    stored = _stored_legal(producer)
    sent = {name: getattr(details, name) for name in LEGAL_FIELDS}
    application = ShopApplication(
        name=details.name, address=details.address, description=details.description,
        **{name: stored[name] if sent[name] is None else sent[name] for name in LEGAL_FIELDS},
    )
    values, errors = check_shop(session, application)
    if producer.verified:
        current = {
            "kind": producer.kind, "pesantren_name": producer.pesantren_name or None,
            "koperasi_name": producer.koperasi_name or None, "nib": producer.nib or None,
            "region_code": producer.region_code,
        }
        changed = [name for name in LEGAL_FIELDS
                   if sent[name] is not None and _legal_value(values, name) != current[name]]
        for name in LEGAL_FIELDS:
            errors.by_field.pop(name, None)
        if changed:
            errors.add("", LEGAL_LOCKED)
    errors.raise_if_any()
    return values


def update_shop(session: Session, *, producer: Producer, user_id: int, details: ShopDetails,
                logo: StoredImage | None = None, remove_logo: bool = False) -> list[str]:
    """Save the shop's details and, if given, its new logo (already stored by the view).

    Returns the old logo's file names for the view to delete after the commit: none when
    the logo did not change or another row still uses the same stored key (demo rows share
    images), so a failed commit never leaves a row pointing at a missing file.
    """
    _require_owner(session, producer, user_id)
    values = check_shop_update(session, producer=producer, details=details)
    producer.name = values.name
    producer.address = values.address
    producer.description = values.description
    if not producer.verified:
        producer.kind = values.kind
        producer.pesantren_name = values.pesantren_name
        producer.koperasi_name = values.koperasi_name
        producer.nib = values.nib
        producer.region_code = values.region_code
    old_key = producer.logo_path
    if logo is not None:
        producer.logo_path = logo.key
    elif remove_logo:
        producer.logo_path = None
    producer.updated_at = utcnow()
    session.flush()
    bump_version(session)  # the public producer page, cards and product pages show these
    if old_key and old_key != producer.logo_path and not media_key_in_use(session, old_key):
        return media_files(old_key)
    return []


def media_key_in_use(session: Session, key: str) -> bool:
    """Does any row still point at the stored image ``key``?"""
    for column in (Producer.logo_path, ProductImage.key, Product.cover_image):
        if session.execute(select(column).where(column == key).limit(1)).first() is not None:
            return True
    return False


# --------------------------------------------------------------------------------------
# Staff


def _membership(session: Session, producer_id: int, user_id: int) -> ProducerMember:
    member = session.execute(
        select(ProducerMember).where(ProducerMember.producer_id == producer_id,
                                     ProducerMember.user_id == user_id)
    ).scalar_one_or_none()
    if member is None:
        raise LookupError(user_id)
    return member


def remove_member(session: Session, *, producer: Producer, actor_id: int, user_id: int) -> User:
    """The owner takes a staff member off the shop. Access ends with the commit: every
    studio request looks the membership up again (services.get_own_producer)."""
    _require_owner(session, producer, actor_id)
    member = _membership(session, producer.id, user_id)
    if user_id == actor_id:
        raise SellerError({"": [_l("Anda tidak bisa menghapus diri sendiri: toko harus tetap "
                                   "punya pemilik.")]})
    if member.role is MemberRole.OWNER:
        raise SellerError({"": [_l("Pemilik toko tidak bisa dihapus dari toko.")]})
    user = session.get(User, user_id)
    session.delete(member)
    session.flush()
    log.info("user %s removed user %s from producer %s", actor_id, user_id, producer.id)
    return user


def leave_shop(session: Session, *, producer: Producer, user_id: int) -> None:
    """A staff member leaves. An owner cannot: the shop must keep an owner."""
    member = _membership(session, producer.id, user_id)
    if member.role is MemberRole.OWNER:
        raise SellerError({"": [_l("Pemilik tidak bisa keluar dari toko: toko harus tetap "
                                   "punya pemilik.")]})
    session.delete(member)
    session.flush()
    log.info("user %s left producer %s", user_id, producer.id)


# --------------------------------------------------------------------------------------
# Invitations


def cancel_invite(session: Session, *, producer: Producer, actor_id: int, invite_id: int) -> str:
    """Delete a pending invitation of this shop; its link then reads as no longer valid.

    Returns the invited email. An accepted invitation or another shop's is a LookupError.
    """
    _require_owner(session, producer, actor_id)
    invite = session.execute(
        select(ProducerInvite).where(ProducerInvite.id == invite_id,
                                     ProducerInvite.producer_id == producer.id,
                                     ProducerInvite.accepted_at.is_(None))
    ).scalar_one_or_none()
    if invite is None:
        raise LookupError(invite_id)
    email = invite.email
    session.delete(invite)
    session.flush()
    log.info("user %s cancelled invite %s of producer %s", actor_id, invite_id, producer.id)
    return email


# --------------------------------------------------------------------------------------
# Brands (merek)


@dataclass
class BrandInput:
    name: str = ""
    djki_number: str = ""


@dataclass(frozen=True)
class BrandRow:
    brand: Brand
    products: int  # every product that names it, in any status
    published: int  # of which published: the name is curated content then


def shop_brands(session: Session, producer_id: int) -> list[BrandRow]:
    published = func.coalesce(func.sum(case((Product.status == ProductStatus.PUBLISHED, 1), else_=0)), 0)
    counts = {
        row[0]: (row[1], row[2]) for row in session.execute(
            select(Product.brand_id, func.count(Product.id), published)
            .join(Brand, Brand.id == Product.brand_id)
            .where(Brand.producer_id == producer_id)
            .group_by(Product.brand_id)
        ).all()
    }
    brands = session.execute(select(Brand).where(Brand.producer_id == producer_id)).scalars().all()
    brands = sorted(brands, key=lambda b: (b.name.casefold(), b.id))
    return [BrandRow(b, *counts.get(b.id, (0, 0))) for b in brands]


def get_shop_brand(session: Session, producer_id: int, brand_id: int) -> Brand:
    brand = session.execute(
        select(Brand).where(Brand.id == brand_id, Brand.producer_id == producer_id)
    ).scalar_one_or_none()
    if brand is None:
        raise LookupError(brand_id)
    return brand


def _product_uses(session: Session, brand_id: int, status: ProductStatus | None = None) -> int:
    query = select(func.count(Product.id)).where(Product.brand_id == brand_id)
    if status is not None:
        query = query.where(Product.status == status)
    return session.execute(query).scalar_one()


def _check_brand(session: Session, producer_id: int, data: BrandInput,
                 brand: Brand | None) -> tuple[str, str | None, list[str], _Errors]:
    errors = _Errors()
    name = _text(errors, "name", data.name, BRAND_NAME_MAX, required=True)
    if name:
        # Case-insensitive in Python: SQLite's lower() knows only ASCII.
        others = session.execute(
            select(Brand.name).where(Brand.producer_id == producer_id,
                                     Brand.id != (brand.id if brand is not None else -1))
        ).scalars().all()
        clash = next((other for other in others if other.casefold() == name.casefold()), None)
        if clash is not None:
            errors.add("name", _l("Toko Anda sudah punya merek %(name)s.", name=clash))
    djki, warnings = None, []
    raw = _clean(data.djki_number)
    if raw:
        check = check_certificate(CertType.MEREK, raw)
        for message in check.errors:
            errors.add("djki_number", message)
        if not check.errors:
            # The column's limit; the DJKI format itself only warns (catalogue.certificates).
            if len(check.normalized) > DJKI_MAX or not re.fullmatch(r"[A-Z0-9]+", check.normalized):
                errors.add("djki_number", _l(
                    "Nomor pendaftaran merek hanya berisi huruf dan angka, paling banyak "
                    "%(n)s karakter, misalnya IDM000123456.", n=DJKI_MAX))
            else:
                djki = check.normalized
                warnings = [str(w) for w in check.warnings]
    return name, djki, warnings, errors


def add_brand(session: Session, *, producer: Producer, data: BrandInput) -> tuple[Brand, list[str]]:
    """A new brand of the shop; returns it with the DJKI format warnings to show."""
    name, djki, warnings, errors = _check_brand(session, producer.id, data, None)
    errors.raise_if_any()
    brand = Brand(producer_id=producer.id, name=name, djki_number=djki)
    session.add(brand)
    session.flush()
    return brand, warnings


def update_brand(session: Session, *, producer: Producer, brand_id: int,
                 data: BrandInput) -> tuple[Brand, list[str]]:
    """Rename a brand or set its DJKI number.

    Once a published product carries the brand, its name is curated content (as the
    product's own text is): only the registration number may still be added or fixed.
    """
    brand = get_shop_brand(session, producer.id, brand_id)
    name, djki, warnings, errors = _check_brand(session, producer.id, data, brand)
    if name and name != brand.name and _product_uses(session, brand.id, ProductStatus.PUBLISHED):
        errors.by_field.pop("name", None)
        errors.add("name", BRAND_RENAME_REFUSED)
    errors.raise_if_any()
    brand.name, brand.djki_number = name, djki
    session.flush()
    bump_version(session)  # product pages show the brand and its number
    return brand, warnings


def delete_brand(session: Session, *, producer: Producer, brand_id: int) -> str:
    """Delete a brand no product names (in any status: archived ones keep order history)."""
    brand = get_shop_brand(session, producer.id, brand_id)
    used = _product_uses(session, brand.id)
    if used:
        raise SellerError({"": [_l(
            "Merek %(name)s masih dipakai %(n)s produk. Ganti merek produk tersebut dulu "
            "sebelum menghapusnya.", name=brand.name, n=used)]})
    name = brand.name
    session.delete(brand)
    session.flush()
    bump_version(session)
    return name
