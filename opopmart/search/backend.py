"""What a search backend does, whatever it runs on.

The app talks to one ``SearchBackend`` (``current_backend()``), chosen by the
``SEARCH_BACKEND`` setting: ``whoosh`` (the default, files under SEARCH_INDEX_DIR) or
``postgres`` (PostgreSQL full-text search, tables in the database: every app machine
shares them). Both implement the same protocol: documents in
(``index``/``remove``/``rebuild``), product ids, totals and facet counts out
(``search``/``facets``), typeahead (``suggest``). Everything around it (the queue
that feeds it, cards from the database, highlighting, pages, the CLI) is shared, and
the tests run against every name in ``BACKENDS`` that the test database can carry
(``backends_for``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from flask import Flask, current_app

from .documents import SearchDocument

BACKENDS = ("whoosh", "postgres")
# Backends that keep their index in the database, by the database they need.
DATABASE_BACKENDS = {"postgres": "postgresql"}


class SearchSort(StrEnum):
    RELEVANCE = "relevan"
    PRICE_ASC = "termurah"
    PRICE_DESC = "termahal"
    NEWEST = "terbaru"


@dataclass(frozen=True)
class PriceBucket:
    key: str
    low: int | None  # inclusive
    high: int | None  # exclusive


# The price facet: the lowest variant price falls in exactly one bucket.
PRICE_BUCKETS = (
    PriceBucket("0-25000", None, 25_000),
    PriceBucket("25000-50000", 25_000, 50_000),
    PriceBucket("50000-100000", 50_000, 100_000),
    PriceBucket("100000-250000", 100_000, 250_000),
    PriceBucket("250000-500000", 250_000, 500_000),
    PriceBucket("500000-", 500_000, None),
)
PRICE_BUCKET_KEYS = {b.key: b for b in PRICE_BUCKETS}


def price_bucket(price: int) -> str:
    for bucket in PRICE_BUCKETS:
        if (bucket.low is None or price >= bucket.low) and (bucket.high is None or price < bucket.high):
            return bucket.key
    return PRICE_BUCKETS[-1].key


FACET_GROUPS = ("category", "region", "cert", "price", "kind")


@dataclass(frozen=True)
class SearchRequest:
    """A shopper's search, already cleaned (services.parse_search_args)."""

    text: str = ""
    category_ids: tuple[int, ...] = ()  # a category and everything below it
    region_code: str | None = None
    cert_type: str | None = None
    price: str | None = None  # a PRICE_BUCKETS key
    kind: str | None = None
    sort: SearchSort = SearchSort.RELEVANCE
    offset: int = 0
    limit: int = 24
    with_facets: bool = True
    # Products with a change not yet applied to the index: never shown from it.
    exclude_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Correction:
    original: str
    corrected: str


@dataclass
class SearchResult:
    product_ids: list[int]
    total: int
    # group -> value -> count; "category" counts are per category id (not rolled up)
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    terms: frozenset[str] = frozenset()  # index terms that matched: what to highlight
    corrections: list[Correction] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # words found nowhere
    all_words: bool = True  # False: no product had every word, some words are enough
    corrected_text: str | None = None  # the query with corrections, for "Mungkin maksud Anda"
    unavailable: bool = False  # the index could not be read (the page says so)


@dataclass(frozen=True)
class ProductSuggestion:
    product_id: int
    slug: str
    name: str


class IndexBusy(Exception):
    """Another writer kept the index past the timeout, or a rebuild is running: the
    change stays queued and is applied later."""


class IndexWriter(Protocol):
    def index(self, documents: Iterable[SearchDocument]) -> None:
        """Add these documents, replacing any of the same products."""

    def remove(self, product_ids: Collection[int]) -> None:
        """Drop these products."""

    def commit(self) -> None:
        """Make the changes visible to searches (the writer stays held until the
        ``writer()`` block ends)."""


class CommittedChanges:
    """``index`` and ``remove`` of a backend, each through one writer and one commit: the
    same for every backend that has a ``writer()``."""

    def writer(self) -> AbstractContextManager[IndexWriter]:
        raise NotImplementedError

    def index(self, documents: Iterable[SearchDocument]) -> None:
        with self.writer() as writer:
            writer.index(documents)
            writer.commit()

    def remove(self, product_ids: Collection[int]) -> None:
        with self.writer() as writer:
            writer.remove(product_ids)
            writer.commit()


class SearchBackend(Protocol):
    name: str

    def exists(self) -> bool:
        """True when there is an index to search."""

    def writer(self) -> AbstractContextManager[IndexWriter]:
        """The one writer (across threads and processes) until the block ends; changes
        count once ``commit()`` is called, and are dropped when the block ends without
        it. Raises IndexBusy when it cannot be had in time. The queue reads the
        database, commits, and deletes the queue rows it applied all while holding
        the writer, so a later state can never be overwritten by an earlier one."""

    def exclusive(self) -> AbstractContextManager[None]:
        """For a rebuild: from entry to exit no change reaches the index, and writers
        that come meanwhile raise IndexBusy (their changes stay queued)."""

    def index(self, documents: Iterable[SearchDocument]) -> None:
        """``writer().index(documents)``, committed."""

    def remove(self, product_ids: Collection[int]) -> None:
        """``writer().remove(product_ids)``, committed."""

    def rebuild(self, documents: Iterable[SearchDocument],
                progress: Callable[[int], None] | None = None) -> int:
        """Build a complete new index from ``documents`` and make it live at once;
        searches keep working on the old one meanwhile. Returns the count."""

    def search(self, request: SearchRequest) -> SearchResult:
        """Product ids for one page, the exact total and (if asked) facet counts."""

    def facets(self, request: SearchRequest) -> dict[str, dict[str, int]]:
        """Facet counts only."""

    def suggest(self, text: str, limit: int,
                exclude_ids: frozenset[int] = frozenset()) -> list[ProductSuggestion]:
        """Products for a typeahead, the last word read as a prefix."""

    def status(self) -> Mapping[str, object]:
        """What ``flask search status`` prints."""


def backends_for(database_url: str) -> tuple[str, ...]:
    """The backends an app on this database can use (the tests run each of them)."""
    from sqlalchemy.engine import make_url

    dialect = make_url(database_url).get_backend_name()
    return tuple(b for b in BACKENDS if DATABASE_BACKENDS.get(b, dialect) == dialect)


def check_backend(app: Flask) -> None:
    """At start-up, not at the first search: the setting names a backend that this
    database can carry."""
    from ..config import ConfigError

    name = app.config["SEARCH_BACKEND"]
    if name not in BACKENDS:
        raise ConfigError(f"SEARCH_BACKEND must be one of {', '.join(BACKENDS)}, got {name!r}")
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if name not in backends_for(url):
        from sqlalchemy.engine import make_url

        raise ConfigError(
            f"SEARCH_BACKEND={name} keeps the search index in a {DATABASE_BACKENDS[name]} database, "
            f"but DATABASE_URL names a {make_url(url).get_backend_name()} one: point DATABASE_URL "
            f"at PostgreSQL, or use SEARCH_BACKEND=whoosh"
        )


def make_backend(app: Flask, name: str) -> SearchBackend:
    if name == "whoosh":
        from .whoosh_backend import WhooshBackend

        return WhooshBackend(app.config["SEARCH_INDEX_DIR"],
                             lock_timeout=app.config["SEARCH_LOCK_TIMEOUT"],
                             result_cache=app.config.get("SEARCH_RESULT_CACHE_SIZE", 512))
    if name == "postgres":
        from .postgres_backend import PostgresBackend

        return PostgresBackend(lock_timeout=app.config["SEARCH_LOCK_TIMEOUT"],
                               result_cache=app.config.get("SEARCH_RESULT_CACHE_SIZE", 512))
    raise ValueError(f"SEARCH_BACKEND must be one of {', '.join(BACKENDS)}, got {name!r}")


def current_backend(app: Flask | None = None) -> SearchBackend:
    """This app's backend (one per app and setting, kept for the worker's life)."""
    app = app or current_app._get_current_object()
    name = app.config["SEARCH_BACKEND"]
    key = ("opopmart.search", name, app.config["SEARCH_INDEX_DIR"])
    backend = app.extensions.get(key)
    if backend is None:
        backend = app.extensions[key] = make_backend(app, name)
    return backend
