"""What every backend promises beyond answering queries: a busy writer leaves changes
queued, a rebuild serves the old index until it is done, several app instances (other
workers, other machines) share one index, and the index after many small changes
answers as a fresh rebuild would.

For PostgreSQL these are the advisory lock, the rebuild's single transaction and the
tables every machine reads; for Whoosh the file locks, the directory swap and a
directory that the app instances of one machine share.
"""

from __future__ import annotations

import logging
import threading

import pytest
from sqlalchemy import select

from opopmart import create_app
from opopmart.catalogue.models import Product
from opopmart.config import ConfigError, TestConfig
from opopmart.extensions import db
from opopmart.search.backend import SearchRequest, SearchSort, backends_for, current_backend
from opopmart.search.indexer import apply_pending, queue_length, reindex
from opopmart.seller.services import quick_update_variant, seller_move
from tests.functional.search_support import (
    backend,
    build_index,
    card_names,
    did_you_mean,
    facets,
    html_of,
    search_backend,  # noqa: F401 - fixture
)


def search(client, **params):
    return client.get("/cari", query_string=params)


def other_instance(app, tmp_path, **overrides):
    """A second app on the same database, as another gunicorn worker or another
    machine would run it. Whoosh shares its index through the directory (one machine);
    PostgreSQL through the database alone, so that instance gets an empty directory of
    its own."""
    shared_dir = app.config["SEARCH_BACKEND"] == "whoosh"
    config = {
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "INSTANCE_PATH": str(tmp_path / "other-instance"),
        "MEDIA_ROOT": app.config["MEDIA_ROOT"],
        "DOCUMENT_ROOT": app.config["DOCUMENT_ROOT"],
        "SEARCH_BACKEND": app.config["SEARCH_BACKEND"],
        "SEARCH_INDEX_DIR": app.config["SEARCH_INDEX_DIR"] if shared_dir else str(tmp_path / "elsewhere"),
        "LOCALSTRIPE_URL": app.config["LOCALSTRIPE_URL"],
        **overrides,
    }
    other = create_app(TestConfig, config)
    other.test_client_class = app.test_client_class
    return other


def close(other) -> None:
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_busy_writer_leaves_the_change_queued_until_it_is_free(app, client, session, world,
                                                                   search_backend, tmp_path, caplog):
    # Given an index, and another instance holding its writer (for PostgreSQL, the
    # advisory lock; for Whoosh, the index's write lock)
    app.config["SEARCH_LOCK_TIMEOUT"] = 0.3
    build_index(app)
    other = other_instance(app, tmp_path)
    holding, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def hold_the_writer():
        try:
            with other.app_context(), current_backend(other).writer():
                holding.set()
                release.wait(30)
        except BaseException as exc:  # noqa: BLE001 - asserted below
            errors.append(exc)
            holding.set()

    holder = threading.Thread(target=hold_the_writer)
    holder.start()
    try:
        assert holding.wait(30) and errors == []
        # When a change is committed meanwhile
        seller_move(session, product=world.ijen, action="archive", actor_id=None)
        with caplog.at_level(logging.INFO, logger="opopmart.search"):
            session.commit()
        # Then the writer gave up after its timeout (IndexBusy), the change committed
        # and waits in the queue, and the product is left out of every answer
        assert "search index busy" in caplog.text
        assert "search indexing failed" not in caplog.text
        assert session.get(Product, world.ijen.id).is_listed is False
        assert queue_length() == 1
        assert card_names(search(client, q="kopi")) == ["Kopi Robusta Dampit"]
        assert apply_pending(app) == 0
        assert queue_length() == 1
    finally:
        release.set()
        holder.join()
        close(other)
    assert errors == []
    # When the writer is free again, the next one applies it
    assert apply_pending(app) == 1
    assert queue_length() == 0
    assert backend(app).search(SearchRequest(text="kopi")).product_ids == [world.dampit.id]


def test_a_rebuild_serves_the_old_index_until_it_is_done(app, client, session, world, search_backend,
                                                        tmp_path):
    # Given an index holding both coffees, and a catalogue where one was archived since
    # (the change is queued, not applied)
    app.config["SEARCH_RESULT_CACHE_SIZE"] = 0  # every answer read afresh
    app.config["SEARCH_APPLY_AFTER_COMMIT"] = False
    build_index(app)
    other = other_instance(app, tmp_path, SEARCH_RESULT_CACHE_SIZE=0)
    seller_move(session, product=world.ijen, action="archive", actor_id=None)
    session.commit()
    assert queue_length() == 1
    request = SearchRequest(text="kopi", sort=SearchSort.NEWEST)
    during: list[tuple[list[int], list[int], int]] = []

    def progress(step: int) -> None:
        # While the rebuild has read every product and written the new index, before
        # it is live: this app and another instance still read the old one
        here = backend(app).search(request).product_ids
        with other.app_context():
            there = current_backend(other).search(request)
        during.append((here, there.product_ids, there.total))

    try:
        # When the index is rebuilt
        assert reindex(app, progress=progress) == 4
        # Then searches during the rebuild were answered from the old index
        old = [world.dampit.id, world.ijen.id]
        assert during and all(d == (old, old, 2) for d in during), during
        # And from the new one once it is done, everywhere
        assert backend(app).search(request).product_ids == [world.dampit.id]
        with other.app_context():
            assert current_backend(other).search(request).product_ids == [world.dampit.id]
    finally:
        close(other)
    assert queue_length() == 0


def test_two_app_instances_share_one_index(app, client, session, world, search_backend, tmp_path):
    # Given an index built by one app, and a second app on the same database
    build_index(app)
    other = other_instance(app, tmp_path)
    other_client = other.test_client()
    try:
        # Then the second app answers from the same index
        assert card_names(search(other_client, q="kopi")) == ["Kopi Arabika Ijen", "Kopi Robusta Dampit"]
        assert [p["name"] for p in other_client.get("/api/search/suggest?q=kopi ar").get_json()["products"]] \
            == ["Kopi Arabika Ijen"]
        # When the first app applies a change, the second sees it
        seller_move(session, product=world.ijen, action="archive", actor_id=None)
        session.commit()
        assert card_names(search(other_client, q="kopi")) == ["Kopi Robusta Dampit"]
        # And when the second app applies one, the first sees it
        dampit_id = world.dampit.id  # (read here: inside the other app, this session would use its engine)
        with other.app_context():
            dampit = db.session.get(Product, dampit_id)
            quick_update_variant(db.session, product=dampit, variant_id=dampit.variants[0].id,
                                 price="600000", stock="5")
            db.session.commit()
            assert queue_length() == 0
            db.session.remove()
        assert facets(search(client, q="kopi"))["price"] == {"Rp 500.000 ke atas": 1}
        assert card_names(search(client, price="500000-")) == ["Kopi Robusta Dampit"]
    finally:
        close(other)


ANSWERS = [dict(q="kopi"), dict(q="kopi arabika"), dict(q="madu hutan"), dict(q="randi"),
           dict(q="kop", sort="termurah"), dict(q=""), dict(q="", region="35.14"),
           dict(q="ecoprint kopi"), dict(q="sanan", cert="pirt")]


def _answers(client) -> list:
    out = []
    for params in ANSWERS:
        response = search(client, **params)
        out.append((card_names(response), facets(response), did_you_mean(response)))
    for typed in ("kop", "kopi ar", "mad", "ecoprint d"):
        out.append([p["name"] for p in client.get("/api/search/suggest", query_string={"q": typed})
                    .get_json()["products"]])
    return out


def _counts(app) -> dict:
    status = backend(app).status()
    return {k: status[k] for k in ("documents", "words", "lexemes") if k in status}


def test_many_small_changes_leave_the_index_as_a_rebuild_would(app, client, session, world,
                                                               search_backend):
    # Given an index, and a word ("randi") corrected to the only product that has "randu"
    build_index(app)
    assert did_you_mean(search(client, q="randi")) == "randu"
    # When products come and go and change, one commit each
    seller_move(session, product=world.madu, action="archive", actor_id=None)
    session.commit()
    for price in ("31000", "52000", "33000"):
        quick_update_variant(session, product=world.dampit, variant_id=world.dampit.variants[0].id,
                             price=price, stock="4")
        session.commit()
    seller_move(session, product=world.kain, action="archive", actor_id=None)
    session.commit()
    quick_update_variant(session, product=world.keripik, variant_id=world.keripik.variants[0].id,
                         price="16000", stock="9")
    session.commit()
    assert queue_length() == 0
    # Then a word of a product no longer public is not offered any more
    response = search(client, q="randi")
    assert did_you_mean(response) is None
    assert "Kata yang tidak ditemukan dan diabaikan: randi" in html_of(response)
    # And every answer (results, facets, corrections, suggestions) and the index's own
    # counts are those of an index rebuilt from scratch
    incremental, counts = _answers(client), _counts(app)
    assert counts["documents"] == 3
    assert build_index(app) == 3
    assert _answers(client) == incremental
    assert _counts(app) == counts


def test_an_app_refuses_to_start_with_a_backend_its_database_cannot_carry(tmp_path):
    # SQLite cannot hold the PostgreSQL backend's index: create_app says so, not the
    # first search
    config = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'shop.db'}",
              "INSTANCE_PATH": str(tmp_path / "instance"), "SEARCH_BACKEND": "postgres"}
    with pytest.raises(ConfigError, match="SEARCH_BACKEND=postgres keeps the search index in a "
                                          "postgresql database, but DATABASE_URL names a sqlite one"):
        create_app(TestConfig, config)
    with pytest.raises(ConfigError, match="SEARCH_BACKEND must be one of whoosh, postgres, got 'solr'"):
        create_app(TestConfig, {**config, "SEARCH_BACKEND": "solr"})
    assert backends_for("sqlite:///x.db") == ("whoosh",)
    assert backends_for("postgresql+psycopg://u@h/db") == ("whoosh", "postgres")


def test_listed_products_and_indexed_documents_agree(app, session, world, search_backend):
    build_index(app)
    listed = sorted(session.scalars(select(Product.id).where(Product.is_listed.is_(True))))
    result = backend(app).search(SearchRequest(limit=100, with_facets=False))
    assert sorted(result.product_ids) == listed and result.total == 5
