"""Filters and globals every template may use. Cheap enough to call per product card."""

from __future__ import annotations

from datetime import date

from flask import Flask, g, has_request_context, request
from flask_babel import format_date

from .money import format_rupiah, format_rupiah_range


def thousands(value: int | None) -> str:
    """``4167`` -> ``4.167``, the way Indonesian readers group digits."""
    return "-" if value is None else f"{value:,}".replace(",", ".")


def media_url(key: str | None, size: str = "sm") -> str:
    if not key:
        return f"{request.script_root}/static/img/no-photo.svg"
    suffix = "" if size == "full" else f"_{size}"
    return f"{request.script_root}/media/{key}{suffix}.jpg"


def product_url(slug: str) -> str:
    return f"{request.script_root}/produk/{slug}"


def long_date(value: date | None) -> str:
    return "-" if value is None else format_date(value, "d MMMM y")


def current_locale() -> str:
    """The language code of this request, chosen once (Babel's Locale is not needed here)."""
    code = g.get("_opop_locale")
    if code is None:
        from .i18n import select_locale

        code = g._opop_locale = select_locale() if has_request_context() else "id"
    return code


def register_templating(app: Flask) -> None:
    app.jinja_env.filters.update(
        rupiah=format_rupiah,
        rupiah_range=format_rupiah_range,
        thousands=thousands,
        long_date=long_date,
    )
    app.jinja_env.globals.update(
        media_url=media_url,
        product_url=product_url,
        current_locale=current_locale,
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
