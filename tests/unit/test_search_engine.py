"""The index files and the set arithmetic that answers queries (no database)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest
from whoosh.index import create_in

from opopmart.search.backend import SearchRequest, SearchSort
from opopmart.search.bitsets import (
    SIDECAR_EXT,
    SegmentFacts,
    Sidecar,
    ids_ascending,
    ids_descending,
    mask_from_ids,
    value_masks,
)
from opopmart.search.documents import SearchDocument
from opopmart.search.engine import damerau, rank
from opopmart.search.whoosh_backend import WhooshBackend
from opopmart.search.whoosh_index import (
    FACETS,
    INDEX_NAME,
    IndexStore,
    field_values,
    make_schema,
)

NAMES = ["Kopi Arabika Ijen", "Keripik Tempe Sanan", "Madu Hutan Randu", "Lampu Hias Bambu",
         "Batik Tulis Madura Gentongan", "Sabun Zaitun Santri", "Kopi Robusta Dampit"]


def documents(count: int) -> list[SearchDocument]:
    rng = random.Random(7)
    start = datetime(2026, 1, 1)
    out = []
    for i in range(count):
        name = f"{NAMES[i % len(NAMES)]} {rng.choice(['Spesial', 'Premium', 'Edisi Santri', ''])}".strip()
        out.append(SearchDocument(
            product_id=1000 + i, slug=f"p-{i}", name=name,
            description=f"{name} dibuat oleh pengrajin di Jawa Timur. Kerajinan nomor {i}.",
            brand=rng.choice(["Santri Roastery", "", "Sekar Arum"]),
            producer=rng.choice(["Kopontren Sidogiri Pondok Pesantren Sidogiri", "Namira Ecoprint"]),
            producer_kind=rng.choice(["pesantren", "kopontren", "umkm"]),
            category_id=rng.choice([10, 11, 15]), category_path="Makanan & Minuman Kopi",
            category_path_en="Food & Drinks Coffee",
            region_code=rng.choice(["35.10", "35.14", "35.78"]),
            region=rng.choice(["kabupaten Banyuwangi", "kabupaten Pasuruan", "kota Surabaya"]),
            cert_types=tuple(sorted(rng.sample(["halal", "pirt", "bpom"], rng.randrange(3)))),
            min_price=rng.choice([9_000, 30_000, 45_000, 120_000, 600_000]),
            published_at=start + timedelta(hours=i), in_stock=rng.random() > 0.2,
        ))
    return out


def test_bulk_built_segment_holds_what_whoosh_writer_writes(tmp_path):
    # Given the same documents, written by Whoosh's own writer and by the bulk builder
    docs = documents(300)
    (tmp_path / "writer").mkdir()
    ix = create_in(str(tmp_path / "writer"), make_schema(), indexname=INDEX_NAME)
    with ix.writer() as writer:
        for doc in docs:
            writer.add_document(**field_values(doc))
    store = IndexStore(tmp_path / "bulk")
    path = store.new_index_dir()
    assert store.build(path, docs) == 300
    bulk = store.open(path)
    # Then every field has the same terms with the same documents
    with ix.reader() as expected, bulk.reader() as got:
        schema = make_schema()
        for name in schema.names():
            if not schema[name].indexed:
                continue
            terms = list(expected.lexicon(name))
            assert list(got.lexicon(name)) == terms, name
            for btext in terms:
                assert (list(got.postings(name, btext).all_ids())
                        == list(expected.postings(name, btext).all_ids())), (name, btext)
        # And the same columns
        for column in ("facets", "card"):
            assert list(got.column_reader(column)) == list(expected.column_reader(column))


def test_sidecar_facts_equal_facts_read_from_the_columns(tmp_path):
    docs = documents(2000)
    store = IndexStore(tmp_path)
    path = store.new_index_dir()
    store.build(path, docs)
    seg_file = next(p for p in path.iterdir() if p.name.endswith(SIDECAR_EXT))
    sidecar = Sidecar(str(seg_file))
    stored = sidecar.facts()
    rows = b"".join(field_values(d)["facets"] for d in docs)
    computed = SegmentFacts.from_rows(rows, len(docs))
    assert stored.groups == computed.groups
    assert list(stored.pids) == [d.product_id for d in docs]
    for sort in (SearchSort.PRICE_ASC, SearchSort.PRICE_DESC, SearchSort.NEWEST):
        assert list(stored.order(sort)) == list(computed.order(sort))
    # Frequent terms carry their set; rare ones are read from postings
    assert sidecar.term("name", "kopi") == mask_from_ids(
        [i for i, d in enumerate(docs) if "Kopi" in d.name], len(docs))
    assert sidecar.term("description", "5") is None  # one document: read from its postings
    sidecar.close()
    assert FACETS.size == 33


def test_bitset_helpers():
    ids = [0, 3, 64, 65, 1000]
    mask = mask_from_ids(ids, 1001)
    assert ids_ascending(mask) == ids
    assert ids_descending(mask, 2) == [1000, 65]
    assert ids_descending(mask, 100) == ids[::-1]
    assert mask_from_ids(range(40), 40) == (1 << 40) - 1
    assert value_masks(["a", "b", "a"], 3) == {"a": 0b101, "b": 0b010}
    many = [str(i) for i in range(300)]
    assert value_masks(many, 300)["299"] == 1 << 299


def test_rank_equals_scoring_every_document():
    # Given random sets and weights, the branch and bound must give the brute-force order
    rng = random.Random(3)
    size = 400
    for _ in range(30):
        result = mask_from_ids([d for d in range(size) if rng.random() < 0.6], size)
        features = []
        for _ in range(rng.randrange(1, 9)):
            members = [d for d in range(size) if rng.random() < rng.random()]
            features.append((rng.choice([0.4, 1.5, 3.0, 5.0, 10.0]) * rng.random(), mask_from_ids(members, size)))
        scores = {d: sum(w for w, m in features if m >> d & 1) for d in ids_ascending(result)}
        expected = sorted(scores, key=lambda d: (-round(scores[d], 9), -d))
        for skip, count in ((0, 24), (24, 24), (0, 1), (390, 24)):
            got = rank(result, features, skip, count)
            assert [round(scores[d], 9) for d in got] == [round(scores[d], 9) for d in expected[skip:skip + count]]
            assert set(got) <= set(expected)


def test_damerau_distance():
    assert damerau("arabikka", "arabika") == 1
    assert damerau("bambo", "bambu") == 1
    assert damerau("kopi", "kpoi") == 1
    assert damerau("madu", "madu") == 0


@pytest.mark.parametrize("size", [0, 1, 50])
def test_backend_on_a_tiny_or_empty_index(tmp_path, size):
    backend = WhooshBackend(tmp_path)
    assert backend.search(SearchRequest(text="kopi")).total == 0  # no index yet
    backend.rebuild(documents(size))
    result = backend.search(SearchRequest(text=""))
    assert result.total == size
    assert len(result.product_ids) == min(size, 24)
    assert backend.search(SearchRequest(text="kopi", sort=SearchSort.PRICE_DESC, offset=10_000)).product_ids == []
