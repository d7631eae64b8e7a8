"""The Whoosh backend: the index files (whoosh_index) queried by the engine.

Each worker keeps one view of the live index and checks, per query, whether the index
changed (a directory listing: the Whoosh generation, and the ``current`` symlink for
rebuilds). Only then does it read the new table of contents, reusing what it already
read from unchanged segments. Results and suggestions are cached per view.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC, LockError

from . import engine
from .backend import CommittedChanges, IndexBusy, ProductSuggestion, SearchRequest, SearchResult
from .documents import SearchDocument
from .whoosh_index import (
    INDEX_NAME,
    IndexStore,
    SearchIndexUnavailable,
    field_values,
    merge_small_segments,
)

log = logging.getLogger("opopmart.search")


class _Writer:
    def __init__(self, segment_writer):
        self._writer = segment_writer
        self._changed = False

    def index(self, documents: Iterable[SearchDocument]) -> None:
        for doc in documents:
            self._writer.update_document(**field_values(doc))
            self._changed = True

    def remove(self, product_ids: Collection[int]) -> None:
        for pid in product_ids:
            self._writer.delete_by_term("id", str(pid))
            self._changed = True

    def commit(self) -> None:
        if self._changed:
            self._writer.commit(mergetype=merge_small_segments)
        else:
            self._writer.cancel()  # nothing to write: no new generation


class WhooshBackend(CommittedChanges):
    name = "whoosh"

    def __init__(self, root: str | Path, lock_timeout: float = 5.0, result_cache: int = 512):
        self.store = IndexStore(root, lock_timeout=lock_timeout)
        self._lock = threading.Lock()
        self._view: engine.IndexView | None = None
        self._segments: dict[tuple[str, str], engine.SegmentData] = {}
        self._results = engine._Lru(result_cache)
        self._suggestions = engine._Lru(result_cache)

    # --- writing ---

    def exists(self) -> bool:
        return self.store.exists()

    @contextmanager
    def writer(self) -> Iterator[_Writer]:
        if self.store.reindex_running():
            raise IndexBusy("a rebuild is running")
        try:
            with self.store.writer() as segment_writer:
                yield _Writer(segment_writer)
        except LockError as exc:
            raise IndexBusy(str(exc) or "the index writer is busy") from exc

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        with self.store.reindex_lock() as got:
            if not got:
                raise IndexBusy("another rebuild is running")
            try:
                with self.store.hold_live_writer():
                    yield
            except LockError as exc:
                raise IndexBusy(str(exc) or "the index writer is busy") from exc

    def rebuild(self, documents: Iterable[SearchDocument],
                progress: Callable[[int], None] | None = None) -> int:
        path = self.store.new_index_dir()
        try:
            count = self.store.build(path, documents, progress)
        except BaseException:
            import shutil

            shutil.rmtree(path, ignore_errors=True)
            raise
        self.store.swap(path)
        return count

    # --- reading ---

    def view(self) -> engine.IndexView | None:
        """The live index as of now, or None when there is none."""
        for attempt in range(5):
            path = self.store.current_dir()
            if path is None:
                return None
            storage = FileStorage(str(path))
            try:
                generation = TOC._latest_generation(storage, INDEX_NAME)
                key = (str(path), generation)
                view = self._view
                if view is not None and view.key == key:
                    return view
                with self._lock:
                    if self._view is not None and self._view.key == key:
                        return self._view
                    self._view = self._open_view(storage, key, generation)
                    return self._view
            except (FileNotFoundError, OSError, EOFError) as exc:
                # A writer or a rebuild removed files between listing and reading.
                log.debug("search index changed while opening (%s), retrying", exc)
        raise SearchIndexUnavailable(f"could not open the search index under {self.store.root}")

    def _open_view(self, storage: FileStorage, key, generation: int) -> engine.IndexView:
        toc = TOC.read(storage, INDEX_NAME, generation)
        parts = []
        keep: dict[tuple[str, str], engine.SegmentData] = {}
        offset = 0
        for segment in toc.segments:
            seg_key = (key[0], segment.segment_id())
            data = self._segments.get(seg_key)
            if data is None:
                data = engine.SegmentData(storage, toc.schema, segment)
            keep[seg_key] = data
            parts.append((data, offset, frozenset(segment.deleted_docs() if segment.has_deletions() else ())))
            offset += data.size
        # Segments no longer in the index are not closed here: a query may still be
        # running on the previous view. Their files close when the last view using
        # them is dropped (and stay readable after a rebuild deleted them: POSIX).
        self._segments = keep
        return engine.IndexView(key, parts)

    def search(self, request: SearchRequest) -> SearchResult:
        view = self.view()
        if view is None:
            return SearchResult(product_ids=[], total=0)
        key = (view.key, request)
        cached = self._results.get(key)
        if cached is None:
            cached = engine.search(view, request)
            with self._lock:
                self._results.put(key, cached)
        return cached

    def facets(self, request: SearchRequest) -> dict[str, dict[str, int]]:
        view = self.view()
        return engine.facets(view, request) if view is not None else {}

    def suggest(self, text: str, limit: int,
                exclude_ids: frozenset[int] = frozenset()) -> list[ProductSuggestion]:
        view = self.view()
        if view is None:
            return []
        key = (view.key, text, limit, exclude_ids)
        cached = self._suggestions.get(key)
        if cached is None:
            cached = engine.suggest(view, text, limit, exclude_ids)
            with self._lock:
                self._suggestions.put(key, cached)
        return cached

    def status(self) -> dict[str, object]:
        info = self.store.build_info()
        out: dict[str, object] = {"backend": self.name, "directory": str(self.store.root)}
        path = self.store.current_dir()
        if path is None:
            out["index"] = "missing"
            return out
        view = self.view()
        out.update({
            "index": str(path),
            "built_at": info.get("built_at"),
            "analyzer_version": info.get("analyzer_version"),
            "current_format": self.store.is_current_format(),
            "documents": view.doc_count if view else 0,
            "deleted": (view.size - view.doc_count) if view else 0,
            "segments": len(view.parts) if view else 0,
            "generation": view.key[1] if view else None,
        })
        return out
