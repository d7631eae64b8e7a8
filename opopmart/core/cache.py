"""Per-worker caches that are thrown away whenever the data they came from changes.

Counting 100,000 listed products, building the category menu or rendering a page of 24
product cards costs more than the rest of a request. Each worker keeps such results
until the catalogue's version counter (``cache_versions.catalogue``) moves; the counter
itself is read at most once per ``CATALOGUE_VERSION_TTL_SECONDS``.

The rule that keeps this correct: every write that changes what a public page shows
bumps the version in the same transaction (``core.models.bump_version``;
``catalogue.services.refresh_products`` does it). Stock levels are the exception, since
orders change them all the time: pages that show a number in stock put it in their key,
read through ``fresh_within_ttl`` (at most the same TTL old). Cached pages hold nothing
per visitor: no user names, no CSRF tokens.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from flask import Flask, current_app
from sqlalchemy import event, select

from ..extensions import db
from .models import CATALOGUE, VERSION_BUMPED, CacheVersion

_MISSING = object()


class _Lru:
    def __init__(self, maxsize: int):
        self.maxsize = maxsize
        self.data: OrderedDict[Hashable, Any] = OrderedDict()

    def get(self, key: Hashable) -> Any:
        value = self.data.get(key, _MISSING)
        if value is not _MISSING:
            self.data.move_to_end(key)
        return value

    def put(self, key: Hashable, value: Any) -> None:
        if self.maxsize <= 0:
            return
        self.data[key] = value
        if len(self.data) > self.maxsize:
            self.data.popitem(last=False)


class VersionedCache:
    """Values (counts, menus) and rendered pages, valid for one catalogue version."""

    def __init__(self, maxsize: int = 1024, page_maxsize: int = 256):
        self.values = _Lru(maxsize)
        self.pages = _Lru(page_maxsize)
        self._version: int | None = None
        self._version_read_at = 0.0
        self._lock = threading.Lock()

    def version(self, ttl: float) -> int:
        now = time.monotonic()
        if self._version is not None and now - self._version_read_at < ttl:
            return self._version
        value = db.session.execute(
            select(CacheVersion.value).where(CacheVersion.name == CATALOGUE)
        ).scalar()
        value = int(value or 0)
        with self._lock:
            if value != self._version:
                self.values.data.clear()
                self.pages.data.clear()
                self._version = value
            self._version_read_at = now
        return value

    def forget_version(self) -> None:
        """Make the next read ask the database: this worker just changed the data."""
        self._version_read_at = 0.0

    def get_or_compute(self, store: _Lru, key: Hashable, compute: Callable[[], Any], ttl: float) -> Any:
        self.version(ttl)
        with self._lock:
            value = store.get(key)
        if value is not _MISSING:
            return value
        value = compute()
        with self._lock:
            store.put(key, value)
        return value


def catalogue_cache() -> VersionedCache:
    return current_app.extensions["opopmart.catalogue_cache"]


def cached(key: Hashable, compute: Callable[[], Any]) -> Any:
    cache = catalogue_cache()
    return cache.get_or_compute(cache.values, key, compute,
                                current_app.config["CATALOGUE_VERSION_TTL_SECONDS"])


def cached_page(key: Hashable, render: Callable[[], str]) -> str:
    """A rendered page for this catalogue version; ``key`` must hold everything else it
    depends on (URL, language, day, stock levels shown)."""
    cache = catalogue_cache()
    return cache.get_or_compute(cache.pages, key, render,
                                current_app.config["CATALOGUE_VERSION_TTL_SECONDS"])


class TtlCache:
    """Values read from the database at most once per ``ttl`` seconds per worker.

    For numbers that move without a version bump (stock after orders) but may be shown
    a moment late: the cart and checkout always read them live.
    """

    def __init__(self, maxsize: int = 4096):
        self._lru = _Lru(maxsize)
        self._lock = threading.Lock()

    def get_or_compute(self, key: Hashable, compute: Callable[[], Any], ttl: float) -> Any:
        now = time.monotonic()
        with self._lock:
            hit = self._lru.get(key)
        if hit is not _MISSING and now - hit[0] < ttl:
            return hit[1]
        value = compute()
        with self._lock:
            self._lru.put(key, (now, value))
        return value


def fresh_within_ttl(key: Hashable, compute: Callable[[], Any]) -> Any:
    return current_app.extensions["opopmart.ttl_cache"].get_or_compute(
        key, compute, current_app.config["CATALOGUE_VERSION_TTL_SECONDS"]
    )


def register_cache(app: Flask) -> None:
    app.extensions["opopmart.ttl_cache"] = TtlCache()
    cache = VersionedCache(page_maxsize=app.config["PAGE_CACHE_SIZE"])
    app.extensions["opopmart.catalogue_cache"] = cache

    @event.listens_for(db.session, "after_commit")
    def _forget_after_own_change(session):
        # This worker's next request must not serve counts from before its own change.
        if session.info.pop(VERSION_BUMPED, False):
            try:
                current_app.extensions["opopmart.catalogue_cache"].forget_version()
            except (RuntimeError, KeyError):
                pass
