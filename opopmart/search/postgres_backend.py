"""The PostgreSQL backend (``SEARCH_BACKEND=postgres``): the index lives in the database.

Every app machine searches the same tables, so nothing is kept on local disk and any
number of workers on any number of machines share one index. Tables (migration
9c3a7e5f1d42, models in search.models):

- ``search_documents``: a row per public product, with ``document``, a tsvector
  weighted by where each word comes from (A name; B brand, producer; C category,
  kabupaten/kota; D description, certificates) behind a GIN index, plain columns for
  filters, facets and sorts, and what a typeahead shows (slug, name);
- ``search_terms``: how many documents hold each lexeme (rarity, for ranking) and each
  unstemmed word (the vocabulary that "did you mean" and typeahead prefixes use);
- ``search_facet_counts``: documents per combination of facet values, so browsing
  without words counts its facets from a few thousand rows, not every document;
- ``search_index_state``: one row once an index has been built, with a generation
  bumped by every committed change (the per-worker answer cache is keyed by it).

Text: the analyzer of ``search.analysis`` (words, folding, stop words, Sastrawi)
runs first, and its stems are then given to PostgreSQL's ``indonesian`` text search
configuration; place names (which Sastrawi leaves alone) go through ``simple``, since
the Snowball stemmer would read "Kediri" as ke+diri too. Queries are analysed the
same way, and each word's lexemes are asked of the database once per worker (see
TEXT_PIPELINE for why both stemmers).

Queries follow ``search.engine`` (the Whoosh backend) word for word: every word must
match, or, when no product has them all, any; a word found nowhere is corrected to a
completion or a near word from ``search_terms`` (or dropped); facet counts of a
group ignore that group's own choice; the total is exact; relevance is the same sum
of field weight times rarity per matched word, a bonus when all the words are in one
field, and small ones for being in stock and for a short name (ties: newest first).
PostgreSQL has four weight labels where Whoosh has seven fields, so brand and producer
share one, category and place another. Each query reads its matching rows once: facet
counts, the exact total and the page (scored only where the filters hold) come from
one statement. A typeahead ranks at most the newest SUGGEST_CANDIDATES matches.

Writers: one at a time across processes and machines, by a PostgreSQL advisory lock
held on the writer's connection for the whole ``writer()`` block (waited on for
SEARCH_LOCK_TIMEOUT, then IndexBusy). A rebuild holds a second advisory lock (writers
meeting it give up at once: their changes stay queued) and replaces every row in one
transaction, so searches read the old rows until it commits.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from ..extensions import db
from .analysis import ANALYZER_VERSION, WORD_RE, protected_words, stem, surface, surface_set, term, term_set
from .backend import (
    FACET_GROUPS,
    CommittedChanges,
    PRICE_BUCKET_KEYS,
    PRICE_BUCKETS,
    Correction,
    IndexBusy,
    ProductSuggestion,
    SearchRequest,
    SearchResult,
    SearchSort,
)
from .bitsets import SHORT_NAME_TERMS
from .documents import SearchDocument
from .engine import (
    IN_STOCK_WEIGHT,
    MAX_PREFIX_EXPANSIONS,
    SHORT_NAME_WEIGHT,
    _idf,
    _Lru,
    damerau,
    query_words,
)
from .whoosh_index import CERTS, KINDS

log = logging.getLogger("opopmart.search")

# How text becomes lexemes: "sastrawi+indonesian" (Sastrawi stems through the
# indonesian configuration), "indonesian" (folded words through the indonesian
# configuration alone) or "sastrawi" (Sastrawi stems kept as they are). Measured on the
# demo catalogue: all three pass the relevance set (46/46), but the indonesian
# configuration alone misses affixes Sastrawi knows (mengolah 0 products against 15,
# menenun 1 against 13, dikemas/kemasan 127/45 against 154/154) and merges roots that
# differ (pesan/sanan, ana/anak, mutih/putih); after Sastrawi, the Snowball stemmer only
# merges what Sastrawi missed (alam/alami, finishing/difinishing, sortasi/disortasi).
TEXT_PIPELINE = "sastrawi+indonesian"
TEXT_CONFIG = "indonesian"
PLAIN_CONFIG = "simple"
FORMAT_VERSION = 1
# Stored with the index: another analyzer, pipeline or price buckets needs a rebuild.
INDEX_FORMAT = (f"pg{FORMAT_VERSION}:analyzer{ANALYZER_VERSION}:{TEXT_PIPELINE}:"
                f"prices{'-'.join(str(b.low or 0) for b in PRICE_BUCKETS)}")

# Weight labels: which fields each holds and what a word found there is worth (the
# Whoosh backend's FIELD_WEIGHTS folded into PostgreSQL's four labels).
LABEL_WEIGHTS = {"A": 10.0, "B": 6.0, "C": 5.0, "D": 1.5}
# A share of the label's weight times the words' rarity when every word is in it.
TOGETHER_WEIGHTS = {"A": 0.5, "B": 0.5, "C": 0.8}
SUGGEST_LABELS = "ABC"  # not descriptions and certificates, as in engine.SUGGEST_FIELDS

# Advisory locks: (namespace, key). Writers hold WRITER; a rebuild holds REBUILD too.
LOCK_NAMESPACE = 0x4F50_5053  # "OPPS"
WRITER_LOCK = 1
REBUILD_LOCK = 2
LOCK_NOT_AVAILABLE = "55P03"

INSERT_BATCH = 1000
EPOCH = datetime(1970, 1, 1)
PRICE_EDGES = [b.low for b in PRICE_BUCKETS if b.low is not None]
MAX_LEXEME_CACHE = 100_000
PREFIX_CANDIDATES = 50  # as engine._correct: the first 50 completions, alphabetically
PREFIX_VOCABULARY = 200  # as engine.IndexView.words_with_prefix
# Matches a typeahead ranks at most (the newest ones): see _suggest.
SUGGEST_CANDIDATES = 1000


# --- text ---


def _token(word: str) -> tuple[str, str]:
    """(configuration, text) that a folded, unstemmed word is given to PostgreSQL as."""
    if word in protected_words():
        return PLAIN_CONFIG, word
    if TEXT_PIPELINE == "indonesian":
        return TEXT_CONFIG, word
    if TEXT_PIPELINE == "sastrawi":
        return PLAIN_CONFIG, stem(word)
    return TEXT_CONFIG, stem(word)


def _label_texts(doc: SearchDocument) -> dict[str, tuple[str, str]]:
    """Per weight label: (text for the indonesian configuration, text for simple)."""
    fields = {
        "A": (doc.name,),
        "B": (doc.brand, doc.producer),
        "C": (doc.category_path, doc.category_path_en, doc.region),
        "D": (doc.description, doc.cert_words),
    }
    out = {}
    for label, texts in fields.items():
        stemmed: list[str] = []
        plain: list[str] = []
        for raw in WORD_RE.findall(" ".join(texts)):
            word = surface(raw)
            if word is None:
                continue
            config, token = _token(word)
            (plain if config == PLAIN_CONFIG else stemmed).append(token)
        # Each token once: ranking asks only whether a word is in a label, and a
        # position per occurrence would make every row (and every scan) longer.
        out[label] = (" ".join(dict.fromkeys(stemmed)), " ".join(dict.fromkeys(plain)))
    return out


def _spell_words(doc: SearchDocument) -> str:
    """The unstemmed words of the Indonesian fields (what whoosh_index keeps as "spell")."""
    return " ".join(sorted(surface_set(" ".join(
        (doc.name, doc.brand, doc.producer, doc.category_path, doc.region, doc.description)))))


def _cert_flags(doc: SearchDocument) -> int:
    flags = 0
    for cert in doc.cert_types:
        if cert in CERTS:
            flags |= 1 << CERTS.index(cert)
    return flags


def _quote(lexeme: str) -> str:
    """A lexeme as tsquery input (taken as is: no parsing, no stemming)."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def _tsquery(groups: Sequence[tuple[str, ...]], labels: str = "") -> str:
    """Any of ``groups``, each group every one of its lexemes, limited to ``labels``."""
    suffix = f":{labels}" if labels else ""
    parts = []
    for lexemes in groups:
        items = [_quote(lexeme) + suffix for lexeme in lexemes]
        parts.append(items[0] if len(items) == 1 else "(" + " & ".join(items) + ")")
    return parts[0] if len(parts) == 1 else "(" + " | ".join(parts) + ")"


@dataclass
class _Word:
    surface: str
    term: str  # the analyzer's term: what the page highlights
    groups: tuple[tuple[str, ...], ...]  # lexemes: any group, all of a group's lexemes
    df: int

    def query(self, labels: str = "") -> str:
        return _tsquery(self.groups, labels)


# Every statement below is put together from the constants of this module and
# generated placeholder names (:q0, :l1, ...): what a shopper typed only ever travels as
# a bound parameter, hence the "nosec B608" marks.
# --- SQL pieces ---

# The PRICE_BUCKETS index a lowest price falls in (0 below the first bound).
PRICE_BUCKET_SQL = f"width_bucket(min_price, CAST(ARRAY{PRICE_EDGES!r} AS bigint[]))"
FACET_COLUMNS = "category_id, region_code, producer_kind, cert_flags"

_INSERT_ROWS = f"""
    INSERT INTO search_documents (product_id, slug, name, category_id, region_code, producer_kind,
                                  cert_flags, min_price, published_at, in_stock, short_name,
                                  document, words)
    SELECT u.pid, u.slug, u.name, u.cat, u.region, u.kind, u.certs, u.price, u.published,
           u.stock, u.short,
           setweight(to_tsvector('{TEXT_CONFIG}', u.a) || to_tsvector('{PLAIN_CONFIG}', u.ap), 'A')
           || setweight(to_tsvector('{TEXT_CONFIG}', u.b) || to_tsvector('{PLAIN_CONFIG}', u.bp), 'B')
           || setweight(to_tsvector('{TEXT_CONFIG}', u.c) || to_tsvector('{PLAIN_CONFIG}', u.cp), 'C')
           || setweight(to_tsvector('{TEXT_CONFIG}', u.d) || to_tsvector('{PLAIN_CONFIG}', u.dp), 'D'),
           array_to_tsvector(string_to_array(u.words, ' '))
    FROM unnest(CAST(:pid AS integer[]), CAST(:slug AS text[]), CAST(:name AS text[]),
                CAST(:cat AS integer[]), CAST(:region AS text[]), CAST(:kind AS text[]),
                CAST(:certs AS smallint[]), CAST(:price AS bigint[]),
                CAST(:published AS timestamp[]), CAST(:stock AS boolean[]),
                CAST(:short AS boolean[]),
                CAST(:a AS text[]), CAST(:ap AS text[]), CAST(:b AS text[]), CAST(:bp AS text[]),
                CAST(:c AS text[]), CAST(:cp AS text[]), CAST(:d AS text[]), CAST(:dp AS text[]),
                CAST(:words AS text[]))
         AS u(pid, slug, name, cat, region, kind, certs, price, published, stock, short,
              a, ap, b, bp, c, cp, d, dp, words)
"""  # nosec B608

# Per word and lexeme, and per combination of facet values: how many of the rows in
# ``changed`` have it.
_CHANGED_COUNTS = f""",
term_counts AS (
    SELECT w, sum(s) AS s, sum(l) AS l FROM (
        SELECT unnest(tsvector_to_array(words)) AS w, 1 AS s, 0 AS l FROM changed
        UNION ALL
        SELECT unnest(tsvector_to_array(document)), 0, 1 FROM changed
    ) x GROUP BY w
),
facet_counts AS (
    SELECT {FACET_COLUMNS}, {PRICE_BUCKET_SQL} AS pb, count(*) AS n
    FROM changed GROUP BY {FACET_COLUMNS}, pb
)"""  # nosec B608

# New rows: their words, lexemes and facet values counted in.
_INSERT_COUNTED = text(f"""
WITH changed AS ({_INSERT_ROWS} RETURNING document, words, {FACET_COLUMNS}, min_price
){_CHANGED_COUNTS},
added_facets AS (
    INSERT INTO search_facet_counts ({FACET_COLUMNS}, price_bucket, documents)
    SELECT {FACET_COLUMNS}, pb, n FROM facet_counts
    ON CONFLICT ({FACET_COLUMNS}, price_bucket)
    DO UPDATE SET documents = search_facet_counts.documents + excluded.documents
    RETURNING 1
)
INSERT INTO search_terms (word, surface_docs, lexeme_docs)
SELECT w, s, l FROM term_counts
ON CONFLICT (word) DO UPDATE SET surface_docs = search_terms.surface_docs + excluded.surface_docs,
                                 lexeme_docs = search_terms.lexeme_docs + excluded.lexeme_docs
""")  # nosec B608

# A rebuild counts once at the end (_COUNT_ALL).
_INSERT_ONLY = text(f"WITH new AS ({_INSERT_ROWS} RETURNING 1) SELECT count(*) FROM new")  # nosec B608

# Rows removed (or about to be replaced): counted out.
_DELETE_COUNTED = text(f"""
WITH changed AS (
    DELETE FROM search_documents WHERE product_id = ANY(CAST(:ids AS integer[]))
    RETURNING document, words, {FACET_COLUMNS}, min_price
){_CHANGED_COUNTS},
terms_updated AS (
    UPDATE search_terms t SET surface_docs = t.surface_docs - c.s, lexeme_docs = t.lexeme_docs - c.l
    FROM term_counts c WHERE t.word = c.w
    RETURNING 1
),
facets_updated AS (
    UPDATE search_facet_counts f SET documents = f.documents - c.n
    FROM facet_counts c
    WHERE (f.category_id, f.region_code, f.producer_kind, f.cert_flags, f.price_bucket)
        = (c.category_id, c.region_code, c.producer_kind, c.cert_flags, c.pb)
    RETURNING 1
)
SELECT count(*) FROM changed
""")  # nosec B608

_COUNT_ALL = (
    text("""
INSERT INTO search_terms (word, surface_docs, lexeme_docs)
SELECT w, sum(s), sum(l) FROM (
    SELECT unnest(tsvector_to_array(words)) AS w, 1 AS s, 0 AS l FROM search_documents
    UNION ALL
    SELECT unnest(tsvector_to_array(document)), 0, 1 FROM search_documents
) x GROUP BY w
"""),
    text(f"""
INSERT INTO search_facet_counts ({FACET_COLUMNS}, price_bucket, documents)
SELECT {FACET_COLUMNS}, {PRICE_BUCKET_SQL}, count(*) FROM search_documents
GROUP BY {FACET_COLUMNS}, {PRICE_BUCKET_SQL}
"""),  # nosec B608
)

# Facet groups counted per value, and their columns in a tally (_tally); certificates,
# a set of flags per document, are counted per flag.
TALLY_GROUPS = {"category": "category_id", "region": "region_code", "kind": "producer_kind",
                "price": "pb"}

# Also sets, for the rest of the read's transaction, a plan made for these very words
# (never a generic one for any tsquery) and no JIT compilation (tens of milliseconds,
# for queries that take a few).
_STATE = text(
    "SELECT generation, documents, built_at, format, "
    "set_config('plan_cache_mode', 'force_custom_plan', true), set_config('jit', 'off', true) "
    "FROM search_index_state WHERE id = 1")


def _lock(conn: Connection, key: int, timeout: float) -> None:
    """Take the session advisory lock ``key``, waiting at most ``timeout`` seconds."""
    conn.execute(text("SELECT set_config('lock_timeout', :ms, true)"),
                 {"ms": f"{max(1, int(timeout * 1000))}ms"})
    try:
        conn.execute(text("SELECT pg_advisory_lock(:ns, :key)"), {"ns": LOCK_NAMESPACE, "key": key})
    except DBAPIError as exc:
        conn.rollback()
        if getattr(exc.orig, "sqlstate", None) == LOCK_NOT_AVAILABLE:
            raise IndexBusy(f"the search index writer is busy (waited {timeout:g} s)") from None
        raise
    conn.commit()  # the lock is the session's: it outlives this transaction


def _unlock(conn: Connection, key: int, shared: bool = False) -> None:
    fn = "pg_advisory_unlock_shared" if shared else "pg_advisory_unlock"
    conn.execute(text(f"SELECT {fn}(:ns, :key)"), {"ns": LOCK_NAMESPACE, "key": key})
    conn.commit()


def _release(conn: Connection, keys: Sequence[int]) -> None:
    """End whatever the writer left open, give the locks back and return the
    connection; a connection that cannot say it released them is discarded (its
    session, and the locks with it, end on the server)."""
    try:
        if conn.in_transaction():
            conn.rollback()
        for key in reversed(keys):
            _unlock(conn, key)
    except Exception:  # noqa: BLE001 - whatever went wrong, never pool a locked session
        log.exception("search index: could not release the writer lock; dropping the connection")
        conn.invalidate()
    finally:
        conn.close()


class _Writer:
    """Changes within the writer's transaction; ``commit`` makes them visible."""

    def __init__(self, conn: Connection):
        self.conn = conn
        self.delta = 0  # documents added minus removed since the last commit
        self.changed = False

    def index(self, documents: Iterable[SearchDocument]) -> None:
        docs = {doc.product_id: doc for doc in documents}
        if not docs:
            return
        self.remove(docs.keys())
        for batch in _batches(list(docs.values()), INSERT_BATCH):
            self.conn.execute(_INSERT_COUNTED, _insert_params(batch))
            self.delta += len(batch)
        self.changed = True

    def remove(self, product_ids: Collection[int]) -> None:
        ids = sorted(set(product_ids))
        if not ids:
            return
        self.delta -= self.conn.execute(_DELETE_COUNTED, {"ids": ids}).scalar_one()
        self.changed = True

    def commit(self) -> None:
        if self.changed:
            self.conn.execute(text(
                "UPDATE search_index_state SET generation = generation + 1, "
                "documents = documents + :delta WHERE id = 1"), {"delta": self.delta})
        self.conn.commit()
        self.delta, self.changed = 0, False


def _batches(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _insert_params(docs: Sequence[SearchDocument]) -> dict[str, list]:
    cols: dict[str, list] = {k: [] for k in (
        "pid", "slug", "name", "cat", "region", "kind", "certs", "price", "published", "stock",
        "short", "a", "ap", "b", "bp", "c", "cp", "d", "dp", "words")}
    for doc in docs:
        labels = _label_texts(doc)
        cols["pid"].append(doc.product_id)
        cols["slug"].append(doc.slug)
        cols["name"].append(doc.name)
        cols["cat"].append(doc.category_id)
        cols["region"].append(doc.region_code)
        cols["kind"].append(doc.producer_kind)
        cols["certs"].append(_cert_flags(doc))
        cols["price"].append(max(0, doc.min_price))
        cols["published"].append(doc.published_at or EPOCH)
        cols["stock"].append(bool(doc.in_stock))
        cols["short"].append(len(term_set(doc.name)) <= SHORT_NAME_TERMS)
        for label in "abcd":
            stemmed, plain = labels[label.upper()]
            cols[label].append(stemmed)
            cols[label + "p"].append(plain)
        cols["words"].append(_spell_words(doc))
    return cols


# --- the backend ---


class PostgresBackend(CommittedChanges):
    name = "postgres"

    def __init__(self, lock_timeout: float = 5.0, result_cache: int = 512):
        self.lock_timeout = lock_timeout
        self._lock = threading.Lock()
        self._lexemes: dict[tuple[str, str], tuple[str, ...]] = {}
        self._results = _Lru(result_cache)
        self._suggestions = _Lru(result_cache)
        self._local = threading.local()  # the exclusive() connection of this thread

    @staticmethod
    def _engine():
        return db.engine

    # --- state ---

    def _state(self, conn: Connection):
        return conn.execute(_STATE).first()

    def exists(self) -> bool:
        with self._engine().connect() as conn:
            return self._state(conn) is not None

    def is_current_format(self) -> bool:
        """False when the index was built by another analyzer or layout (rebuild it)."""
        with self._engine().connect() as conn:
            state = self._state(conn)
        return state is not None and state.format == INDEX_FORMAT

    def status(self) -> dict[str, object]:
        out: dict[str, object] = {"backend": self.name}
        with self._engine().connect() as conn:
            state = self._state(conn)
            if state is None:
                out["index"] = "missing"
                return out
            size = conn.execute(text(
                "SELECT pg_total_relation_size('search_documents') + "
                "pg_total_relation_size('search_terms')")).scalar()
            words = conn.execute(text(
                "SELECT count(*) FILTER (WHERE surface_docs > 0), count(*) FILTER (WHERE lexeme_docs > 0) "
                "FROM search_terms")).one()
        out.update({
            "index": "search_documents (PostgreSQL, GIN)",
            "built_at": state.built_at.isoformat(timespec="seconds"),
            "format": state.format,
            "current_format": state.format == INDEX_FORMAT,
            "documents": state.documents,
            "words": words[0],
            "lexemes": words[1],
            "size_mb": round(size / 1_048_576, 1),
            "generation": state.generation,
        })
        return out

    # --- writing ---

    @contextmanager
    def writer(self) -> Iterator[_Writer]:
        if getattr(self._local, "conn", None) is not None:
            raise IndexBusy("this thread holds the index for a rebuild")
        conn = self._engine().connect()
        held: list[int] = []
        try:
            # A rebuild holds REBUILD: give up at once, the change stays queued.
            free = conn.execute(text("SELECT pg_try_advisory_lock_shared(:ns, :key)"),
                                {"ns": LOCK_NAMESPACE, "key": REBUILD_LOCK}).scalar()
            conn.commit()
            if not free:
                raise IndexBusy("a rebuild is running")
            _unlock(conn, REBUILD_LOCK, shared=True)
            _lock(conn, WRITER_LOCK, self.lock_timeout)
            held.append(WRITER_LOCK)
        except BaseException:
            _release(conn, held)
            raise
        try:
            yield _Writer(conn)
        finally:
            _release(conn, held)  # an uncommitted change is rolled back

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        conn = self._engine().connect()
        held: list[int] = []
        try:
            got = conn.execute(text("SELECT pg_try_advisory_lock(:ns, :key)"),
                               {"ns": LOCK_NAMESPACE, "key": REBUILD_LOCK}).scalar()
            conn.commit()
            if not got:
                raise IndexBusy("another rebuild is running")
            held.append(REBUILD_LOCK)
            _lock(conn, WRITER_LOCK, self.lock_timeout)  # the running writer finishes first
            held.append(WRITER_LOCK)
        except BaseException:
            _release(conn, held)
            raise
        self._local.conn = conn
        try:
            yield
        finally:
            self._local.conn = None
            _release(conn, held)

    def rebuild(self, documents: Iterable[SearchDocument],
                progress: Callable[[int], None] | None = None) -> int:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            with self.exclusive():
                return self.rebuild(documents, progress)
        # One transaction: searches read the old rows until it commits.
        try:
            conn.execute(text("DELETE FROM search_documents"))
            conn.execute(text("DELETE FROM search_terms"))
            conn.execute(text("DELETE FROM search_facet_counts"))
            count = 0
            batch: list[SearchDocument] = []
            for doc in documents:
                batch.append(doc)
                if len(batch) == INSERT_BATCH:
                    count += self._insert_plain(conn, batch, progress)
                    batch = []
            if batch:
                count += self._insert_plain(conn, batch, progress)
            for statement in _COUNT_ALL:
                conn.execute(statement)
            conn.execute(text("""
                INSERT INTO search_index_state (id, generation, documents, built_at, format)
                VALUES (1, 1, :count, timezone('UTC', now()), :format)
                ON CONFLICT (id) DO UPDATE SET generation = search_index_state.generation + 1,
                    documents = excluded.documents, built_at = excluded.built_at,
                    format = excluded.format
            """), {"count": count, "format": INDEX_FORMAT})
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
        # The old rows are dead now: reclaim them, mark the pages all-visible (counts
        # then skip the table where they can) and give the planner fresh statistics.
        conn.execution_options(isolation_level="AUTOCOMMIT")
        try:
            conn.execute(text("VACUUM (ANALYZE) search_documents"))
            conn.execute(text("VACUUM (ANALYZE) search_terms"))
            conn.execute(text("VACUUM (ANALYZE) search_facet_counts"))
            conn.commit()
        finally:
            conn.execution_options(isolation_level=conn.default_isolation_level)
        return count

    @staticmethod
    def _insert_plain(conn: Connection, batch: list[SearchDocument],
                      progress: Callable[[int], None] | None) -> int:
        done = conn.execute(_INSERT_ONLY, _insert_params(batch)).scalar_one()
        if progress is not None:
            progress(done)
        return done

    # --- reading: words ---

    def _lexemes_of(self, conn: Connection, words: Iterable[str]) -> dict[str, tuple[str, ...]]:
        """The lexemes PostgreSQL makes of each folded word (asked once per worker)."""
        tokens = {w: _token(w) for w in words}
        missing = sorted({t for t in tokens.values() if t not in self._lexemes})
        if missing:
            rows = conn.execute(text(
                "SELECT u.i, tsvector_to_array(to_tsvector(CAST(u.c AS regconfig), u.t)) "
                "FROM unnest(CAST(:c AS text[]), CAST(:t AS text[])) WITH ORDINALITY AS u(c, t, i)"),
                {"c": [c for c, _ in missing], "t": [t for _, t in missing]}).all()
            with self._lock:
                if len(self._lexemes) > MAX_LEXEME_CACHE:
                    self._lexemes.clear()
                for i, lexemes in rows:
                    self._lexemes[missing[i - 1]] = tuple(lexemes or ())
        return {w: self._lexemes.get(t, ()) for w, t in tokens.items()}

    def _words(self, conn: Connection, surfaces: Sequence[str], excl: list[int],
               check: bool = True) -> list[_Word | None]:
        """Each word as matched in the index (None: in no searchable document, or, not
        ``check``-ed, nothing PostgreSQL would index), with its document count."""
        if not surfaces:
            return []
        lexemes = self._lexemes_of(conn, surfaces)
        columns, params = [], {"excl": excl}
        for i, s in enumerate(surfaces):
            if not lexemes[s]:
                columns.append("false, 0")
                continue
            params[f"q{i}"] = _tsquery([lexemes[s]])
            params[f"l{i}"] = list(lexemes[s])
            found = (f"EXISTS (SELECT 1 FROM search_documents WHERE document @@ CAST(:q{i} AS tsquery) "  # nosec B608
                     f"AND product_id <> ALL(CAST(:excl AS integer[])))") if check else "true"
            columns.append(f"{found}, (SELECT coalesce(min(lexeme_docs), 0) FROM search_terms "  # nosec B608
                           f"WHERE word = ANY(CAST(:l{i} AS text[])))")
        row = conn.execute(text("SELECT " + ", ".join(columns)), params).one()
        out: list[_Word | None] = []
        for i, s in enumerate(surfaces):
            found, df = row[2 * i], row[2 * i + 1]
            out.append(_Word(s, term(s) or s, (lexemes[s],), max(1, df)) if found else None)
        return out

    def _vocabulary(self, conn: Connection, prefix: str, limit: int) -> list[tuple[str, int]]:
        """Words of the index starting with ``prefix``, alphabetically, with their counts."""
        pattern = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        return [tuple(r) for r in conn.execute(text(
            "SELECT word, surface_docs FROM search_terms WHERE word LIKE :p AND surface_docs > 0 "
            "ORDER BY word LIMIT :n"), {"p": pattern, "n": limit})]

    def _near_words(self, conn: Connection, word: str, maxdist: int) -> list[tuple[str, int, int]]:
        """(distance, count, word) of index words within ``maxdist`` edits that start
        with the same letter (as Whoosh's terms_within with prefix=1)."""
        rows = conn.execute(text(
            "SELECT word, surface_docs FROM search_terms WHERE word LIKE :p AND surface_docs > 0 "
            "AND length(word) BETWEEN :lo AND :hi"),
            {"p": word[0].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%",
             "lo": len(word) - maxdist, "hi": len(word) + maxdist}).all()
        out = []
        for candidate, count in rows:
            if candidate == word:
                continue
            distance = damerau(word, candidate)
            if distance <= maxdist:
                out.append((distance, count, candidate))
        return out

    def _correct(self, conn: Connection, surface_word: str, excl: list[int]) -> _Word | None:
        """As engine._correct: a completion, else the nearest word, the most common first."""
        candidates: list[tuple[int, int, str]] = []
        if len(surface_word) >= 3:
            for word, count in self._vocabulary(conn, surface_word, PREFIX_CANDIDATES):
                if word != surface_word:
                    candidates.append((0, -count, word))
        if not candidates and len(surface_word) >= 3 and surface_word.isalpha():
            maxdist = 1 if len(surface_word) <= 5 else 2
            candidates = [(d, -count, w) for d, count, w in self._near_words(conn, surface_word, maxdist)]
        chosen = [w for _, _, w in sorted(candidates)[:MAX_PREFIX_EXPANSIONS]]
        for found in self._words(conn, chosen, excl):
            if found is not None:
                return found
        return None

    def _prefix_word(self, conn: Connection, prefix: str) -> _Word | None:
        """As engine._prefix_word: the prefix and its most common completions, as one
        word (whether it matches anything, the suggestion's query says)."""
        vocabulary = dict(self._vocabulary(conn, prefix, PREFIX_VOCABULARY))
        words = [prefix] + [w for w in vocabulary if w != prefix]
        words.sort(key=lambda w: (w != prefix, -vocabulary.get(w, 0)))
        words = [w for w in words[:MAX_PREFIX_EXPANSIONS] if term(w) is not None]
        lexemes = self._lexemes_of(conn, words)
        groups = tuple(dict.fromkeys(lexemes[w] for w in words if lexemes[w]))
        if not groups:
            return None
        df = sum(vocabulary.get(w, 0) for w in words)
        return _Word(prefix, term(words[0]) or prefix, groups, max(1, df))

    # --- reading: SQL ---

    @staticmethod
    def _filters(req: SearchRequest, params: dict) -> dict[str, str]:
        """SQL condition per chosen facet group (for the page of results)."""
        out: dict[str, str] = {}
        if req.category_ids:
            params["f_cat"] = list(req.category_ids)
            out["category"] = "category_id = ANY(CAST(:f_cat AS integer[]))"
        if req.region_code:
            params["f_region"] = req.region_code
            out["region"] = "region_code = :f_region"
        if req.cert_type:
            if req.cert_type in CERTS:
                params["f_cert"] = 1 << CERTS.index(req.cert_type)
                out["cert"] = "(cert_flags & :f_cert) <> 0"
            else:
                out["cert"] = "false"
        if req.price:
            bucket = PRICE_BUCKET_KEYS.get(req.price)
            if bucket is None:
                out["price"] = "false"
            else:
                conds = []
                if bucket.low is not None:
                    params["f_price_lo"] = bucket.low
                    conds.append("min_price >= :f_price_lo")
                if bucket.high is not None:
                    params["f_price_hi"] = bucket.high
                    conds.append("min_price < :f_price_hi")
                out["price"] = " AND ".join(conds) or "true"
        if req.kind:
            params["f_kind"] = req.kind
            out["kind"] = "producer_kind = :f_kind"
        return out

    @staticmethod
    def _tally(source: str, req: SearchRequest, params: dict, with_facets: bool) -> str:
        """SQL for (matches, matches under the filters, facet counts) over ``source``,
        rows of (category_id, region_code, producer_kind, cert_flags, pb, n) that say
        how many documents have those facet values: each group is counted under the
        query and every *other* group's filter, as engine._facet_counts does. One row
        per facet value (GROUPING SETS) and one for the totals; see _read_tally."""
        flags: dict[str, str] = {}
        if req.category_ids:
            params["t_cat"] = list(req.category_ids)
            flags["category"] = "category_id = ANY(CAST(:t_cat AS integer[]))"
        if req.region_code:
            params["t_region"] = req.region_code
            flags["region"] = "region_code = :t_region"
        if req.cert_type:
            params["t_cert"] = (1 << CERTS.index(req.cert_type)) if req.cert_type in CERTS else 0
            flags["cert"] = "(cert_flags & :t_cert) <> 0"
        if req.price:
            keys = [b.key for b in PRICE_BUCKETS]
            params["t_price"] = keys.index(req.price) if req.price in keys else -1
            flags["price"] = "pb = :t_price"
        if req.kind:
            params["t_kind"] = req.kind
            flags["kind"] = "producer_kind = :t_kind"

        def under(*groups: str) -> str:
            conds = [f"f_{g}" for g in flags if g not in groups]
            return " AND ".join(conds) or "true"

        sums = ["sum(n)", f"sum(n) FILTER (WHERE {under()})"]
        sums += [f"sum(n) FILTER (WHERE {under(g)})" for g in TALLY_GROUPS]
        sums += [f"sum(n) FILTER (WHERE {under('cert')} AND (cert_flags & {1 << i}) <> 0)"
                 for i in range(len(CERTS))]
        columns = list(TALLY_GROUPS.values())
        with_flags = "".join(f", ({cond}) AS f_{g}" for g, cond in flags.items())
        if with_facets:
            head = f"{', '.join(f'GROUPING({c})' for c in columns)}, {', '.join(columns)}"
            sets = "".join(f"({c}), " for c in columns)
        else:  # the totals' row alone, in the same shape
            head, sets = ", ".join(["1"] * len(columns) + ["NULL"] * len(columns)), ""
        return (f"SELECT {head}, {', '.join(sums)} FROM (SELECT *{with_flags} FROM ({source}) s) f "  # nosec B608
                f"GROUP BY GROUPING SETS ({sets}())")

    @staticmethod
    def _read_tally(rows: Iterable[Sequence], with_facets: bool) -> tuple[int, int, dict[str, dict[str, int]]]:
        n = len(TALLY_GROUPS)
        names = list(TALLY_GROUPS)
        matches = total = 0
        facets: dict[str, dict[str, int]] = {g: {} for g in FACET_GROUPS} if with_facets else {}
        for row in rows:
            in_set = [not row[i] for i in range(n)]
            values, sums = row[n:2 * n], [int(x or 0) for x in row[2 * n:]]
            if not any(in_set):
                matches, total = sums[0], sums[1]
                if with_facets:
                    facets["cert"] = {cert: sums[2 + n + i] for i, cert in enumerate(CERTS)
                                      if sums[2 + n + i] > 0}
                continue
            i = in_set.index(True)
            group, value, count = names[i], values[i], sums[2 + i]
            if count <= 0 or value is None:
                continue
            if group == "price":
                key = PRICE_BUCKETS[min(max(value, 0), len(PRICE_BUCKETS) - 1)].key
            else:
                key = str(value)
            if not key or (group == "kind" and key not in KINDS):
                continue
            facets[group][key] = facets[group].get(key, 0) + count
        return matches, total, facets

    @staticmethod
    def _score(words: list[_Word], labels: str, n_docs: int, params: dict) -> str:
        """engine._features as SQL: label weight times rarity per word found there, the
        together bonus, in stock, short name."""
        n_docs = max(1, n_docs)
        idfs = [_idf(n_docs, min(w.df, n_docs)) for w in words]
        terms = []
        for i, (w, idf) in enumerate(zip(words, idfs)):
            for label in labels:
                key = f"s{i}{label}"
                params[key] = w.query(label)
                terms.append(f"(document @@ CAST(:{key} AS tsquery))::int * {LABEL_WEIGHTS[label] * idf!r}")
        if len(words) > 1:
            for label, share in TOGETHER_WEIGHTS.items():
                if label not in labels:
                    continue
                key = f"t{label}"
                params[key] = " & ".join(w.query(label) for w in words)
                weight = LABEL_WEIGHTS[label] * share * sum(idfs)
                terms.append(f"(document @@ CAST(:{key} AS tsquery))::int * {weight!r}")
        terms.append(f"in_stock::int * {IN_STOCK_WEIGHT!r}")
        terms.append(f"short_name::int * {SHORT_NAME_WEIGHT!r}")
        return " + ".join(terms)

    @staticmethod
    def _order(sort: SearchSort, by_score: bool) -> str:
        if by_score:
            return "score DESC, published_at DESC, product_id DESC"
        if sort is SearchSort.PRICE_ASC:
            return "min_price ASC, published_at DESC, product_id DESC"
        if sort is SearchSort.PRICE_DESC:
            return "min_price DESC, published_at DESC, product_id DESC"
        return "published_at DESC, product_id DESC"

    def _matching(self, conn: Connection, req: SearchRequest, words: list[_Word], any_word: bool,
                  n_docs: int) -> tuple[tuple[int, int, dict], list[int]]:
        """The tally of the documents with every word (or any word), and the page, in
        one statement: the matching rows are read once, and scored only when they pass
        the filters."""
        params: dict = {"excl": sorted(req.exclude_ids),
                        "match": (" | " if any_word else " & ").join(w.query() for w in words)}
        filters = self._filters(req, params)
        chosen = " AND ".join(filters.values()) or "true"
        by_score = req.sort is SearchSort.RELEVANCE
        score = f"CASE WHEN {chosen} THEN {self._score(words, 'ABCD', n_docs, params)} END" \
            if by_score and req.limit > 0 else "0"
        tally = self._tally(f"SELECT {FACET_COLUMNS}, {PRICE_BUCKET_SQL} AS pb, count(*) AS n "  # nosec B608
                            f"FROM m GROUP BY {FACET_COLUMNS}, pb", req, params, req.with_facets)
        width = 3 * len(TALLY_GROUPS) + 2 + len(CERTS)
        page = ""
        if req.limit > 0:
            params.update(limit=req.limit, offset=req.offset)
            page = (f" UNION ALL SELECT 1, {'NULL, ' * width}product_id FROM (SELECT product_id FROM m "  # nosec B608
                    f"WHERE {chosen} ORDER BY {self._order(req.sort, by_score)} "
                    f"LIMIT :limit OFFSET :offset) p")
        rows = conn.execute(text(
            f"WITH m AS MATERIALIZED (SELECT product_id, published_at, {FACET_COLUMNS}, min_price, "  # nosec B608
            f"{score} AS score FROM search_documents WHERE document @@ CAST(:match AS tsquery) "
            f"AND product_id <> ALL(CAST(:excl AS integer[]))) "
            f"SELECT 0, t.*, NULL FROM ({tally}) t{page}"), params).all()
        tallied = self._read_tally([r[1:-1] for r in rows if r[0] == 0], req.with_facets)
        return tallied, [r[-1] for r in rows if r[0] == 1]

    def _browsing(self, conn: Connection, req: SearchRequest) -> tuple[tuple[int, int, dict], list[int]]:
        """No words: the tally from search_facet_counts (less the documents left out),
        the page from the newest (or price) index."""
        params: dict = {"excl": sorted(req.exclude_ids)}
        source = (f"SELECT {FACET_COLUMNS}, price_bucket AS pb, documents AS n "  # nosec B608
                  f"FROM search_facet_counts WHERE documents > 0")
        if req.exclude_ids:
            source += (f" UNION ALL SELECT {FACET_COLUMNS}, {PRICE_BUCKET_SQL}, -count(*) "  # nosec B608
                       f"FROM search_documents WHERE product_id = ANY(CAST(:excl AS integer[])) "
                       f"GROUP BY {FACET_COLUMNS}, {PRICE_BUCKET_SQL}")
        tallied = self._read_tally(
            conn.execute(text(self._tally(source, req, params, req.with_facets)), params).all(),
            req.with_facets)
        page: list[int] = []
        if req.limit > 0 and tallied[1] > req.offset:
            params.update(limit=req.limit, offset=req.offset)
            filters = self._filters(req, params)
            sort = SearchSort.NEWEST if req.sort is SearchSort.RELEVANCE else req.sort
            where = " AND ".join(["product_id <> ALL(CAST(:excl AS integer[]))", *filters.values()])
            page = list(conn.execute(text(
                f"SELECT product_id FROM search_documents WHERE {where} "  # nosec B608
                f"ORDER BY {self._order(sort, False)} LIMIT :limit OFFSET :offset"), params).scalars())
        return tallied, page

    # --- reading: the protocol ---

    def search(self, request: SearchRequest) -> SearchResult:
        with self._engine().connect() as conn:
            state = self._state(conn)
            if state is None:
                return SearchResult(product_ids=[], total=0)
            key = (state.generation, request)
            cached = self._results.get(key)
            if cached is None:
                cached = self._search(conn, request, state.documents)
                with self._lock:
                    self._results.put(key, cached)
            return cached

    def _search(self, conn: Connection, req: SearchRequest, n_docs: int) -> SearchResult:
        excl = sorted(req.exclude_ids)
        typed = query_words(req.text)
        words: list[_Word] = []
        corrections: list[Correction] = []
        dropped: list[str] = []
        for surface_word, found in zip(typed, self._words(conn, typed, excl)):
            if found is None:
                found = self._correct(conn, surface_word, excl)
                if found is None:
                    dropped.append(surface_word)
                    continue
                corrections.append(Correction(surface_word, found.surface))
            words.append(found)

        all_words = True
        if words:
            (matches, total, facets), product_ids = self._matching(conn, req, words, False, n_docs)
            if not matches and len(words) > 1:
                all_words = False  # no product has every word: any will do
                (_, total, facets), product_ids = self._matching(conn, req, words, True, n_docs)
        elif typed or req.text.strip():
            # Every word unknown, or nothing in the text is a word: nothing found.
            total, product_ids = 0, []
            facets = {g: {} for g in FACET_GROUPS} if req.with_facets else {}
        else:
            (_, total, facets), product_ids = self._browsing(conn, req)  # browse everything

        corrected_text = None
        if corrections:
            replaced = {c.original: c.corrected for c in corrections}
            corrected_text = " ".join(replaced.get(w, w) for w in typed if w not in dropped)
        return SearchResult(
            product_ids=product_ids,
            total=total,
            facets=facets,
            terms=frozenset(w.term for w in words),
            corrections=corrections,
            dropped=dropped,
            all_words=all_words,
            corrected_text=corrected_text,
        )

    def facets(self, request: SearchRequest) -> dict[str, dict[str, int]]:
        return self.search(replace(request, limit=0, with_facets=True)).facets

    def suggest(self, text_: str, limit: int,
                exclude_ids: frozenset[int] = frozenset()) -> list[ProductSuggestion]:
        words = query_words(text_)
        if not words or limit <= 0:
            return []
        with self._engine().connect() as conn:
            state = self._state(conn)
            if state is None:
                return []
            key = (state.generation, text_, limit, exclude_ids)
            cached = self._suggestions.get(key)
            if cached is None:
                cached = self._suggest(conn, text_, words, limit, sorted(exclude_ids), state.documents)
                with self._lock:
                    self._suggestions.put(key, cached)
            return cached

    def _suggest(self, conn: Connection, text_: str, words: list[str], limit: int,
                 excl: list[int], n_docs: int) -> list[ProductSuggestion]:
        """As engine.suggest: every word in a name (brand, producer, category, place),
        the last one read as the start of a word."""
        complete = text_[-1:].isspace()
        whole = words if complete else words[:-1]
        # A word missing from every name (brand, ...) leaves the query below empty.
        found = self._words(conn, whole, excl, check=False)
        if any(w is None for w in found):
            return []
        if not complete:
            last = self._prefix_word(conn, words[-1])
            if last is None:
                return []
            found.append(last)
        params: dict = {"excl": excl, "limit": limit, "candidates": SUGGEST_CANDIDATES,
                        "match": " & ".join(w.query(SUGGEST_LABELS) for w in found)}
        score = self._score(found, SUGGEST_LABELS, n_docs, params)
        # A typeahead answers while the shopper types: when a short prefix matches tens
        # of thousands of products, the newest SUGGEST_CANDIDATES of them are ranked.
        rows = conn.execute(text(
            "SELECT product_id, slug, name FROM (SELECT * FROM search_documents "  # nosec B608
            "WHERE document @@ CAST(:match AS tsquery) AND product_id <> ALL(CAST(:excl AS integer[])) "
            "ORDER BY published_at DESC, product_id DESC LIMIT :candidates) c "
            f"ORDER BY ({score}) DESC, published_at DESC, product_id DESC LIMIT :limit"), params).all()
        return [ProductSuggestion(r[0], r[1], r[2]) for r in rows]
