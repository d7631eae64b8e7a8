"""Read side of the public catalogue.

Every public query starts from ``Product.is_listed``: published, producer verified,
something to sell. Lists select only the columns a product card shows and page with
keyset cursors, so page 2,000 costs what page 1 costs; counts and menus are cached per
worker until the catalogue's version moves (core.cache).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import bindparam, distinct, exists, func, select, tuple_
from sqlalchemy.sql import ColumnElement, Select

from ..core.cache import cached, fresh_within_ttl
from ..core.timeutil import today_jakarta
from ..extensions import db
from ..regions.models import Region, region_label
from .models import (
    Brand,
    Category,
    Certification,
    CertType,
    Producer,
    ProducerKind,
    Product,
    ProductImage,
    ProductVariant,
    WholesaleTier,
    product_certifications,
)
from .services import certificate_is_public


# "= 1" (not "IS 1") so SQLite uses the partial indexes declared on products.
LISTED = Product.is_listed == True  # noqa: E712


class Sort(StrEnum):
    NEWEST = "terbaru"
    PRICE_ASC = "termurah"
    PRICE_DESC = "termahal"
    NAME = "nama"


# (column, descending?) for each sort; ``id`` breaks ties in the same direction.
_SORT_KEYS = {
    Sort.NEWEST: (Product.published_at, True),
    Sort.PRICE_ASC: (Product.min_price, False),
    Sort.PRICE_DESC: (Product.min_price, True),
    Sort.NAME: (Product.sort_name, False),
}


@dataclass(frozen=True)
class ListingFilter:
    category_ids: tuple[int, ...] = ()
    region_code: str | None = None
    cert_type: CertType | None = None
    price_min: int | None = None
    price_max: int | None = None
    producer_kind: ProducerKind | None = None
    producer_id: int | None = None
    sort: Sort = Sort.NEWEST

    def cache_key(self) -> tuple:
        return (self.category_ids, self.region_code, self.cert_type, self.price_min,
                self.price_max, self.producer_kind, self.producer_id)


@dataclass(frozen=True)
class Card:
    id: int
    slug: str
    name: str
    min_price: int
    max_price: int
    in_stock: bool
    cover_image: str | None
    producer_name: str
    region: str


@dataclass
class Page:
    items: list[Card]
    number: int
    total: int
    page_size: int
    next_cursor: str | None = None
    prev_cursor: str | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def _conditions(f: ListingFilter, walk_sort_index: bool = False) -> list[ColumnElement[bool]]:
    """WHERE terms for a filter. ``walk_sort_index`` writes the category and producer
    terms as ``column + 0`` so no index can serve them: with many matches, walking the
    sort order's index and checking each row beats collecting and sorting every match."""
    conds: list[ColumnElement[bool]] = [LISTED]
    category_id = Product.category_id + 0 if walk_sort_index else Product.category_id
    producer_id = Product.producer_id + 0 if walk_sort_index else Product.producer_id
    if f.category_ids:
        conds.append(category_id.in_(f.category_ids))
    if f.producer_id is not None:
        conds.append(producer_id == f.producer_id)
    if f.price_min is not None:
        conds.append(Product.max_price >= f.price_min)
    if f.price_max is not None:
        conds.append(Product.min_price <= f.price_max)
    if f.region_code is not None or f.producer_kind is not None:
        # IN (not EXISTS): the planner can start from the few producers that match and
        # reach their products through ix_products_producer_status.
        producers = select(Producer.id)
        if f.region_code is not None:
            producers = producers.where(Producer.region_code == f.region_code)
        if f.producer_kind is not None:
            producers = producers.where(Producer.kind == f.producer_kind)
        conds.append(producer_id.in_(producers))
    if f.cert_type is not None:
        conds.append(
            exists()
            .where(
                product_certifications.c.product_id == Product.id,
                Certification.id == product_certifications.c.certification_id,
                Certification.type == f.cert_type,
            )
            .where(certificate_is_public())
        )
    return conds


def _card_select() -> Select:
    return select(
        Product.id,
        Product.slug,
        Product.name,
        Product.min_price,
        Product.max_price,
        Product.in_stock,
        Product.cover_image,
        Producer.name,
        Region.kind,
        Region.name,
    ).join(Producer, Producer.id == Product.producer_id).join(Region, Region.code == Producer.region_code)


def _cards(rows) -> list[Card]:
    return [
        Card(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], region_label(r[8], r[9])) for r in rows
    ]


def encode_cursor(sort: Sort, value: Any, row_id: int) -> str:
    if isinstance(value, datetime):
        value = value.isoformat()
    raw = json.dumps([sort.value, value, row_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(sort: Sort, token: str | None) -> tuple[Any, int] | None:
    """A cursor from our own links, or None for anything else (then page 1 is shown)."""
    if not token or len(token) > 600:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        kind, value, row_id = json.loads(raw)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        return None
    if kind != sort.value or not isinstance(row_id, int) or isinstance(row_id, bool):
        return None
    try:
        if sort is Sort.NEWEST:
            value = datetime.fromisoformat(value)
        elif sort in (Sort.PRICE_ASC, Sort.PRICE_DESC):
            if not isinstance(value, int) or isinstance(value, bool):
                return None
        elif not isinstance(value, str):
            return None
    except (TypeError, ValueError):
        return None
    return value, row_id


# Below this many matches a filtered listing sorts its matches instead of walking an index.
SORT_AFTER_FILTER_BELOW = 5000


def count_listed(f: ListingFilter) -> int:
    def compute() -> int:
        stmt = select(func.count()).select_from(Product).where(*_conditions(f))
        return db.session.execute(stmt).scalar_one()

    return cached(("count", f.cache_key(), today_jakarta()), compute)


def fetch_page(
    f: ListingFilter,
    *,
    page_size: int,
    after: str | None = None,
    before: str | None = None,
    number: int = 1,
) -> Page:
    """One page of cards.

    ``after``/``before`` are cursors from the previous page's links (keyset: the index is
    entered at the cursor, nothing skipped is read). A bare page number without cursor is
    served by an index-only OFFSET over ids, then the cards for those ids.
    """
    column, descending = _SORT_KEYS[f.sort]
    total = count_listed(f)
    number = max(1, number)
    cursor_after = decode_cursor(f.sort, after)
    cursor_before = None if cursor_after else decode_cursor(f.sort, before)
    backwards = cursor_before is not None
    walk_desc = descending != backwards
    key = tuple_(column, Product.id)

    # Few matches: sorting them beats walking the whole sort index to find them; many:
    # walk the index. The count is cached, so it picks the plan at no cost. COALESCE(x, x)
    # is x, but no index delivers it in order, so the planner starts from the filter.
    filtered = f.cache_key() != ListingFilter().cache_key()
    few = filtered and total <= SORT_AFTER_FILTER_BELOW
    ids_stmt = select(Product.id, column).where(*_conditions(f, walk_sort_index=not few))
    if cursor_after or cursor_before:
        value, row_id = cursor_after or cursor_before
        ids_stmt = ids_stmt.where(key < tuple_(value, row_id) if walk_desc else key > tuple_(value, row_id))
    elif number > 1:
        ids_stmt = ids_stmt.offset((number - 1) * page_size)
    sort_key = func.coalesce(column, column) if few else column
    order = (sort_key.desc(), Product.id.desc()) if walk_desc else (sort_key.asc(), Product.id.asc())
    ids_stmt = ids_stmt.order_by(*order).limit(page_size + 1)

    keyed = db.session.execute(ids_stmt).all()
    more = len(keyed) > page_size
    keyed = keyed[:page_size]
    if backwards:
        keyed.reverse()
    ids = [row[0] for row in keyed]
    by_id = {}
    if ids:
        by_id = {c.id: c for c in _cards(db.session.execute(_card_select().where(Product.id.in_(ids))))}
    items = [by_id[i] for i in ids if i in by_id]

    page = Page(items=items, number=number, total=total, page_size=page_size)
    if keyed:
        first, last = keyed[0], keyed[-1]
        has_next = True if backwards else more
        has_prev = more if backwards else (cursor_after is not None or number > 1)
        if has_next:
            page.next_cursor = encode_cursor(f.sort, last[1], last[0])
        if has_prev:
            page.prev_cursor = encode_cursor(f.sort, first[1], first[0])
    return page


def latest_cards(limit: int, f: ListingFilter | None = None, exclude_id: int | None = None) -> list[Card]:
    f = f or ListingFilter()
    stmt = _card_select().where(*_conditions(f))
    if exclude_id is not None:
        stmt = stmt.where(Product.id != exclude_id)
    column, descending = _SORT_KEYS[f.sort]
    order = (column.desc(), Product.id.desc()) if descending else (column.asc(), Product.id.asc())
    return _cards(db.session.execute(stmt.order_by(*order).limit(limit)))


# --- navigation and reference lists (cached per catalogue version) ---


@dataclass
class CategoryNode:
    id: int
    slug: str
    name: str
    name_en: str
    parent_id: int | None
    count: int = 0
    children: list[CategoryNode] = field(default_factory=list)

    def label(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name

    @property
    def ids(self) -> tuple[int, ...]:
        """This category and all below it, for "incl. subcategories" filters."""
        out = [self.id]
        for child in self.children:
            out.extend(child.ids)
        return tuple(out)


@dataclass
class CategoryTree:
    roots: list[CategoryNode]
    by_slug: dict[str, CategoryNode]
    by_id: dict[int, CategoryNode]

    def path(self, node: CategoryNode) -> list[CategoryNode]:
        out = [node]
        while out[0].parent_id is not None:
            out.insert(0, self.by_id[out[0].parent_id])
        return out


def category_tree() -> CategoryTree:
    def compute() -> CategoryTree:
        rows = db.session.execute(
            select(Category.id, Category.slug, Category.name, Category.name_en, Category.parent_id)
            .order_by(Category.position, Category.id)
        ).all()
        counts = dict(
            db.session.execute(
                select(Product.category_id, func.count())
                .where(LISTED)
                .group_by(Product.category_id)
            ).all()
        )
        by_id = {r[0]: CategoryNode(r[0], r[1], r[2], r[3], r[4]) for r in rows}
        roots: list[CategoryNode] = []
        for node in by_id.values():
            if node.parent_id is None or node.parent_id not in by_id:
                roots.append(node)
            else:
                by_id[node.parent_id].children.append(node)

        def total(node: CategoryNode) -> int:
            node.count = counts.get(node.id, 0) + sum(total(c) for c in node.children)
            return node.count

        for root in roots:
            total(root)
        return CategoryTree(roots, {n.slug: n for n in by_id.values()}, by_id)

    return cached(("category_tree",), compute)


@dataclass(frozen=True)
class RegionOption:
    code: str
    label: str
    count: int


def listed_regions() -> list[RegionOption]:
    """Kabupaten/kota that have something listed, for the location filter."""

    def compute() -> list[RegionOption]:
        rows = db.session.execute(
            select(Region.code, Region.kind, Region.name, func.count(Product.id))
            .join(Producer, Producer.region_code == Region.code)
            .join(Product, Product.producer_id == Producer.id)
            .where(LISTED)
            .group_by(Region.code, Region.kind, Region.name)
            .order_by(Region.name, Region.code)
        ).all()
        return [RegionOption(r[0], region_label(r[1], r[2]), r[3]) for r in rows]

    return cached(("regions",), compute)


@dataclass(frozen=True)
class Figures:
    products: int
    producers: int
    regions: int
    kopontren: int


def programme_figures() -> Figures:
    def compute() -> Figures:
        listed = LISTED
        row = db.session.execute(
            select(
                func.count(distinct(Product.id)),
                func.count(distinct(Producer.id)),
                func.count(distinct(Producer.region_code)),
            )
            .join(Producer, Producer.id == Product.producer_id)
            .where(listed)
        ).one()
        kopontren = db.session.execute(
            select(func.count(distinct(Producer.id)))
            .join(Product, Product.producer_id == Producer.id)
            .where(listed, Producer.kind == ProducerKind.KOPONTREN)
        ).scalar_one()
        return Figures(row[0], row[1], row[2], kopontren)

    return cached(("figures",), compute)


@dataclass(frozen=True)
class ProducerCard:
    slug: str
    name: str
    kind: ProducerKind
    region: str
    logo_path: str | None
    products: int


def top_producers(limit: int) -> list[ProducerCard]:
    def compute() -> list[ProducerCard]:
        count = func.count(Product.id)
        rows = db.session.execute(
            select(Producer.slug, Producer.name, Producer.kind, Region.kind, Region.name,
                   Producer.logo_path, count)
            .join(Region, Region.code == Producer.region_code)
            .join(Product, Product.producer_id == Producer.id)
            .where(LISTED)
            .group_by(Producer.id, Producer.slug, Producer.name, Producer.kind, Region.kind,
                      Region.name, Producer.logo_path)
            .order_by(count.desc(), Producer.name)
            .limit(limit)
        ).all()
        return [ProducerCard(r[0], r[1], ProducerKind(r[2]), region_label(r[3], r[4]), r[5], r[6])
                for r in rows]

    return cached(("top_producers", limit), compute)


# --- single pages ---


@dataclass(frozen=True)
class TierView:
    min_qty: int
    unit_price: int


@dataclass
class VariantView:
    id: int
    sku: str
    option1: str | None
    option2: str | None
    price: int
    stock: int
    weight_grams: int
    min_order_qty: int
    wholesale_tiers: list[TierView] = field(default_factory=list)

    @property
    def label(self) -> str:
        return " / ".join(v for v in (self.option1, self.option2) if v)


@dataclass(frozen=True)
class ImageView:
    key: str
    alt: str


@dataclass(frozen=True)
class CertView:
    id: int
    type: CertType
    number: str
    halal_scheme: str | None
    expires_on: date | None
    verified: bool

    def is_valid_on(self, day: date) -> bool:
        return self.expires_on is None or self.expires_on >= day


@dataclass(frozen=True)
class BrandView:
    name: str
    djki_number: str | None


@dataclass(frozen=True)
class RegionView:
    display_name: str


@dataclass(frozen=True)
class ProducerView:
    slug: str
    name: str
    kind: ProducerKind
    region: RegionView
    pesantren_name: str | None
    logo_path: str | None


@dataclass
class ProductView:
    """Everything the product page shows, read as rows: the ORM's relationship
    loading cost more than the page's queries and rendering together."""

    id: int
    slug: str
    name: str
    description: str
    category_id: int
    option1_name: str | None
    option2_name: str | None
    min_price: int
    max_price: int
    brand: BrandView | None
    producer: ProducerView
    variants: list[VariantView]
    images: list[ImageView]
    certifications: list[CertView]


_PRODUCT_ROW = (
    select(Product.id, Product.slug, Product.name, Product.description, Product.category_id,
           Product.option1_name, Product.option2_name, Product.min_price, Product.max_price,
           Brand.name, Brand.djki_number, Producer.slug, Producer.name, Producer.kind,
           Region.kind, Region.name, Producer.pesantren_name, Producer.logo_path)
    .join(Producer, Producer.id == Product.producer_id)
    .join(Region, Region.code == Producer.region_code)
    .outerjoin(Brand, Brand.id == Product.brand_id)
    .where(Product.slug == bindparam("slug"), LISTED)
)
_VARIANT_ROWS = (
    select(ProductVariant.id, ProductVariant.sku, ProductVariant.option1, ProductVariant.option2,
           ProductVariant.price, ProductVariant.stock, ProductVariant.weight_grams,
           ProductVariant.min_order_qty)
    .where(ProductVariant.product_id == bindparam("product_id"),
           ProductVariant.is_active == True)  # noqa: E712
    .order_by(ProductVariant.position, ProductVariant.id)
)
_TIER_ROWS = (
    select(WholesaleTier.variant_id, WholesaleTier.min_qty, WholesaleTier.unit_price)
    .join(ProductVariant, ProductVariant.id == WholesaleTier.variant_id)
    .where(ProductVariant.product_id == bindparam("product_id"))
    .order_by(WholesaleTier.variant_id, WholesaleTier.min_qty)
)
_IMAGE_ROWS = (
    select(ProductImage.key, ProductImage.alt)
    .where(ProductImage.product_id == bindparam("product_id"))
    .order_by(ProductImage.position, ProductImage.id)
)
_CERT_ROWS = (
    select(Certification.id, Certification.type, Certification.number,
           Certification.halal_scheme, Certification.expires_on, Certification.verified)
    .join(product_certifications, product_certifications.c.certification_id == Certification.id)
    .where(product_certifications.c.product_id == bindparam("product_id"))
    .order_by(Certification.id)
)


def listed_product(slug: str) -> ProductView | None:
    """A product page's product with everything it shows, or None when not public."""
    session = db.session
    row = session.execute(_PRODUCT_ROW, {"slug": slug}).first()
    if row is None:
        return None
    params = {"product_id": row[0]}
    variants = [VariantView(*r) for r in session.execute(_VARIANT_ROWS, params)]
    by_id = {v.id: v for v in variants}
    for variant_id, min_qty, unit_price in session.execute(_TIER_ROWS, params):
        if variant_id in by_id:
            by_id[variant_id].wholesale_tiers.append(TierView(min_qty, unit_price))
    if not variants:
        return None
    return ProductView(
        id=row[0], slug=row[1], name=row[2], description=row[3], category_id=row[4],
        option1_name=row[5], option2_name=row[6], min_price=row[7], max_price=row[8],
        brand=BrandView(row[9], row[10]) if row[9] is not None else None,
        producer=ProducerView(row[11], row[12], ProducerKind(row[13]),
                              RegionView(region_label(row[14], row[15])), row[16], row[17]),
        variants=variants,
        images=[ImageView(*r) for r in session.execute(_IMAGE_ROWS, params)],
        certifications=[CertView(r[0], CertType(r[1]), r[2], r[3], r[4], r[5])
                        for r in session.execute(_CERT_ROWS, params)],
    )


_LISTED_STOCK = (
    select(ProductVariant.id, ProductVariant.stock)
    .join(Product, Product.id == ProductVariant.product_id)
    .where(Product.slug == bindparam("slug"), LISTED, ProductVariant.is_active == True)  # noqa: E712
    .order_by(ProductVariant.id)
)


def listed_stock(slug: str) -> tuple[tuple[int, int], ...] | None:
    """(variant id, stock) of a public product's active variants; None when not public.

    Read at most once per version TTL per worker: a product page may show stock a
    moment old, never a product that left the catalogue longer ago than that.
    """

    def compute() -> tuple[tuple[int, int], ...] | None:
        rows = db.session.execute(_LISTED_STOCK, {"slug": slug}).all()
        return tuple((r[0], r[1]) for r in rows) or None

    return fresh_within_ttl(("stock", slug), compute)


def public_producer(slug: str) -> Producer | None:
    return db.session.execute(
        select(Producer).where(Producer.slug == slug, Producer.verified.is_(True))
    ).scalar_one_or_none()


def public_certifications(certs: list, day: date | None = None) -> list:
    """What a shopper may rely on: verified by a curator; expired ones are shown as such."""
    return [c for c in certs if c.verified]


def producer_listed_count(producer_id: int) -> int:
    return count_listed(ListingFilter(producer_id=producer_id))


def known_region_codes() -> frozenset[str]:
    return cached(
        ("region_codes",),
        lambda: frozenset(db.session.execute(select(Region.code)).scalars()),
    )


def region_name(code: str) -> str | None:
    def compute() -> dict[str, str]:
        rows = db.session.execute(select(Region.code, Region.kind, Region.name)).all()
        return {r[0]: region_label(r[1], r[2]) for r in rows}

    return cached(("region_names",), compute).get(code)
