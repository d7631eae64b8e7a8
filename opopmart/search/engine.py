"""Ranking, exact totals and facet counts over per-term document sets.

Whoosh stores the index (terms, postings, segments, columns, locks); this module
answers queries from it without Whoosh's per-document collector loop, which at
100,000 products spends tens of milliseconds scoring and then searches again for
an exact total and once more per facet.

A set of documents is a Python int used as a bitset (bit *n* = document *n*): a
term's documents, a facet value's documents, a query's matches. Intersections,
unions and counts (``&``, ``|``, ``int.bit_count``) over 100,000 documents take
microseconds, so one pass gives the page, the exact total and every facet count.

Ranking (``rank``): each query word found in a field adds that field's weight times
the word's rarity (idf); a little is added for being in stock and for a short name.
The best documents are found by branch and bound over the sets (split on the
heaviest remaining feature, expand the most promising set first), so only the sets
on the way to the first page are ever formed: no per-document scoring.

Segments never change once written, so everything read from one (its facet column,
term sets, sort orders, vocabulary) is kept per worker for the segment's life
(``SegmentData``); an ``IndexView`` combines the segments of one index generation
with that generation's deletions.
"""

from __future__ import annotations

import heapq
import os
import threading
from array import array
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.reading import SegmentReader, TermNotFound

from .analysis import stem, surface_words, term
from .backend import (
    FACET_GROUPS,
    Correction,
    ProductSuggestion,
    SearchRequest,
    SearchResult,
    SearchSort,
)
from .bitsets import (
    SIDECAR_EXT,
    SegmentFacts,
    Sidecar,
    ids_ascending,
    ids_descending,
    mask_from_ids,
)
from .whoosh_index import FIELD_WEIGHTS, SPELL_FIELD, TEXT_FIELDS, decode_card

MAX_QUERY_WORDS = 10
# Below this many matches a sorted page sorts the matches; above, it walks the order.
SORT_MATCHES_BELOW = 3000
# A bonus, as a share of the field's weight times the words' rarity, when every word of
# the query is in that one field.
TOGETHER_WEIGHTS = {"name": 0.5, "category": 0.8, "brand": 0.5, "producer": 0.5}
IN_STOCK_WEIGHT = 0.6
SHORT_NAME_WEIGHT = 0.4
# Fields a typeahead suggestion may match (descriptions would suggest too much).
SUGGEST_FIELDS = ("name", "brand", "producer", "category", "region")
MAX_PREFIX_EXPANSIONS = 12


class _Lru:
    def __init__(self, maxsize: int):
        self.maxsize = maxsize
        self.data: OrderedDict = OrderedDict()

    def get(self, key, default=None):
        value = self.data.get(key, default)
        if key in self.data:
            self.data.move_to_end(key)
        return value

    def put(self, key, value) -> None:
        if self.maxsize <= 0:
            return
        self.data[key] = value
        if len(self.data) > self.maxsize:
            self.data.popitem(last=False)


# --- one segment ---


def _column_bytes(reader: SegmentReader, fieldname: str, size: int) -> bytes:
    column = reader.column_reader(fieldname, translate=False)
    fixed = getattr(column, "_fixedlen", None)
    if fixed and hasattr(column, "_dbfile") and getattr(column, "_count", -1) == size:
        # The fixed-width column's bytes in one read (the reader's own loop costs
        # a file read per document).
        return bytes(column._dbfile.get(column._basepos, fixed * size))
    return b"".join(bytes(v) for v in column)


def _posting_ids(matcher) -> list[int]:
    if isinstance(matcher, W3LeafMatcher) and hasattr(matcher, "_read_ids"):
        # Block by block (Whoosh 2.7.4's own loop is a Python call per posting).
        out: list[int] = []
        while True:
            matcher._read_ids()
            out.extend(matcher._ids)
            if matcher._lastblock:
                return out
            matcher._goto(matcher._nextoffset)
    return list(matcher.all_ids())


class SegmentData:
    """What queries need from one segment, read once: segments never change."""

    def __init__(self, storage, schema, segment):
        self.reader = SegmentReader(storage, schema, segment)
        self.segment_id = segment.segment_id()
        self.size = segment.doc_count_all()
        self.full = (1 << self.size) - 1
        self._lock = threading.Lock()  # the readers share file positions
        self._terms = _Lru(4096)
        self._pid_docs: dict[int, list[int]] | None = None
        self._vocabulary: list[str] | None = None
        self._cards = None
        self.sidecar: Sidecar | None = None
        sidecar_path = os.path.join(storage.folder, segment.make_filename(SIDECAR_EXT))
        if os.path.exists(sidecar_path):
            self.sidecar = Sidecar(sidecar_path)
            facts = self.sidecar.facts()
        else:
            facts = SegmentFacts.from_rows(_column_bytes(self.reader, "facets", self.size), self.size)
        self.facts = facts
        self.pids, self.prices, self.published = facts.pids, facts.prices, facts.published
        self.groups = facts.groups

    def close(self) -> None:
        self.reader.close()
        if self.sidecar is not None:
            self.sidecar.close()

    def term_mask(self, fieldname: str, text: str) -> int:
        """Documents holding the term, deleted ones included (deletions change, the
        postings do not)."""
        key = (fieldname, text)
        with self._lock:
            mask = self._terms.get(key)
            if mask is not None:
                return mask
            mask = self.sidecar.term(fieldname, text) if self.sidecar is not None else None
            if mask is None:
                try:
                    matcher = self.reader._terms.matcher(
                        fieldname, text.encode("utf-8"), self.reader.schema[fieldname].format)
                    mask = mask_from_ids(_posting_ids(matcher), self.size)
                except (TermNotFound, KeyError):
                    mask = 0
            self._terms.put(key, mask)
            return mask

    def doc_frequency(self, fieldname: str, text: str) -> int:
        with self._lock:
            try:
                return self.reader.doc_frequency(fieldname, text)
            except (TermNotFound, KeyError):
                return 0

    def order(self, sort: SearchSort) -> array:
        with self._lock:
            return self.facts.order(sort)

    def docs_of(self, product_id: int) -> list[int]:
        if self._pid_docs is None:
            docs: dict[int, list[int]] = {}
            for d, pid in enumerate(self.pids):
                docs.setdefault(pid, []).append(d)
            self._pid_docs = docs
        return self._pid_docs.get(product_id, [])

    def card(self, docnum: int) -> tuple[str, str]:
        with self._lock:
            if self._cards is None:
                self._cards = self.reader.column_reader("card", translate=False)
            return decode_card(bytes(self._cards[docnum]))

    def vocabulary(self) -> list[str]:
        """The spelling field's words, sorted (for prefixes)."""
        with self._lock:
            if self._vocabulary is None:
                self._vocabulary = [b.decode("utf-8") for b in self.reader.lexicon(SPELL_FIELD)]
            return self._vocabulary

    def near_words(self, word: str, maxdist: int) -> list[str]:
        with self._lock:
            try:
                return list(self.reader.terms_within(SPELL_FIELD, word, maxdist, prefix=1))
            except (TermNotFound, KeyError):
                return []


# --- one generation of the index ---


class IndexView:
    """The segments of one index generation, with that generation's deletions."""

    def __init__(self, key, parts: list[tuple[SegmentData, int, frozenset[int]]]):
        self.key = key
        self.parts = parts
        self.size = sum(seg.size for seg, _, _ in parts)
        live = 0
        for seg, offset, deleted in parts:
            mask = seg.full
            if deleted:
                mask &= ~mask_from_ids(sorted(d for d in deleted if d < seg.size), seg.size)
            live |= mask << offset
        self.live = live
        self.doc_count = live.bit_count()
        self._groups: dict[str, dict[str, int]] = {}
        self._terms = _Lru(2048)
        self._vocabulary: list[str] | None = None
        self._lock = threading.Lock()

    def _compose(self, get: Callable[[SegmentData], int]) -> int:
        mask = 0
        for seg, offset, _ in self.parts:
            value = get(seg)
            if value:
                mask |= value << offset
        return mask

    def term(self, fieldname: str, text: str) -> int:
        key = (fieldname, text)
        with self._lock:
            mask = self._terms.get(key)
        if mask is None:
            mask = self._compose(lambda seg: seg.term_mask(fieldname, text))
            with self._lock:
                self._terms.put(key, mask)
        return mask

    def group(self, name: str) -> dict[str, int]:
        masks = self._groups.get(name)
        if masks is None:
            values: set[str] = set()
            for seg, _, _ in self.parts:
                values.update(seg.groups[name])
            masks = {v: self._compose(lambda seg, v=v: seg.groups[name].get(v, 0)) & self.live
                     for v in values}
            masks = {v: m for v, m in masks.items() if m}
            self._groups[name] = masks
        return masks

    def docs_of(self, product_ids: Iterable[int]) -> int:
        mask = 0
        for pid in product_ids:
            for seg, offset, _ in self.parts:
                for d in seg.docs_of(pid):
                    mask |= 1 << (d + offset)
        return mask

    def locate(self, docnum: int) -> tuple[SegmentData, int]:
        for seg, offset, _ in self.parts:
            if docnum < offset + seg.size:
                return seg, docnum - offset
        raise IndexError(docnum)

    def product_id(self, docnum: int) -> int:
        seg, local = self.locate(docnum)
        return seg.pids[local]

    def doc_frequency(self, fieldname: str, text: str) -> int:
        return sum(seg.doc_frequency(fieldname, text) for seg, _, _ in self.parts)

    def vocabulary(self) -> list[str]:
        if self._vocabulary is None:
            words: set[str] = set()
            for seg, _, _ in self.parts:
                words.update(seg.vocabulary())
            self._vocabulary = sorted(words)
        return self._vocabulary

    def words_with_prefix(self, prefix: str, limit: int = 200) -> list[str]:
        vocab = self.vocabulary()
        start = bisect_left(vocab, prefix)
        out = []
        for word in vocab[start:start + limit]:
            if not word.startswith(prefix):
                break
            out.append(word)
        return out

    def near_words(self, word: str, maxdist: int) -> set[str]:
        out: set[str] = set()
        for seg, _, _ in self.parts:
            out.update(seg.near_words(word, maxdist))
        return out


# --- queries ---


@dataclass
class _Word:
    surface: str
    term: str
    fields: dict[str, int]
    any: int
    df: int


def query_words(text: str) -> list[str]:
    """The shopper's words: folded, stop words dropped, repeats dropped, capped."""
    words = list(dict.fromkeys(surface_words(text)))
    return words[:MAX_QUERY_WORDS]


def _word(view: IndexView, surface: str, base: int, fields=TEXT_FIELDS) -> _Word | None:
    t = term(surface)
    if t is None:
        return None
    masks = {f: view.term(f, t) for f in fields}
    any_ = 0
    for m in masks.values():
        any_ |= m
    any_ &= base
    if not any_:
        return None
    return _Word(surface, t, masks, any_, any_.bit_count())


def damerau(a: str, b: str) -> int:
    """Optimal string alignment distance (adjacent swaps count one)."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


def _correct(view: IndexView, surface: str, base: int) -> _Word | None:
    """A word for one that matches nothing: its completion (the shopper stopped
    typing) or the nearest word in the index (a typo), the most common first."""
    candidates: list[tuple[int, int, str]] = []
    if len(surface) >= 3:
        for word in view.words_with_prefix(surface)[:50]:
            if word != surface:
                candidates.append((0, -view.doc_frequency(SPELL_FIELD, word), word))
    if not candidates and len(surface) >= 3 and surface.isalpha():
        maxdist = 1 if len(surface) <= 5 else 2
        for word in view.near_words(surface, maxdist):
            if word != surface:
                candidates.append((damerau(surface, word), -view.doc_frequency(SPELL_FIELD, word), word))
    for _, _, word in sorted(candidates)[:MAX_PREFIX_EXPANSIONS]:
        found = _word(view, word, base)
        if found is not None:
            return found
    return None


def _filters(view: IndexView, req: SearchRequest) -> dict[str, int]:
    out: dict[str, int] = {}
    if req.category_ids:
        masks = view.group("category")
        mask = 0
        for cid in req.category_ids:
            mask |= masks.get(str(cid), 0)
        out["category"] = mask
    for group, value in (("region", req.region_code), ("cert", req.cert_type),
                         ("price", req.price), ("kind", req.kind)):
        if value:
            out[group] = view.group(group).get(value, 0)
    return out


def _facet_counts(view: IndexView, match: int, filters: dict[str, int]) -> dict[str, dict[str, int]]:
    """Counts per value of each group, under the query and every *other* group's
    filter (choosing another value of a group replaces its filter)."""
    out: dict[str, dict[str, int]] = {}
    for group in FACET_GROUPS:
        base = match
        for other, mask in filters.items():
            if other != group:
                base &= mask
        counts = {}
        if base:
            for value, mask in view.group(group).items():
                n = (base & mask).bit_count()
                if n:
                    counts[value] = n
        out[group] = counts
    return out


def rank(result: int, features: list[tuple[float, int]], skip: int, count: int) -> list[int]:
    """Document numbers ``skip`` .. ``skip + count`` of ``result`` by descending total
    weight of the features they have (ties: higher document number first).

    Branch and bound over sets: a node is a set of documents that agree on the
    features decided so far; its bound is its score plus every undecided weight.
    The node with the highest bound is split on the next feature; a node with every
    feature decided has an exact score and, when nothing left can beat it, is
    emitted.
    """
    feats = sorted(((w, m) for w, m in features if w > 0 and m & result), key=lambda f: -f[0])
    n = len(feats)
    rest = [0.0] * (n + 1)
    for i in range(n - 1, -1, -1):
        rest[i] = rest[i + 1] + feats[i][0]
    out: list[int] = []
    tick = 0
    heap = [(-rest[0], tick, 0.0, 0, result)]
    while heap and len(out) < count:
        neg_bound, _, score, i, mask = heapq.heappop(heap)
        # Skip features that do not split this set.
        while i < n:
            w, fmask = feats[i]
            inter = mask & fmask
            if not inter:
                i += 1
            elif inter == mask:
                score += w
                i += 1
            else:
                break
        bound = score + rest[i]
        if heap and bound < -heap[0][0] - 1e-9:
            tick += 1
            heapq.heappush(heap, (-bound, tick, score, i, mask))
            continue
        if i == n:
            size = mask.bit_count()
            if skip >= size:
                skip -= size
                continue
            docs = ids_descending(mask, skip + count - len(out))
            out.extend(docs[skip:])
            skip = 0
            continue
        w, fmask = feats[i]
        with_ = mask & fmask
        tick += 1
        heapq.heappush(heap, (-(score + w + rest[i + 1]), tick, score + w, i + 1, with_))
        tick += 1
        heapq.heappush(heap, (-(score + rest[i + 1]), tick, score, i + 1, mask ^ with_))
    return out[:count]


def sorted_page(view: IndexView, result: int, sort: SearchSort, skip: int, count: int) -> list[int]:
    """Documents ``skip`` .. ``skip + count`` of ``result`` by price or newness."""
    if count <= 0 or not result:
        return []
    need = skip + count
    keyed: list[tuple[tuple, int]] = []
    for seg, offset, _ in view.parts:
        local = (result >> offset) & seg.full
        if not local:
            continue
        prices, published = seg.prices, seg.published
        if sort is SearchSort.PRICE_ASC:
            key = lambda d: (prices[d], -published[d], -(d + offset))  # noqa: E731
        elif sort is SearchSort.PRICE_DESC:
            key = lambda d: (-prices[d], -published[d], -(d + offset))  # noqa: E731
        else:
            key = lambda d: (-published[d], -(d + offset))  # noqa: E731
        if local.bit_count() <= SORT_MATCHES_BELOW:
            docs = ids_ascending(local)
        else:
            bits = bin(local)[:1:-1]
            length = len(bits)
            docs = []
            for d in seg.order(sort):
                if d < length and bits[d] == "1":
                    docs.append(d)
                    if len(docs) == need:
                        break
        keyed.extend((key(d), d + offset) for d in docs)
    keyed.sort()
    return [d for _, d in keyed[skip:need]]


def search(view: IndexView, req: SearchRequest) -> SearchResult:
    base = view.live
    if req.exclude_ids:
        base &= ~view.docs_of(req.exclude_ids)
    words: list[_Word] = []
    corrections: list[Correction] = []
    dropped: list[str] = []
    typed = query_words(req.text)
    for surface in typed:
        found = _word(view, surface, base)
        if found is None:
            found = _correct(view, surface, base)
            if found is None:
                dropped.append(surface)
                continue
            corrections.append(Correction(surface, found.surface))
        words.append(found)

    all_words = True
    if words:
        match = base
        for w in words:
            match &= w.any
        if not match and len(words) > 1:
            all_words = False
            match = 0
            for w in words:
                match |= w.any
    elif typed or req.text.strip():
        match = 0  # every word unknown, or nothing in the text is a word
    else:
        match = base  # no words: browse everything

    filters = _filters(view, req)
    result = match
    for mask in filters.values():
        result &= mask
    total = result.bit_count()
    facets = _facet_counts(view, match, filters) if req.with_facets else {}

    if words and req.sort is SearchSort.RELEVANCE:
        docs = rank(result, _features(view, words, base), req.offset, req.limit)
    else:
        sort = SearchSort.NEWEST if req.sort is SearchSort.RELEVANCE else req.sort
        docs = sorted_page(view, result, sort, req.offset, req.limit)

    corrected_text = None
    if corrections:
        replaced = {c.original: c.corrected for c in corrections}
        corrected_text = " ".join(replaced.get(w, w) for w in typed if w not in dropped)
    return SearchResult(
        product_ids=[view.product_id(d) for d in docs],
        total=total,
        facets=facets,
        terms=frozenset(w.term for w in words),
        corrections=corrections,
        dropped=dropped,
        all_words=all_words,
        corrected_text=corrected_text,
    )


def _idf(n_docs: int, df: int) -> float:
    from math import log

    return log(1.0 + (n_docs - df + 0.5) / (df + 0.5))


def _features(view: IndexView, words: list[_Word], base: int,
              fields: tuple[str, ...] = TEXT_FIELDS) -> list[tuple[float, int]]:
    n_docs = max(1, base.bit_count())
    feats: list[tuple[float, int]] = []
    idfs = [_idf(n_docs, w.df) for w in words]
    for w, idf in zip(words, idfs):
        for f in fields:
            mask = w.fields.get(f, 0)
            if mask:
                feats.append((FIELD_WEIGHTS[f] * idf, mask))
    if len(words) > 1:
        # Every word in the same field ("minuman serbuk" is a category, "kopi arabika
        # ijen" a name): worth more than the words found in different places.
        for f, share in TOGETHER_WEIGHTS.items():
            if f not in fields:
                continue
            mask = -1
            for w in words:
                mask &= w.fields.get(f, 0)
            if mask:
                feats.append((FIELD_WEIGHTS[f] * share * sum(idfs), mask))
    feats.append((IN_STOCK_WEIGHT, view.group("stock").get("1", 0)))
    feats.append((SHORT_NAME_WEIGHT, view.group("short").get("1", 0)))
    return feats


def facets(view: IndexView, req: SearchRequest) -> dict[str, dict[str, int]]:
    return search(view, replace(req, limit=0, with_facets=True)).facets


def suggest(view: IndexView, text: str, limit: int,
            exclude_ids: frozenset[int] = frozenset()) -> list[ProductSuggestion]:
    """Products whose name (brand, producer, category, place) has every word, the last
    one read as the start of a word."""
    words = query_words(text)
    if not words or limit <= 0:
        return []
    base = view.live
    if exclude_ids:
        base &= ~view.docs_of(exclude_ids)
    complete = text[-1:].isspace()
    found: list[_Word] = []
    for i, surface in enumerate(words):
        last = i == len(words) - 1 and not complete
        if last:
            w = _prefix_word(view, surface, base)
        else:
            w = _word(view, surface, base, SUGGEST_FIELDS)
        if w is None:
            return []
        found.append(w)
    match = base
    for w in found:
        match &= w.any
    if not match:
        return []
    docs = rank(match, _features(view, found, base, SUGGEST_FIELDS), 0, limit)
    out = []
    for d in docs:
        seg, local = view.locate(d)
        slug, name = seg.card(local)
        out.append(ProductSuggestion(seg.pids[local], slug, name))
    return out


def _prefix_word(view: IndexView, prefix: str, base: int) -> _Word | None:
    """Everything a word starting with ``prefix`` matches, as one word."""
    words = [prefix] + [w for w in view.words_with_prefix(prefix) if w != prefix]
    words.sort(key=lambda w: (w != prefix, -view.doc_frequency(SPELL_FIELD, w)))
    masks: dict[str, int] = {f: 0 for f in SUGGEST_FIELDS}
    terms = []
    for word in words[:MAX_PREFIX_EXPANSIONS]:
        t = term(word)
        if t is None:
            continue
        terms.append(t)
        for f in SUGGEST_FIELDS:
            masks[f] |= view.term(f, t)
    any_ = 0
    for m in masks.values():
        any_ |= m
    any_ &= base
    if not any_:
        return None
    return _Word(prefix, terms[0] if terms else stem(prefix), masks, any_, any_.bit_count())
