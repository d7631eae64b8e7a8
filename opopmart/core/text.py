"""Slugs and sort keys that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^a-z0-9]+")


def ascii_fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def slugify(text: str, max_length: int = 120) -> str:
    slug = _NON_WORD.sub("-", ascii_fold(text).lower()).strip("-")
    return slug[:max_length].rstrip("-") or "item"


def sort_key(text: str, max_length: int = 160) -> str:
    """Lower-case ASCII with single spaces: byte order equals reading order."""
    return " ".join(_NON_WORD.sub(" ", ascii_fold(text).lower()).split())[:max_length].rstrip()
