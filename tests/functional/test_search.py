"""/cari and /api/search/suggest over the small known catalogue (tests/functional/conftest.py).

Public: Kopi Arabika Ijen (45.000, halal + P-IRT), Kopi Robusta Dampit (30.000, P-IRT; its
BPOM is unverified), Keripik Tempe Sanan (15.000, out of stock), Madu Hutan Randu
(95.000, halal expired) — all Kopontren Sidogiri, Kab. Pasuruan — and Kain Ecoprint
Daun Jati (350.000, Namira Ecoprint, Kota Surabaya, UMKM). Six hidden products.
"""

from __future__ import annotations

import pytest

from opopmart.catalogue.models import ProductStatus
from opopmart.catalogue.services import change_product_status, set_producer_verified
from opopmart.seller.services import quick_update_variant, seller_move
from tests import factories as f
from tests.functional.conftest import HIDDEN_NAMES
from tests.functional.search_support import (
    build_index,
    card_name_html,
    card_names,
    did_you_mean,
    facets,
    html_of,
    result_count,
    search_backend,  # noqa: F401 - fixture
)

ALL_PUBLIC = {"Kopi Arabika Ijen", "Kopi Robusta Dampit", "Keripik Tempe Sanan", "Madu Hutan Randu",
              "Kain Ecoprint Daun Jati"}


@pytest.fixture
def indexed(app, world, search_backend):
    build_index(app)
    return world


def search(client, **params):
    return client.get("/cari", query_string=params)


def test_search_finds_public_products_with_escaped_highlighted_names(client, indexed):
    # When a shopper searches for "kopi"
    response = search(client, q="kopi")
    # Then both public coffees are found, the one that says "kopi" in more places first
    assert card_names(response) == ["Kopi Arabika Ijen", "Kopi Robusta Dampit"]
    assert result_count(response) == 2
    # And the matched word is marked
    assert card_name_html(response)[0] == "<mark>Kopi</mark> Arabika Ijen"
    # And the header box keeps what was typed
    assert 'name="q" value="kopi"' in html_of(response)


def test_markup_in_product_names_is_escaped_before_marking(app, client, session, indexed):
    # Given a product whose name holds markup
    shop = f.producer(session, "Toko Uji", region_code="35.78")
    cat = f.category(session, "Uji")
    f.product(session, shop, cat, 'Kopi <b>Tebal</b> & "Kutip" <script>x</script>')
    session.commit()
    # When it is found
    html = html_of(search(client, q="tebal kutip"))
    # Then the text is escaped and only our <mark> is markup
    assert card_name_html(search(client, q="tebal kutip")) == [
        "Kopi &lt;b&gt;<mark>Tebal</mark>&lt;/b&gt; &amp; &#34;<mark>Kutip</mark>&#34; "
        "&lt;script&gt;x&lt;/script&gt;"
    ]
    assert "<script>x" not in html and "<b>Tebal" not in html


def test_empty_query_browses_everything_newest_first(client, indexed):
    response = search(client)
    assert card_names(response) == ["Kain Ecoprint Daun Jati", "Madu Hutan Randu", "Keripik Tempe Sanan",
                                    "Kopi Robusta Dampit", "Kopi Arabika Ijen"]
    assert result_count(response) == 5
    # A query of nothing but spaces, stop words or symbols finds nothing rather than everything
    assert result_count(search(client, q="   ")) == 5
    assert result_count(search(client, q="yang dan")) == 0
    assert result_count(search(client, q="*** ::: ((( )))")) == 0


def test_hidden_products_are_never_in_results_facets_or_suggestions(client, indexed):
    # Every word of every hidden product's name, alone and together
    for name in HIDDEN_NAMES:
        for query in [name, *name.split()]:
            response = search(client, q=query)
            assert set(card_names(response)) <= ALL_PUBLIC, query
            suggested = client.get("/api/search/suggest", query_string={"q": query}).get_json()
            assert {p["name"] for p in suggested["products"]} <= ALL_PUBLIC, query
            assert suggested["producers"] in ([], [{"name": "Kopontren Sidogiri", "url": "/produsen/kopontren-sidogiri"}],
                                              [{"name": "Namira Ecoprint", "url": "/produsen/namira-ecoprint"}]), query
    # Facet counts add up to the public products only
    counts = facets(search(client))
    assert sum(counts["region"].values()) == 5
    assert counts["region"] == {"Kab. Pasuruan": 4, "Kota Surabaya": 1}  # not the hidden shop's Kab. Malang
    assert result_count(search(client, q="rahasia")) == 0
    assert client.get("/api/search/suggest?q=dapur").get_json()["producers"] == []


def test_facets_count_under_the_query_and_the_other_choices(client, indexed):
    # Given no query, every public product is counted once per group
    counts = facets(search(client))
    assert counts == {
        "category": {"Makanan & Minuman": 4, "Kopi": 2, "Camilan": 1, "Madu": 1,
                     "Fesyen & Batik": 1, "Ecoprint": 1},
        "region": {"Kab. Pasuruan": 4, "Kota Surabaya": 1},
        "cert": {"Halal": 1, "P-IRT": 2},  # the expired halal and the unverified BPOM do not count
        "price": {"Di bawah Rp 25.000": 1, "Rp 25.000 – Rp 50.000": 2, "Rp 50.000 – Rp 100.000": 1,
                  "Rp 250.000 – Rp 500.000": 1},
        "kind": {"Koperasi Pondok Pesantren": 4, "UMKM": 1},
    }
    # When the shopper picks Kota Surabaya
    response = search(client, region="35.78")
    assert card_names(response) == ["Kain Ecoprint Daun Jati"]
    counts = facets(response)
    # Then the other groups count within Surabaya, and the region group still offers Pasuruan
    assert counts["kind"] == {"UMKM": 1}
    assert counts["category"] == {"Fesyen & Batik": 1, "Ecoprint": 1}
    assert counts["region"] == {"Kab. Pasuruan": 4, "Kota Surabaya": 1}
    # When a query and two choices combine
    response = search(client, q="kopi", cert="pirt", price="25000-50000")
    assert card_names(response) == ["Kopi Arabika Ijen", "Kopi Robusta Dampit"]
    counts = facets(response)
    assert counts["cert"] == {"Halal": 1, "P-IRT": 2}
    assert counts["price"] == {"Rp 25.000 – Rp 50.000": 2}
    response = search(client, q="kopi", cert="halal")
    assert card_names(response) == ["Kopi Arabika Ijen"]
    # A category includes its subcategories
    assert result_count(search(client, category="makanan-minuman")) == 4
    assert card_names(search(client, q="kopi", category="fesyen-batik")) == []
    # Choices the shopper did not make can be removed one by one
    html = html_of(search(client, q="kopi", cert="halal", kind="kopontren"))
    assert 'href="?q=kopi&amp;kind=kopontren">Halal' in html


def test_sorting_by_price_and_newest(client, indexed):
    by_price = ["Keripik Tempe Sanan", "Kopi Robusta Dampit", "Kopi Arabika Ijen", "Madu Hutan Randu",
                "Kain Ecoprint Daun Jati"]
    assert card_names(search(client, sort="termurah")) == by_price
    assert card_names(search(client, sort="termahal")) == by_price[::-1]
    assert card_names(search(client, q="kopi", sort="termurah")) == ["Kopi Robusta Dampit", "Kopi Arabika Ijen"]
    assert card_names(search(client, q="kopi", sort="termahal")) == ["Kopi Arabika Ijen", "Kopi Robusta Dampit"]
    assert card_names(search(client, q="kopi", sort="terbaru")) == ["Kopi Robusta Dampit", "Kopi Arabika Ijen"]
    # An unknown sort is the default
    assert card_names(search(client, q="kopi", sort="acak")) == ["Kopi Arabika Ijen", "Kopi Robusta Dampit"]


def test_numbered_pages_are_bounded(app, client, session, indexed):
    # Given 30 matching products
    shop = f.producer(session, "Kebun Uji", region_code="35.10")
    cat = f.category(session, "Gula")
    for i in range(30):
        f.product(session, shop, cat, f"Gula Aren Nomor {i:02d}", prices=[10_000 + i * 100])
    session.commit()
    # When they are read cheapest first, 24 per page
    first = search(client, q="gula aren", sort="termurah")
    assert result_count(first) == 30
    assert card_names(first) == [f"Gula Aren Nomor {i:02d}" for i in range(24)]
    html = html_of(first)
    assert '<span aria-current="page">1</span>' in html
    assert 'href="?q=gula+aren&amp;sort=termurah&amp;page=2">2</a>' in html
    second = search(client, q="gula aren", sort="termurah", page=2)
    assert card_names(second) == [f"Gula Aren Nomor {i:02d}" for i in range(24, 30)]
    # Pages past the end show the last page; nonsense shows the first
    assert card_names(search(client, q="gula aren", sort="termurah", page=999_999)) == card_names(second)
    assert card_names(search(client, q="gula aren", sort="termurah", page=10**9)) == card_names(first)
    for page in ("-1", "0", "abc", "²", "1e3", ""):
        assert card_names(search(client, q="gula aren", sort="termurah", page=page)) == card_names(first), page


def test_misspelt_words_fall_back_to_the_near_word(client, indexed):
    # "arabikka" is in no product; "arabika" is one letter away
    response = search(client, q="kopi arabikka")
    assert card_names(response) == ["Kopi Arabika Ijen"]
    assert did_you_mean(response) == "kopi arabika"
    assert 'href="?q=kopi+arabika">kopi arabika</a>' in html_of(response)
    assert did_you_mean(search(client, q="madu hutam")) == "madu hutan"
    # A word found nowhere, with nothing near it, is set aside and said so
    response = search(client, q="kopi qqqzzz")
    assert card_names(response) == ["Kopi Arabika Ijen", "Kopi Robusta Dampit"]
    assert "qqqzzz" in html_of(response) and did_you_mean(response) is None
    # A correctly spelt query offers nothing
    assert did_you_mean(search(client, q="kopi arabika")) is None


def test_words_that_never_meet_fall_back_to_any_word(client, indexed):
    response = search(client, q="kopi ecoprint")
    assert set(card_names(response)) == {"Kopi Arabika Ijen", "Kopi Robusta Dampit", "Kain Ecoprint Daun Jati"}
    assert "yang tampil memuat sebagian" in html_of(response)


def test_suggest_returns_products_categories_and_producers(client, indexed):
    data = client.get("/api/search/suggest?q=kop").get_json()
    assert set(data) == {"query", "products", "categories", "producers", "search_url", "labels"}
    assert data["query"] == "kop"
    assert data["search_url"] == "/cari?q=kop"
    # Products with the word in their name first (of equals, the newer first), then the
    # producer's other products ("kop" also starts "Kopontren")
    assert [p["name"] for p in data["products"]][:2] == ["Kopi Robusta Dampit", "Kopi Arabika Ijen"]
    assert {p["name"] for p in data["products"]} <= ALL_PUBLIC
    assert data["products"][1] == {"name": "Kopi Arabika Ijen", "url": "/produk/kopi-arabika-ijen"}
    assert data["categories"] == [{"name": "Kopi", "url": "/kategori/kopi"}]
    assert data["producers"] == [{"name": "Kopontren Sidogiri", "url": "/produsen/kopontren-sidogiri"}]
    assert data["labels"] == {"products": "Produk", "categories": "Kategori", "producers": "Produsen",
                              "all": "Cari"}
    # Several words: the last is the start of a word
    data = client.get("/api/search/suggest", query_string={"q": "kopi arab"}).get_json()
    assert [p["name"] for p in data["products"]] == ["Kopi Arabika Ijen"]
    # Too short or empty: nothing, same shape
    for q in ("", "k", "   "):
        data = client.get("/api/search/suggest", query_string={"q": q}).get_json()
        assert (data["products"], data["categories"], data["producers"]) == ([], [], [])


BAD_QUERIES = ['"', "'", "*", "?", ":", "kopi:", "name:kopi", "()", "[kopi]", "{}", "AND", "OR", "NOT",
               "kopi AND madu", "kopi OR", "NOT kopi", '"kopi', "kopi*", "ko?i", "~kopi^2", "\\", "/",
               "x" * 2000, "kopi " * 500, "😀", "🔥 kopi 🔥", "\x00", "kopi\x00madu", "\u202e", "\ufeff",
               "<script>alert(1)</script>", "'; DROP TABLE products; --", "%", "%%", "+", "-", "--kopi",
               "ﾃｽﾄ", "كوبي", "咖啡", "\t\n\r"]


def test_any_text_gives_a_sane_page_and_sane_suggestions(client, indexed):
    # One index, every odd text in turn (an index per text was most of the suite's search time)
    for query in BAD_QUERIES:
        response = search(client, q=query)
        assert response.status_code == 200, query
        assert "<script>alert" not in response.get_data(as_text=True), query
        data = client.get("/api/search/suggest", query_string={"q": query}).get_json()
        assert set(data) == {"query", "products", "categories", "producers", "search_url", "labels"}, query
        assert len(data["query"]) <= 100, query


ODD_QUERY_STRINGS = [
    "q=%ff%fe%fd", "q=%e2%82", "q=%00", "q=%", "q=%zz", "q=kopi&q=madu", "page=-1", "page=abc",
    "page=1000000000", "page=99999999999999999999999", "category=tidak-ada", "region=99.99",
    "region=%00", "cert=iso", "price=1-2", "price=", "kind=pabrik", "sort=%ff", "sort=relevan",
    "q=kopi&category=kopi&region=35.14&cert=halal&price=25000-50000&kind=kopontren&sort=termurah&page=3",
]


def test_any_query_string_gives_a_sane_page(client, indexed):
    for raw in ODD_QUERY_STRINGS:
        assert client.get("/cari?" + raw).status_code == 200, raw
        assert client.get("/api/search/suggest?" + raw).status_code == 200, raw


def test_search_page_without_an_index_is_a_page(client, world, search_backend):
    # No `flask search reindex` yet: the page says nothing was found rather than failing
    response = search(client, q="kopi")
    assert response.status_code == 200
    assert card_names(response) == []
    assert client.get("/api/search/suggest?q=kopi").get_json()["products"] == []


def test_index_follows_every_change_after_commit(app, client, session, indexed):
    world = indexed
    # Archive: gone
    seller_move(session, product=world.ijen, action="archive", actor_id=None)
    session.commit()
    assert card_names(search(client, q="kopi")) == ["Kopi Robusta Dampit"]
    assert "Kopi Arabika Ijen" not in str(client.get("/api/search/suggest?q=kopi").get_json())
    # Publish: found
    draft = world.hidden["Draf Kopi Rahasia"]
    change_product_status(session, draft, ProductStatus.SUBMITTED, actor_id=None)
    change_product_status(session, draft, ProductStatus.PUBLISHED, actor_id=None)
    session.commit()
    assert card_names(search(client, q="rahasia")) == ["Draf Kopi Rahasia"]
    # Price: counted in its new bucket, sorted by it
    quick_update_variant(session, product=world.dampit, variant_id=world.dampit.variants[0].id,
                         price="600000", stock="5")
    session.commit()
    assert facets(search(client, q="kopi"))["price"] == {"Rp 50.000 – Rp 100.000": 1, "Rp 500.000 ke atas": 1}
    assert card_names(search(client, q="kopi", sort="termahal"))[0] == "Kopi Robusta Dampit"
    assert card_names(search(client, price="500000-")) == ["Kopi Robusta Dampit"]
    # Producer no longer verified: all of its products gone; verified again: back
    set_producer_verified(session, world.ijen.producer, False)
    session.commit()
    assert card_names(search(client, q="kopi")) == []
    assert facets(search(client))["region"] == {"Kota Surabaya": 1}
    set_producer_verified(session, world.ijen.producer, True)
    session.commit()
    assert set(card_names(search(client, q="kopi"))) == {"Kopi Robusta Dampit", "Draf Kopi Rahasia"}


def test_stock_out_reaches_the_index(app, client, session, indexed):
    # Given two products that match a query equally, the newer first while both are in stock
    shop = f.producer(session, "Kebun Aren", region_code="35.10")
    cat = f.category(session, "Gula")
    older = f.product(session, shop, cat, "Gula Aren Cetak", prices=[20_000])
    f.product(session, shop, cat, "Gula Aren Semut", prices=[20_000])
    session.commit()
    assert card_names(search(client, q="gula aren")) == ["Gula Aren Semut", "Gula Aren Cetak"]
    # When the newer one runs out of stock
    newer = session.get(type(older), older.id + 1)
    quick_update_variant(session, product=newer, variant_id=newer.variants[0].id, price="20000", stock="0")
    session.commit()
    # Then the one in stock ranks first
    assert card_names(search(client, q="gula aren")) == ["Gula Aren Cetak", "Gula Aren Semut"]
