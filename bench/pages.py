"""Catalogue and product page throughput under gunicorn, against a bare Flask route.

Loads a large demo catalogue (100,000 products by default) into a throwaway SQLite
database, serves the app and a bare one-line Flask app the same way (gunicorn, 2 sync
workers, 127.0.0.1), drives each URL with wrk, and prints requests per second and the
ratio to the bare route. Run with ``make bench`` or ``.venv/bin/python bench/pages.py``.

Aims (issue #2): catalogue pages >= 1/3 of the bare route, the product page >= 1/2,
page 2,000 as fast as page 1.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(cmd: list[str], env: dict[str, str]) -> None:
    print("$", " ".join(cmd), flush=True)
    subprocess.run(cmd, env=env, check=True, cwd=ROOT)


def prepare_database(workdir: Path, products: int, env: dict[str, str]) -> None:
    db_file = workdir / "bench.db"
    if db_file.exists():
        with sqlite3.connect(db_file) as conn:
            have = conn.execute("SELECT count(*) FROM products").fetchone()[0]
        if have >= products:
            print(f"reusing {db_file} ({have} products)")
            return
    flask = str(BIN / "flask")
    run([flask, "--app", "opopmart", "db", "upgrade"], env)
    started = time.perf_counter()
    run([flask, "--app", "opopmart", "demo", "load", "--products", str(products)], env)
    print(f"demo load --products {products}: {time.perf_counter() - started:.1f} s")
    with sqlite3.connect(db_file) as conn:
        conn.execute("ANALYZE")


@contextmanager
def gunicorn(app: str, env: dict[str, str], workers: int):
    port = free_port()
    proc = subprocess.Popen(
        [str(BIN / "gunicorn"), "-w", str(workers), "-k", "sync", "-b", f"127.0.0.1:{port}",
         "--log-level", "warning", app],
        env=env, cwd=ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"{app} did not start")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)


WRK_RPS = re.compile(r"Requests/sec:\s+([\d.]+)")
WRK_LAT = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.M)


def wrk(url: str, seconds: int, connections: int) -> tuple[float, dict[str, float]]:
    """Requests per second and latency percentiles (ms) after a short warm-up."""
    subprocess.run(["wrk", "-t1", "-c2", "-d2s", url], check=True, capture_output=True)
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        check=True, capture_output=True, text=True,
    ).stdout
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        raise RuntimeError(f"{url}: {non2xx.group(1)} error responses\n{out}")
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    lat = {f"p{p}": float(v) * scale[u] for p, v, u in WRK_LAT.findall(out)}
    return float(WRK_RPS.search(out).group(1)), lat


def bench_urls(db_file: Path, page_size: int) -> dict[str, str]:
    """The URLs measured, chosen from the data so that each page is full."""
    from opopmart.catalogue.queries import Sort, encode_cursor

    with sqlite3.connect(db_file) as conn:
        # page 2,000 of "newest": the cursor is the key of the last card of page 1,999
        published_at, row_id = conn.execute(
            "SELECT published_at, id FROM products WHERE is_listed = 1 "
            "ORDER BY published_at DESC, id DESC LIMIT 1 OFFSET ?",
            (1999 * page_size - 1,),
        ).fetchone()
        from datetime import datetime

        cursor = encode_cursor(Sort.NEWEST, datetime.fromisoformat(published_at), row_id)
        category, region = conn.execute(
            "SELECT c.slug, pr.region_code FROM products p JOIN categories c ON c.id = p.category_id "
            "JOIN producers pr ON pr.id = p.producer_id WHERE p.is_listed = 1 "
            "GROUP BY c.slug, pr.region_code ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
        slug = conn.execute(
            "SELECT p.slug FROM products p WHERE p.is_listed = 1 AND p.option1_name IS NOT NULL "
            "AND EXISTS (SELECT 1 FROM product_certifications pc WHERE pc.product_id = p.id) "
            "AND (SELECT count(*) FROM product_images i WHERE i.product_id = p.id) > 1 "
            "ORDER BY p.id LIMIT 1"
        ).fetchone()[0]
    return {
        "catalogue, page 1": "/katalog",
        "catalogue, filtered (category + region + price sort)":
            f"/katalog?category={category}&region={region}&sort=termurah",
        "catalogue, page 2,000 (cursor link)": f"/katalog?after={cursor}&page=2000",
        "catalogue, ?page=2000 typed (no cursor)": "/katalog?page=2000",
        "product page": f"/produk/{slug}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--workdir", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk (make bench does this)")
    args.workdir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "OPOPMART_ENV": "production",
        "SECRET_KEY": "bench-" + "x" * 40,
        "DATABASE_URL": f"sqlite:///{args.workdir / 'bench.db'}",
        "MEDIA_ROOT": str(args.workdir / "media"),
        "PYTHONPATH": str(ROOT),
        "GUNICORN_ACCESS_LOG": "",
    }
    prepare_database(args.workdir, args.products, env)
    urls = bench_urls(args.workdir / "bench.db", page_size=24)

    results: list[tuple[str, float, dict[str, float]]] = []
    with gunicorn("bench.bare_app:app", env, args.workers) as base:
        results.append(("bare Flask route", *wrk(base + "/", args.seconds, args.connections)))
    with gunicorn("wsgi:app", env, args.workers) as base:
        for name, path in urls.items():
            results.append((name, *wrk(base + path, args.seconds, args.connections)))
    # The same pages with the page cache off: every request queries and renders.
    with gunicorn("wsgi:app", {**env, "PAGE_CACHE_SIZE": "0"}, args.workers) as base:
        for name, path in urls.items():
            results.append((f"{name} [no page cache]", *wrk(base + path, args.seconds, args.connections)))

    bare = results[0][1]
    print()
    print(f"{os.cpu_count()} cores, gunicorn {args.workers} sync workers, wrk 2 threads / "
          f"{args.connections} connections, {args.seconds} s per URL, {args.products:,} products")
    print(f"{'page':72} {'req/s':>8} {'ratio':>7} {'p50 ms':>8} {'p99 ms':>8}")
    for name, rps, lat in results:
        print(f"{name:72} {rps:8.0f} {rps / bare:7.2f} {lat.get('p50', 0):8.2f} {lat.get('p99', 0):8.2f}")


if __name__ == "__main__":
    main()
