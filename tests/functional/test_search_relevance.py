"""Relevance over the demo catalogue (391 products, 48 producers, 38 kabupaten/kota).

Expectations name listed products only: the demo also has hidden ones (drafts, an
unverified shop, Pisang Agung Senduro's lapsed certificates), which must never show.

Each query lists products that must be among the first results a shopper sees on /cari:
Indonesian morphology, several words, brands, producer and pesantren names, kabupaten/kota
and misspellings. The demo is loaded once for the module (drawing its photos is most of
the time), then indexed with `flask search reindex`.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from opopmart import create_app
from opopmart.catalogue.models import Product
from opopmart.config import TestConfig
from opopmart.demo.loader import load_demo
from opopmart.extensions import db
from opopmart.search.indexer import reindex
from tests.conftest import FreshContextClient
from tests.functional.search_support import SEARCH_BACKENDS, card_names, did_you_mean, html_of

# (query, within the first n, names that must be there — or a text every one of the
# first n names starts with)
CASES = [
    # Morphology: one root, many words
    ("pengrajin", 5, {"Topi Anyaman Pandan", "Kotak Tisu Kayu Jati"}),
    ("kerajinan", 5, {"Topi Anyaman Pandan", "Kotak Tisu Kayu Jati"}),
    ("rajin", 5, {"Topi Anyaman Pandan", "Kotak Tisu Kayu Jati"}),
    ("kerajinan bambu", 5, {"Lampu Hias Bambu Gintangan", "Keranjang Bambu Serbaguna", "Tudung Saji Bambu"}),
    ("kerajinan kayu jati", 5, {"Kotak Tisu Kayu Jati", "Rehal Al-Qur'an Kayu Jati", "Talenan Kayu Jati Bojonegoro"}),
    ("dianyam", 5, {"Topi Anyaman Pandan", "Keranjang Anyaman Rotan"}),
    ("menganyam pandan", 3, {"Topi Anyaman Pandan", "Tas Anyaman Pandan Mojokerto"}),
    ("perawatan kulit", 5, {"Lulur Mandi Bengkoang Madura", "Masker Wajah Bengkoang"}),
    # Several words
    ("kopi arabika ijen", 5, {"Kopi Arabika Ijen Raung", "Kopi Arabika Kalibendo Ijen"}),
    ("madu hutan sumbawa", 5, {"Madu Hutan Argopuro", "Madu Hutan Arjuno", "Madu Hutan Paciran"}),
    ("batik tulis madura", 3, {"Batik Tulis Madura Gentongan"}),
    ("keripik tempe sanan", 2, {"Keripik Tempe Sanan Original", "Keripik Tempe Sanan Pedas Daun Jeruk"}),
    ("sambal pecel blitar", 3, {"Sambal Pecel Blitar", "Sambal Pecel Blitar Super Pedas",
                                "Sambal Pecel Blitar Pedas Sedang"}),
    ("jahe merah instan", 5, "Jahe Merah Instan"),
    ("sarung tenun gresik", 3, {"Sarung Tenun Gresik Motif Kotak", "Sarung Tenun Ikat Gresik Motif Wajik",
                                "Sarung Tenun Ikat Gresik Motif Songket"}),
    ("topeng malangan", 3, "Topeng Malangan"),
    ("susu kambing etawa", 2, "Susu Kambing Etawa Bubuk"),
    ("beras merah organik", 5, "Beras Merah Organik"),
    ("kopi drip bag", 4, "Kopi Drip Bag"),
    ("minyak kayu putih", 5, "Minyak Kayu Putih"),
    # Brands
    ("nurja kopi", 4, {"Kopi Arabika Argopuro", "Kopi Robusta Argopuro"}),
    ("gajah oling", 3, {"Batik Tulis Gajah Oling Banyuwangi"}),
    ("tempe mas sanan", 2, {"Keripik Tempe Sanan Original", "Keripik Tempe Sanan Pedas Daun Jeruk"}),
    ("dampit roastery", 2, {"Kopi Drip Bag Dampit", "Kopi Drip Bag Dampit Blend Santri"}),
    ("etawa kunir", 2, {"Susu Etawa Bubuk Rasa Cokelat", "Susu Kambing Etawa Bubuk Blitar"}),
    # Producers and pesantren
    ("sidogiri", 5, {"Madu Randu Sidogiri", "Kopi Robusta Sidogiri"}),
    ("tebuireng", 5, {"Kopi Robusta Tebuireng", "Peci Hitam Beludru Tebuireng"}),
    ("namira ecoprint", 5, {"Kain Ecoprint Daun Jati", "Hijab Ecoprint Voal Daun Jati"}),
    ("pondok pesantren nurul jadid", 5, {"Kopi Arabika Argopuro", "Madu Hutan Argopuro"}),
    ("kopontren al-fatah temboro", 5, {"Madu Randu Temboro", "Minyak Kayu Putih Temboro"}),
    # Kabupaten/kota
    ("ponorogo", 5, {"Madu Hutan Gontor", "Minyak Kayu Putih Gontor"}),
    ("banyuwangi", 5, {"Kopi Arabika Banyuwangi", "Batik Tulis Banyuwangi Motif Kawung"}),
    ("kediri", 6, {"Stik Tahu Kuning Kediri", "Rengginang Kediri"}),  # not ke+diri
    ("kota batu", 5, {"Keripik Apel Batu", "Sari Apel Instan Batu"}),
    ("pacitan", 5, {"Cengkeh Kering Pacitan", "Jahe Merah Kering Pacitan"}),
    ("kopi situbondo", 2, {"Kopi Robusta Situbondo", "Kopi Robusta Situbondo Giling Halus"}),
    ("brem madiun", 2, {"Brem Madiun Rasa Durian", "Brem Madiun Kaliabu Original"}),
    # Misspellings
    ("kopi arabikka", 5, {"Kopi Arabika Ijen Raung", "Kopi Arabika Argopuro"}),
    ("bambo", 5, {"Keranjang Bambu Serbaguna", "Tudung Saji Bambu", "Lampu Hias Bambu Gintangan"}),
    ("kripik tempe", 5, {"Keripik Tempe Sanan Original", "Keripik Tempe Trenggalek Original"}),
    ("sambel pecel", 5, {"Sambal Pecel Blitar", "Sambal Pecel Madiun"}),
    ("batk tulis madura", 3, {"Batik Tulis Madura Gentongan"}),
    ("madu huttan", 5, {"Madu Hutan Argopuro", "Madu Hutan Arjuno"}),
    ("gontr", 5, {"Madu Hutan Gontor", "Minyak Kayu Putih Gontor"}),
    # Other languages of the same shelf
    ("coffee", 5, "Kopi"),
    ("wingko babat", 1, {"Wingko Babat Lamongan"}),
]

CORRECTIONS = {
    "kopi arabikka": "kopi arabika",
    "bambo": "bambu",
    "kripik tempe": "keripik tempe",
    "sambel pecel": "sambal pecel",
    "batk tulis madura": "batik tulis madura",
    "madu huttan": "madu hutan",
    "gontr": "gontor",
}


# The demo is loaded once per run: every test of this module goes to one xdist worker
# (`--dist loadgroup`), and each backend indexes the same database.
pytestmark = pytest.mark.xdist_group("demo-catalogue")


@pytest.fixture(scope="module")
def demo_database(databases, tmp_path_factory):
    root = tmp_path_factory.mktemp("search-demo")
    url = databases.new(root)
    app = create_app(TestConfig, _settings(url, root, SEARCH_BACKENDS[0]))
    with app.app_context():
        load_demo(db.session, media_root=app.config["MEDIA_ROOT"],
                  picture_cache=app.config["DEMO_PICTURE_CACHE"])
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    yield url, root
    databases.drop(url)


def _settings(url, root, backend: str) -> dict:
    return {
        "SQLALCHEMY_DATABASE_URI": url,
        "INSTANCE_PATH": str(root / "instance"),
        "MEDIA_ROOT": str(root / "media"),
        "DOCUMENT_ROOT": str(root / "documents"),
        "SEARCH_INDEX_DIR": str(root / "search"),
        "SEARCH_BACKEND": backend,
    }


@pytest.fixture(scope="module", params=SEARCH_BACKENDS)
def demo_app(request, demo_database):
    url, root = demo_database
    app = create_app(TestConfig, _settings(url, root, request.param))
    app.test_client_class = FreshContextClient
    with app.app_context():
        reindex(app)
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def demo_client(demo_app):
    return demo_app.test_client()


def test_the_relevance_set_is_large_enough():
    kinds = {"morphology": 8, "words": 12, "brands": 5, "producers": 5, "places": 7, "typos": 7}
    assert len(CASES) >= 30 and sum(kinds.values()) <= len(CASES)


@pytest.mark.parametrize(("query", "top", "expected"), CASES, ids=[c[0] for c in CASES])
def test_expected_products_come_first(demo_client, query, top, expected):
    response = demo_client.get("/cari", query_string={"q": query})
    names = card_names(response)[:top]
    if isinstance(expected, str):
        assert len(names) == top and all(n.startswith(expected) for n in names), names
    else:
        assert expected <= set(names), names


@pytest.mark.parametrize(("typed", "meant"), sorted(CORRECTIONS.items()))
def test_misspellings_offer_the_correction(demo_client, typed, meant):
    response = demo_client.get("/cari", query_string={"q": typed})
    assert did_you_mean(response) == meant


def test_words_found_nowhere_are_set_aside(demo_client):
    html = html_of(demo_client.get("/cari", query_string={"q": "madu hutan sumbawa"}))
    assert "Kata yang tidak ditemukan dan diabaikan: sumbawa" in html


def test_only_public_products_are_ever_found(demo_app, demo_client):
    with demo_app.app_context():
        hidden = set(db.session.scalars(select(Product.name).where(Product.is_listed.is_(False))))
        listed = set(db.session.scalars(select(Product.name).where(Product.is_listed.is_(True))))
    only_hidden = hidden - listed
    assert only_hidden  # the demo has products nobody may see
    for name in sorted(only_hidden):
        assert not set(card_names(demo_client.get("/cari", query_string={"q": name}))) & only_hidden, name
