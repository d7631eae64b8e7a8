"""Market data for the programme's admins: every figure of ``/admin/insight``.

Definitions (the numbers mean exactly this, and the tests hold them to it):

Period
    A range of calendar days in Asia/Jakarta (WIB), both ends included. Times are stored
    as naive UTC, so the period is read as ``[start 00:00 WIB, end + 1 day 00:00 WIB)``
    converted to UTC: an order paid at 23:30 WIB on the last day is in, one paid at
    00:30 WIB the next day is out.

Online sales (the marketplace)
    An order belongs to the period in which it was **paid** (``orders.paid_at``; the
    webhook is the only writer). Counted: orders now ``paid`` or ``completed`` (never
    ``pending_payment``, ``cancelled`` or ``refunded``), and of those only the shipments
    not ``refunded`` (nor ``cancelled``). **Gross sales** are the counted shipments'
    ``items_subtotal``: what the goods sold for after wholesale prices, without shipping
    (shipping is the courier's, not a sale). Every refund the app makes returns whole
    shipments (their items and their shipping) or a whole order paid after it was
    cancelled, so leaving out refunded shipments and cancelled orders subtracts exactly the
    items part of every refund. The figures are "as known now": a shipment refunded after
    the period ends leaves that period's figures.

Orders, average order value, buyers
    **Orders**: counted checkout orders (an order with two producers' shipments is one
    order). **Average order value**: gross sales / orders, rounded to the rupiah (half
    up). **Active buyers**: distinct users with a counted order.

Producers
    **Active producers**: distinct producers with a counted shipment or a direct sale
    (not voided) in the period. In the producer breakdowns (kabupaten/kota, kind, top
    producers) ``orders`` counts each producer's shipments: an order from two shops is an
    order received by each.

Buyer regions
    From the order's delivery address (copied at checkout): its province and its
    kabupaten/kota. An address whose city the regions table does not hold is counted under
    "other kabupaten/kota" of its province. Shares are of the online gross sales.

Categories and products
    From order lines (``line_total``, ``quantity``) of counted shipments. A product
    counts under its top-level category as it is now; lines whose product row is gone
    are "product removed".

Direct sales
    ``direct_sales`` rows not voided whose ``sold_on`` (a Jakarta calendar day) is in the
    period. They appear beside online sales (online vs direct, by channel, the time
    series) and are not mixed into the breakdowns above, which read marketplace orders.

Programme targets (as of now, not of the period)
    **Curated products**: products in status ``published`` (they passed curation),
    against 1,000. **Koperasi pondok pesantren**: producers of kind ``kopontren`` that
    are verified, against 660. **Santri entrepreneurs with seller accounts**: distinct
    users who are members (owner or staff) of a verified producer of kind ``pesantren``
    or ``kopontren``.

Every query is an aggregate (GROUP BY, COUNT, SUM) in portable SQL: a time bucket is
one aggregate over its bound UTC instants (the buckets joined by UNION ALL; no date
functions), direct sales are grouped by their day and folded into buckets here. Shares
are Decimals rounded half up to one decimal.

Speed (``bench/insight.py``, 200,000 orders): the migration 7a1e5c3d9b20 adds indexes
that hold every column these queries read (orders by ``paid_at``, by delivery area, and
the few with a refund; shipments and lines by order), so the period's rows are read from
indexes alone. An order counts for its ``items_total`` (every shipment's items), and the
lines of refunded shipments are read for the few orders that had a refund and taken off
(``refunds_in``), so the figures by area and by time read orders alone and those by
product read lines without their shipments. No correlated subquery: PostgreSQL would
estimate it per row and spend longer compiling the query (JIT) than running it. The page
runs the two heaviest reads on a second connection meanwhile (``_Lane``).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from sqlalchemy import (
    DateTime,
    and_,
    bindparam,
    distinct,
    func,
    literal,
    literal_column,
    select,
    union_all,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from ..accounts.models import ProducerMember
from ..catalogue.models import Category, Producer, ProducerKind, Product, ProductStatus
from ..core.timeutil import JAKARTA
from ..orders.models import Order, OrderLine, OrderStatus, Shipment, ShipmentStatus
from ..regions.models import Region, region_label
from .models import DirectSale, SaleChannel

TARGET_CURATED_PRODUCTS = 1_000
TARGET_KOPONTREN = 660
TOP_N = 10

COUNTED_ORDERS = frozenset({OrderStatus.PAID, OrderStatus.COMPLETED})
COUNTED_SHIPMENTS = frozenset({ShipmentStatus.PAID, ShipmentStatus.PROCESSING,
                               ShipmentStatus.SHIPPED, ShipmentStatus.DELIVERED,
                               ShipmentStatus.COMPLETED})
# The same sets written as what is left out (see _orders_where), in a stable order.
UNCOUNTED_ORDERS = tuple(sorted(set(OrderStatus) - COUNTED_ORDERS))
UNCOUNTED_SHIPMENTS = tuple(sorted(set(ShipmentStatus) - COUNTED_SHIPMENTS))
SANTRI_KINDS = (ProducerKind.PESANTREN, ProducerKind.KOPONTREN)

DAILY_UP_TO = 62  # days: a bucket per day up to two months, per week up to a year,
WEEKLY_UP_TO = 366  # per calendar month beyond


# --------------------------------------------------------------------------------------
# The period


def jakarta_midnight_utc(day: date) -> datetime:
    """00:00 WIB of ``day`` as the naive UTC instant the database stores."""
    return datetime.combine(day, time(0), tzinfo=JAKARTA).astimezone(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class Period:
    start: date  # first day, Jakarta
    end: date  # last day, included

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("a period ends on or after its start")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def utc_start(self) -> datetime:
        return jakarta_midnight_utc(self.start)

    @property
    def utc_end(self) -> datetime:
        """Exclusive: 00:00 WIB of the day after the last."""
        return jakarta_midnight_utc(self.end + timedelta(days=1))


@dataclass(frozen=True)
class Bucket:
    start: date
    end: date  # included

    @property
    def single_day(self) -> bool:
        return self.start == self.end


def bucket_size(period: Period) -> str:
    if period.days <= DAILY_UP_TO:
        return "day"
    if period.days <= WEEKLY_UP_TO:
        return "week"
    return "month"


def buckets(period: Period) -> list[Bucket]:
    """Days, ISO weeks (Monday to Sunday) or calendar months, cut to the period."""
    size = bucket_size(period)
    out: list[Bucket] = []
    day = period.start
    while day <= period.end:
        if size == "day":
            last = day
        elif size == "week":
            last = day + timedelta(days=6 - day.weekday())
        else:
            nxt = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
            last = nxt - timedelta(days=1)
        last = min(last, period.end)
        out.append(Bucket(day, last))
        day = last + timedelta(days=1)
    return out


# --------------------------------------------------------------------------------------
# Results


def share(part: int, whole: int) -> Decimal | None:
    """``part`` as a percentage of ``whole``, one decimal, half up; None when whole is 0."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def rounded_div(a: int, b: int) -> int | None:
    """a / b to the nearest integer, halves up (a, b >= 0); None when b is 0."""
    if not b:
        return None
    return (2 * a + b) // (2 * b)


@dataclass
class Row:
    """One line of a breakdown: a key (code or id), what people read, and the figures."""

    key: object
    label: str
    value: int = 0
    orders: int = 0
    units: int = 0
    share: Decimal | None = None
    detail: str = ""  # a second column: the producer's kabupaten, the product's shop


@dataclass
class Headline:
    gross: int = 0
    orders: int = 0
    average_order: int | None = None
    active_producers: int = 0
    active_buyers: int = 0
    direct_value: int = 0
    direct_sales: int = 0
    curated_products: int = 0
    kopontren: int = 0
    santri_sellers: int = 0
    target_curated: int = TARGET_CURATED_PRODUCTS
    target_kopontren: int = TARGET_KOPONTREN

    @property
    def curated_share(self) -> Decimal | None:
        return share(self.curated_products, self.target_curated)

    @property
    def kopontren_share(self) -> Decimal | None:
        return share(self.kopontren, self.target_kopontren)


@dataclass
class SeriesPoint:
    bucket: Bucket
    online: int = 0
    orders: int = 0
    direct: int = 0
    direct_sales: int = 0


@dataclass
class Dashboard:
    period: Period
    headline: Headline
    producer_regions: list[Row]
    buyer_provinces: list[Row]
    buyer_regions: list[Row]
    categories: list[Row]
    producer_kinds: list[Row]
    top_producers: list[Row]
    top_products: list[Row]
    online_direct: list[Row]
    channels: list[Row]
    series: list[SeriesPoint]
    bucket_size: str = "day"


def _with_shares(rows: Iterable[Row], total: int | None = None) -> list[Row]:
    rows = list(rows)
    whole = sum(r.value for r in rows) if total is None else total
    for r in rows:
        r.share = share(r.value, whole)
    return rows


def _ranked(rows: Iterable[Row]) -> list[Row]:
    """Largest value first; ties by label, then key, so the order never depends on SQL."""
    return sorted(rows, key=lambda r: (-r.value, r.label, str(r.key)))


# --------------------------------------------------------------------------------------
# Online: the counted shipments of orders paid in the period


def _read(session: Session):
    """The session's connection: these reads return plain rows, so they skip the ORM's
    result handling (a few microseconds a row, thousands of rows)."""
    return session.connection()


def _orders_where(period: Period) -> tuple:
    """Orders paid within the period's UTC instants and counted.

    Written as "not any of" the statuses left out (the same set as paid or completed, the
    enum having five values): with an IN list, SQLite's planner without statistics would
    prefer the index on ``status`` to the one on ``paid_at`` and read every completed
    order ever.
    """
    return (
        Order.paid_at >= period.utc_start,
        Order.paid_at < period.utc_end,
        *(Order.status != status for status in UNCOUNTED_ORDERS),
    )


def _shipment_counted(shipment=Shipment):
    # "<>" each rather than NOT IN: plain parameters, so a statement is compiled once and
    # reused (an IN list is re-expanded into the SQL text at every execution).
    return and_(*(shipment.status != status for status in UNCOUNTED_SHIPMENTS))


@dataclass(frozen=True)
class Refunded:
    """Refunded items of the period's counted orders (a shipment of them refunded) in one
    delivery area and time bucket: what the figures read from orders alone take off."""

    province_code: str
    region_code: str | None
    bucket: int  # index into buckets(period)
    value: int


@dataclass
class Refunds:
    """What the period's counted orders had refunded: by area and bucket (for the figures
    read from orders) and by product (for those read from their lines)."""

    orders: list[Refunded] = field(default_factory=list)
    products: dict[int | None, tuple[int, int]] = field(default_factory=dict)  # value, units


def refunds_in(session: Session, period: Period) -> Refunds:
    """The lines of the refunded shipments of the period's counted orders, by delivery
    area, time bucket and product. Orders carry ``items_total`` (the sum of every
    shipment's items, which is the sum of their lines); only these few orders need their
    shipments and lines read, so every other figure reads orders, or lines, alone. One
    aggregate per bucket, as in online_series."""
    spans = buckets(period)
    rows = _read(session).execute(_refunds_statement(len(spans)), _bucket_params(spans)).all()
    orders = []
    products: dict[int | None, tuple[int, int]] = {}
    for bucket, province, region, product_id, value, units in rows:
        value, units = int(value or 0), int(units or 0)
        orders.append(Refunded(province, region, int(bucket), value))
        before = products.get(product_id, (0, 0))
        products[product_id] = (before[0] + value, before[1] + units)
    return Refunds(orders, products)


def _bucket_params(spans: list[Bucket]) -> dict[str, datetime]:
    params = {}
    for i, span in enumerate(spans):
        params[f"start_{i}"] = jakarta_midnight_utc(span.start)
        params[f"end_{i}"] = jakarta_midnight_utc(span.end + timedelta(days=1))
    return params


def _bucket_where(i: int) -> tuple:
    return (Order.paid_at >= bindparam(f"start_{i}", type_=DateTime()),
            Order.paid_at < bindparam(f"end_{i}", type_=DateTime()),
            *(Order.status != status for status in UNCOUNTED_ORDERS))


@lru_cache(maxsize=32)
def _refunds_statement(n: int):
    """refunds_in's UNION ALL for ``n`` buckets (the instants are parameters)."""
    return union_all(*(
        select(literal(i).label("bucket"), Order.province_code, Order.region_code,
               OrderLine.product_id, func.sum(OrderLine.line_total), func.sum(OrderLine.quantity))
        .select_from(Order).join(Shipment, Shipment.order_id == Order.id)
        .join(OrderLine, OrderLine.shipment_id == Shipment.id)
        # A literal 0, as in the partial index ix_orders_refunded_paid_at (a parameter
        # would keep the planner from using it).
        .where(*_bucket_where(i), Order.refunded_total > literal_column("0"),
               ~_shipment_counted())
        .group_by(Order.province_code, Order.region_code, OrderLine.product_id)
        for i in range(n)
    ))


def buyer_area_figures(session: Session, period: Period,
                       refunds: Refunds | None = None) -> list[tuple[str, str | None, int, int]]:
    """(province code, kabupaten/kota code or None, orders, value) per delivery area."""
    refunds = refunds_in(session, period) if refunds is None else refunds
    rows = _read(session).execute(
        select(Order.province_code, Order.region_code, func.count(), func.sum(Order.items_total))
        .where(*_orders_where(period))
        .group_by(Order.province_code, Order.region_code)
    ).all()
    less: dict[tuple[str, str | None], int] = {}
    for part in refunds.orders:
        key = (part.province_code, part.region_code)
        less[key] = less.get(key, 0) + part.value
    return [(p, r, int(n), int(v or 0) - less.get((p, r), 0)) for p, r, n, v in rows]


def active_buyers(session: Session, period: Period) -> int:
    """Distinct shoppers with a counted order. A paid or completed order always keeps at
    least one counted shipment (else it would have been settled as refunded), so the
    orders alone answer this."""
    return _read(session).execute(
        select(func.count(distinct(Order.user_id))).where(*_orders_where(period))
    ).scalar_one()


def producer_figures(session: Session, period: Period) -> dict[int, tuple[int, int]]:
    """producer id -> (shipments, value) of its counted shipments."""
    rows = _read(session).execute(
        select(Shipment.producer_id, func.count(), func.sum(Shipment.items_subtotal))
        .select_from(Order).join(Shipment, Shipment.order_id == Order.id)
        .where(*_orders_where(period), _shipment_counted())
        .group_by(Shipment.producer_id)
    ).all()
    return {pid: (int(n), int(v or 0)) for pid, n, v in rows}


@dataclass(frozen=True)
class ProductFigure:
    product_id: int | None
    value: int
    units: int
    name: str | None  # None: the product row is gone
    producer_id: int | None
    category_id: int | None


RefundsArg = Refunds | Callable[[], Refunds] | None


def _refunds(refunds: RefundsArg, session: Session, period: Period) -> Refunds:
    """The refunds given, or asked for (a callable: ready once another connection has read
    them), or read now."""
    if refunds is None:
        return refunds_in(session, period)
    return refunds() if callable(refunds) else refunds


def product_figures(session: Session, period: Period,
                    refunds: RefundsArg = None) -> list[ProductFigure]:
    """Per product, from the lines of counted shipments: every line of the period's
    counted orders (reached from the order), less the lines of refunded shipments
    (``refunds_in``). The product's name, shop and category are joined to the grouped
    rows, one row per product."""
    grouped = (
        select(OrderLine.product_id.label("product_id"),
               func.sum(OrderLine.line_total).label("value"),
               func.sum(OrderLine.quantity).label("units"))
        .select_from(Order).join(OrderLine, OrderLine.order_id == Order.id)
        .where(*_orders_where(period))
        .group_by(OrderLine.product_id)
        .subquery()
    )
    rows = _read(session).execute(
        select(grouped.c.product_id, grouped.c.value, grouped.c.units, Product.name,
               Product.producer_id, Product.category_id)
        .select_from(grouped).outerjoin(Product, Product.id == grouped.c.product_id)
    ).all()
    refunds = _refunds(refunds, session, period)
    out = []
    for pid, v, u, name, producer_id, category_id in rows:
        less_v, less_u = refunds.products.get(pid, (0, 0))
        value, units = int(v or 0) - less_v, int(u or 0) - less_u
        if value or units:
            out.append(ProductFigure(pid, value, units, name, producer_id, category_id))
    return out


def online_series(session: Session, period: Period, spans: list[Bucket],
                  refunds: RefundsArg = None) -> dict[int, tuple[int, int]]:
    """bucket index -> (orders, value): one aggregate per bucket over its UTC instants,
    joined by UNION ALL. Each reads one range of the paid_at index; nothing is sorted
    and no date function is needed."""
    if not spans:
        return {}
    out = {int(b): [int(n), int(v or 0)] for b, n, v in
           _read(session).execute(_series_statement(len(spans)), _bucket_params(spans)).all() if n}
    refunds = _refunds(refunds, session, period)
    for part in refunds.orders:
        if part.bucket in out:
            out[part.bucket][1] -= part.value
    return {i: (n, v) for i, (n, v) in out.items()}


@lru_cache(maxsize=32)
def _series_statement(n: int):
    """The UNION ALL for ``n`` buckets, built once per bucket count (building it is
    costly; the instants are parameters)."""
    return union_all(*(
        select(literal(i).label("bucket"), func.count().label("orders"),
               func.sum(Order.items_total).label("value"))
        .where(*_bucket_where(i))
        for i in range(n)
    ))


# --------------------------------------------------------------------------------------
# Direct sales


def direct_figures(session: Session, period: Period) -> list[tuple[date, SaleChannel, int, int]]:
    """(day, channel, sales, value) of the period's direct sales that are not void."""
    rows = _read(session).execute(
        select(DirectSale.sold_on, DirectSale.channel, func.count(), func.sum(DirectSale.value))
        .where(DirectSale.sold_on >= period.start, DirectSale.sold_on <= period.end,
               DirectSale.voided_at.is_(None))
        .group_by(DirectSale.sold_on, DirectSale.channel)
    ).all()
    return [(d, SaleChannel(c), int(n), int(v or 0)) for d, c, n, v in rows]


def direct_producers(session: Session, period: Period) -> set[int]:
    return set(_read(session).scalars(
        select(DirectSale.producer_id)
        .where(DirectSale.sold_on >= period.start, DirectSale.sold_on <= period.end,
               DirectSale.voided_at.is_(None))
        .group_by(DirectSale.producer_id)
    ))


# --------------------------------------------------------------------------------------
# The programme's targets (as of now)


def programme_counts(session: Session) -> tuple[int, int, int]:
    """(curated products, verified kopontren, santri entrepreneurs with seller accounts)."""
    curated = _read(session).execute(
        select(func.count()).select_from(Product).where(Product.status == ProductStatus.PUBLISHED)
    ).scalar_one()
    kopontren = _read(session).execute(
        select(func.count()).select_from(Producer)
        .where(Producer.kind == ProducerKind.KOPONTREN, Producer.verified.is_(True))
    ).scalar_one()
    santri = _read(session).execute(
        select(func.count(distinct(ProducerMember.user_id)))
        .join(Producer, Producer.id == ProducerMember.producer_id)
        .where(Producer.kind.in_(SANTRI_KINDS), Producer.verified.is_(True))
    ).scalar_one()
    return int(curated), int(kopontren), int(santri)


# --------------------------------------------------------------------------------------
# Names


def _region_names(session: Session) -> dict[str, str]:
    return {code: region_label(kind, name)
            for code, name, kind in _read(session).execute(select(Region.code, Region.name, Region.kind))}


def _producers(session: Session, ids: Iterable[int]) -> dict[int, tuple[str, ProducerKind, str]]:
    ids = sorted(set(ids))
    out: dict[int, tuple[str, ProducerKind, str]] = {}
    for chunk in _chunks(ids, 2000):
        for pid, name, kind, region in _read(session).execute(
            select(Producer.id, Producer.name, Producer.kind, Producer.region_code)
            .where(Producer.id.in_(chunk))
        ):
            out[pid] = (name, ProducerKind(kind), region)
    return out


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _category_roots(session: Session) -> dict[int, tuple[int, str]]:
    """category id -> (its top-level category's id, that category's name)."""
    rows = _read(session).execute(select(Category.id, Category.parent_id, Category.name)).all()
    parent = {cid: pid for cid, pid, _name in rows}
    names = {cid: name for cid, _pid, name in rows}
    roots = {}
    for cid in parent:
        root, seen = cid, set()
        while parent.get(root) is not None and root not in seen:
            seen.add(root)
            root = parent[root]
        roots[cid] = (root, names[root])
    return roots


# --------------------------------------------------------------------------------------
# The breakdowns (each one a function, so a CSV download runs only what it needs)


@dataclass
class Labels:
    """What the page calls things that have no name of their own (translated by the view)."""

    other_city: str = "Kabupaten/kota lain"
    removed_product: str = "Produk sudah dihapus"
    online: str = "Online (marketplace)"
    direct: str = "Penjualan langsung"
    kinds: dict = field(default_factory=lambda: {k: k.value for k in ProducerKind})
    channels: dict = field(default_factory=lambda: {c: c.value for c in SaleChannel})


def buyer_breakdowns(session: Session, period: Period, labels: Labels,
                     names: dict[str, str] | None = None,
                     refunds: Refunds | None = None) -> tuple[list[Row], list[Row], int, int]:
    """(by province, by kabupaten/kota, orders, gross) from one GROUP BY."""
    names = names if names is not None else _region_names(session)
    provinces: dict[str, Row] = {}
    cities: dict[tuple[str, str | None], Row] = {}
    orders = gross = 0
    for province, city, n, value in buyer_area_figures(session, period, refunds):
        orders += n
        gross += value
        p = provinces.setdefault(province, Row(province, names.get(province, province)))
        p.value += value
        p.orders += n
        if city:
            label = names.get(city, city)
        else:
            label = f"{labels.other_city} ({names.get(province, province)})"
        c = cities.setdefault((province, city), Row(city or f"{province}.-", label,
                                                    detail=names.get(province, province)))
        c.value += value
        c.orders += n
    return (_with_shares(_ranked(provinces.values()), gross),
            _with_shares(_ranked(cities.values()), gross), orders, gross)


def producer_breakdowns(session: Session, period: Period, labels: Labels,
                        names: dict[str, str] | None = None,
                        figures: dict[int, tuple[int, int]] | None = None
                        ) -> tuple[list[Row], list[Row], list[Row]]:
    """(by producer kabupaten/kota, by producer kind, top producers) from one GROUP BY."""
    names = names if names is not None else _region_names(session)
    figures = figures if figures is not None else producer_figures(session, period)
    info = _producers(session, figures)
    regions: dict[str, Row] = {}
    kinds: dict[ProducerKind, Row] = {}
    shops: list[Row] = []
    gross = 0
    for pid, (n, value) in figures.items():
        name, kind, region = info[pid]
        gross += value
        r = regions.setdefault(region, Row(region, names.get(region, region)))
        r.value += value
        r.orders += n
        k = kinds.setdefault(kind, Row(kind.value, str(labels.kinds.get(kind, kind.value))))
        k.value += value
        k.orders += n
        shops.append(Row(pid, name, value=value, orders=n, detail=names.get(region, region)))
    top = _with_shares(_ranked(shops)[:TOP_N], gross)
    return (_with_shares(_ranked(regions.values()), gross),
            _with_shares(_ranked(kinds.values()), gross), top)


def product_breakdowns(session: Session, period: Period, labels: Labels,
                       refunds: RefundsArg = None) -> tuple[list[Row], list[Row]]:
    """(by top-level category, top products) from one GROUP BY over the lines."""
    figures = product_figures(session, period, refunds)
    roots = _category_roots(session)
    cats: dict[object, Row] = {}
    products: list[Row] = []
    shop_of: dict[int, int] = {}
    gross = 0
    for f in figures:
        gross += f.value
        if f.name is None:
            cat_key, cat_label = "-", labels.removed_product
            products.append(Row("-", labels.removed_product, value=f.value, units=f.units))
        else:
            cat_key, cat_label = roots.get(f.category_id, (f.category_id, str(f.category_id)))
            products.append(Row(f.product_id, f.name, value=f.value, units=f.units))
            shop_of[f.product_id] = f.producer_id
        c = cats.setdefault(cat_key, Row(cat_key, cat_label))
        c.value += f.value
        c.units += f.units
    top = _with_shares(_ranked(products)[:TOP_N], gross)
    shops = _producers(session, {shop_of[r.key] for r in top if r.key in shop_of})
    for r in top:
        r.detail = shops.get(shop_of.get(r.key), ("",))[0]
    return _with_shares(_ranked(cats.values()), gross), top


def direct_breakdowns(session: Session, period: Period, labels: Labels, gross: int,
                      orders: int = 0) -> tuple[list[Row], list[Row], list[tuple[date, int, int]], int, int]:
    """(online vs direct, direct by channel, (day, sales, value) per day, direct value,
    direct sales). ``gross`` and ``orders`` are the online figures for the comparison;
    a row's ``orders`` is its count of orders (online) or of sales (direct)."""
    channels = {c: Row(c.value, str(labels.channels.get(c, c.value))) for c in SaleChannel}
    days: dict[date, list[int]] = {}
    for day, channel, n, value in direct_figures(session, period):
        row = channels[channel]
        row.value += value
        row.orders += n
        slot = days.setdefault(day, [0, 0])
        slot[0] += n
        slot[1] += value
    direct_value = sum(r.value for r in channels.values())
    direct_count = sum(r.orders for r in channels.values())
    by_channel = _with_shares(_ranked(channels.values()), direct_value)
    split = _with_shares([Row("online", labels.online, value=gross, orders=orders),
                          Row("direct", labels.direct, value=direct_value, orders=direct_count)])
    return split, by_channel, sorted((d, s[0], s[1]) for d, s in days.items()), direct_value, direct_count


def series_points(spans: list[Bucket], online: dict[int, tuple[int, int]],
                  direct_days: list[tuple[date, int, int]]) -> list[SeriesPoint]:
    """The buckets with their online figures (by index) and direct sales (by day)."""
    points = [SeriesPoint(b) for b in spans]
    for i, (n, value) in online.items():
        points[i].orders, points[i].online = n, value
    starts = [b.start for b in spans]
    for day, n, value in direct_days:
        i = bisect.bisect_right(starts, day) - 1
        if 0 <= i < len(points):
            points[i].direct += value
            points[i].direct_sales += n
    return points


def series(session: Session, period: Period, direct_days: list[tuple[date, int, int]]) -> list[SeriesPoint]:
    spans = buckets(period)
    return series_points(spans, online_series(session, period, spans), direct_days)


class _Lane:
    """A second connection for read-only queries while the request's session runs others.

    The page's two heaviest reads (order lines by product, the time series) then run at
    the same time as the rest, each database connection on a core of its own. Without an
    engine (figures read in tests, CSV downloads) a job runs at once on the session.
    The two connections may read a moment apart: figures a commit apart, never a
    half-written change.
    """

    def __init__(self, session: Session, engine: Engine | None):
        self.session, self.engine = session, engine
        self.pool: ThreadPoolExecutor | None = None
        self.own: Session | None = None

    @property
    def parallel(self) -> bool:
        return self.pool is not None

    def __enter__(self) -> _Lane:
        if self.engine is not None:
            self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="insight")
        return self

    def submit(self, job) -> Future:
        if self.pool is None:
            done: Future = Future()
            try:
                done.set_result(job(self.session))
            except BaseException as exc:  # noqa: BLE001 - handed to whoever asks for the result
                done.set_exception(exc)
            return done
        return self.pool.submit(self._run, job)

    def _run(self, job):
        if self.own is None:  # the lane's one thread owns this session
            self.own = Session(self.engine)
        return job(self.own)

    def __exit__(self, *exc) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True)
        if self.own is not None:
            self.own.close()


def dashboard(session: Session, period: Period, labels: Labels | None = None, *,
              engine: Engine | None = None) -> Dashboard:
    """Every figure of the dashboard for ``period``; with ``engine``, the heaviest reads
    run on a second connection meanwhile (see _Lane)."""
    labels = labels or Labels()
    spans = buckets(period)
    with _Lane(session, engine) as lane:
        # The second connection starts on its reads at once and takes the refunds (a
        # small read here) off when it has them.
        refunds_ready: Future = Future()
        if not lane.parallel:
            refunds_ready.set_result(refunds_in(session, period))
        products_job = lane.submit(
            lambda s: product_breakdowns(s, period, labels, refunds_ready.result))
        series_job = lane.submit(lambda s: online_series(s, period, spans, refunds_ready.result))
        if lane.parallel:
            try:
                refunds_ready.set_result(refunds_in(session, period))
            except BaseException as exc:  # the other connection must not wait for ever
                refunds_ready.set_exception(exc)
                raise
        refunds = refunds_ready.result()
        names = _region_names(session)
        provinces, cities, orders, gross = buyer_breakdowns(session, period, labels, names,
                                                            refunds)
        figures = producer_figures(session, period)
        producer_regions, kinds, top_producers = producer_breakdowns(
            session, period, labels, names, figures)
        split, channels, direct_days, direct_value, direct_count = direct_breakdowns(
            session, period, labels, gross, orders)
        curated, kopontren, santri = programme_counts(session)
        headline = Headline(
            gross=gross, orders=orders, average_order=rounded_div(gross, orders),
            active_producers=len(set(figures) | direct_producers(session, period)),
            active_buyers=active_buyers(session, period),
            direct_value=direct_value, direct_sales=direct_count,
            curated_products=curated, kopontren=kopontren, santri_sellers=santri,
        )
        categories, top_products = products_job.result()
        points = series_points(spans, series_job.result(), direct_days)
    return Dashboard(
        period=period, headline=headline, producer_regions=producer_regions,
        buyer_provinces=provinces, buyer_regions=cities, categories=categories,
        producer_kinds=kinds, top_producers=top_producers, top_products=top_products,
        online_direct=split, channels=channels, series=points, bucket_size=bucket_size(period),
    )
