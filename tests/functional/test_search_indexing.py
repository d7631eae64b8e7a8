"""How the index follows the catalogue: the queue, failures, rebuilds, concurrent writers."""

from __future__ import annotations

import logging
import multiprocessing
import threading

import pytest
from sqlalchemy import select

from opopmart.catalogue.models import Product
from opopmart.config import TestConfig
from opopmart.extensions import db
from opopmart.search.backend import SearchRequest, SearchSort
from opopmart.search.cli import drain_command, reindex_command, status_command
from opopmart.search.indexer import apply_pending, queue_length
from opopmart.search.models import SearchQueueEntry
from opopmart.seller.services import quick_update_variant, seller_move
from tests import factories as f
from tests.functional.search_support import (
    backend,
    broken_index_writes,
    build_index,
    card_names,
    facets,
    search_backend,  # noqa: F401 - fixture
)


@pytest.fixture
def indexed(app, world, search_backend):
    build_index(app)
    return world


def search(client, **params):
    return client.get("/cari", query_string=params)


def test_every_refresh_queues_its_products_and_the_commit_applies_them(app, client, session, indexed):
    # Given an applied queue
    assert queue_length() == 0
    # When a change is flushed but not committed, it waits in the queue
    seller_move(session, product=indexed.ijen, action="archive", actor_id=None)
    assert session.scalars(select(SearchQueueEntry.product_id)).all() == [indexed.ijen.id]
    # (others still read the committed catalogue, where it is public)
    assert card_names(search(client, q="arabika")) == ["Kopi Arabika Ijen"]
    # When it is committed, the index has it and the queue is empty
    session.commit()
    assert queue_length() == 0
    assert card_names(search(client, q="kopi")) == ["Kopi Robusta Dampit"]


def test_failed_indexing_never_fails_the_change_and_is_retried(app, client, session, indexed, caplog):
    world = indexed
    with broken_index_writes(app) as broken:
        # When the index cannot be written, the change still commits
        seller_move(session, product=world.ijen, action="archive", actor_id=None)
        with caplog.at_level(logging.ERROR, logger="opopmart.search"):
            session.commit()
        assert "search indexing failed" in caplog.text
        assert session.get(Product, world.ijen.id).is_listed is False
        # And it stays queued; until applied, the product is left out of every answer
        assert queue_length() == 1
        assert card_names(search(client, q="kopi")) == ["Kopi Robusta Dampit"]
        assert facets(search(client))["region"] == {"Kab. Pasuruan": 3, "Kota Surabaya": 1}
        names = {p["name"] for p in client.get("/api/search/suggest?q=kopi").get_json()["products"]}
        assert "Kopi Arabika Ijen" not in names
        # A second change while still broken joins the queue
        quick_update_variant(session, product=world.kain, variant_id=world.kain.variants[0].id,
                             price="20000", stock="3")
        session.commit()
        assert queue_length() == 2
        assert card_names(search(client, q="ecoprint")) == []
        # When the index can be written again, the next commit applies everything queued
        broken.repair()
        quick_update_variant(session, product=world.dampit, variant_id=world.dampit.variants[0].id,
                             price="31000", stock="3")
        session.commit()
    assert queue_length() == 0
    assert card_names(search(client, q="kopi")) == ["Kopi Robusta Dampit"]
    assert card_names(search(client, q="ecoprint", price="0-25000")) == ["Kain Ecoprint Daun Jati"]


def test_drain_applies_what_failed(app, client, session, indexed):
    runner = app.test_cli_runner()
    with broken_index_writes(app) as broken:
        seller_move(session, product=indexed.madu, action="archive", actor_id=None)
        session.commit()
        result = runner.invoke(drain_command, [])
        assert result.exit_code == 1
        assert "0 queued change(s) applied; 1 left." in result.output
        broken.repair()
        result = runner.invoke(drain_command, [])
    assert result.exit_code == 0, result.output
    assert "1 queued change(s) applied; 0 left." in result.output
    assert card_names(search(client, q="madu")) == []


def test_changes_during_a_rebuild_wait_in_the_queue(app, client, session, indexed):
    # While a rebuild holds the index (as `flask search reindex` does while it builds)
    with backend(app).exclusive():
        seller_move(session, product=indexed.ijen, action="archive", actor_id=None)
        session.commit()  # the writer is refused at once; the change is queued
        assert queue_length() == 1
        assert card_names(search(client, q="kopi")) == ["Kopi Robusta Dampit"]
    # Then, once it is over, the next writer applies it
    assert apply_pending(app) == 1
    assert queue_length() == 0
    assert card_names(search(client, q="kopi")) == ["Kopi Robusta Dampit"]


def test_rebuild_swaps_in_a_new_index_while_searches_keep_working(app, client, session, indexed):
    store = backend(app).store if app.config["SEARCH_BACKEND"] == "whoosh" else None
    before = store.current_dir() if store else None
    old_view = backend(app).view() if store else None
    errors: list[BaseException] = []
    answers: list[list[int]] = []
    stop = threading.Event()
    expected = sorted([indexed.ijen.id, indexed.dampit.id])

    def searcher():
        with app.app_context():
            n = 0
            while not stop.is_set():
                try:
                    words = ["kopi", "kopi robusta arabika", "kopi sidogiri", "kopi pasuruan"][n % 4]
                    result = backend(app).search(SearchRequest(text=words, sort=SearchSort.NEWEST))
                    answers.append(sorted(set(result.product_ids) & set(expected)))
                except BaseException as exc:  # noqa: BLE001 - collected and asserted below
                    errors.append(exc)
                n += 1

    threads = [threading.Thread(target=searcher) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        assert build_index(app) == 5
        if store:
            # A view opened before the swap still answers from its open files, though
            # the directory they were in is gone
            from opopmart.search import engine

            assert not before.exists()
            assert engine.search(old_view, SearchRequest(text="ecoprint")).total == 1
        for _ in range(2):
            assert build_index(app) == 5
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert errors == []
    assert len(answers) > 10
    assert [a for a in answers if a != expected] == []
    assert card_names(search(client, q="kopi")) == ["Kopi Arabika Ijen", "Kopi Robusta Dampit"]
    if store:
        # One new directory is live, the old ones are gone
        assert [p.name for p in store.root.iterdir() if p.name.startswith("index-")] == [store.current_dir().name]


def _reprice(config: dict, product_ids: list[int], rounds: int) -> None:
    """In a separate process: reprice products, one commit each (as sellers would)."""
    import os

    from opopmart import create_app

    code = 0
    try:
        app = create_app(TestConfig, config)
        with app.app_context():
            _reprice_rounds(product_ids, rounds)
            db.session.remove()
            db.engine.dispose()
    except BaseException:  # noqa: BLE001
        import traceback

        traceback.print_exc()
        code = 1
    os._exit(code)


def _price(product_id: int, round_: int, rounds: int, order: dict[int, int]) -> int:
    # Every round but the last prices the products in the reverse of their final order, and
    # higher: a product whose last update was dropped would sort after every other one.
    i = order[product_id]
    return 10_000 + i * 1_000 if round_ == rounds - 1 else 200_000 - i * 1_000 - round_


def _reprice_rounds(product_ids: list[int], rounds: int) -> None:
    session = db.session
    all_ids = sorted(session.scalars(select(Product.id).where(Product.name.like("Gula Aren %"))))
    order = {pid: i for i, pid in enumerate(all_ids)}
    for round_ in range(rounds):
        for pid in product_ids:
            product = session.get(Product, pid)
            quick_update_variant(session, product=product, variant_id=product.variants[0].id,
                                 price=str(_price(pid, round_, rounds, order)), stock="5")
            session.commit()


@pytest.fixture
def gula(app, session, indexed):
    shop = f.producer(session, "Kebun Gula", region_code="35.10")
    cat = f.category(session, "Gula")
    ids = [f.product(session, shop, cat, f"Gula Aren {i:02d}", prices=[50_000]).id for i in range(12)]
    session.commit()
    return ids


def _assert_index_has_the_last_prices(client, gula):
    assert queue_length() == 0
    assert card_names(search(client, q="gula aren", sort="termurah")) == [f"Gula Aren {i:02d}" for i in range(12)]
    assert facets(search(client, q="gula aren"))["price"] == {"Di bawah Rp 25.000": 12}


def test_concurrent_writers_in_threads_lose_no_update(app, client, gula, caplog):
    errors: list[BaseException] = []

    def worker(ids):
        try:
            with app.app_context():
                _reprice_rounds(ids, rounds=4)
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - asserted below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(gula[i::4],)) for i in range(4)]
    with caplog.at_level(logging.INFO, logger="opopmart.search"):
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []
    assert "LockError" not in caplog.text and "failed" not in caplog.text
    _assert_index_has_the_last_prices(client, gula)


def test_concurrent_writers_in_processes_lose_no_update(app, client, gula):
    config = {key: app.config[key] for key in (
        "SQLALCHEMY_DATABASE_URI", "MEDIA_ROOT", "DOCUMENT_ROOT", "SEARCH_INDEX_DIR", "SEARCH_BACKEND")}
    config["INSTANCE_PATH"] = app.instance_path
    db.session.remove()
    db.engine.dispose()
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_reprice, args=(config, gula[i::3], 3)) for i in range(3)]
    for p in processes:
        p.start()
    for p in processes:
        p.join(timeout=240)
    assert [p.exitcode for p in processes] == [0, 0, 0]
    _assert_index_has_the_last_prices(client, gula)


def test_cli_reindex_if_missing_status_and_drain(app, session, world, search_backend):
    runner = app.test_cli_runner()
    result = runner.invoke(status_command, [])
    assert "index: missing" in result.output and "queued changes: " in result.output
    result = runner.invoke(reindex_command, ["--if-missing"])
    assert result.exit_code == 0, result.output
    assert "Search index rebuilt: 5 products" in result.output
    result = runner.invoke(reindex_command, ["--if-missing"])
    assert result.output.strip() == "Search index present; not rebuilt."
    result = runner.invoke(status_command, [])
    assert "documents: 5" in result.output
    assert "queued changes: 0" in result.output
    result = runner.invoke(drain_command, [])
    assert result.output.strip() == "0 queued change(s) applied; 0 left."
