"""Whole numbers read from what a visitor sends (query strings, form fields).

``str.isdigit()`` is true for "²" and other characters that ``int()`` refuses (a 500
where it guarded an ``int()``), and a number longer than an INTEGER column holds fails
in PostgreSQL ("integer out of range"). Read such numbers here instead.
"""

from __future__ import annotations

# Nine digits always fit an INTEGER column (at most 2_147_483_647).
ID_DIGITS = 9


def whole_number(raw: str | None, max_digits: int = ID_DIGITS) -> int | None:
    """The number ``raw`` spells in ASCII digits (surrounding spaces allowed, at most
    ``max_digits`` of them), else None."""
    text = (raw or "").strip()
    if text.isascii() and text.isdigit() and len(text) <= max_digits:
        return int(text)
    return None


def page_number(raw: str | None, last: int = 99_999) -> int:
    """A page number from 1 to ``last``; anything else is the first page."""
    number = whole_number(raw)
    return number if number is not None and 0 < number <= last else 1
