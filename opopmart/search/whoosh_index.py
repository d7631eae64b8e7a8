"""The Whoosh index on disk: schema, directory layout, writers and the fast rebuild.

Layout under ``SEARCH_INDEX_DIR`` (``instance/search``)::

    current -> index-20261123T112233-4f2a   symlink to the live index, swapped atomically
    index-20261123T112233-4f2a/             Whoosh files plus build.json
    reindex.lock                            held (flock) while a rebuild runs

Schema choices, for speed: every text field records only *which* documents hold a
term (``Existence``: no counts, positions or field lengths), because ranking is done
over per-term document sets (``search.engine``); facets and sort keys live in one
fixed-width ``facets`` column read once per segment, what a suggestion shows in ``card``.

Writers: one at a time across processes (Whoosh's file lock, waited on with a
timeout and retried) and across threads (a process lock in front of it). A rebuild
writes a new directory with a bulk segment builder (Whoosh's per-document writer
spends most of a 100,000-product rebuild in per-posting Python calls) and swaps the
symlink; searchers keep reading the old files until they notice.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import secrets
import shutil
import struct
import threading
import time
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from whoosh import columns, fields, formats
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC, FileIndex, LockError, clean_files
from whoosh.util.filelock import try_for
from whoosh.writing import SegmentWriter

from .analysis import ANALYZER_VERSION, WORD_RE, IndonesianAnalyzer, surface, surface_set, term_set
from .documents import SearchDocument

log = logging.getLogger("opopmart.search")

INDEX_NAME = "MAIN"
CURRENT = "current"
BUILD_INFO = "build.json"
FORMAT_VERSION = 1

# Text fields and how much a term found there counts when ranking (engine.py).
FIELD_WEIGHTS = {
    "name": 10.0,
    "brand": 6.0,
    "producer": 5.0,
    "category": 5.0,
    "region": 4.0,
    "cert": 3.0,
    "description": 1.5,
}
TEXT_FIELDS = tuple(FIELD_WEIGHTS)
SPELL_FIELD = "spell"  # folded, unstemmed words: fuzzy fallback and typeahead prefixes
META_SEP = "\x1f"


class SurfaceAnalyzer(IndonesianAnalyzer):
    """Folded words without stemming (for "did you mean" and prefixes)."""

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True, mode="",
                 **kwargs):
        from whoosh.analysis import Token

        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for match in WORD_RE.finditer(value):
            word = surface(match.group())
            if word is None:
                continue
            token.text = word
            token.boost = 1.0
            if chars:
                token.startchar = start_char + match.start()
                token.endchar = start_char + match.end()
            yield token


class Words(fields.FieldType):
    """An indexed text field that records only which documents hold each term."""

    def __init__(self, analyzer):
        super().__init__(formats.Existence(), analyzer, scorable=False, stored=False)


def make_schema() -> fields.Schema:
    analyzer, surface_analyzer = IndonesianAnalyzer(), SurfaceAnalyzer()
    text_fields = {name: Words(analyzer) for name in TEXT_FIELDS}
    return fields.Schema(
        id=fields.ID(unique=True),
        facets=fields.COLUMN(columns.FixedBytesColumn(FACETS.size)),
        card=fields.COLUMN(columns.VarBytesColumn()),
        spell=Words(surface_analyzer),
        **text_fields,
    )


def _timestamp(value: datetime | None) -> int:
    if value is None:
        return 0
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return int(value.timestamp())


# Per-document column read in one piece per segment (engine.SegmentData): product
# id, category id, lowest price, publication time (epoch s), region code, producer
# kind, certificate flags, in stock, number of distinct terms in the name.
FACETS = struct.Struct("<IIQq5sBBBB")
KINDS = ("pesantren", "kopontren", "umkm")
CERTS = ("halal", "pirt", "bpom", "sni", "merek")
NO_KIND = 255


def encode_facets(doc: SearchDocument) -> bytes:
    from .analysis import term_set

    flags = 0
    for cert in doc.cert_types:
        if cert in CERTS:
            flags |= 1 << CERTS.index(cert)
    kind = KINDS.index(doc.producer_kind) if doc.producer_kind in KINDS else NO_KIND
    return FACETS.pack(
        doc.product_id, doc.category_id, max(0, doc.min_price), _timestamp(doc.published_at),
        doc.region_code.encode("ascii", "replace")[:5], kind, flags, 1 if doc.in_stock else 0,
        min(255, len(term_set(doc.name))),
    )


def encode_card(doc: SearchDocument) -> bytes:
    """What a suggestion shows without asking the database: slug and name."""
    return f"{doc.slug}{META_SEP}{doc.name.replace(META_SEP, ' ')}".encode("utf-8")


def decode_card(raw: bytes) -> tuple[str, str]:
    slug, _, name = raw.decode("utf-8").partition(META_SEP)
    return slug, name


def field_values(doc: SearchDocument) -> dict[str, object]:
    """What ``writer.update_document`` receives for a document (the bulk builder
    produces exactly the same terms)."""
    # Indonesian words only: "bambo" should become "bambu", not "bamboo".
    spell_text = " ".join((doc.name, doc.brand, doc.producer, doc.category_path, doc.region,
                           doc.description))
    return {
        "id": str(doc.product_id),
        "facets": encode_facets(doc),
        "card": encode_card(doc),
        "name": doc.name,
        "brand": doc.brand,
        "producer": doc.producer,
        "category": f"{doc.category_path} {doc.category_path_en}",
        "region": doc.region,
        "cert": doc.cert_words,
        "description": doc.description,
        SPELL_FIELD: spell_text,
    }


class SearchIndexUnavailable(RuntimeError):
    """There is no index yet (run ``flask search reindex``) or it cannot be opened."""


_process_locks: dict[str, threading.Lock] = {}
_process_locks_guard = threading.Lock()


def _process_lock(root: Path) -> threading.Lock:
    key = str(root.resolve())
    with _process_locks_guard:
        return _process_locks.setdefault(key, threading.Lock())


class IndexStore:
    """The index directory: which index is live, writers, rebuilds and swaps."""

    def __init__(self, root: str | os.PathLike, lock_timeout: float = 5.0):
        self.root = Path(root)
        self.lock_timeout = lock_timeout

    # --- where the live index is ---

    @property
    def link(self) -> Path:
        return self.root / CURRENT

    def current_dir(self) -> Path | None:
        target = None
        for _ in range(5):
            try:
                previous, target = target, os.readlink(self.link)
            except OSError:
                return None
            path = self.root / target
            if (path / BUILD_INFO).exists():
                return path
            if target == previous:
                return None  # the link names a directory that is not a finished index
            # Else a rebuild swapped the link and removed the old directory between the
            # two reads: read the link again.
        return None

    def exists(self) -> bool:
        return self.current_dir() is not None

    def build_info(self) -> dict:
        current = self.current_dir()
        if current is None:
            return {}
        try:
            return json.loads((current / BUILD_INFO).read_text())
        except (OSError, ValueError):
            return {}

    def is_current_format(self) -> bool:
        info = self.build_info()
        return (info.get("analyzer_version") == ANALYZER_VERSION
                and info.get("format_version") == FORMAT_VERSION)

    def open(self, path: Path | None = None) -> FileIndex:
        path = path or self.current_dir()
        if path is None:
            raise SearchIndexUnavailable(f"no search index under {self.root}")
        return FileIndex(FileStorage(str(path)), indexname=INDEX_NAME)

    # --- writing to the live index ---

    @contextmanager
    def _locked(self, timeout: float | None) -> Iterator[FileIndex]:
        """The live index with its write lock held (across threads and processes)."""
        timeout = self.lock_timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        plock = _process_lock(self.root)
        if not plock.acquire(timeout=max(timeout, 0.0)):
            raise LockError("another thread of this process kept the index writer")
        try:
            while True:
                path = self.current_dir()
                ix = self.open(path)
                lock = ix.lock("WRITELOCK")
                if not try_for(lock.acquire, timeout=max(0.0, deadline - time.monotonic()),
                               delay=0.02):
                    raise LockError("another process kept the index writer")
                if self.current_dir() == path:
                    break
                # A rebuild swapped the index while we waited: lock the new one.
                lock.release()
                if time.monotonic() > deadline:
                    raise LockError("the index kept changing under the writer")
            try:
                yield ix
            finally:
                lock.release()
        finally:
            plock.release()

    @contextmanager
    def writer(self, timeout: float | None = None) -> Iterator[SegmentWriter]:
        """The live index's writer, waiting up to ``timeout`` seconds for its lock.

        The caller commits it; leaving the block without a commit cancels it. Raises
        LockError when other writers keep the lock longer, SearchIndexUnavailable
        when there is no index.
        """
        with self._locked(timeout) as ix:
            # The lock is taken above, not by SegmentWriter, so that it is let go even
            # when the writer cannot be set up (a full or unwritable disk).
            writer = SegmentWriter(ix, _lk=False)
            try:
                yield writer
            finally:
                if not writer.is_closed:
                    writer.cancel()

    # --- rebuilding ---

    @contextmanager
    def reindex_lock(self, wait: bool = False) -> Iterator[bool]:
        """Held for the whole of a rebuild; yields False when another one runs."""
        self.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.root / "reindex.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def reindex_running(self) -> bool:
        """True while another process (or thread) holds the rebuild lock."""
        path = self.root / "reindex.lock"
        if not path.exists():
            return False
        fd = os.open(path, os.O_RDWR)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(fd, fcntl.LOCK_UN)
            return False
        finally:
            os.close(fd)

    @contextmanager
    def hold_live_writer(self) -> Iterator[None]:
        """Keep the live index's write lock (so that no change lands in it unseen)
        while a rebuild reads the database and builds; nothing is committed."""
        if not self.exists():
            yield
            return
        with self._locked(timeout=max(self.lock_timeout, 30.0)):
            yield

    def new_index_dir(self) -> Path:
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
        path = self.root / f"index-{stamp}-{secrets.token_hex(3)}"
        path.mkdir(parents=True)
        return path

    def build(self, path: Path, docs: Iterable[SearchDocument],
              progress: Callable[[int], None] | None = None) -> int:
        """Write ``docs`` as a one-segment index into the empty directory ``path``."""
        count = build_segment(path, docs, progress)
        info = {"analyzer_version": ANALYZER_VERSION, "format_version": FORMAT_VERSION,
                "documents": count, "built_at": datetime.now(timezone.utc).isoformat()}
        (path / BUILD_INFO).write_text(json.dumps(info))
        return count

    def swap(self, path: Path) -> None:
        """Make ``path`` the live index in one rename, then remove older indexes."""
        tmp = self.root / f".{CURRENT}-{secrets.token_hex(4)}"
        os.symlink(path.name, tmp)
        os.replace(tmp, self.link)
        self.remove_stale(keep=path)

    def remove_stale(self, keep: Path) -> None:
        # Searchers still reading an old index keep their open files (POSIX).
        for child in self.root.iterdir():
            if child.is_dir() and child.name.startswith("index-") and child != keep:
                shutil.rmtree(child, ignore_errors=True)


# Merging: Whoosh's default policy may merge the whole index into a request's commit
# (minutes at 100,000 products). Only small segments are merged here; `flask search
# reindex` rebuilds everything.
SMALL_SEGMENT_DOCS = 200
MAX_SMALL_SEGMENTS = 8


def merge_small_segments(writer, segments):
    from whoosh.reading import SegmentReader

    small = [s for s in segments if s.doc_count_all() <= SMALL_SEGMENT_DOCS]
    if len(small) < MAX_SMALL_SEGMENTS:
        return segments
    for seg in small:
        reader = SegmentReader(writer.storage, writer.schema, seg)
        writer.add_reader(reader)
        reader.close()
    return [s for s in segments if s not in small]


# --- the bulk segment builder ---


def build_segment(path: Path, docs: Iterable[SearchDocument],
                  progress: Callable[[int], None] | None = None) -> int:
    """Write ``docs`` as one Whoosh segment through the codec, term lists at a time.

    Produces what ``SegmentWriter.add_document`` would (the same terms from the same
    analyzers, the same column values), but postings are gathered per term in
    memory and written a block at a time instead of one Python call per posting:
    the difference between minutes and seconds at 100,000 products. Relies on the
    Whoosh 2.7.4 W3 codec (pinned in pyproject.toml).
    """
    from whoosh.codec import default_codec

    from .bitsets import SIDECAR_EXT, SegmentFacts, write_sidecar

    schema = make_schema()
    storage = FileStorage(str(path)).create()
    TOC.create(storage, schema, INDEX_NAME)
    codec = default_codec()
    segment = codec.new_segment(storage, INDEX_NAME)
    perdoc = codec.per_document_writer(storage, segment)

    indexed = [name for name in sorted(schema.names()) if schema[name].indexed]
    postings: dict[str, dict[bytes, array]] = {name: defaultdict(lambda: array("I")) for name in indexed}
    facets_column, card_column = schema["facets"].column_type, schema["card"].column_type
    # The analyzers' own per-word functions, without Whoosh's token objects.
    word_sets = {name: term_set for name in indexed}
    word_sets["id"] = lambda value: {value}
    word_sets[SPELL_FIELD] = surface_set
    facet_rows = bytearray()
    docnum = 0
    for doc in docs:
        values = field_values(doc)
        perdoc.start_doc(docnum)
        for name in indexed:
            value = values[name]
            if not value:
                continue
            words = word_sets[name](value)
            lists = postings[name]
            for word in words:
                lists[word.encode("utf-8")].append(docnum)
        perdoc.add_column_value("facets", facets_column, values["facets"])
        facet_rows += values["facets"]
        perdoc.add_column_value("card", card_column, values["card"])
        perdoc.finish_doc()
        docnum += 1
        if progress is not None and docnum % 1000 == 0:
            progress(1000)
    if progress is not None and docnum % 1000:
        progress(docnum % 1000)
    perdoc.close()
    segment.set_doc_count(docnum)

    facts = SegmentFacts.from_rows(bytes(facet_rows), docnum)

    fieldwriter = codec.field_writer(storage, segment)
    for name in indexed:
        fieldobj = schema[name]
        lists = postings[name]
        if not lists:
            continue
        fieldwriter.start_field(name, fieldobj)
        weight = fieldobj.format.field_boost
        for btext in sorted(lists):
            ids = lists[btext]
            fieldwriter.start_term(btext)
            _write_postings(fieldwriter._postwriter, ids, weight)
            fieldwriter.finish_term()
        fieldwriter.finish_field()
    fieldwriter.close()
    segment.create_compound_file(storage)
    segment.compound = True
    term_ids = {(name, btext.decode("utf-8")): ids
                for name in indexed if name in TEXT_FIELDS
                for btext, ids in postings[name].items()}
    write_sidecar(os.path.join(str(path), segment.make_filename(SIDECAR_EXT)), facts, term_ids)
    TOC(schema, [segment], 1).write(storage, INDEX_NAME)
    clean_files(storage, INDEX_NAME, 1, [segment])
    shutil.rmtree(path / f"{INDEX_NAME}.tmp", ignore_errors=True)  # the column writer's scratch
    return docnum


def _write_postings(postwriter, ids: array, weight: float) -> None:
    """Fill the W3 postings writer's block buffer a block at a time (see build_segment)."""
    limit = postwriter._blocklimit
    for start in range(0, len(ids), limit):
        chunk = ids[start:start + limit]
        postwriter._ids = chunk
        postwriter._weights = array("f", [weight]) * len(chunk)
        postwriter._values = []
        postwriter._maxweight = weight
        postwriter._minlength = None
        postwriter._maxlength = 0
        if start + limit < len(ids):
            postwriter._write_block()
    # finish_term() -> finish_postings() writes the last (buffered) block
