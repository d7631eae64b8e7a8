"""Reading catalogue query strings. Anything unreadable is dropped, never an error page,
except a category slug that does not exist (404: the page asked for is not there)."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from flask import abort
from werkzeug.datastructures import MultiDict

from ..core.money import parse_rupiah
from ..core.params import whole_number
from .models import CertType, ProducerKind
from .queries import CategoryNode, ListingFilter, Sort, category_tree, known_region_codes

MAX_PAGE = 100_000
MAX_QUERY_WORDS = 8


@dataclass
class ListingArgs:
    filter: ListingFilter
    category: CategoryNode | None
    page: int
    after: str | None
    before: str | None
    # Cleaned values to refill the filter form and to build links.
    values: dict[str, str] = field(default_factory=dict)

    def query(self, **changes: str | int | None) -> str:
        """A query string with ``changes`` applied; pagination resets unless given."""
        params = {k: v for k, v in self.values.items()}
        for key in ("page", "after", "before"):
            params.pop(key, None)
        for key, value in changes.items():
            if value is None or value == "":
                params.pop(key, None)
            else:
                params[key] = str(value)
        return "?" + urlencode(params) if params else "?"


def _int(raw: str | None, low: int, high: int) -> int | None:
    value = whole_number(raw)
    return value if value is not None and low <= value <= high else None


def parse_listing_args(args: MultiDict, category_slug: str | None = None,
                       producer_id: int | None = None) -> ListingArgs:
    values: dict[str, str] = {}
    tree = category_tree()
    category = None
    slug = category_slug if category_slug is not None else args.get("category", "").strip()
    if slug:
        category = tree.by_slug.get(slug[:100])
        if category is None:
            abort(404)
        if category_slug is None:
            values["category"] = category.slug

    region = args.get("region", "").strip()
    region = region if region in known_region_codes() else None
    if region:
        values["region"] = region

    cert = args.get("cert", "").strip()
    cert_type = CertType(cert) if cert in CertType._value2member_map_ else None
    if cert_type:
        values["cert"] = cert_type.value

    kind = args.get("kind", "").strip()
    producer_kind = ProducerKind(kind) if kind in ProducerKind._value2member_map_ else None
    if producer_kind:
        values["kind"] = producer_kind.value

    price_min = parse_rupiah(args.get("price_min"))
    price_max = parse_rupiah(args.get("price_max"))
    if price_min is not None and price_max is not None and price_min > price_max:
        price_min, price_max = price_max, price_min
    if price_min is not None:
        values["price_min"] = str(price_min)
    if price_max is not None:
        values["price_max"] = str(price_max)

    sort_raw = args.get("sort", "").strip()
    sort = Sort(sort_raw) if sort_raw in Sort._value2member_map_ else Sort.NEWEST
    if sort is not Sort.NEWEST:
        values["sort"] = sort.value

    page = _int(args.get("page"), 1, MAX_PAGE) or 1
    after = args.get("after") or None
    before = args.get("before") or None

    listing = ListingFilter(
        category_ids=category.ids if category else (),
        region_code=region,
        cert_type=cert_type,
        price_min=price_min,
        price_max=price_max,
        producer_kind=producer_kind,
        producer_id=producer_id,
        sort=sort,
    )
    return ListingArgs(listing, category, page, after, before, values)
