"""Per-worker caches that are thrown away whenever the data they came from changes.

Counting 100,000 listed products or building the category menu on every request is
most of what a catalogue page would cost; instead each worker keeps the result until
the catalogue's version counter moves. The version itself is read at most once per
``CATALOGUE_VERSION_TTL_SECONDS`` per worker.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from flask import current_app
from sqlalchemy import event, select

from ..extensions import db
from .models import CATALOGUE, VERSION_BUMPED, CacheVersion

_MISSING = object()


class VersionedCache:
    def __init__(self, maxsize: int = 1024):
        self.maxsize = maxsize
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
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
                self._data.clear()
                self._version = value
            self._version_read_at = now
        return value

    def forget_version(self) -> None:
        """Make the next read ask the database: this worker just changed the data."""
        self._version_read_at = 0.0

    def get_or_compute(self, key: Hashable, compute: Callable[[], Any], ttl: float) -> Any:
        self.version(ttl)
        with self._lock:
            value = self._data.get(key, _MISSING)
            if value is not _MISSING:
                self._data.move_to_end(key)
                return value
        value = compute()
        with self._lock:
            self._data[key] = value
            if len(self._data) > self.maxsize:
                self._data.popitem(last=False)
        return value


def catalogue_cache() -> VersionedCache:
    return current_app.extensions["opopmart.catalogue_cache"]


def cached(key: Hashable, compute: Callable[[], Any]) -> Any:
    ttl = current_app.config["CATALOGUE_VERSION_TTL_SECONDS"]
    return catalogue_cache().get_or_compute(key, compute, ttl)


def register_cache(app) -> None:
    cache = VersionedCache()
    app.extensions["opopmart.catalogue_cache"] = cache

    @event.listens_for(db.session, "after_commit")
    def _forget_after_own_change(session):
        # This worker's next request must not serve counts from before its own change.
        if session.info.pop(VERSION_BUMPED, False):
            try:
                current_app.extensions["opopmart.catalogue_cache"].forget_version()
            except (RuntimeError, KeyError):
                pass
