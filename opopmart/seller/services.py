"""Seller rules: opening a shop, staff invitations, products, variants, tiers, certificates.

Services take explicit arguments (never ``current_user`` or ``request``), check every
field before writing anything, flush and leave the commit to the view. Bad input raises
``SellerError`` with the messages per form field name (``variants-0-price``; ``""`` for
the form as a whole), so the view can show each one next to its field.

Every read of a seller's rows goes through ``get_own_producer`` / ``get_own_product``,
which join ``producer_members``: a row of someone else's shop is simply not found.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ..accounts.models import MemberRole, ProducerMember, User
from ..accounts.services import AccountError, check_email, normalize_email
from ..catalogue.certificates import check_certificate, check_nib
from ..catalogue.models import (
    PRODUCT_WORKFLOW,
    Brand,
    Category,
    Certification,
    CertType,
    HalalScheme,
    Producer,
    ProducerKind,
    Product,
    ProductImage,
    ProductStatus,
    ProductVariant,
    WholesaleTier,
    product_certifications,
)
from ..catalogue.pricing import tier_errors
from ..catalogue.services import attach_certification, change_product_status, refresh_products
from ..core.media import StoredImage, media_files
from ..core.money import parse_rupiah
from ..core.text import slugify
from ..core.timeutil import today_jakarta, utcnow
from ..core.workflow import IllegalTransition
from ..regions.models import JAWA_TIMUR, Region, RegionKind
from .models import ProducerInvite

log = logging.getLogger(__name__)

INVITE_DAYS = 7
MAX_VARIANTS = 50
MAX_TIERS = 5
MAX_PRICE = 1_000_000_000_000  # Rp 1 triliun: anything above is a typing slip
MAX_STOCK = 10_000_000
MAX_WEIGHT = 1_000_000  # grams
MAX_TEXT = 5000

REQUIRED = _l("Wajib diisi.")
EDITABLE = frozenset({ProductStatus.DRAFT, ProductStatus.CHANGES_REQUESTED})
# Bulk uploads change only prices, stock and the like of a published product; the
# studio form holds content changes as a revision for a curator (curation.revisions).
PUBLISHED_CONTENT_REFUSED = _l(
    "Produk yang sudah tayang: lewat berkas hanya harga, stok, berat, minimal pesanan dan "
    "harga grosir yang bisa diubah; ubah isinya di studio (perubahan menunggu kurasi)"
)
PUBLISHED_VARIANTS_REFUSED = _l(
    "Produk yang sudah tayang: SKU dan pilihan varian tidak bisa diubah, dan varian baru "
    "tidak bisa ditambahkan. Buat produk baru untuk varian lain."
)


class SellerError(ValueError):
    """Messages per form field name; nothing was written."""

    def __init__(self, errors: dict[str, list]):
        super().__init__("; ".join(f"{k}: {[str(m) for m in v]}" for k, v in errors.items()))
        self.errors = errors


class FieldErrors:
    """Messages gathered per form field while checking everything before any write;
    ``raise_if_any`` raises them all at once (as ``error_class``) for the form to show."""

    error_class: type[SellerError] = SellerError

    def __init__(self) -> None:
        self.by_field: dict[str, list] = {}

    def add(self, name: str, message) -> None:
        self.by_field.setdefault(name, []).append(message)

    def __bool__(self) -> bool:
        return bool(self.by_field)

    def raise_if_any(self) -> None:
        if self.by_field:
            raise self.error_class(self.by_field)


_Errors = FieldErrors


def _clean(raw: str | None) -> str:
    return " ".join((raw or "").split())


def _text(errors: _Errors, name: str, raw: str | None, max_len: int, required: bool = False) -> str:
    value = _clean(raw)
    if required and not value:
        errors.add(name, REQUIRED)
    elif len(value) > max_len:
        errors.add(name, _l("Paling banyak %(n)s karakter.", n=max_len))
    return value


def _long_text(errors: _Errors, name: str, raw: str | None, required: bool = False) -> str:
    value = (raw or "").replace("\r\n", "\n").strip()
    if required and not value:
        errors.add(name, REQUIRED)
    elif len(value) > MAX_TEXT:
        errors.add(name, _l("Paling banyak %(n)s karakter.", n=MAX_TEXT))
    return value


def _int(errors: _Errors, name: str, raw, *, low: int, high: int, default: int | None = None) -> int | None:
    if isinstance(raw, int) and not isinstance(raw, bool):
        value: int | None = raw
    else:
        text = (str(raw) if raw is not None else "").strip().replace(".", "")
        if not text:
            if default is not None:
                return default
            errors.add(name, REQUIRED)
            return None
        value = int(text) if text.isascii() and text.isdigit() and len(text) <= 15 else None
        if value is None:
            errors.add(name, _l("Masukkan bilangan bulat, misalnya 10."))
            return None
    if not low <= value <= high:
        errors.add(name, _l("Isi angka %(low)s sampai %(high)s.", low=f"{low:,}".replace(",", "."),
                            high=f"{high:,}".replace(",", ".")))
        return None
    return value


def _price(errors: _Errors, name: str, raw) -> int | None:
    if isinstance(raw, int) and not isinstance(raw, bool):
        value: int | None = raw
    else:
        if not (raw or "").strip():
            errors.add(name, REQUIRED)
            return None
        value = parse_rupiah(raw)
        if value is None:
            errors.add(name, _l("Tulis harga dalam rupiah tanpa sen, misalnya 25.000."))
            return None
    if not 0 < value <= MAX_PRICE:
        errors.add(name, _l("Harga harus lebih dari Rp 0."))
        return None
    return value


# --------------------------------------------------------------------------------------
# Owner-scoped reads


def member_role(session: Session, user_id: int, producer_id: int) -> MemberRole | None:
    return session.execute(
        select(ProducerMember.role).where(ProducerMember.user_id == user_id,
                                          ProducerMember.producer_id == producer_id)
    ).scalar_one_or_none()


def own_producers(session: Session, user_id: int) -> list[tuple[Producer, MemberRole]]:
    rows = session.execute(
        select(Producer, ProducerMember.role)
        .join(ProducerMember, ProducerMember.producer_id == Producer.id)
        .where(ProducerMember.user_id == user_id)
        .order_by(Producer.name, Producer.id)
    ).all()
    return [(producer, role) for producer, role in rows]


def has_producer(session: Session, user_id: int) -> bool:
    return session.execute(
        select(ProducerMember.id).where(ProducerMember.user_id == user_id).limit(1)
    ).first() is not None


def get_own_producer(session: Session, user_id: int, producer_id: int) -> Producer | None:
    """The producer if ``user_id`` is one of its members (owner or staff), else None."""
    return session.execute(
        select(Producer)
        .join(ProducerMember, ProducerMember.producer_id == Producer.id)
        .where(Producer.id == producer_id, ProducerMember.user_id == user_id)
    ).scalar_one_or_none()


def get_own_product(session: Session, user_id: int, product_id: int) -> Product | None:
    """The product if ``user_id`` is a member of its producer, else None (the view: 404)."""
    return session.execute(
        select(Product)
        .join(ProducerMember, ProducerMember.producer_id == Product.producer_id)
        .where(Product.id == product_id, ProducerMember.user_id == user_id)
    ).scalar_one_or_none()


def own_products(session: Session, user_id: int):
    """A select of every product of the user's producers, newest change first."""
    return (
        select(Product)
        .join(ProducerMember, ProducerMember.producer_id == Product.producer_id)
        .where(ProducerMember.user_id == user_id)
        .order_by(Product.updated_at.desc(), Product.id.desc())
    )


# --------------------------------------------------------------------------------------
# Opening a shop


@dataclass
class ShopApplication:
    kind: str = ""
    name: str = ""
    pesantren_name: str = ""
    koperasi_name: str = ""
    nib: str = ""
    region_code: str = ""
    address: str = ""
    description: str = ""


def region_choices(session: Session) -> list[tuple[str, list[tuple[str, str]]]]:
    """Kabupaten/kota grouped by province, Jawa Timur's 38 first."""
    regions = session.execute(select(Region).order_by(Region.code)).scalars().all()
    provinces = {r.code: r.name for r in regions if r.kind is RegionKind.PROVINSI}
    groups: dict[str, list[tuple[str, str]]] = {}
    for region in regions:
        if region.kind is RegionKind.PROVINSI:
            continue
        groups.setdefault(region.province_code, []).append((region.code, region.display_name))
    order = sorted(groups, key=lambda code: (code != JAWA_TIMUR, code))
    return [(provinces.get(code, code), groups[code]) for code in order]


def unique_slug(session: Session, model, base: str, max_length: int) -> str:
    """``base`` as a slug, numbered (``-2``, ``-3``...) past the ones ``model`` already has."""
    base = slugify(base, max_length - 6)
    taken = set(session.execute(
        select(model.slug).where((model.slug == base) | model.slug.like(base + "-%"))
    ).scalars())
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


_unique_slug = unique_slug


@dataclass
class ShopValues:
    """A ShopApplication checked and normalised: what the producer row stores."""

    kind: ProducerKind | None
    name: str
    pesantren_name: str | None
    koperasi_name: str | None
    nib: str
    region_code: str | None
    address: str
    description: str


def check_shop(session: Session, application: ShopApplication) -> tuple[ShopValues, _Errors]:
    """Every rule for a shop's details, checked without writing anything.

    Shared by opening a shop and editing it (seller.shop.update_shop), so both accept
    exactly the same data; the errors are keyed by ShopForm field names.
    """
    errors = _Errors()
    a = application
    try:
        kind = ProducerKind(a.kind)
    except ValueError:
        kind = None
        errors.add("kind", _l("Pilih jenis usaha."))
    name = _text(errors, "name", a.name, 120, required=True)
    pesantren_name = _text(errors, "pesantren_name", a.pesantren_name, 160,
                           required=kind in (ProducerKind.PESANTREN, ProducerKind.KOPONTREN))
    koperasi_name = _text(errors, "koperasi_name", a.koperasi_name, 160,
                          required=kind is ProducerKind.KOPONTREN)
    nib = check_nib(a.nib or "")
    for message in nib.errors:
        errors.add("nib", message)
    region = session.get(Region, (a.region_code or "")[:5]) if a.region_code else None
    if region is None or region.kind is RegionKind.PROVINSI:
        errors.add("region_code", _l("Pilih kabupaten/kota dari daftar."))
    address = _long_text(errors, "address", a.address, required=True)
    description = _long_text(errors, "description", a.description)
    return ShopValues(
        kind=kind, name=name, pesantren_name=pesantren_name or None,
        koperasi_name=koperasi_name or None, nib=nib.normalized,
        region_code=region.code if region is not None else None, address=address,
        description=description,
    ), errors


def check_shop_application(session: Session, application: ShopApplication) -> None:
    """Every rule of opening a shop, before the view stores an uploaded logo."""
    _values, errors = check_shop(session, application)
    errors.raise_if_any()


def open_shop(session: Session, *, user_id: int, application: ShopApplication,
              logo: StoredImage | None = None) -> Producer:
    """A new, unverified producer with ``user_id`` as its owner (and its logo, stored by
    the view after check_shop_application passed)."""
    values, errors = check_shop(session, application)
    errors.raise_if_any()

    producer = Producer(
        kind=values.kind, name=values.name, slug=_unique_slug(session, Producer, values.name, 140),
        pesantren_name=values.pesantren_name, koperasi_name=values.koperasi_name,
        nib=values.nib, region_code=values.region_code, address=values.address,
        description=values.description, verified=False, logo_path=logo.key if logo else None,
    )
    session.add(producer)
    session.flush()
    session.add(ProducerMember(user_id=user_id, producer_id=producer.id, role=MemberRole.OWNER))
    session.flush()
    return producer


# --------------------------------------------------------------------------------------
# Staff invitations


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def invite_staff(session: Session, *, producer: Producer, inviter_id: int, email: str,
                 now=None) -> tuple[ProducerInvite, str]:
    """An invitation for ``email``; returns it and the token (shown once, never stored)."""
    if member_role(session, inviter_id, producer.id) is not MemberRole.OWNER:
        raise SellerError({"": [_l("Hanya pemilik toko yang bisa mengundang staf.")]})
    try:
        email = check_email(email)
    except AccountError as exc:
        raise SellerError({"email": [exc.message]}) from None
    already = session.execute(
        select(ProducerMember.id)
        .join(User, User.id == ProducerMember.user_id)
        .where(ProducerMember.producer_id == producer.id, User.email == email)
    ).first()
    if already is not None:
        raise SellerError({"email": [_l("Pengguna ini sudah anggota toko.")]})
    # The link is shown only once, so inviting the same email again is how an owner gets
    # a new link: the new invitation replaces any pending one, whose link stops working.
    session.execute(
        delete(ProducerInvite).where(ProducerInvite.producer_id == producer.id,
                                     ProducerInvite.email == email,
                                     ProducerInvite.accepted_at.is_(None))
    )
    token = secrets.token_urlsafe(32)
    now = now or utcnow()
    invite = ProducerInvite(producer_id=producer.id, email=email, token_hash=_hash_token(token),
                            invited_by_id=inviter_id, created_at=now,
                            expires_at=now + timedelta(days=INVITE_DAYS))
    session.add(invite)
    session.flush()
    return invite, token


def find_invite(session: Session, token: str) -> ProducerInvite | None:
    if not token or len(token) > 200:
        return None
    return session.execute(
        select(ProducerInvite).where(ProducerInvite.token_hash == _hash_token(token))
    ).scalar_one_or_none()


def invite_problem(invite: ProducerInvite | None, user: User, now=None):
    """Why ``user`` cannot accept this invitation, or None."""
    now = now or utcnow()
    if invite is None:
        # Cancelled and replaced invitations are deleted, so they end up here too.
        return _l("Undangan ini tidak berlaku lagi: sudah dibatalkan pemilik toko atau "
                  "tidak pernah ada. Minta pemilik toko mengirim undangan baru.")
    if invite.accepted_at is not None:
        return _l("Undangan ini sudah dipakai.")
    if invite.expires_at < now:
        return _l("Undangan ini sudah kedaluwarsa. Minta pemilik toko mengirim undangan baru.")
    if normalize_email(user.email) != invite.email:
        return _l("Undangan ini untuk email lain. Masuk dengan akun %(email)s.", email=invite.email)
    return None


def accept_invite(session: Session, *, token: str, user: User, now=None) -> ProducerMember:
    now = now or utcnow()
    invite = find_invite(session, token)
    problem = invite_problem(invite, user, now)
    if problem is not None:
        raise SellerError({"": [problem]})
    invite.accepted_at = now
    invite.accepted_by_id = user.id
    member = session.execute(
        select(ProducerMember).where(ProducerMember.user_id == user.id,
                                     ProducerMember.producer_id == invite.producer_id)
    ).scalar_one_or_none()
    if member is None:
        member = ProducerMember(user_id=user.id, producer_id=invite.producer_id, role=MemberRole.STAFF)
        session.add(member)
    session.flush()
    return member


def pending_invites(session: Session, producer_id: int, now=None) -> list[ProducerInvite]:
    now = now or utcnow()
    return list(session.execute(
        select(ProducerInvite)
        .where(ProducerInvite.producer_id == producer_id, ProducerInvite.accepted_at.is_(None),
               ProducerInvite.expires_at >= now)
        .order_by(ProducerInvite.id)
    ).scalars())


def members(session: Session, producer_id: int) -> list[tuple[User, MemberRole]]:
    return [tuple(r) for r in session.execute(
        select(User, ProducerMember.role)
        .join(ProducerMember, ProducerMember.user_id == User.id)
        .where(ProducerMember.producer_id == producer_id)
        .order_by(ProducerMember.role, User.name)
    ).all()]


# --------------------------------------------------------------------------------------
# Products


@dataclass
class TierInput:
    min_qty: str = ""
    unit_price: str = ""

    def blank(self) -> bool:
        return not (str(self.min_qty or "").strip() or str(self.unit_price or "").strip())


@dataclass
class VariantInput:
    id: int | None = None
    sku: str = ""
    option1: str = ""
    option2: str = ""
    price: str = ""
    stock: str = ""
    weight_grams: str = ""
    min_order_qty: str = ""
    is_active: bool = True
    tiers: list[TierInput] = field(default_factory=list)

    def blank(self) -> bool:
        values = (self.sku, self.option1, self.option2, self.price, self.stock, self.weight_grams,
                  self.min_order_qty)
        return self.id is None and not any(str(v or "").strip() for v in values) and all(
            t.blank() for t in self.tiers)


@dataclass
class ProductInput:
    name: str = ""
    category_id: int | str | None = None
    brand_id: int | str | None = None
    new_brand: str = ""
    description: str = ""
    claims_halal: bool = False
    option1_name: str = ""
    option2_name: str = ""
    variants: list[VariantInput] = field(default_factory=list)


@dataclass
class _Variant:
    row: int
    id: int | None
    sku: str
    option1: str | None
    option2: str | None
    price: int
    stock: int
    weight_grams: int
    min_order_qty: int
    is_active: bool
    tiers: list[tuple[int, int]]


def category_choices(session: Session) -> list[tuple[int, str]]:
    """Every category, parents first, as "Makanan & Minuman › Kopi"."""
    rows = session.execute(select(Category).order_by(Category.position, Category.id)).scalars().all()
    by_id = {c.id: c for c in rows}

    def path(c: Category) -> str:
        names, seen = [], set()
        while c is not None and c.id not in seen:
            seen.add(c.id)
            names.append(c.name)
            c = by_id.get(c.parent_id) if c.parent_id else None
        return " › ".join(reversed(names))

    return sorted(((c.id, path(c)) for c in rows), key=lambda item: item[1].lower())


def brand_choices(session: Session, producer_id: int) -> list[tuple[int, str]]:
    return [(b.id, b.name) for b in session.execute(
        select(Brand).where(Brand.producer_id == producer_id).order_by(Brand.name)).scalars()]


def _as_id(raw) -> int | None:
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    text = str(raw or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


def _check_product(session: Session, producer_id: int, data: ProductInput,
                   product: Product | None) -> tuple[dict, list[_Variant], _Errors]:
    errors = _Errors()
    values: dict = {}
    values["name"] = _text(errors, "name", data.name, 160, required=True)
    category_id = _as_id(data.category_id)
    if category_id is None or session.get(Category, category_id) is None:
        errors.add("category_id", _l("Pilih kategori dari daftar."))
    values["category_id"] = category_id
    brand_id = _as_id(data.brand_id)
    new_brand = _text(errors, "new_brand", data.new_brand, 80)
    if brand_id:
        brand = session.get(Brand, brand_id)
        if brand is None or brand.producer_id != producer_id:
            errors.add("brand_id", _l("Pilih merek toko Anda dari daftar."))
    values["brand_id"] = brand_id or None
    values["new_brand"] = new_brand
    if brand_id and new_brand:
        errors.add("new_brand", _l("Pilih merek yang ada atau tulis merek baru, bukan keduanya."))
    values["description"] = _long_text(errors, "description", data.description, required=True)
    values["claims_halal"] = bool(data.claims_halal)
    option1_name = _text(errors, "option1_name", data.option1_name, 40)
    option2_name = _text(errors, "option2_name", data.option2_name, 40)
    if option2_name and not option1_name:
        errors.add("option1_name", _l("Isi pilihan pertama sebelum pilihan kedua."))
    values["option1_name"] = option1_name or None
    values["option2_name"] = option2_name or None

    existing = {v.id: v for v in (product.variants if product is not None else [])}
    variants: list[_Variant] = []
    seen_skus: dict[str, int] = {}
    seen_options: dict[tuple, int] = {}
    rows = list(enumerate(data.variants))
    if len(rows) > MAX_VARIANTS:
        errors.add("", _l("Paling banyak %(n)s varian.", n=MAX_VARIANTS))
        rows = rows[:MAX_VARIANTS]
    for i, v in rows:
        if v.blank():
            continue
        p = f"variants-{i}-"
        variant_id = _as_id(v.id)
        if v.id not in (None, "") and variant_id not in existing:
            errors.add("", _l("Varian tidak dikenal."))
            continue
        sku = _text(errors, p + "sku", v.sku, 64, required=True).upper()
        option1 = _text(errors, p + "option1", v.option1, 60)
        option2 = _text(errors, p + "option2", v.option2, 60)
        if option1_name and not option1:
            errors.add(p + "option1", REQUIRED)
        if not option1_name and option1:
            errors.add(p + "option1", _l("Isi dulu nama pilihan pertama (misalnya Ukuran)."))
        if option2_name and not option2:
            errors.add(p + "option2", REQUIRED)
        if not option2_name and option2:
            errors.add(p + "option2", _l("Isi dulu nama pilihan kedua (misalnya Warna)."))
        price = _price(errors, p + "price", v.price)
        stock = _int(errors, p + "stock", v.stock, low=0, high=MAX_STOCK)
        weight = _int(errors, p + "weight_grams", v.weight_grams, low=1, high=MAX_WEIGHT)
        min_order = _int(errors, p + "min_order_qty", v.min_order_qty, low=1, high=MAX_STOCK, default=1)
        active = bool(v.is_active) if variant_id is not None else True
        if sku:
            if sku in seen_skus:
                errors.add(p + "sku", _l("SKU ini dipakai dua kali."))
            seen_skus[sku] = i
        if active:
            key = (option1.lower(), option2.lower())
            if key in seen_options:
                errors.add(p + "option1", _l("Kombinasi pilihan ini sudah ada di varian lain."))
            seen_options[key] = i
        tiers: list[tuple[int, int]] = []
        tier_rows = list(enumerate(v.tiers))[:MAX_TIERS]
        tiers_ok = True
        for j, t in tier_rows:
            if t.blank():
                continue
            tp = f"{p}tiers-{j}-"
            qty = _int(errors, tp + "min_qty", t.min_qty, low=2, high=MAX_STOCK)
            unit = _price(errors, tp + "unit_price", t.unit_price)
            if qty is None or unit is None:
                tiers_ok = False
            else:
                tiers.append((qty, unit))
        if tiers and tiers_ok and price is not None:
            problems = tier_errors(price, tiers)
            if problems:
                errors.add(p + "tiers", _l(
                    "Harga grosir: jumlah minimum mulai 2 dan naik, harga per unit turun dan "
                    "di bawah harga normal."))
        if None in (price, stock, weight, min_order):
            continue
        variants.append(_Variant(i, variant_id, sku, option1 or None, option2 or None, price, stock,
                                 weight, min_order, active, sorted(tiers)))
    if not any(v.is_active for v in variants) and not errors:
        errors.add("", _l("Isi paling sedikit satu varian yang dijual (SKU, harga, stok, berat)."))
    if not option1_name and len([v for v in variants if v.is_active]) > 1:
        errors.add("option1_name", _l("Beberapa varian perlu nama pilihan, misalnya Ukuran."))
    # SKUs are unique within a shop, across its other products too.
    if seen_skus:
        clash = session.execute(
            select(ProductVariant.sku).where(
                ProductVariant.producer_id == producer_id,
                ProductVariant.sku.in_(list(seen_skus)),
                ProductVariant.product_id != (product.id if product is not None else -1),
            )
        ).scalars().all()
        for sku in clash:
            errors.add(f"variants-{seen_skus[sku]}-sku", _l("SKU ini sudah dipakai produk lain di toko Anda."))
    return values, variants, errors


def _brand_for(session: Session, producer_id: int, values: dict) -> int | None:
    if not values["new_brand"]:
        return values["brand_id"]
    brand = session.execute(
        select(Brand).where(Brand.producer_id == producer_id,
                            func.lower(Brand.name) == values["new_brand"].lower())
    ).scalar_one_or_none()
    if brand is None:
        brand = Brand(producer_id=producer_id, name=values["new_brand"])
        session.add(brand)
        session.flush()
    return brand.id


def _write_variants(session: Session, product: Product, variants: list[_Variant],
                    actor_id: int | None = None) -> None:
    from .changelog import log_variant

    existing = {v.id: v for v in product.variants}
    # Clear old tiers first so a re-entered (variant, min_qty) never meets its old row.
    for variant in existing.values():
        variant.wholesale_tiers.clear()
    session.flush()
    for position, data in enumerate(variants):
        row = existing.get(data.id) if data.id is not None else None
        if row is None:
            row = ProductVariant(producer_id=product.producer_id)
            product.variants.append(row)
        log_variant(session, row, price=data.price, stock=data.stock, actor_id=actor_id)
        row.sku, row.option1, row.option2 = data.sku, data.option1, data.option2
        row.price, row.stock, row.weight_grams = data.price, data.stock, data.weight_grams
        row.min_order_qty, row.is_active, row.position = data.min_order_qty, data.is_active, position
        for min_qty, unit_price in data.tiers:
            row.wholesale_tiers.append(WholesaleTier(min_qty=min_qty, unit_price=unit_price))
    session.flush()


def create_product(session: Session, *, user_id: int, producer_id: int | str | None,
                   data: ProductInput, refresh: bool = True) -> Product:
    """A draft product of one of the user's producers.

    ``refresh=False`` leaves the listing projection to the caller, who must then call
    ``refresh_products`` once for every product it saved (bulk uploads: one refresh for
    a thousand products instead of a thousand)."""
    pid = _as_id(producer_id)
    producer = get_own_producer(session, user_id, pid) if pid is not None else None
    if producer is None:
        raise SellerError({"producer_id": [_l("Pilih toko Anda dari daftar.")]})
    values, variants, errors = _check_product(session, producer.id, data, None)
    errors.raise_if_any()
    product = Product(
        producer_id=producer.id, category_id=values["category_id"],
        brand_id=_brand_for(session, producer.id, values), name=values["name"],
        slug=_unique_slug(session, Product, values["name"], 180),
        description=values["description"], claims_halal=values["claims_halal"],
        option1_name=values["option1_name"], option2_name=values["option2_name"],
        status=ProductStatus.DRAFT,
    )
    session.add(product)
    session.flush()
    _write_variants(session, product, variants)
    if refresh:
        refresh_products(session, product_ids=[product.id])
    return product


def _content_changed(product: Product, values: dict, variants: list[_Variant]) -> bool:
    if values["new_brand"]:
        return True
    if (values["name"], values["category_id"], values["brand_id"], values["description"],
            values["claims_halal"], values["option1_name"], values["option2_name"]) != (
            product.name, product.category_id, product.brand_id, product.description,
            product.claims_halal, product.option1_name, product.option2_name):
        return True
    existing = {v.id: v for v in product.variants}
    for data in variants:
        row = existing.get(data.id)
        if row is None or (row.sku, row.option1, row.option2) != (data.sku, data.option1, data.option2):
            return True
    return False


def _variants_restructured(product: Product, variants: list[_Variant]) -> bool:
    existing = {v.id: v for v in product.variants}
    return any(data.id not in existing or (existing[data.id].sku, existing[data.id].option1,
                                           existing[data.id].option2) != (data.sku, data.option1, data.option2)
               for data in variants)


def update_product(session: Session, *, product: Product, data: ProductInput,
                   refresh: bool = True, actor_id: int | None = None) -> Product:
    """Edit a draft or a product sent back for changes.

    A published product keeps its curated content: prices, stock, weights, minimum
    orders and wholesale tiers apply at once (and are logged); name, description,
    category, brand, halal claim and option names go into the product's pending revision
    for a curator (curation.revisions) while the public keeps the approved content. Its
    variants' SKUs and options, and new variants, are refused.
    """
    status = product.status
    if status not in EDITABLE and status is not ProductStatus.PUBLISHED:
        raise SellerError({"": [_l("Produk berstatus ini tidak bisa diubah.")]})
    values, variants, errors = _check_product(session, product.producer_id, data, product)
    errors.raise_if_any()
    if status is ProductStatus.PUBLISHED:
        if _variants_restructured(product, variants):
            raise SellerError({"": [PUBLISHED_VARIANTS_REFUSED]})
        from ..curation.revisions import stage_content  # curation builds on this module

        staged = {**values, "brand_id": _brand_for(session, product.producer_id, values)}
        stage_content(session, product=product, values=staged, actor_id=actor_id)
    else:
        product.name = values["name"]
        product.category_id = values["category_id"]
        product.brand_id = _brand_for(session, product.producer_id, values)
        product.description = values["description"]
        product.claims_halal = values["claims_halal"]
        product.option1_name, product.option2_name = values["option1_name"], values["option2_name"]
    _write_variants(session, product, variants, actor_id=actor_id)
    product.updated_at = utcnow()
    if refresh:  # see create_product
        refresh_products(session, product_ids=[product.id])
    return product


def _differs(product: Product, values: dict, variants: list[_Variant]) -> bool:
    """Whether saving the checked values would change anything stored (positions aside)."""
    if values["new_brand"] or _content_changed(product, values, variants):
        return True
    if len(variants) != len(product.variants):
        return True
    existing = {v.id: v for v in product.variants}
    for data in variants:
        row = existing[data.id]
        if (row.price, row.stock, row.weight_grams, row.min_order_qty, row.is_active) != (
                data.price, data.stock, data.weight_grams, data.min_order_qty, data.is_active):
            return True
        if sorted((t.min_qty, t.unit_price) for t in row.wholesale_tiers) != data.tiers:
            return True
    return False


def check_product(session: Session, *, producer_id: int, data: ProductInput,
                  product: Product | None = None) -> tuple[dict[str, list], bool]:
    """What create_product (``product`` None) or update_product would refuse, writing nothing.

    Returns the errors by field name and whether saving would change anything. An
    unchanged product is not an error whatever its status or its older data (bulk
    uploads re-send every product of a shop: untouched rows must pass through), so the
    status rules of update_product apply only to a change.
    """
    values, variants, errors = _check_product(session, producer_id, data, product)
    if product is None:
        return errors.by_field, True
    changed = _differs(product, values, variants)
    if not changed:
        return {}, False
    if not errors:
        if product.status not in EDITABLE and product.status is not ProductStatus.PUBLISHED:
            errors.add("", _l("Produk berstatus ini tidak bisa diubah."))
        elif product.status is ProductStatus.PUBLISHED and _content_changed(product, values, variants):
            errors.add("", PUBLISHED_CONTENT_REFUSED)
    return errors.by_field, True


def quick_update_variant(session: Session, *, product: Product, variant_id: int,
                         price: str | int, stock: str | int,
                         actor_id: int | None = None) -> ProductVariant:
    """Price and stock of one variant, in any status; public pages follow at once."""
    variant = next((v for v in product.variants if v.id == variant_id), None)
    if variant is None:
        raise SellerError({"": [_l("Varian tidak dikenal.")]})
    errors = _Errors()
    new_price = _price(errors, "price", price)
    new_stock = _int(errors, "stock", stock, low=0, high=MAX_STOCK)
    if new_price is not None:
        problems = tier_errors(new_price, [(t.min_qty, t.unit_price) for t in variant.wholesale_tiers])
        if problems:
            errors.add("price", _l("Harga grosir varian ini harus tetap di bawah harga normal; "
                                   "ubah harga grosirnya di halaman produk."))
    errors.raise_if_any()
    from .changelog import log_variant

    log_variant(session, variant, price=new_price, stock=new_stock, actor_id=actor_id)
    variant.price, variant.stock = new_price, new_stock
    product.updated_at = utcnow()
    session.flush()
    refresh_products(session, product_ids=[product.id])
    return variant


SELLER_MOVES = {
    "submit": ProductStatus.SUBMITTED,
    "archive": ProductStatus.ARCHIVED,
    "restore": ProductStatus.DRAFT,
}


def seller_move(session: Session, *, product: Product, action: str, actor_id: int):
    """Submit for curation, archive, or restore an archived product to draft."""
    target = SELLER_MOVES.get(action)
    if target is None:
        raise SellerError({"": [_l("Tindakan tidak dikenal.")]})
    # A seller never restores anything but an archived product (submitted → draft is a curator's).
    if action == "restore" and product.status is not ProductStatus.ARCHIVED:
        raise SellerError({"": [_l("Hanya produk yang diarsipkan yang bisa dipulihkan.")]})
    if action == "submit" and not any(v.is_active for v in product.variants):
        raise SellerError({"": [_l("Tambahkan paling sedikit satu varian sebelum mengajukan kurasi.")]})
    # Published products go back to review only through a renewed certificate.
    seller_can = action != "submit" or product.status is not ProductStatus.PUBLISHED
    try:
        if not seller_can:
            raise IllegalTransition(PRODUCT_WORKFLOW.kind, product.status, target)
        PRODUCT_WORKFLOW.require(product.status, target)
    except IllegalTransition:
        raise SellerError({"": [_l("Produk berstatus %(status)s tidak bisa %(action)s.",
                                   status=STATUS_LABELS[product.status],
                                   action=ACTION_LABELS[action])]}) from None
    event = change_product_status(session, product, target, actor_id=actor_id)
    if target is ProductStatus.SUBMITTED:
        from ..curation.services import open_review  # curation builds on this module

        open_review(session, product=product, submitted_by_id=actor_id)  # AlreadyPending is a SellerError
    return event


STATUS_LABELS = {
    ProductStatus.DRAFT: _l("draf"),
    ProductStatus.SUBMITTED: _l("menunggu kurasi"),
    ProductStatus.PUBLISHED: _l("tayang"),
    ProductStatus.CHANGES_REQUESTED: _l("perlu perbaikan"),
    ProductStatus.REJECTED: _l("ditolak"),
    ProductStatus.ARCHIVED: _l("diarsipkan"),
}
ACTION_LABELS = {
    "submit": _l("diajukan untuk kurasi"),
    "archive": _l("diarsipkan"),
    "restore": _l("dipulihkan"),
}


def allowed_actions(product: Product) -> list[str]:
    actions = []
    for action, target in SELLER_MOVES.items():
        if action == "restore" and product.status is not ProductStatus.ARCHIVED:
            continue
        if action == "submit" and product.status is ProductStatus.PUBLISHED:
            continue
        if PRODUCT_WORKFLOW.allowed(product.status, target):
            actions.append(action)
    return actions


# --------------------------------------------------------------------------------------
# Certificates


@dataclass
class CertificateInput:
    type: str = ""
    number: str = ""
    halal_scheme: str = ""
    issuer: str = ""
    issued_on: date | str | None = None
    expires_on: date | str | None = None


def _date(errors: _Errors, name: str, raw) -> date | None:
    if raw is None or isinstance(raw, date):
        return raw
    text = str(raw).strip()
    if not text:
        return None
    try:
        value = date.fromisoformat(text)
    except ValueError:
        errors.add(name, _l("Tulis tanggal sebagai TTTT-BB-HH, misalnya 2026-03-31."))
        return None
    if not 1950 <= value.year <= 2100:
        errors.add(name, _l("Tanggal ini tidak masuk akal."))
        return None
    return value


def add_certificate(session: Session, *, product: Product, data: CertificateInput,
                    document: str | None = None,
                    actor_id: int | None = None) -> tuple[Certification, list[str]]:
    """A new, unverified certificate of the product's producer, attached to the product.

    Returns it with the format warnings a curator should look at. Only curators verify.
    """
    errors = _Errors()
    try:
        cert_type = CertType(data.type)
    except ValueError:
        cert_type = None
        errors.add("type", _l("Pilih jenis sertifikat."))
    scheme = None
    if data.halal_scheme:
        try:
            scheme = HalalScheme(data.halal_scheme)
        except ValueError:
            errors.add("halal_scheme", _l("Pilih skema dari daftar."))
        if cert_type is not None and cert_type is not CertType.HALAL:
            errors.add("halal_scheme", _l("Skema hanya untuk sertifikat halal."))
    elif cert_type is CertType.HALAL:
        errors.add("halal_scheme", _l("Pilih skema sertifikasi halal."))
    issuer = _text(errors, "issuer", data.issuer, 120)
    issued_on = _date(errors, "issued_on", data.issued_on)
    expires_on = _date(errors, "expires_on", data.expires_on)
    if issued_on and expires_on and expires_on < issued_on:
        errors.add("expires_on", _l("Tanggal berlaku sampai harus setelah tanggal terbit."))
    warnings: list[str] = []
    normalized = ""
    if not _clean(data.number):
        errors.add("number", REQUIRED)
    elif len(_clean(data.number)) > 64:
        errors.add("number", _l("Paling banyak %(n)s karakter.", n=64))
    elif cert_type is not None:
        check = check_certificate(cert_type, data.number, expires_on)
        for message in check.errors:
            errors.add("number", message)
        warnings = list(check.warnings)
        normalized = check.normalized[:64]
    errors.raise_if_any()
    cert = Certification(
        producer_id=product.producer_id, type=cert_type, number=normalized, halal_scheme=scheme,
        issuer=issuer, issued_on=issued_on, expires_on=expires_on, verified=False,
        document_path=document,
    )
    session.add(cert)
    session.flush()
    lapsed = is_lapsed(product)
    attach_certification(session, product, cert)
    session.flush()
    refresh_products(session, product_ids=[product.id])
    if lapsed:
        _back_to_review(session, product, actor_id)
    return cert, warnings


def is_lapsed(product: Product, day: date | None = None) -> bool:
    """Published, but a certificate its approval rested on has expired."""
    return (product.status is ProductStatus.PUBLISHED and product.lapses_on is not None
            and product.lapses_on < (day or today_jakarta()))


def _back_to_review(session: Session, product: Product, actor_id: int | None) -> None:
    """A renewed certificate is checked by a curator before the product sells again."""
    from ..curation.services import open_review

    change_product_status(session, product, ProductStatus.SUBMITTED, actor_id=actor_id,
                          note=str(_l("Sertifikat diperbarui setelah kedaluwarsa.")))
    open_review(session, product=product, submitted_by_id=actor_id)


def attachable_certificates(session: Session, product: Product) -> list[Certification]:
    """The producer's certificates this product does not carry yet (a halal certificate
    or a merek registration usually covers a whole product group)."""
    attached = select(product_certifications.c.certification_id).where(
        product_certifications.c.product_id == product.id)
    return list(session.execute(
        select(Certification).where(Certification.producer_id == product.producer_id,
                                    Certification.id.not_in(attached))
        .order_by(Certification.type, Certification.number, Certification.id)
    ).scalars())


def attach_existing_certificate(session: Session, *, product: Product, certification_id,
                                actor_id: int | None = None) -> Certification:
    """Let one more product carry a certificate the producer already entered.

    The link itself proves nothing to the public: only a curator-verified, unexpired
    certificate is shown or counted, so attaching is allowed whenever adding is.
    """
    cert_id = _as_id(certification_id)
    cert = session.get(Certification, cert_id) if cert_id is not None else None
    if cert is None or cert.producer_id != product.producer_id:
        raise SellerError({"certification_id": [_l("Pilih sertifikat toko Anda dari daftar.")]})
    if cert in product.certifications:
        raise SellerError({"certification_id": [_l("Produk ini sudah memakai sertifikat tersebut.")]})
    lapsed = is_lapsed(product)
    attach_certification(session, product, cert)
    session.flush()
    session.expire(product, ["certifications"])
    refresh_products(session, product_ids=[product.id])
    if lapsed:
        _back_to_review(session, product, actor_id)
    return cert


def detach_certificate(session: Session, *, product: Product, certification_id: int) -> None:
    """Take a certificate off a product the seller still holds; the certificate stays
    with the producer. A published product's certificates are curated content."""
    if product.status is ProductStatus.PUBLISHED:
        raise SellerError({"": [_l("Produk yang sudah tayang: sertifikatnya tidak bisa "
                                   "dilepas, karena pembeli dan kurator mengandalkannya.")]})
    if product.status not in EDITABLE:
        raise SellerError({"": [_l("Produk berstatus ini tidak bisa diubah.")]})
    deleted = session.execute(
        product_certifications.delete().where(
            product_certifications.c.product_id == product.id,
            product_certifications.c.certification_id == certification_id)
    ).rowcount
    if not deleted:
        raise LookupError(certification_id)
    session.flush()
    session.expire(product, ["certifications"])
    refresh_products(session, product_ids=[product.id])


MAX_PHOTOS = 8


def check_photos_editable(product: Product) -> None:
    """Photos are curated content: they change while the seller holds the product, or, on
    a published product, in its pending revision (the public rows stay as approved).

    Called before anything is written to disk, so a refused upload leaves no file behind.
    """
    if product.status not in EDITABLE and product.status is not ProductStatus.PUBLISHED:
        raise SellerError({"photo": [_l("Produk berstatus ini tidak bisa diubah.")]})


def add_photo(session: Session, *, product: Product, stored: StoredImage, alt: str,
              actor_id: int | None = None) -> ProductImage | None:
    """A photo row; on a published product the photo joins the pending revision instead
    (None is returned: no public row exists until a curator approves)."""
    check_photos_editable(product)
    if product.status is ProductStatus.PUBLISHED:
        from ..curation.revisions import stage_photo_add

        stage_photo_add(session, product=product, stored=stored, alt=alt, actor_id=actor_id)
        return None
    if len(product.images) >= MAX_PHOTOS:
        raise SellerError({"photo": [_l("Paling banyak %(n)s foto per produk.", n=MAX_PHOTOS)]})
    image = ProductImage(product_id=product.id, key=stored.key, width=stored.width,
                         height=stored.height, alt=" ".join((alt or "").split())[:200],
                         position=max((i.position for i in product.images), default=-1) + 1)
    session.add(image)
    session.flush()
    refresh_products(session, product_ids=[product.id])
    return image


def remove_photo(session: Session, *, product: Product, image_id: int,
                 actor_id: int | None = None) -> list[str]:
    """Delete one photo row; returns the file names to delete after the commit (none when
    another row still uses the same stored key, as pooled demo rows do). On a published
    product the photo leaves the pending revision's list; the public row stays."""
    check_photos_editable(product)
    image = next((i for i in product.images if i.id == image_id), None)
    if image is None:
        raise LookupError(image_id)
    if product.status is ProductStatus.PUBLISHED:
        from ..curation.revisions import stage_photo_remove

        return stage_photo_remove(session, product=product, key=image.key, actor_id=actor_id)
    key = image.key
    session.delete(image)
    session.flush()
    refresh_products(session, product_ids=[product.id])
    still_used = session.execute(select(ProductImage.id).where(ProductImage.key == key).limit(1)).first()
    return [] if still_used else media_files(key)
