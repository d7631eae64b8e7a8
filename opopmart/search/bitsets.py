"""Sets of documents as Python ints, and the per-segment facts built from them.

Bit *n* of a set is document *n* of a segment (or, once segments are combined, of
the index): ``a & b``, ``a | b`` and ``a.bit_count()`` over 100,000 documents take
microseconds.

A segment written by the bulk builder carries a sidecar file (``<segment>.bitsets``)
with what a worker would otherwise compute when it first reads the segment: the
sets of every facet value, the three sort orders, the per-document product ids,
prices and dates, and the sets of its frequent terms (reading a posting list of
20,000 documents back into a set costs milliseconds; the stored set, microseconds).
Small segments from incremental writes have no sidecar and are read from their
columns and postings. Whoosh removes the sidecar with its segment (the file name
follows its segment naming pattern).
"""

from __future__ import annotations

import json
import mmap
import os
import struct
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .backend import SearchSort, price_bucket
from .whoosh_index import CERTS, FACETS, KINDS

SHORT_NAME_TERMS = 3
SIDECAR_EXT = ".bitsets"
SIDECAR_MAGIC = b"OPOPBITS1\n"
# Terms in at least this many documents (and this share of the segment) get a stored set.
STORED_TERM_MIN_DOCS = 256
STORED_TERM_MIN_SHARE = 0.004
GROUPS = ("category", "region", "kind", "cert", "price", "stock", "short")
SORTS = (SearchSort.PRICE_ASC, SearchSort.PRICE_DESC, SearchSort.NEWEST)


def mask_from_ids(ids: Iterable[int], size: int) -> int:
    """The set of ``ids`` (each < size)."""
    ids = list(ids)
    if not ids:
        return 0
    if len(ids) < 16:
        mask = 0
        for d in ids:
            mask |= 1 << d
        return mask
    buf = bytearray(b"0") * size
    for d in ids:
        buf[d] = 49  # "1"
    return int(buf[::-1], 2)


def ids_ascending(mask: int) -> list[int]:
    if not mask:
        return []
    bits = bin(mask)[:1:-1]  # bit n at index n
    out = []
    find = bits.find
    i = find("1")
    while i >= 0:
        out.append(i)
        i = find("1", i + 1)
    return out


def ids_descending(mask: int, count: int) -> list[int]:
    """The ``count`` highest members of ``mask``, highest first."""
    out: list[int] = []
    if count <= 64:
        while mask and len(out) < count:
            top = mask.bit_length() - 1
            out.append(top)
            mask ^= 1 << top
        return out
    bits = bin(mask)[2:]
    top = len(bits) - 1
    find = bits.find
    i = find("1")
    while i >= 0 and len(out) < count:
        out.append(top - i)
        i = find("1", i + 1)
    return out


def value_masks(values: Sequence, size: int) -> dict:
    """{value: set of the documents with that value} for a per-document list."""
    distinct = list(dict.fromkeys(values))
    if len(distinct) <= 255:
        # One byte per document, then one C-speed translate per value.
        code = {v: i for i, v in enumerate(distinct)}
        codes = bytes(code[v] for v in values)
        out = {}
        for v, i in code.items():
            table = bytearray(b"0") * 256
            table[i] = 49
            out[v] = int(codes.translate(table)[::-1], 2)
        return out
    by_value: dict = {}
    for d, v in enumerate(values):
        by_value.setdefault(v, []).append(d)
    return {v: mask_from_ids(ids, size) for v, ids in by_value.items()}


def flag_masks(flags: bytes, names: tuple[str, ...]) -> dict[str, int]:
    out = {}
    for bit, name in enumerate(names):
        table = bytes(49 if b & (1 << bit) else 48 for b in range(256))
        mask = int(flags.translate(table)[::-1], 2) if flags else 0
        if mask:
            out[name] = mask
    return out


@dataclass
class SegmentFacts:
    """Per-document values and facet sets of one segment."""

    size: int
    pids: array
    prices: array
    published: array
    groups: dict[str, dict[str, int]]
    orders: dict[SearchSort, array]

    @classmethod
    def from_rows(cls, raw: bytes, size: int) -> SegmentFacts:
        """From the ``facets`` column (whoosh_index.FACETS per document)."""
        if len(raw) != FACETS.size * size:
            raw = raw[:FACETS.size * size].ljust(FACETS.size * size, b"\0")
        rows = list(FACETS.iter_unpack(raw))
        groups: dict[str, dict[str, int]] = {
            "category": value_masks([str(r[1]) for r in rows], size),
            "region": value_masks([r[4].rstrip(b"\0").decode("ascii", "replace") for r in rows], size),
            "kind": value_masks([KINDS[r[5]] if r[5] < len(KINDS) else "" for r in rows], size),
            "cert": flag_masks(bytes(r[6] for r in rows), CERTS),
            "price": value_masks([price_bucket(r[2]) for r in rows], size),
            "stock": value_masks(["1" if r[7] else "0" for r in rows], size),
            "short": value_masks(["1" if r[8] <= SHORT_NAME_TERMS else "0" for r in rows], size),
        }
        for masks in groups.values():
            masks.pop("", None)
        return cls(size, array("q", [r[0] for r in rows]), array("q", [r[2] for r in rows]),
                   array("q", [r[3] for r in rows]), groups, {})

    def order(self, sort: SearchSort) -> array:
        """Document numbers in ``sort`` order (ties: higher document number first)."""
        order = self.orders.get(sort)
        if order is None:
            prices, published = self.prices, self.published
            if sort is SearchSort.PRICE_ASC:
                key = lambda d: (prices[d], -published[d], -d)  # noqa: E731
            elif sort is SearchSort.PRICE_DESC:
                key = lambda d: (-prices[d], -published[d], -d)  # noqa: E731
            else:
                key = lambda d: (-published[d], -d)  # noqa: E731
            order = self.orders[sort] = array("q", sorted(range(self.size), key=key))
        return order


# --- the sidecar file ---


def _int_bytes(mask: int) -> bytes:
    return mask.to_bytes((mask.bit_length() + 7) // 8, "little")


def stored_term_threshold(size: int) -> int:
    return max(STORED_TERM_MIN_DOCS, int(size * STORED_TERM_MIN_SHARE))


def write_sidecar(path: str, facts: SegmentFacts, term_ids: dict[tuple[str, str], Sequence[int]]) -> None:
    """Write the facts and the sets of the frequent terms in ``term_ids``."""
    chunks: list[bytes] = []
    offset = 0

    def put(data: bytes) -> list[int]:
        nonlocal offset
        chunks.append(data)
        start = offset
        offset += len(data)
        return [start, len(data)]

    header: dict = {"size": facts.size, "arrays": {}, "groups": {}, "terms": {}}
    for name in ("pids", "prices", "published"):
        header["arrays"][name] = put(getattr(facts, name).tobytes())
    for sort in SORTS:
        header["arrays"]["order:" + sort.value] = put(facts.order(sort).tobytes())
    for group, masks in facts.groups.items():
        header["groups"][group] = {value: put(_int_bytes(m)) for value, m in masks.items()}
    threshold = stored_term_threshold(facts.size)
    for (fieldname, text), ids in term_ids.items():
        if len(ids) >= threshold:
            header["terms"][f"{fieldname}\x1f{text}"] = put(_int_bytes(mask_from_ids(ids, facts.size)))
    head = json.dumps(header, separators=(",", ":")).encode("utf-8")
    tmp = path + ".tmp"
    with open(tmp, "wb") as fh:
        fh.write(SIDECAR_MAGIC)
        fh.write(struct.pack("<Q", len(head)))
        fh.write(head)
        for chunk in chunks:
            fh.write(chunk)
    os.replace(tmp, path)


class Sidecar:
    """A segment's sidecar, memory-mapped; sets are read on demand."""

    def __init__(self, path: str):
        with open(path, "rb") as fh:
            self._map = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        if self._map[:len(SIDECAR_MAGIC)] != SIDECAR_MAGIC:
            self._map.close()
            raise ValueError(f"{path} is not a search sidecar")
        start = len(SIDECAR_MAGIC)
        (head_len,) = struct.unpack("<Q", self._map[start:start + 8])
        self._data = start + 8 + head_len
        self.header = json.loads(self._map[start + 8:self._data])
        self.terms: dict[str, list[int]] = self.header["terms"]

    def _bytes(self, where: list[int]) -> bytes:
        start = self._data + where[0]
        return self._map[start:start + where[1]]

    def _array(self, name: str, typecode: str = "q") -> array:
        out = array(typecode)
        out.frombytes(self._bytes(self.header["arrays"][name]))
        return out

    def facts(self) -> SegmentFacts:
        size = self.header["size"]
        groups = {group: {value: int.from_bytes(self._bytes(where), "little")
                          for value, where in masks.items()}
                  for group, masks in self.header["groups"].items()}
        orders = {sort: self._array("order:" + sort.value) for sort in SORTS}
        return SegmentFacts(size, self._array("pids"), self._array("prices"),
                            self._array("published"), groups, orders)

    def term(self, fieldname: str, text: str) -> int | None:
        """The stored set of a frequent term; None when the term has no stored set."""
        where = self.terms.get(f"{fieldname}\x1f{text}")
        if where is None:
            return None
        return int.from_bytes(self._bytes(where), "little")

    @property
    def min_stored(self) -> int:
        return stored_term_threshold(self.header["size"])

    def close(self) -> None:
        self._map.close()
