"""Search speed: index build, query latency (with and without facets), suggest, the
/cari page, and indexing throughput, beside SQLite FTS5 on the same documents.

Loads the demo catalogue (391 products) and a large one (100,000 by default) into
throwaway SQLite databases under bench/out/search, builds each index with `flask
search reindex`'s code path, then runs 200 varied queries (product-name words, one to
three at a time, producer, kabupaten and category names, misspellings, with and
without a facet filter and a sort) in this process and prints p50/p95 in ms.

"warm" is a worker that has already answered other queries (term sets it reads stay
in memory; nothing is kept per query: the result cache is bypassed); "cold" is a
fresh worker's first pass. FTS5 gets the same documents as terms from our analyzer
(so it stems like we do), ranked by bm25 with the same field weights, with an exact
count(*) and, "with facets", five GROUP BY counts over the matches.

Run with ``.venv/bin/python bench/search.py`` (``--products 20000`` for a quicker run).
Aims (issue #5): p95 <= 25 ms with facets and exact totals, suggest p95 <= 10 ms,
rebuild <= 60 s at 100,000 products on 2 cores.

``--backend postgres`` measures the PostgreSQL full-text backend instead (issue #8):
DATABASE_URL (or TEST_DATABASE_URL) names a PostgreSQL server, on which one database
per catalogue (``opopmart_bench_search_demo``, ``opopmart_bench_search_100000``) is
created and filled once and reused after. A throwaway server:

    tools/with_postgres.sh .venv/bin/python bench/search.py --backend postgres

"cold" is then a fresh worker (nothing asked of the database yet: each word's lexemes
are looked up once per worker); the server's own caches are warm either way. The FTS5
reference is measured with the Whoosh backend only.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sqlite3
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pages import prepare_database  # noqa: E402

QUERY_COUNT = 200


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    if not values:
        return 0.0
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def timed(fn, *args) -> float:
    started = time.perf_counter()
    fn(*args)
    return (time.perf_counter() - started) * 1000


def make_app(db_url: str, workdir: Path, backend: str = "whoosh"):
    from opopmart import create_app
    from opopmart.config import TestConfig

    app = create_app(TestConfig, {
        "SQLALCHEMY_DATABASE_URI": db_url,
        "INSTANCE_PATH": str(workdir / "instance"),
        "MEDIA_ROOT": str(workdir / "media"),
        "SEARCH_INDEX_DIR": str(workdir / "index-bench"),
        "SEARCH_BACKEND": backend,
        "CATALOGUE_VERSION_TTL_SECONDS": 1.0,
        "SEARCH_RESULT_CACHE_SIZE": 0,  # measure every query, never a remembered answer
    })
    return app


def typo(rng: random.Random, word: str) -> str:
    if len(word) < 5:
        return word + word[-1]
    i = rng.randrange(1, len(word) - 1)
    return rng.choice([word[:i] + word[i + 1:], word[:i] + word[i] + word[i:],
                       word[:i] + word[i + 1] + word[i] + word[i + 2:]])


def make_queries(db_url: str, count: int, seed: int = 5) -> list[dict]:
    """Varied shopper queries drawn from the catalogue itself (the same ones for the
    same catalogue, whichever database holds it)."""
    from sqlalchemy import create_engine
    from sqlalchemy import text as sql_text

    from opopmart.search.backend import PRICE_BUCKETS, SearchSort

    rng = random.Random(seed)
    engine = create_engine(db_url)
    with engine.connect() as conn:
        def column(sql: str) -> list:
            return sorted(r[0] for r in conn.execute(sql_text(sql)))

        names = column("SELECT name FROM products WHERE is_listed = true")
        producers = column("SELECT name FROM producers WHERE verified = true")
        regions = column("SELECT DISTINCT r.name FROM regions r JOIN producers p ON p.region_code = r.code")
        region_codes = column("SELECT DISTINCT region_code FROM producers")
        categories = column("SELECT name FROM categories")
    engine.dispose()
    names = rng.sample(names, min(3000, len(names)))
    out = []
    for i in range(count):
        kind = i % 10
        words = rng.choice(names).split()
        if kind <= 3:
            n = rng.choice([1, 2, 2, 3])
            start = rng.randrange(max(1, len(words) - n + 1))
            text = " ".join(words[start:start + n])
        elif kind == 4:
            text = rng.choice(producers)
        elif kind == 5:
            text = rng.choice(regions) + ("" if rng.random() < 0.5 else " " + words[0])
        elif kind == 6:
            text = rng.choice(categories)
        elif kind == 7:
            text = " ".join(typo(rng, w.lower()) if j == len(words[:2]) - 1 else w
                            for j, w in enumerate(words[:2]))
        elif kind == 8:
            text = words[0] + " " + rng.choice(regions)
        else:
            text = ""
        query = {"text": text.lower()}
        r = rng.random()
        if r < 0.25:
            query["region_code"] = rng.choice(region_codes)
        elif r < 0.4:
            query["price"] = rng.choice(PRICE_BUCKETS).key
        elif r < 0.5:
            query["cert_type"] = "halal"
        s = rng.random()
        query["sort"] = (SearchSort.PRICE_ASC if s < 0.15 else SearchSort.NEWEST if s < 0.25
                         else SearchSort.RELEVANCE)
        out.append(query)
    return out


def prefixes(queries: list[dict]) -> list[str]:
    out = []
    for q in queries:
        text = q["text"]
        if len(text) >= 3:
            cut = max(2, min(len(text), int(len(text) * 0.6)))
            out.append(text[:cut])
    return out


def bench_backend(app, queries: list[dict], warmup: list[dict]) -> dict:
    """Latency of the backend alone (the engine), cold then warm."""
    if app.config["SEARCH_BACKEND"] == "postgres":
        return bench_postgres(app, queries, warmup)
    from opopmart.search import engine
    from opopmart.search.backend import SearchRequest, SearchSort, current_backend

    results = {}
    with app.app_context():
        backend = current_backend(app)
        requests = [_request(q) for q in queries]
        started = time.perf_counter()
        view = backend.view()
        results["open the index (first query of a worker)"] = (time.perf_counter() - started) * 1000
        cold = [timed(engine.search, view, replace(r, with_facets=True)) for r in requests]
        results["cold worker, with facets"] = cold
        # A fresh worker that has served 200 *other* queries first.
        view = _fresh_view(app)
        for q in warmup:
            engine.search(view, _request(q))
        warm_top = [timed(engine.search, view, replace(r, with_facets=False)) for r in requests]
        warm_facets = [timed(engine.search, view, replace(r, with_facets=True)) for r in requests]
        results["warm, top 24 + exact total"] = warm_top
        results["warm, with facets"] = warm_facets
        sugg = prefixes(queries)
        view = _fresh_view(app)
        for p in prefixes(warmup):
            engine.suggest(view, p, 6)
        results["suggest, warm"] = [timed(engine.suggest, view, p, 6) for p in sugg]
    return results


def _request(q: dict):
    from opopmart.search.backend import SearchRequest, SearchSort

    sort = q["sort"] if q["text"] or q["sort"] is not SearchSort.RELEVANCE else SearchSort.NEWEST
    return SearchRequest(text=q["text"], region_code=q.get("region_code"), price=q.get("price"),
                         cert_type=q.get("cert_type"), sort=sort)


def _fresh_view(app):
    """The view a new worker would open (nothing read yet)."""
    from opopmart.search.whoosh_backend import WhooshBackend

    backend = WhooshBackend(app.config["SEARCH_INDEX_DIR"], result_cache=0)
    return backend.view()


def bench_postgres(app, queries: list[dict], warmup: list[dict]) -> dict:
    """The PostgreSQL backend's own latency (queries over a local socket included)."""
    from opopmart.search.postgres_backend import PostgresBackend

    results = {}
    with app.app_context():
        requests = [_request(q) for q in queries]
        backend = PostgresBackend(result_cache=0)  # a fresh worker
        results["cold worker, with facets"] = [
            timed(backend.search, replace(r, with_facets=True)) for r in requests]
        backend = PostgresBackend(result_cache=0)
        for q in warmup:
            backend.search(_request(q))
        results["warm, top 24 + exact total"] = [
            timed(backend.search, replace(r, with_facets=False)) for r in requests]
        results["warm, with facets"] = [timed(backend.search, replace(r, with_facets=True)) for r in requests]
        results["warm, facets only"] = [timed(backend.facets, r) for r in requests]
        backend = PostgresBackend(result_cache=0)
        for p in prefixes(warmup):
            backend.suggest(p, 6)
        results["suggest, warm"] = [timed(backend.suggest, p, 6) for p in prefixes(queries)]
    return results


def bench_page(app, queries: list[dict], warmup: list[dict]) -> list[float]:
    """The whole /cari request through the test client (parse, search, cards from the
    database, highlighting, template, header slots)."""
    from urllib.parse import urlencode

    client = app.test_client()

    def url(q: dict) -> str:
        params = {"q": q["text"]}
        if q.get("region_code"):
            params["region"] = q["region_code"]
        if q.get("price"):
            params["price"] = q["price"]
        if q.get("cert_type"):
            params["cert"] = q["cert_type"]
        params["sort"] = q["sort"].value
        return "/cari?" + urlencode(params)

    for q in warmup:
        client.get(url(q))
    out = []
    for q in queries:
        started = time.perf_counter()
        response = client.get(url(q))
        out.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, url(q)
    return out


# --- SQLite FTS5 reference ---

FTS_COLUMNS = ("name", "brand", "producer", "category", "region", "cert", "description")


def build_fts(app, path: Path) -> tuple[sqlite3.Connection, float]:
    from opopmart.extensions import db
    from opopmart.search.analysis import analyze
    from opopmart.search.backend import price_bucket
    from opopmart.search.documents import all_documents

    if path.exists():
        path.unlink()
    conn = sqlite3.connect(path)
    conn.execute(f"CREATE VIRTUAL TABLE fts USING fts5({', '.join(FTS_COLUMNS)}, tokenize='unicode61')")
    conn.execute("CREATE TABLE meta (id INTEGER PRIMARY KEY, category INT, region TEXT, kind TEXT, "
                 "price_bucket TEXT, halal INT, price INT, published INT)")
    started = time.perf_counter()
    with app.app_context(), db.engine.connect() as dbconn:
        rows, meta = [], []
        for doc in all_documents(dbconn):
            fields = (doc.name, doc.brand, doc.producer, f"{doc.category_path} {doc.category_path_en}",
                      doc.region, doc.cert_words, doc.description)
            rows.append((doc.product_id, *(" ".join(analyze(f)) for f in fields)))
            meta.append((doc.product_id, doc.category_id, doc.region_code, doc.producer_kind,
                         price_bucket(doc.min_price), int("halal" in doc.cert_types), doc.min_price,
                         int(doc.published_at.timestamp()) if doc.published_at else 0))
    conn.executemany(f"INSERT INTO fts(rowid, {', '.join(FTS_COLUMNS)}) VALUES (?{', ?' * len(FTS_COLUMNS)})", rows)
    conn.executemany("INSERT INTO meta VALUES (?, ?, ?, ?, ?, ?, ?, ?)", meta)
    conn.commit()
    return conn, time.perf_counter() - started


def fts_query(conn: sqlite3.Connection, query: dict, facets: bool) -> None:
    from opopmart.search.analysis import analyze

    terms = analyze(query["text"])
    where, params = [], []
    if terms:
        where.append("m.id IN (SELECT rowid FROM fts WHERE fts MATCH ?)")
        params.append(" AND ".join(f'"{t}"' for t in terms))
    if query.get("region_code"):
        where.append("m.region = ?")
        params.append(query["region_code"])
    if query.get("price"):
        where.append("m.price_bucket = ?")
        params.append(query["price"])
    if query.get("cert_type"):
        where.append("m.halal = 1")
    clause = " AND ".join(where) or "1"
    conn.execute(f"SELECT count(*) FROM meta m WHERE {clause}", params).fetchone()
    if terms:
        weights = "10.0, 6.0, 5.0, 5.0, 4.0, 3.0, 1.5"
        conn.execute(
            f"SELECT m.id FROM fts JOIN meta m ON m.id = fts.rowid WHERE fts MATCH ? AND {clause} "
            f"ORDER BY bm25(fts, {weights}) LIMIT 24", [params[0], *params]).fetchall()
    else:
        conn.execute(f"SELECT m.id FROM meta m WHERE {clause} ORDER BY m.published DESC LIMIT 24",
                     params).fetchall()
    if facets:
        for column in ("category", "region", "kind", "price_bucket", "halal"):
            conn.execute(f"SELECT {column}, count(*) FROM meta m WHERE {clause} GROUP BY {column}",
                         params).fetchall()


def bench_fts(conn, queries: list[dict]) -> dict:
    for q in queries[:20]:
        fts_query(conn, q, True)
    return {
        "FTS5, top 24 + exact total": [timed(fts_query, conn, q, False) for q in queries],
        "FTS5, with facets": [timed(fts_query, conn, q, True) for q in queries],
    }


def bench_indexing(app, rounds: int = 50) -> float:
    """Changes per second through the queue: reprice a product, commit, applied by the
    after-commit hook (one Whoosh commit per change)."""
    from sqlalchemy import select

    from opopmart.catalogue.models import Product, ProductVariant
    from opopmart.catalogue.services import refresh_products
    from opopmart.extensions import db

    with app.app_context():
        ids = db.session.scalars(select(Product.id).where(Product.is_listed.is_(True))
                                 .order_by(Product.id).limit(rounds)).all()
        started = time.perf_counter()
        for pid in ids:
            variant = db.session.scalars(select(ProductVariant).where(ProductVariant.product_id == pid)).first()
            variant.price += 100
            db.session.flush()
            refresh_products(db.session, product_ids=[pid])
            db.session.commit()
        elapsed = time.perf_counter() - started
    return len(ids) / elapsed


def report(title: str, results: dict) -> None:
    print(f"\n{title}")
    print(f"{'':40} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for name, values in results.items():
        if isinstance(values, list):
            print(f"{name:40} {pct(values, 50):8.2f} {pct(values, 95):8.2f} {max(values):8.2f}")
        else:
            print(f"{name:40} {values:8.1f}")


def prepare_postgres(server_url: str, name: str, products: int, workdir: Path, env: dict) -> str:
    """A database of this catalogue on the server (created and loaded once, then reused)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from bench.pages import BIN, run

    base = make_url(re.sub(r"^postgres(ql)?://", "postgresql+psycopg://", server_url))
    database = f"opopmart_bench_search_{name}"
    url = base.set(database=database).render_as_string(hide_password=False)
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": database}).scalar()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{database}"'))
    admin.dispose()
    env = {**env, "DATABASE_URL": url, "MEDIA_ROOT": str(workdir / "media")}
    flask = str(BIN / "flask")
    run([flask, "--app", "opopmart", "db", "upgrade"], env)
    engine = create_engine(url)
    with engine.connect() as conn:
        have = conn.execute(text("SELECT count(*) FROM products")).scalar()
    engine.dispose()
    if have and have >= products:
        print(f"reusing {database} ({have} products)")
        return url
    started = time.perf_counter()
    run([flask, "--app", "opopmart", "demo", "load", "--products", str(products)], env)
    print(f"demo load --products {products}: {time.perf_counter() - started:.1f} s")
    return url


def run_catalogue(name: str, products: int, workdir: Path, env: dict, backend: str = "whoosh",
                  server_url: str | None = None) -> None:
    from opopmart.search.indexer import reindex

    db_dir = workdir / (name if backend == "whoosh" else f"{backend}-{name}")
    db_dir.mkdir(parents=True, exist_ok=True)
    if backend == "postgres":
        db_url = prepare_postgres(server_url, name, products, db_dir, env)
    else:
        prepare_database(db_dir, products, {**env, "DATABASE_URL": f"sqlite:///{db_dir / 'bench.db'}",
                                            "MEDIA_ROOT": str(workdir / "media"),
                                            "SEARCH_INDEX_DIR": str(db_dir / "index-bench")})
        db_url = f"sqlite:///{db_dir / 'bench.db'}"
    app = make_app(db_url, db_dir, backend)
    with app.app_context():
        started = time.perf_counter()
        count = reindex(app)
        build = time.perf_counter() - started
    queries = make_queries(db_url, QUERY_COUNT)
    warmup = make_queries(db_url, QUERY_COUNT, seed=11)
    # A fresh app: a worker that has not read the index yet.
    app = make_app(db_url, db_dir, backend)
    results = bench_backend(app, queries, warmup)
    results["/cari page, whole request (warm)"] = bench_page(app, queries, warmup)
    fts_build = None
    if backend == "whoosh":
        fts_conn, fts_build = build_fts(app, db_dir / "fts5.db")
        results.update(bench_fts(fts_conn, queries))
    per_second = bench_indexing(app)
    print(f"\n== {name}: {count:,} public products, {backend} backend, {os.cpu_count()} cores ==")
    what = "swap" if backend == "whoosh" else "one transaction, vacuum"
    print(f"full rebuild (read database, analyze, write, {what}): {build:.1f} s "
          f"({count / build:,.0f} products/s)"
          + (f"; FTS5 build from the same documents: {fts_build:.1f} s" if fts_build is not None else ""))
    print(f"incremental: {per_second:.1f} changes/s (reprice, commit, applied by the after-commit hook)")
    report(f"{len(queries)} queries", results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--workdir", type=Path, default=ROOT / "bench" / "out" / "search")
    parser.add_argument("--skip-demo", action="store_true")
    parser.add_argument("--backend", choices=("whoosh", "postgres"), default="whoosh")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "OPOPMART_ENV": "testing", "PYTHONPATH": str(ROOT)}
    env.pop("SEARCH_INDEX_DIR", None)
    env.pop("SEARCH_BACKEND", None)
    server_url = None
    if args.backend == "postgres":
        server_url = os.environ.get("DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
        if not server_url or not server_url.startswith(("postgres://", "postgresql")):
            parser.error("--backend postgres needs DATABASE_URL (or TEST_DATABASE_URL) naming a "
                         "PostgreSQL server, e.g. tools/with_postgres.sh .venv/bin/python "
                         "bench/search.py --backend postgres")
    if not args.skip_demo:
        run_catalogue("demo", 0, args.workdir, env, args.backend, server_url)
    run_catalogue(f"{args.products}", args.products, args.workdir, env, args.backend, server_url)


if __name__ == "__main__":
    main()
