"""URLs a visitor supplies: redirect targets are only ever paths on this site, and ids
in paths are numbers a database can hold."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask
from werkzeug.routing import IntegerConverter


def safe_next(target: str | None, default: str = "/") -> str:
    if not target or len(target) > 2000:
        return default
    if any(ch in target for ch in ("\\", "\r", "\n", "\t")) or any(ord(c) < 32 for c in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


# Ids are INTEGER columns: PostgreSQL's int4 ends here (SQLite's 64 bits go further).
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """``<int:...>`` in every route, bounded by MAX_ID.

    Werkzeug's converter takes any run of digits. A number past 32 bits fails in the
    database instead of naming nothing: PostgreSQL refuses it for an INTEGER column
    ("integer out of range"), and past 64 bits SQLite's driver raises OverflowError;
    either was a 500. Bounded here, such a URL matches no route (404) before any view runs.
    """

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None,  # noqa: A002 - Werkzeug's names
                 max: int | None = None, signed: bool = False) -> None:  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min,
                         max=MAX_ID if max is None else max, signed=signed)


def register_converters(app: Flask) -> None:
    """Before any route is added: rules pick their converters when they are added."""
    app.url_map.converters["int"] = IdConverter
