"""The search page and the typeahead: the backend's answer turned into what is shown.

Product cards always come from the database (``Product.is_listed`` again, current
prices and photos), in the order the backend ranked them; names and snippets are
highlighted from that text. Facet counts come from the backend, which leaves out
products with a change not yet indexed (``indexer.pending_product_ids``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import select
from whoosh import highlight

from ..catalogue.certificates import CERT_LABELS
from ..catalogue.models import CertType, Producer, ProducerKind, Product
from ..catalogue.queries import LISTED, _card_select, _cards, category_tree, region_name
from ..core.cache import cached
from ..core.money import format_rupiah
from ..extensions import db
from .analysis import IndonesianAnalyzer, surface_words
from .backend import PRICE_BUCKETS, SearchRequest, SearchResult, SearchSort, current_backend
from .forms import MAX_PAGE, SearchArgs, clean_text
from .indexer import pending_product_ids

log = logging.getLogger("opopmart.search")

SNIPPET_CHARS = 150
SUGGEST_PRODUCTS = 6
SUGGEST_OTHERS = 3
MAX_SUGGEST_CHARS = 100

_ANALYZER = IndonesianAnalyzer()


class _MarkFormatter(highlight.Formatter):
    """Escapes everything, then marks the matched words."""

    between = " … "

    def _text(self, text: str) -> str:
        return str(escape(text))

    def format_token(self, text, token, replace=False) -> str:
        return f"<mark>{escape(highlight.get_text(text, token, replace))}</mark>"


def highlighted(text: str, terms: frozenset[str]) -> Markup:
    """``text`` escaped, with the words that match ``terms`` in <mark>."""
    if not terms or not text:
        return escape(text)
    out = highlight.highlight(text, terms, _ANALYZER, highlight.WholeFragmenter(),
                              _MarkFormatter(), top=1)
    # _MarkFormatter escaped every piece of text; only its own <mark> tags are markup.
    return Markup(out) if out else escape(text)  # nosec B704


def snippet(text: str, terms: frozenset[str]) -> Markup | None:
    """A short passage around the matched words, or None when none is there."""
    if not terms or not text:
        return None
    fragmenter = highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=50)
    out = highlight.highlight(text, terms, _ANALYZER, fragmenter, _MarkFormatter(), top=1)
    # Escaped by _MarkFormatter, as in highlighted().
    return Markup(out) if out else None  # nosec B704


@dataclass(frozen=True)
class SearchCard:
    """The catalogue's Card, with a highlighted name (and passage): the same macro shows it."""

    id: int
    slug: str
    name: Markup
    min_price: int
    max_price: int
    in_stock: bool
    cover_image: str | None
    producer_name: str
    region: str
    snippet: Markup | None = None


@dataclass(frozen=True)
class FacetOption:
    label: str
    count: int
    url: str
    selected: bool = False
    depth: int = 0


@dataclass
class FacetGroup:
    key: str
    title: str
    options: list[FacetOption]
    clear_url: str | None = None  # set when a value of this group is chosen


@dataclass
class SearchPage:
    args: SearchArgs
    cards: list[SearchCard]
    total: int
    page: int
    pages: int
    result: SearchResult
    facets: list[FacetGroup] = field(default_factory=list)
    chosen: list[tuple[str, str]] = field(default_factory=list)  # (label, url without it)

    @property
    def page_numbers(self) -> list[int | None]:
        """1 … 4 5 [6] 7 8 … 20: None marks a gap."""
        shown = {1, self.pages, *range(self.page - 2, self.page + 3)}
        out: list[int | None] = []
        last = 0
        for n in sorted(p for p in shown if 1 <= p <= self.pages):
            if n > last + 1:
                out.append(None)
            out.append(n)
            last = n
        return out


def run_search(args: SearchArgs, page_size: int, locale: str) -> SearchPage:
    backend = current_backend()
    request = SearchRequest(
        text=args.text,
        category_ids=args.category.ids if args.category else (),
        region_code=args.region,
        cert_type=args.cert,
        price=args.price,
        kind=args.kind,
        sort=args.sort,
        offset=(args.page - 1) * page_size,
        limit=page_size,
        exclude_ids=pending_product_ids(),
    )
    try:
        result = backend.search(request)
    except Exception:  # noqa: BLE001 - a broken index must not take the page down
        log.exception("search failed; showing no results")
        result = SearchResult(product_ids=[], total=0, unavailable=True)
    pages = min(MAX_PAGE, max(1, -(-result.total // page_size)))
    page = args.page
    if page > pages:
        # A page past the end (an old link, a hand-made URL): show the last one.
        page = pages
        result = backend.search(replace(request, offset=(page - 1) * page_size))
    cards = _search_cards(result.product_ids, result.terms)
    out = SearchPage(args, cards, result.total, page, pages, result)
    out.facets = _facet_groups(args, result, locale)
    out.chosen = _chosen(args, locale)
    return out


def _search_cards(product_ids: list[int], terms: frozenset[str]) -> list[SearchCard]:
    if not product_ids:
        return []
    rows = db.session.execute(_card_select().where(Product.id.in_(product_ids), LISTED))
    by_id = {c.id: c for c in _cards(rows)}
    descriptions = {}
    if terms:
        descriptions = dict(db.session.execute(
            select(Product.id, Product.description).where(Product.id.in_(list(by_id)))
        ).all())
    out = []
    for pid in product_ids:
        card = by_id.get(pid)
        if card is None:
            continue  # hidden since it was indexed: never shown
        name = highlighted(card.name, terms)
        passage = None
        if terms and "<mark>" not in name:
            passage = snippet(descriptions.get(pid) or "", terms)
        out.append(SearchCard(card.id, card.slug, name, card.min_price, card.max_price,
                              card.in_stock, card.cover_image, card.producer_name,
                              card.region, passage))
    return out


def _price_label(key: str) -> str:
    for bucket in PRICE_BUCKETS:
        if bucket.key == key:
            if bucket.low is None:
                return _("Di bawah %(price)s", price=format_rupiah(bucket.high))
            if bucket.high is None:
                return _("%(price)s ke atas", price=format_rupiah(bucket.low))
            return f"{format_rupiah(bucket.low)} – {format_rupiah(bucket.high)}"
    return key


def _kind_labels() -> dict[str, str]:
    from ..catalogue.views import PRODUCER_KIND_LABELS

    return {k.value: str(v) for k, v in PRODUCER_KIND_LABELS.items()}


def _facet_groups(args: SearchArgs, result: SearchResult, locale: str) -> list[FacetGroup]:
    facets = result.facets
    groups: list[FacetGroup] = []

    # Category: counts include subcategories, the tree's order.
    counts = {int(k): v for k, v in facets.get("category", {}).items()}
    options = []
    for root in category_tree().roots:
        total = counts.get(root.id, 0) + sum(counts.get(c, 0) for c in root.ids[1:])
        if total or (args.category and args.category.id == root.id):
            options.append(FacetOption(root.label(locale), total,
                                       args.query(category=root.slug),
                                       bool(args.category and args.category.id == root.id)))
            for child in root.children:
                n = sum(counts.get(c, 0) for c in child.ids)
                selected = bool(args.category and args.category.id == child.id)
                if n or selected:
                    options.append(FacetOption(child.label(locale), n,
                                               args.query(category=child.slug), selected, 1))
    groups.append(FacetGroup("category", _("Kategori"), options,
                             args.query(category=None) if args.category else None))

    region_counts = facets.get("region", {})
    options = [FacetOption(region_name(code) or code, n, args.query(region=code), code == args.region)
               for code, n in region_counts.items()]
    options.sort(key=lambda o: (-o.count, o.label))
    groups.append(FacetGroup("region", _("Kabupaten/kota"), options,
                             args.query(region=None) if args.region else None))

    cert_counts = facets.get("cert", {})
    options = [FacetOption(str(CERT_LABELS[c]), cert_counts[c.value], args.query(cert=c.value),
                           c.value == args.cert)
               for c in CertType if cert_counts.get(c.value)]
    groups.append(FacetGroup("cert", _("Sertifikat"), options,
                             args.query(cert=None) if args.cert else None))

    price_counts = facets.get("price", {})
    options = [FacetOption(_price_label(b.key), price_counts[b.key], args.query(price=b.key),
                           b.key == args.price)
               for b in PRICE_BUCKETS if price_counts.get(b.key)]
    groups.append(FacetGroup("price", _("Harga terendah"), options,
                             args.query(price=None) if args.price else None))

    kind_counts = facets.get("kind", {})
    labels = _kind_labels()
    options = [FacetOption(labels[k.value], kind_counts[k.value], args.query(kind=k.value),
                           k.value == args.kind)
               for k in ProducerKind if kind_counts.get(k.value)]
    groups.append(FacetGroup("kind", _("Jenis produsen"), options,
                             args.query(kind=None) if args.kind else None))
    return groups


def _chosen(args: SearchArgs, locale: str) -> list[tuple[str, str]]:
    out = []
    if args.category:
        out.append((args.category.label(locale), args.query(category=None)))
    if args.region:
        out.append((region_name(args.region) or args.region, args.query(region=None)))
    if args.cert:
        out.append((str(CERT_LABELS[CertType(args.cert)]), args.query(cert=None)))
    if args.price:
        out.append((_price_label(args.price), args.query(price=None)))
    if args.kind:
        out.append((_kind_labels()[args.kind], args.query(kind=None)))
    return out


SORT_LABELS = (
    (SearchSort.RELEVANCE, _l("Paling sesuai")),
    (SearchSort.NEWEST, _l("Terbaru")),
    (SearchSort.PRICE_ASC, _l("Harga terendah")),
    (SearchSort.PRICE_DESC, _l("Harga tertinggi")),
)


# --- typeahead ---


@dataclass(frozen=True)
class _Named:
    slug: str
    label: str
    words: tuple[str, ...]


def _public_producers() -> list[_Named]:
    """Verified producers with something listed (cached per catalogue version)."""

    def compute() -> list[_Named]:
        has_listed = select(Product.id).where(Product.producer_id == Producer.id, LISTED).exists()
        rows = db.session.execute(
            select(Producer.slug, Producer.name, Producer.pesantren_name)
            .where(Producer.verified.is_(True), has_listed)
            .order_by(Producer.name)
        ).all()
        return [_Named(r[0], r[1], tuple(surface_words(f"{r[1]} {r[2] or ''}"))) for r in rows]

    return cached(("search:producers",), compute)


def _matches(words: list[str], candidates: tuple[str, ...]) -> bool:
    """Every typed word starts some word of the candidate."""
    return all(any(c.startswith(w) for c in candidates) for w in words)


def suggestions(raw: str | None, locale: str, search_path: str) -> dict:
    """The typeahead's JSON: products, categories and producers for what was typed."""
    text = clean_text(raw, MAX_SUGGEST_CHARS)
    out: dict = {"query": text, "products": [], "categories": [], "producers": [],
                 "search_url": f"{search_path}?q={_quote(text)}" if text else search_path,
                 "labels": {"products": _("Produk"), "categories": _("Kategori"),
                            "producers": _("Produsen"), "all": _("Cari")}}
    words = surface_words(text)
    if not words or len(text) < 2:
        return out
    from ..core.templating import product_url

    try:
        products = current_backend().suggest(text + (" " if raw and raw[-1:].isspace() else ""),
                                             SUGGEST_PRODUCTS, pending_product_ids())
    except Exception:  # noqa: BLE001 - the typeahead goes quiet rather than failing
        log.exception("search suggestions failed")
        products = []
    out["products"] = [{"name": p.name, "url": product_url(p.slug)} for p in products]

    from flask import url_for

    tree = category_tree()
    cats = []
    for node in tree.by_id.values():
        if node.count and _matches(words, tuple(surface_words(f"{node.name} {node.name_en}"))):
            cats.append(node)
    cats.sort(key=lambda n: (-n.count, n.name))
    out["categories"] = [{"name": n.label(locale), "url": url_for("catalogue.category", slug=n.slug)}
                         for n in cats[:SUGGEST_OTHERS]]
    producers = [p for p in _public_producers() if _matches(words, p.words)]
    out["producers"] = [{"name": p.label, "url": url_for("catalogue.producer", slug=p.slug)}
                        for p in producers[:SUGGEST_OTHERS]]
    return out


def _quote(text: str) -> str:
    from urllib.parse import quote_plus

    return quote_plus(text)
