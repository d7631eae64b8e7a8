"""Mixed load at gunicorn: browse 70%, search 20%, cart and checkout 10%.

For each database (SQLite, and PostgreSQL when one is given) this script migrates a
throwaway database, loads the demo catalogue, makes a few "hot" products scarce,
creates shoppers with an address, starts localstripe and gunicorn (several sync
workers, access log off), then lets virtual users loop for ``--seconds``:

- browse: home, catalogue pages, categories, product and producer pages;
- search: ``/cari`` with words taken from product names;
- buy: log in once, add one or two hot products to the cart from their page, open
  ``/checkout`` and place the order (which reserves stock and creates the
  PaymentIntent at localstripe).

It prints requests per second, p50/p95/p99 latency per kind, every status class, the
5xx count, the "database is locked" count in gunicorn's log, and the stock check: no
variant below zero, and for every variant, stock taken = units in orders that hold it.

    .venv/bin/python bench/load.py                       # SQLite, 60 s
    tools/with_postgres.sh .venv/bin/python bench/load.py --postgres   # both
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter, defaultdict
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

MIX = (("browse", 70), ("search", 20), ("buy", 10))
SHOPPERS = 24  # the login limit is 30 per IP per 15 minutes: one login each
HOT_PRODUCTS = 8
HOT_STOCK = 15  # per variant: the buyers sell these out during the run
PASSWORD = "beban-uji-2026"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(cmd: list[str], env: dict[str, str]) -> None:
    print("$", " ".join(cmd), flush=True)
    subprocess.run(cmd, env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)


def wait_http(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not answer") from None
            time.sleep(0.2)


# --- the database ---------------------------------------------------------------------


SETUP = r"""
import json, sys
from sqlalchemy import select, func
from opopmart import create_app
from opopmart.extensions import db
from opopmart.accounts.services import register_user
from opopmart.catalogue.models import Product, ProductStatus, ProductVariant, Producer
from opopmart.checkout.models import Address
from opopmart.catalogue.services import refresh_products

shoppers, hot, stock = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
app = create_app()
with app.app_context():
    s = db.session
    public = s.execute(
        select(Product.id, Product.slug, Product.name, Product.producer_id)
        .join(Producer, Producer.id == Product.producer_id)
        .where(Product.status == ProductStatus.PUBLISHED, Producer.verified.is_(True))
        .order_by(Product.id)
    ).all()
    # hot products from different producers, so orders have several shipments
    chosen, seen = [], set()
    for row in public:
        if row.producer_id not in seen:
            chosen.append(row); seen.add(row.producer_id)
        if len(chosen) == hot:
            break
    hot_ids = [r.id for r in chosen]
    s.query(ProductVariant).filter(ProductVariant.product_id.in_(hot_ids)).update(
        {ProductVariant.stock: stock}, synchronize_session=False)
    refresh_products(s, hot_ids)
    for i in range(shoppers):
        user = register_user(s, name=f"Pembeli Beban {i}", email=f"beban{i}@example.com",
                             phone=f"0812{i:08d}", password=sys.argv[4])
        s.add(Address(user_id=user.id, label="Rumah", recipient=user.name, phone="+6281234567890",
                      street="Jl. Melati 12", village="Sumbersari", district="Lowokwaru",
                      region_code="35.07", city_name="Kab. Malang", province_code="35",
                      postal_code="65145", is_default=True))
    s.commit()
    print(json.dumps({
        "products": [r.slug for r in public],
        "names": [r.name for r in public],
        "producers": [p for (p,) in s.execute(select(Producer.slug).where(Producer.verified.is_(True)))],
        "hot": [r.slug for r in chosen],
    }))
"""

CHECK = r"""
import json
from sqlalchemy import select, func
from opopmart import create_app
from opopmart.extensions import db
from opopmart.catalogue.models import ProductVariant
from opopmart.orders.models import Order, OrderLine, OrderStatus

app = create_app()
with app.app_context():
    s = db.session
    stock = dict(s.execute(select(ProductVariant.id, ProductVariant.stock)).all())
    held = dict(s.execute(
        select(OrderLine.variant_id, func.sum(OrderLine.quantity))
        .join(Order, Order.id == OrderLine.order_id)
        .where(Order.status != OrderStatus.CANCELLED)
        .group_by(OrderLine.variant_id)).all())
    orders = s.scalar(select(func.count()).select_from(Order))
    units = s.scalar(select(func.coalesce(func.sum(OrderLine.quantity), 0)))
    print(json.dumps({"stock": {str(k): v for k, v in stock.items()},
                      "held": {str(k): int(v) for k, v in held.items()},
                      "orders": orders, "units": int(units)}))
"""


def python(code: str, env: dict[str, str], *args: str) -> dict:
    out = subprocess.run([str(BIN / "python"), "-c", code, *args], env=env, cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


# --- pages ----------------------------------------------------------------------------


class Forms(HTMLParser):
    """Every form's action and the values a browser would submit without typing."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []
        self._select: str | None = None
        self._first_option: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append((a.get("action") or "", {}))
        elif not self.forms:
            return
        fields = self.forms[-1][1]
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("radio", "checkbox"):
                if "checked" in a:
                    fields[name] = a.get("value") or "on"
            elif kind not in ("submit", "button", "file"):
                fields.setdefault(name, a.get("value") or "")
        elif tag == "select" and name:
            self._select, self._first_option = name, None
        elif tag == "option" and self._select:
            value = a.get("value") or ""
            if self._first_option is None:
                self._first_option = value
                fields.setdefault(self._select, value)
            if "selected" in a:
                fields[self._select] = value

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def form(html: str, action: str) -> dict[str, str] | None:
    parser = Forms()
    parser.feed(html)
    for form_action, fields in parser.forms:
        if form_action.split("?")[0] == action:
            return fields
    return None


class Stats:
    def __init__(self) -> None:
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.status: Counter[str] = Counter()
        self.flows: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()

    def add(self, kind: str, status: int, seconds: float) -> None:
        self.latency[kind].append(seconds)
        self.status[f"{status // 100}xx"] += 1
        if status >= 500:
            self.errors[f"{kind} {status}"] += 1


class Shopper:
    def __init__(self, http, base: str, stats: Stats, data: dict, number: int | None) -> None:
        self.http, self.base, self.stats, self.data = http, base, stats, data
        self.number = number
        self.logged_in = False

    async def request(self, kind: str, method: str, path: str, **kwargs) -> tuple[int, str]:
        started = time.perf_counter()
        try:
            async with self.http.request(method, self.base + path, allow_redirects=False, **kwargs) as r:
                body = await r.text()
                status = r.status
        except Exception as exc:  # a dropped connection counts as a server error
            status, body = 599, repr(exc)
        self.stats.add(kind, status, time.perf_counter() - started)
        return status, body

    async def browse(self) -> None:
        d = self.data
        path = random.choice([
            "/", "/katalog", f"/katalog?page={random.randint(1, 5)}",
            f"/produk/{random.choice(d['products'])}", f"/produk/{random.choice(d['products'])}",
            f"/produk/{random.choice(d['products'])}", f"/produsen/{random.choice(d['producers'])}",
        ])
        await self.request("browse", "GET", path)

    async def search(self) -> None:
        words = random.choice(self.data["names"]).split()
        await self.request("search", "GET", "/cari", params={"q": " ".join(words[:random.randint(1, 2)])})

    async def login(self) -> bool:
        status, html = await self.request("buy", "GET", "/masuk")
        fields = form(html, "/masuk") or {}
        fields.update(email=f"beban{self.number}@example.com", password=PASSWORD)
        status, _ = await self.request("buy", "POST", "/masuk", data=fields)
        self.logged_in = status == 303 or status == 302
        return self.logged_in

    async def buy(self) -> None:
        if self.number is None or (not self.logged_in and not await self.login()):
            self.stats.flows["buy: no login"] += 1
            return
        for slug in random.sample(self.data["hot"], random.choice((1, 2))):
            status, html = await self.request("buy", "GET", f"/produk/{slug}")
            fields = form(html, "/keranjang/tambah")
            if status != 200 or fields is None:
                self.stats.flows["buy: sold out before the cart"] += 1
                continue
            fields["quantity"] = "1"
            await self.request("buy", "POST", "/keranjang/tambah", data=fields)
        status, html = await self.request("buy", "GET", "/checkout")
        fields = form(html, "/checkout") if status == 200 else None
        if fields is None:
            self.stats.flows[f"buy: checkout page {status}"] += 1
            return
        fields.pop("hitung", None)
        status, _ = await self.request("buy", "POST", "/checkout", data=fields)
        self.stats.flows[{303: "buy: order placed", 302: "buy: order placed",
                          409: "buy: refused (stock)"}.get(status, f"buy: checkout {status}")] += 1
        if status == 409:
            # what a shopper does next: empty the cart of what is gone
            await self.request("buy", "GET", "/keranjang")


async def drive(base: str, data: dict, seconds: float, users: int, stats: Stats) -> float:
    import aiohttp

    deadline = time.monotonic() + seconds
    kinds = [k for k, _ in MIX]
    weights = [w for _, w in MIX]

    async def one(number: int) -> None:
        jar = aiohttp.CookieJar(unsafe=True)
        connector = aiohttp.TCPConnector(limit=1)
        async with aiohttp.ClientSession(cookie_jar=jar, connector=connector) as http:
            shopper = Shopper(http, base, stats, data, number if number < SHOPPERS else None)
            while time.monotonic() < deadline:
                kind = random.choices(kinds, weights)[0]
                if kind == "buy" and shopper.number is None:
                    kind = "browse"
                await getattr(shopper, kind)()

    started = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(users)))
    return time.perf_counter() - started


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000


def report(label: str, stats: Stats, elapsed: float, locked: int, check: dict, before: dict) -> bool:
    total = sum(len(v) for v in stats.latency.values())
    print(f"\n== {label}: {total} requests in {elapsed:.1f} s = {total / elapsed:.0f} req/s")
    everything = [x for v in stats.latency.values() for x in v]
    for kind, values in [("all", everything)] + sorted(stats.latency.items()):
        print(f"   {kind:7} n={len(values):6}  p50 {percentile(values, 50):7.1f} ms  "
              f"p95 {percentile(values, 95):7.1f} ms  p99 {percentile(values, 99):7.1f} ms")
    print("   status:", dict(sorted(stats.status.items())))
    fivexx = sum(n for k, n in stats.status.items() if k == "5xx")
    print(f"   5xx: {fivexx}  {dict(stats.errors) if stats.errors else ''}")
    print(f"   'database is locked' in the server log: {locked}")
    print("   buying:", dict(sorted(stats.flows.items())))
    below = {v: n for v, n in check["stock"].items() if n < 0}
    wrong = {}
    for variant, was in before["stock"].items():
        taken = was - check["stock"][variant]
        if taken != check["held"].get(variant, 0):
            wrong[variant] = (taken, check["held"].get(variant, 0))
    print(f"   stock: orders {check['orders']}, units in orders {check['units']}, "
          f"variants below zero {len(below)}, variants where stock taken != units held {len(wrong)}")
    ok = fivexx == 0 and locked == 0 and not below and not wrong
    print("   OK" if ok else "   FAILED")
    return ok


def one_database(label: str, url: str, args, workdir: Path) -> bool:
    env = dict(os.environ)
    for key in ("STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET"):
        env.pop(key, None)
    stripe_port, app_port = free_port(), free_port()
    env.update(
        OPOPMART_ENV="development", FLASK_DEBUG="0", DATABASE_URL=url,
        SECRET_KEY="bench-" + "x" * 40,
        SEARCH_INDEX_DIR=str(workdir / "search"), MEDIA_ROOT=str(workdir / "media"),
        DOCUMENT_ROOT=str(workdir / "documents"),
        LOCALSTRIPE_URL=f"http://127.0.0.1:{stripe_port}",
        HOST="127.0.0.1", PORT=str(app_port), WEB_CONCURRENCY=str(args.workers),
        GUNICORN_ACCESS_LOG="", PYTHONUNBUFFERED="1",
    )
    flask = str(BIN / "flask")
    run([flask, "--app", "opopmart", "db", "upgrade"], env)
    run([flask, "--app", "opopmart", "demo", "load", "--products", str(args.products)], env)
    run([flask, "--app", "opopmart", "search", "reindex"], env)
    data = python(SETUP, env, str(SHOPPERS), str(HOT_PRODUCTS), str(HOT_STOCK), PASSWORD)
    before = python(CHECK, env)
    log = workdir / "gunicorn.log"
    stripe = subprocess.Popen([str(BIN / "python"), "tools/localstripe_local.py", str(stripe_port)],
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(log, "w") as out:
        server = subprocess.Popen([str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"],
                                  cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_http(f"http://127.0.0.1:{stripe_port}/v1/balance")
        wait_http(f"http://127.0.0.1:{app_port}/healthz")
        stats = Stats()
        print(f"{label}: {args.users} virtual users for {args.seconds} s at "
              f"{args.workers} gunicorn workers ({os.cpu_count()} cores)", flush=True)
        elapsed = asyncio.run(drive(f"http://127.0.0.1:{app_port}", data, args.seconds, args.users, stats))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        stripe.terminate()
        stripe.wait(timeout=10)
    locked = log.read_text(errors="replace").count("database is locked")
    return report(label, stats, elapsed, locked, python(CHECK, env), before)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--users", type=int, default=32, help="concurrent virtual users")
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1)
    parser.add_argument("--products", type=int, default=2000)
    parser.add_argument("--postgres", action="store_true",
                        help="also run against the server in TEST_DATABASE_URL (tools/with_postgres.sh)")
    parser.add_argument("--only-postgres", action="store_true")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="opop-load-"))
    ok = True
    try:
        if not args.only_postgres:
            (workdir / "sqlite").mkdir()
            ok &= one_database("SQLite", f"sqlite:///{workdir / 'sqlite' / 'load.db'}", args, workdir / "sqlite")
        if args.postgres or args.only_postgres:
            base = os.environ.get("TEST_DATABASE_URL")
            if not base:
                print("--postgres needs TEST_DATABASE_URL (run under tools/with_postgres.sh)")
                return 2
            from sqlalchemy import create_engine, text
            from sqlalchemy.engine import make_url

            admin = create_engine(make_url(base).set(drivername="postgresql+psycopg"),
                                  isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text("DROP DATABASE IF EXISTS opop_load"))
                conn.execute(text("CREATE DATABASE opop_load"))
            admin.dispose()
            url = make_url(base).set(database="opop_load").render_as_string(hide_password=False)
            (workdir / "pg").mkdir()
            ok &= one_database("PostgreSQL", url, args, workdir / "pg")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
