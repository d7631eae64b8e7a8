"""The reference rows shipped with the app, read from the CSV files beside this module.

Migrations insert them; tests and the demo read them without touching a database.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).parent / "data"


@lru_cache(maxsize=1)
def region_rows() -> tuple[dict[str, str], ...]:
    rows: list[dict[str, str]] = []
    with open(DATA / "provinces.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            rows.append({"code": row["kode"], "name": row["nama"], "kind": "provinsi",
                         "province_code": row["kode"]})
    for filename in ("jawa-timur-kabupaten-kota.csv", "other-cities.csv"):
        with open(DATA / filename, newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                rows.append({"code": row["kode"], "name": row["nama"], "kind": row["jenis"],
                             "province_code": row["kode"][:2]})
    return tuple(rows)


def jatim_regencies() -> list[dict[str, str]]:
    return [r for r in region_rows() if r["province_code"] == "35" and r["kind"] != "provinsi"]
