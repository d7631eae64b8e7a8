"""How long bulk listing takes on SQLite for a full 5,000-row file (the upload limit).

Builds a throwaway, migrated SQLite database with one shop, then times, for 1,000
products of 5 variants each (one tier on every variant):

- creating them all from one CSV (check only, then check and apply);
- exporting the catalogue as CSV and XLSX;
- re-uploading the untouched export (nothing to write: every product compared);
- uploading the export with every price and stock changed (1,000 published-product
  updates), as a check and then applied, and once more through the studio view
  (multipart upload, report page rendered, one commit).

Run with ``.venv/bin/python bench/bulk.py`` (``--products 5000 --variants 1`` for the
worst case: one product per row); it prints one line per step. ``PROFILE=1`` adds a
cProfile of the create step (``PROFILE_SORT=tottime`` to sort by own time).
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


@contextmanager
def timed(label: str, rows: int | None = None):
    started = time.perf_counter()
    yield
    elapsed = time.perf_counter() - started
    per_row = f"  ({elapsed / rows * 1000:.2f} ms/row)" if rows else ""
    print(f"{label:<58} {elapsed:7.2f} s{per_row}", flush=True)


@contextmanager
def profiled():
    import cProfile
    import os
    import pstats

    if not os.environ.get("PROFILE"):
        yield
        return
    prof = cProfile.Profile()
    prof.enable()
    yield
    prof.disable()
    pstats.Stats(prof).sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(35)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=1000)
    parser.add_argument("--variants", type=int, default=5)
    args = parser.parse_args()

    from flask_migrate import upgrade
    from sqlalchemy import func, select
    from werkzeug.datastructures import FileStorage
    from werkzeug.test import stream_encode_multipart

    from opopmart import create_app
    from opopmart.accounts.models import MemberRole, ProducerMember, User
    from opopmart.catalogue.models import Category, Producer, ProducerKind, Product, ProductStatus
    from opopmart.catalogue.services import change_product_status
    from opopmart.config import TestConfig
    from opopmart.extensions import db
    from opopmart.seller import bulk

    workdir = Path(tempfile.mkdtemp(prefix="opop-bulk-bench-"))
    app = create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'bench.db'}",
                                  "INSTANCE_PATH": str(workdir / "instance"),
                                  "MEDIA_ROOT": str(workdir / "media"), "WTF_CSRF_ENABLED": False})
    rows_total = args.products * args.variants
    print(f"SQLite at {workdir / 'bench.db'}; {args.products} products x {args.variants} variants "
          f"= {rows_total} rows")
    with app.app_context():
        upgrade()
        session = db.session
        food = Category(name="Makanan & Minuman", name_en="Food", slug="makanan-minuman", position=1)
        kopi = Category(name="Kopi", name_en="Coffee", slug="kopi", parent=food, position=2)
        user = User(email="bench@contoh.id", name="Bench", phone="+6281234567890", password_hash="x")
        shop = Producer(name="Toko Bench", slug="toko-bench", kind=ProducerKind.UMKM, region_code="35.78",
                        nib="1234567890123", verified=True)
        session.add_all([food, kopi, user, shop])
        session.flush()
        session.add(ProducerMember(user_id=user.id, producer_id=shop.id, role=MemberRole.OWNER))
        session.commit()
        user_id, producer_id, login_id = user.id, shop.id, user.get_id()

        out = io.StringIO(newline="")
        writer = csv.writer(out)
        writer.writerow(bulk.HEADERS)
        for p in range(args.products):
            for v in range(args.variants):
                writer.writerow(["", f"Produk Bench {p:05d}", "Makanan & Minuman › Kopi", f"Merek {p % 20}",
                                 f"Deskripsi produk {p}.", "ya", "Ukuran", "", f"B{p:05d}-{v}", f"{v + 1} kg", "",
                                 f"{20_000 + v * 1_000}", "10", f"{(v + 1) * 1000}", "1", "ya",
                                 f"10:{19_000 + v * 1_000}", ""])
        new_file = out.getvalue().encode("utf-8")

        with timed("read CSV (new products)", rows_total):
            rows = bulk.read_sheet(new_file)
        with timed("check only: create", rows_total):
            report = bulk.run(session, user_id=user_id, producer_id=producer_id, rows=rows, mode=bulk.CHECK)
            session.rollback()
        assert report.to_create == args.products and not report.problems, report.problems[:5]
        with timed("check and apply: create (all or nothing) + commit", rows_total), profiled():
            report = bulk.run(session, user_id=user_id, producer_id=producer_id, rows=rows, mode=bulk.ALL)
            session.commit()
        assert report.created == args.products, (report.created, report.problems[:5])

        # Publish them all, as a curator would, so the next updates touch live listings.
        for product in session.execute(select(Product)).scalars():
            change_product_status(session, product, ProductStatus.SUBMITTED, actor_id=None)
            change_product_status(session, product, ProductStatus.PUBLISHED, actor_id=None)
        session.commit()
        session.expire_all()

        with timed("export CSV", rows_total):
            exported = bulk.to_csv(bulk.export_rows(session, producer_id))
        with timed("export XLSX", rows_total):
            workbook = bulk.to_xlsx(bulk.export_rows(session, producer_id))
        with timed("read XLSX", rows_total):
            bulk.read_sheet(workbook)
        print(f"{'':<58} CSV {len(exported) / 1e6:.1f} MB, XLSX {len(workbook) / 1e6:.1f} MB")

        session.expire_all()
        with timed("untouched export re-uploaded (all or nothing)", rows_total):
            report = bulk.run(session, user_id=user_id, producer_id=producer_id,
                              rows=bulk.read_sheet(exported), mode=bulk.ALL)
            session.commit()
        assert report.unchanged == args.products and not report.problems, report.problems[:5]

        text = exported.decode("utf-8-sig")
        table = list(csv.reader(io.StringIO(text, newline="")))
        price, stock = bulk.HEADERS.index("harga"), bulk.HEADERS.index("stok")
        for row in table[1:]:
            row[price], row[stock] = str(int(row[price]) + 500), "25"
        out = io.StringIO(newline="")
        csv.writer(out).writerows(table)
        changed_file = out.getvalue().encode("utf-8")

        session.expire_all()
        rows = bulk.read_sheet(changed_file)
        with timed("check only: every price and stock changed", rows_total):
            report = bulk.run(session, user_id=user_id, producer_id=producer_id, rows=rows, mode=bulk.CHECK)
            session.rollback()
        assert report.to_update == args.products and not report.problems, report.problems[:5]
        session.expire_all()
        with timed("check and apply: every price and stock changed + commit", rows_total):
            report = bulk.run(session, user_id=user_id, producer_id=producer_id, rows=rows, mode=bulk.ALL)
            session.commit()
        assert report.updated == args.products, (report.updated, report.problems[:5])
        session.remove()

    # Once more through the view: upload, check, apply, commit, render the report.
    for row in table[1:]:
        row[price] = str(int(row[price]) + 500)
    out = io.StringIO(newline="")
    csv.writer(out).writerows(table)
    body, _length, boundary = stream_encode_multipart(
        {"mode": "all", "sheet": FileStorage(io.BytesIO(out.getvalue().encode()), "produk.csv")},
        use_tempfile=False)
    client = app.test_client()
    with app.app_context():
        with client.session_transaction() as web_session:
            web_session["_user_id"] = login_id
            web_session["_fresh"] = True
        with timed("POST /studio/toko/<id>/massal (view, prices changed)", rows_total):
            response = client.post(f"/studio/toko/{producer_id}/massal", data=body.getvalue(),
                                   content_type=f"multipart/form-data; boundary={boundary}")
        assert response.status_code == 200, response.status_code
        assert f'data-testid="count-updated">{args.products}<' in response.get_data(as_text=True)
        print(f"products in the database: {db.session.execute(select(func.count(Product.id))).scalar()}")


if __name__ == "__main__":
    main()
