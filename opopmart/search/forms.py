"""Reading /cari's query string. Whatever cannot be read is dropped, never an error:
the text is words, not query syntax; unknown facet values are ignored; the page
number is clamped."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from werkzeug.datastructures import MultiDict

from ..catalogue.models import CertType, ProducerKind
from ..catalogue.queries import CategoryNode, category_tree, known_region_codes
from .backend import PRICE_BUCKET_KEYS, SearchSort

MAX_QUERY_CHARS = 200
MAX_PAGE = 100  # pages of results a query may be read to (2,400 products)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ufffd]+")


def clean_text(raw: str | None, limit: int = MAX_QUERY_CHARS) -> str:
    """One line of at most ``limit`` characters: control characters, NUL and
    undecodable bytes (U+FFFD) become spaces, runs of spaces one."""
    if not raw:
        return ""
    text = _CONTROL.sub(" ", raw[: limit * 4])
    return " ".join(text.split())[:limit].strip()


@dataclass
class SearchArgs:
    text: str
    category: CategoryNode | None
    region: str | None
    cert: str | None
    price: str | None
    kind: str | None
    sort: SearchSort
    page: int
    # Cleaned values, for links and to refill the form.
    values: dict[str, str] = field(default_factory=dict)

    def query(self, **changes: str | int | None) -> str:
        """This search's query string with ``changes``; the page resets unless given."""
        params = dict(self.values)
        params.pop("page", None)
        for key, value in changes.items():
            if value is None or value == "":
                params.pop(key, None)
            else:
                params[key] = str(value)
        return "?" + urlencode(params) if params else "?"

    @property
    def filtered(self) -> bool:
        return any((self.category, self.region, self.cert, self.price, self.kind))


def parse_search_args(args: MultiDict) -> SearchArgs:
    values: dict[str, str] = {}
    text = clean_text(args.get("q"))
    if text:
        values["q"] = text

    tree = category_tree()
    slug = clean_text(args.get("category"), 100)
    category = tree.by_slug.get(slug) if slug else None
    if category is not None:
        values["category"] = category.slug

    region = clean_text(args.get("region"), 10)
    region = region if region in known_region_codes() else None
    cert = clean_text(args.get("cert"), 20)
    cert = cert if cert in CertType._value2member_map_ else None
    price = clean_text(args.get("price"), 30)
    price = price if price in PRICE_BUCKET_KEYS else None
    kind = clean_text(args.get("kind"), 20)
    kind = kind if kind in ProducerKind._value2member_map_ else None
    for key, value in (("region", region), ("cert", cert), ("price", price), ("kind", kind)):
        if value:
            values[key] = value

    default_sort = SearchSort.RELEVANCE if text else SearchSort.NEWEST
    sort_raw = clean_text(args.get("sort"), 20)
    sort = SearchSort(sort_raw) if sort_raw in SearchSort._value2member_map_ else default_sort
    if sort is SearchSort.RELEVANCE and not text:
        sort = SearchSort.NEWEST
    if sort is not default_sort:
        values["sort"] = sort.value

    page_raw = clean_text(args.get("page"), 12)
    page = int(page_raw) if re.fullmatch(r"[0-9]{1,6}", page_raw) else 1
    page = min(max(page, 1), MAX_PAGE)
    if page > 1:
        values["page"] = str(page)
    return SearchArgs(text, category, region, cert, price, kind, sort, page, values)
