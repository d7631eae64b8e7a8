"""Market data speed: every query of /admin/insight and the whole page at 200,000 orders.

Builds a throwaway, migrated database and fills it with bulk inserts (SQLAlchemy core
executemany, explicit ids): 300 producers over Jawa Timur's kabupaten/kota, 3,000
products in 24 categories, 40,000 shoppers, 200,000 orders over the last two years with
their shipments (1-3 per order) and lines (1-3 per shipment), a realistic mix of
statuses (completed, paid, cancelled unpaid, refunded whole, one shipment refunded),
buyers in Jawa Timur and elsewhere, and 20,000 direct sales (some voided).

Then, for the last 365 days, it times each dashboard query and the whole dashboard
computation (``queries.dashboard``) in this process, and the whole ``GET /admin/insight``
through the Flask test client (an admin logged in; parse, queries, charts, template),
and prints p50/p95 in ms.

    .venv/bin/python bench/insight.py                       # SQLite in a temp file
    .venv/bin/python bench/insight.py --orders 20000        # quicker
    tools/with_postgres.sh .venv/bin/python bench/insight.py --pg    # a throwaway server
    .venv/bin/python bench/insight.py --pg postgresql://user@host/postgres

``--pg`` without a URL takes DATABASE_URL or TEST_DATABASE_URL (what with_postgres.sh
sets); a database ``opop_bench_<random>`` is created there and dropped afterwards.
Aim (issue #7): the dashboard answers within a second at 200,000 orders on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BATCH = 10_000
PASSWORD = "bench-kata-sandi"


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def timed(fn, repeat: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds of each run. On a shared machine the wall clock
    includes waiting for a core; CPU time (this process: Python and SQLite, not a
    PostgreSQL server) is the work itself."""
    wall, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return wall, cpu


def report(label: str, samples: tuple[list[float], list[float]]) -> None:
    wall, cpu = samples
    print(f"  {label:<50} p50 {pct(wall, 50):7.1f} ms  p95 {pct(wall, 95):7.1f} ms"
          f"  (cpu p50 {pct(cpu, 50):7.1f} ms)", flush=True)


# --------------------------------------------------------------------------------------
# Databases


def postgres_database(base_url: str):
    """Create a fresh database on the server ``base_url`` names; return (url, drop)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = make_url(base_url).set(drivername="postgresql+psycopg")
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    name = f"opop_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return base.set(database=name).render_as_string(hide_password=False), drop


def make_app(url: str, workdir: Path):
    from opopmart import create_app
    from opopmart.config import TestConfig

    return create_app(TestConfig, {
        "SQLALCHEMY_DATABASE_URI": url,
        "INSTANCE_PATH": str(workdir / "instance"),
        "MEDIA_ROOT": str(workdir / "media"),
        "SEARCH_INDEX_DIR": str(workdir / "search"),
        "WTF_CSRF_ENABLED": False,
    })


# --------------------------------------------------------------------------------------
# Filling it


def _insert(session, table, rows: list[dict]) -> None:
    from sqlalchemy import insert

    for start in range(0, len(rows), BATCH):
        session.execute(insert(table), rows[start:start + BATCH])


def build(session, *, orders: int, years: int, seed: int = 7) -> dict:
    """Bulk rows, explicit ids. Returns a few counts for the header line."""
    from sqlalchemy import select

    from opopmart.accounts.models import MemberRole, ProducerMember, User
    from opopmart.accounts.services import hash_password
    from opopmart.catalogue.models import Category, Producer, ProducerKind, Product, ProductStatus
    from opopmart.core.timeutil import utcnow
    from opopmart.insight.models import DirectSale, SaleChannel
    from opopmart.orders.models import OrderStatus, ShipmentStatus
    from opopmart.regions.models import Region, RegionKind

    rng = random.Random(seed)
    now = utcnow()
    T = lambda model: model.__table__  # noqa: E731

    regions = session.execute(select(Region.code, Region.kind, Region.province_code)).all()
    jatim = [c for c, k, p in regions if p == "35" and k is not RegionKind.PROVINSI]
    provinces = [c for c, k, _p in regions if k is RegionKind.PROVINSI and c != "35"]
    other_cities = [(c, p) for c, k, p in regions if p != "35" and k is not RegionKind.PROVINSI]

    # Admin (logs in through the page) and shoppers.
    admin_hash = hash_password(PASSWORD)
    users = [dict(id=1, email="admin@bench.id", name="Admin Bench", phone="+6281234567890",
                  password_hash=admin_hash, is_active_account=True, session_version=1,
                  is_curator=False, is_admin=True, created_at=now, updated_at=now)]
    n_users = 40_000
    users += [dict(id=i, email=f"pembeli{i}@bench.id", name=f"Pembeli {i}", phone=None,
                   password_hash="x", is_active_account=True, session_version=1,
                   is_curator=False, is_admin=False, created_at=now, updated_at=now)
              for i in range(2, n_users + 2)]
    _insert(session, T(User), users)

    cats, cid = [], 0
    leaves = []
    for top in range(6):
        cid += 1
        parent = cid
        cats.append(dict(id=parent, parent_id=None, name=f"Kategori {top}", name_en=f"Category {top}",
                         slug=f"kategori-{top}", position=cid, required_certificates=[]))
        for sub in range(3):
            cid += 1
            cats.append(dict(id=cid, parent_id=parent, name=f"Sub {top}.{sub}",
                             name_en=f"Sub {top}.{sub}", slug=f"sub-{top}-{sub}", position=cid,
                             required_certificates=[]))
            leaves.append(cid)
    _insert(session, T(Category), cats)

    kinds = [ProducerKind.PESANTREN, ProducerKind.KOPONTREN, ProducerKind.UMKM]
    n_producers = 300
    producers = [dict(id=i, kind=kinds[i % 3], name=f"Produsen {i}", slug=f"produsen-{i}",
                      pesantren_name=None, koperasi_name=None, nib="1234567890123",
                      region_code=jatim[i % len(jatim)], address="", description="",
                      logo_path=None, status="verified", verified=True, verified_at=now,
                      created_at=now, updated_at=now)
                 for i in range(1, n_producers + 1)]
    _insert(session, T(Producer), producers)
    members = [dict(id=i, user_id=i + 1, producer_id=i, role=MemberRole.OWNER.value,
                    created_at=now, updated_at=now) for i in range(1, n_producers + 1)]
    _insert(session, T(ProducerMember), members)

    n_products = 3_000
    products = []
    prices = {}
    for i in range(1, n_products + 1):
        producer_id = (i - 1) % n_producers + 1
        prices[i] = rng.choice([15_000, 25_000, 45_000, 85_000, 150_000, 350_000])
        products.append(dict(
            id=i, producer_id=producer_id, category_id=rng.choice(leaves), brand_id=None,
            name=f"Produk {i}", slug=f"produk-{i}", description="",
            status=ProductStatus.PUBLISHED.value, claims_halal=False, option1_name=None,
            option2_name=None, published_at=now, is_listed=True, sort_name=f"produk {i}",
            min_price=prices[i], max_price=prices[i], in_stock=True, cover_image=None,
            lapses_on=None, lapse_notified_on=None, created_at=now, updated_at=now))
    _insert(session, T(Product), products)
    by_producer: dict[int, list[int]] = {}
    for p in products:
        by_producer.setdefault(p["producer_id"], []).append(p["id"])

    span = timedelta(days=365 * years)
    order_rows, shipment_rows, line_rows = [], [], []
    sid = lid = 0
    S, O = ShipmentStatus, OrderStatus
    # Orders are numbered in the order they were placed, as the app numbers them.
    times = sorted(now - span * rng.random() for _ in range(orders))
    for oid, created in enumerate(times, start=1):
        roll = rng.random()
        if rng.random() < 0.8:
            province, region = "35", rng.choice(jatim)
        elif rng.random() < 0.5:
            region, province = rng.choice(other_cities)
        else:
            province, region = rng.choice(provinces), None
        shops = rng.sample(range(1, n_producers + 1), rng.choice([1, 1, 1, 2, 2, 3]))
        if roll < 0.04:
            status, paid_at, ship_status = O.CANCELLED, None, [S.CANCELLED] * len(shops)
        elif roll < 0.06:
            status, paid_at, ship_status = O.PENDING_PAYMENT, None, [S.PENDING_PAYMENT] * len(shops)
        elif roll < 0.10:
            status, paid_at, ship_status = O.REFUNDED, created, [S.REFUNDED] * len(shops)
        elif roll < 0.14 and len(shops) > 1:
            status, paid_at = O.COMPLETED, created
            ship_status = [S.REFUNDED] + [S.COMPLETED] * (len(shops) - 1)
        elif roll < 0.30:
            status, paid_at = O.PAID, created
            ship_status = [rng.choice([S.PAID, S.PROCESSING, S.SHIPPED, S.DELIVERED]) for _ in shops]
        else:
            status, paid_at, ship_status = O.COMPLETED, created, [S.COMPLETED] * len(shops)
        items_total = shipping_total = refunded = 0
        for shop, sst in zip(shops, ship_status):
            sid += 1
            subtotal = 0
            for product_id in rng.sample(by_producer[shop], rng.choice([1, 1, 2, 3])):
                lid += 1
                qty = rng.choice([1, 1, 1, 2, 3, 5])
                price = prices[product_id]
                subtotal += price * qty
                line_rows.append(dict(id=lid, order_id=oid, shipment_id=sid, product_id=product_id,
                                      variant_id=None, product_name=f"Produk {product_id}",
                                      variant_name="", sku=f"SKU-{product_id}", unit_price=price,
                                      quantity=qty, weight_grams=250, line_total=price * qty))
            cost = 9_000
            items_total += subtotal
            shipping_total += cost
            if sst is S.REFUNDED:
                refunded += subtotal + cost
            shipment_rows.append(dict(
                id=sid, order_id=oid, producer_id=shop, status=sst.value,
                origin_region_code=producers[shop - 1]["region_code"], courier="jne",
                zone="jawa_timur", weight_grams=250, billable_kg=1, shipping_cost=cost,
                items_subtotal=subtotal, tracking_number=None, shipped_at=None,
                delivered_at=None, completed_at=None, created_at=created, updated_at=created))
        order_rows.append(dict(
            id=oid, number=f"OPM-B{oid:09d}", user_id=rng.randrange(2, n_users + 2),
            status=status.value, checkout_token=f"bench-{oid}", recipient="Pembeli",
            phone="+6281234567890", street="Jl. Bench 1", village="Desa", district="Kecamatan",
            region_code=region, city_name="Kota", province_code=province, postal_code="60000",
            items_total=items_total, shipping_total=shipping_total,
            grand_total=items_total + shipping_total, refunded_total=refunded,
            payment_intent_id=None, expires_at=created + timedelta(hours=1), paid_at=paid_at,
            closed_at=None, cancel_reason="", created_at=created, updated_at=created))
        if len(order_rows) >= BATCH:
            _flush_orders(session, order_rows, shipment_rows, line_rows)
    _flush_orders(session, order_rows, shipment_rows, line_rows)

    channels = [c.value for c in SaleChannel]
    today = date.today()
    directs = []
    for i in range(1, 20_001):
        voided = rng.random() < 0.05
        directs.append(dict(
            id=i, producer_id=rng.randrange(1, n_producers + 1),
            sold_on=today - timedelta(days=rng.randrange(0, 365 * years)),
            channel=rng.choice(channels), product_id=None, commodity="Komoditas",
            quantity=rng.randrange(1, 500), unit="pcs", value=rng.randrange(50_000, 50_000_000),
            buyer_region_code=None, note="", recorded_by_id=None, created_at=now,
            voided_at=now if voided else None, voided_by_id=None,
            void_reason="Salah catat" if voided else ""))
    _insert(session, T(DirectSale), directs)
    return {"orders": orders, "shipments": sid, "lines": lid, "direct": len(directs),
            "producers": n_producers, "products": n_products, "users": n_users}


def _flush_orders(session, orders, shipments, lines) -> None:
    from opopmart.orders.models import Order, OrderLine, Shipment

    _insert(session, Order.__table__, orders)
    _insert(session, Shipment.__table__, shipments)
    _insert(session, OrderLine.__table__, lines)
    orders.clear()
    shipments.clear()
    lines.clear()


# --------------------------------------------------------------------------------------
# Timing


def bench(app, repeat: int) -> None:
    from opopmart.core.timeutil import today_jakarta
    from opopmart.extensions import db
    from opopmart.insight import queries
    from opopmart.insight.views import labels

    today = today_jakarta()
    period = queries.Period(today - timedelta(days=364), today)
    print(f"period {period.start} – {period.end} ({period.days} days, "
          f"{queries.bucket_size(period)} buckets); {repeat} runs each", flush=True)
    with app.test_request_context("/admin/insight"):
        s = db.session
        spans = queries.buckets(period)
        lab = labels()
        steps = [
            ("orders with a refund: their refunded lines", lambda: queries.refunds_in(s, period)),
            ("orders and value by buyer area (GROUP BY)", lambda: queries.buyer_area_figures(s, period)),
            ("active buyers (COUNT DISTINCT)", lambda: queries.active_buyers(s, period)),
            ("shipments and value by producer", lambda: queries.producer_figures(s, period)),
            ("lines by product (categories, top products)", lambda: queries.product_breakdowns(s, period, lab)),
            (f"time series ({len(spans)} buckets, UNION ALL)", lambda: queries.online_series(s, period, spans)),
            ("direct sales by day and channel", lambda: queries.direct_figures(s, period)),
            ("direct sales: producers", lambda: queries.direct_producers(s, period)),
            ("programme counts (targets)", lambda: queries.programme_counts(s)),
            ("whole dashboard, one connection", lambda: queries.dashboard(s, period, lab)),
            ("whole dashboard, two connections (as the page)",
             lambda: queries.dashboard(s, period, lab, engine=db.engine)),
        ]
        for label, fn in steps:
            fn()  # warm: the first run reads pages from disk
            report(label, timed(fn, repeat))
            s.rollback()

    client = app.test_client()
    response = client.post("/masuk", data={"email": "admin@bench.id", "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    url = f"/admin/insight?dari={period.start.isoformat()}&sampai={period.end.isoformat()}"

    def page():
        r = client.get(url)
        assert r.status_code == 200, r.status_code
        r.close()

    page()
    report("GET /admin/insight (1 year, whole request)", timed(page, repeat))
    csv_url = f"/admin/insight/kabupaten-pembeli.csv?dari={period.start}&sampai={period.end}"

    def csv():
        r = client.get(csv_url)
        assert r.status_code == 200, r.status_code
        r.close()

    report("GET /admin/insight/kabupaten-pembeli.csv", timed(csv, repeat))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=200_000)
    parser.add_argument("--years", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--pg", nargs="?", const="env", default=None,
                        help="PostgreSQL server URL (without a value: DATABASE_URL or TEST_DATABASE_URL)")
    parser.add_argument("--no-analyze", action="store_true", help="skip ANALYZE after loading")
    parser.add_argument("--keep", type=Path, default=None,
                        help="SQLite only: build into this file and keep it; reuse it if it exists")
    args = parser.parse_args()

    from flask_migrate import upgrade
    from sqlalchemy import text

    from opopmart.extensions import db

    workdir = Path(tempfile.mkdtemp(prefix="opop-insight-bench-"))
    drop = None
    if args.pg:
        base = args.pg if args.pg != "env" else (
            os.environ.get("DATABASE_URL", "") if os.environ.get("DATABASE_URL", "").startswith("postgres")
            else os.environ.get("TEST_DATABASE_URL", ""))
        if not base.startswith("postgres"):
            sys.exit("--pg needs a PostgreSQL URL (argument, DATABASE_URL or TEST_DATABASE_URL)")
        url, drop = postgres_database(base)
        where = "PostgreSQL " + url.rsplit("/", 1)[-1]
    else:
        db_file = args.keep or workdir / "bench.db"
        url = f"sqlite:///{db_file}"
        where = f"SQLite {db_file}"
    app = make_app(url, workdir)
    try:
        if args.keep and args.keep.exists():
            print(f"reusing {args.keep}", flush=True)
            bench(app, args.repeat)
            return
        with app.app_context():
            upgrade()
            started = time.perf_counter()
            counts = build(db.session, orders=args.orders, years=args.years)
            db.session.commit()
            if not args.no_analyze:
                # Statistics, as a live database has them (PostgreSQL's autovacuum also
                # vacuums after bulk inserts, which lets it read from indexes alone).
                with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                    conn.execute(text("VACUUM ANALYZE" if args.pg else "ANALYZE"))
            print(f"{where}: {counts['orders']:,} orders, {counts['shipments']:,} shipments, "
                  f"{counts['lines']:,} lines, {counts['direct']:,} direct sales, "
                  f"{counts['producers']} producers, {counts['products']:,} products, "
                  f"{counts['users']:,} shoppers over {args.years} years; "
                  f"built in {time.perf_counter() - started:.1f} s", flush=True)
        bench(app, args.repeat)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if drop:
            drop()
        shutil.rmtree(workdir, ignore_errors=True)  # the temp database (not --keep's file)


if __name__ == "__main__":
    main()
