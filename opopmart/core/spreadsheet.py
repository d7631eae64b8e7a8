"""CSV files people open in a spreadsheet: every download of the app goes through here.

Spreadsheets run cells as formulas: every text cell that a spreadsheet would read as
one (``=``, ``+``, ``-``, ``@``, tab, carriage return) is written with a leading ``'``;
``restore`` takes exactly that one ``'`` off again on import, so a file round-trips.
"""

from __future__ import annotations

import csv
import io
import re

from flask import Response

_FORMULA = re.compile(r"^'*[=+\-@\t\r]")


def neutralise(value: str) -> str:
    """A text cell as written out: a leading ``'`` if a spreadsheet would run it."""
    return "'" + value if _FORMULA.match(value) else value


def restore(value: str) -> str:
    """The inverse of ``neutralise``: one ``'`` off only where ``neutralise`` put one."""
    if value.startswith("'") and _FORMULA.match(value[1:]):
        return value[1:]
    return value


def to_csv(rows: list[list]) -> bytes:
    """UTF-8 with a BOM (so Excel reads the accents), comma-separated, formulas inert."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([neutralise(v) if isinstance(v, str) else v for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def csv_download(rows: list[list], filename: str) -> Response:
    """A CSV attachment that the browser saves rather than shows."""
    response = Response(to_csv(rows), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
