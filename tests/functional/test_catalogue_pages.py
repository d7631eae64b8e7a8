"""Public pages: what a shopper sees, filtered, sorted and paged."""

from __future__ import annotations

import re
from html import unescape

import pytest

from opopmart.catalogue.models import ProductStatus, ProductVariant
from opopmart.catalogue.services import change_product_status, set_producer_verified
from tests import factories as f
from tests.functional.conftest import HIDDEN_NAMES

CARD_NAME = re.compile(r'<span class="card-name">([^<]*)</span>')
NEXT = re.compile(r'<a rel="next" href="([^"]+)"')
PREV = re.compile(r'<a rel="prev" href="([^"]+)"')


def card_names(response) -> list[str]:
    return [unescape(n) for n in CARD_NAME.findall(response.get_data(as_text=True))]


def result_count(response) -> str:
    match = re.search(r'data-testid="result-count">([^<·]*)', response.get_data(as_text=True))
    assert match, "result count missing"
    return match.group(1).strip()


def test_home_shows_programme_figures_of_public_catalogue_only(client, world):
    # Given five listed products from two verified producers in two kabupaten/kota
    # When a shopper opens the home page
    html = client.get("/").get_data(as_text=True)
    # Then the figures count only what the public may see
    figures = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", html))
    assert figures == {
        "Produk terkurasi": "5",
        "Produsen": "2",
        "Kabupaten/kota": "2",
        "Koperasi pondok pesantren": "1",
    }
    assert "Makanan &amp; Minuman" in html
    assert "Kopontren Sidogiri" in html and "Namira Ecoprint" in html
    assert "Dapur Belum Terverifikasi" not in html


def test_catalogue_lists_every_public_product_newest_first(client, world):
    response = client.get("/katalog")
    assert response.status_code == 200
    assert card_names(response) == [
        "Kain Ecoprint Daun Jati",
        "Madu Hutan Randu",
        "Keripik Tempe Sanan",
        "Kopi Robusta Dampit",
        "Kopi Arabika Ijen",
    ]
    assert result_count(response) == "5 produk"


def test_card_shows_price_range_producer_region_and_stock_state(client, world):
    html = client.get("/katalog").get_data(as_text=True)
    assert "Rp 45.000<small> – Rp 85.000</small>" in html
    assert "Kopontren Sidogiri · Kab. Pasuruan" in html
    assert "Namira Ecoprint · Kota Surabaya" in html
    assert html.count("Stok habis") == 1  # Keripik Tempe Sanan


@pytest.mark.parametrize(
    "query, expected",
    [
        ("category=makanan-minuman", ["Madu Hutan Randu", "Keripik Tempe Sanan",
                                      "Kopi Robusta Dampit", "Kopi Arabika Ijen"]),
        ("category=kopi", ["Kopi Robusta Dampit", "Kopi Arabika Ijen"]),
        ("region=35.78", ["Kain Ecoprint Daun Jati"]),
        ("kind=kopontren", ["Madu Hutan Randu", "Keripik Tempe Sanan",
                            "Kopi Robusta Dampit", "Kopi Arabika Ijen"]),
        ("kind=pesantren", []),
        # The expired halal certificate of the honey does not count.
        ("cert=halal", ["Kopi Arabika Ijen"]),
        ("cert=pirt", ["Kopi Robusta Dampit", "Kopi Arabika Ijen"]),
        # An unverified BPOM registration does not count either.
        ("cert=bpom", []),
        # Ranges overlap the product's variant prices (Ijen sells at 45.000–85.000).
        ("price_min=80000&price_max=100000", ["Madu Hutan Randu", "Kopi Arabika Ijen"]),
        ("price_min=100.000", ["Kain Ecoprint Daun Jati"]),
        ("price_max=Rp 20.000", ["Keripik Tempe Sanan"]),
        # Filters combine.
        ("category=kopi&price_max=40000", ["Kopi Robusta Dampit"]),
        ("category=makanan-minuman&cert=pirt&price_min=40000", ["Kopi Arabika Ijen"]),
        ("region=35.14&category=ecoprint", []),
    ],
)
def test_filters_combine(client, world, query, expected):
    response = client.get(f"/katalog?{query}")
    assert response.status_code == 200
    assert card_names(response) == expected
    assert result_count(response) == f"{len(expected)} produk"


def test_category_page_includes_subcategories_and_breadcrumbs(client, world):
    response = client.get("/kategori/makanan-minuman?sort=termurah")
    assert card_names(response) == [
        "Keripik Tempe Sanan", "Kopi Robusta Dampit", "Kopi Arabika Ijen", "Madu Hutan Randu",
    ]
    html = response.get_data(as_text=True)
    assert '<a href="/kategori/kopi">Kopi <small>(2)</small></a>' in html


@pytest.mark.parametrize(
    "sort, expected",
    [
        ("termurah", ["Keripik Tempe Sanan", "Kopi Robusta Dampit", "Kopi Arabika Ijen",
                      "Madu Hutan Randu", "Kain Ecoprint Daun Jati"]),
        ("termahal", ["Kain Ecoprint Daun Jati", "Madu Hutan Randu", "Kopi Arabika Ijen",
                      "Kopi Robusta Dampit", "Keripik Tempe Sanan"]),
        ("nama", ["Kain Ecoprint Daun Jati", "Keripik Tempe Sanan", "Kopi Arabika Ijen",
                  "Kopi Robusta Dampit", "Madu Hutan Randu"]),
    ],
)
def test_sorting(client, world, sort, expected):
    assert card_names(client.get(f"/katalog?sort={sort}")) == expected


@pytest.mark.parametrize("sort", ["terbaru", "termurah", "termahal", "nama"])
def test_cursor_pages_walk_forward_and_back_without_gaps(app, client, world, sort):
    # Given two products per page
    app.config["CATALOGUE_PAGE_SIZE"] = 2
    everything = card_names(client.get(f"/katalog?sort={sort}&price_max=10000000"))
    app.config["CATALOGUE_PAGE_SIZE"] = 2
    # When the shopper follows "next" to the end
    seen, pages, url = [], [], f"/katalog?sort={sort}"
    while True:
        response = client.get(url)
        names = card_names(response)
        pages.append((url, names))
        seen.extend(names)
        html = response.get_data(as_text=True)
        found = NEXT.search(html)
        if not found:
            break
        url = "/katalog" + unescape(found.group(1))
    # Then every product appears once, in order, over three pages
    assert len(pages) == 3
    assert [len(names) for _, names in pages] == [2, 2, 1]
    assert "Halaman 3 dari 3" in html
    app.config["CATALOGUE_PAGE_SIZE"] = 5
    assert seen == card_names(client.get(f"/katalog?sort={sort}"))
    app.config["CATALOGUE_PAGE_SIZE"] = 2
    # And "previous" from the last page gives the middle page back
    back = "/katalog" + unescape(PREV.search(html).group(1))
    back_response = client.get(back)
    assert card_names(back_response) == pages[1][1]
    assert "Halaman 2 dari 3" in back_response.get_data(as_text=True)
    assert everything  # the unpaged query listed something at all


def test_page_number_without_cursor_matches_cursor_walk(app, client, world):
    app.config["CATALOGUE_PAGE_SIZE"] = 2
    first = client.get("/katalog").get_data(as_text=True)
    via_cursor = card_names(client.get("/katalog" + unescape(NEXT.search(first).group(1))))
    assert card_names(client.get("/katalog?page=2")) == via_cursor
    assert card_names(client.get("/katalog?page=3")) == ["Kopi Arabika Ijen"]
    # Past the end: an empty page that says so, not an error
    response = client.get("/katalog?page=9")
    assert response.status_code == 200
    assert card_names(response) == []
    assert "Tidak ada produk yang cocok" in response.get_data(as_text=True)


def test_product_page_shows_what_a_buyer_needs(client, world):
    response = client.get("/produk/kopi-arabika-ijen")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1>Kopi Arabika Ijen</h1>" in html
    assert '<p class="price" data-price>Rp 45.000</p>' in html
    assert "Rentang harga: Rp 45.000 – Rp 85.000" in html
    assert "Merek: <b>Santri Roastery</b>" in html and "IDM000123456" in html
    assert "<tr><td>≥ 10</td><td>Rp 42.000</td></tr>" in html
    assert "<tr><td>≥ 50</td><td>Rp 40.000</td></tr>" in html
    assert "Tersedia 10" in html
    assert "250 g" in html and "500 g" in html
    assert '<span class="cert-number">ID35110000123450224</span>' in html
    assert "Berlaku s.d. 1 Maret 2029" in html
    assert '<span class="cert-number">2063514010123-28</span>' in html
    assert "Skema: reguler" in html
    assert '<a class="producer-card" href="/produsen/kopontren-sidogiri">' in html
    assert "Pondok Pesantren Sidogiri" in html
    assert "<p>Kopi arabika dari lereng Ijen.</p><p>Disangrai medium.</p>" in html
    # Related: the same category, public only, not itself
    assert card_names(response) == ["Kopi Robusta Dampit"]


def test_product_page_variant_parameter_selects_variant(client, world):
    second = world.ijen.variants[1]
    html = client.get(f"/produk/kopi-arabika-ijen?variant={second.id}").get_data(as_text=True)
    assert '<p class="price" data-price>Rp 85.000</p>' in html
    # Another product's variant id falls back to the first variant
    other = world.kain.variants[0]
    html = client.get(f"/produk/kopi-arabika-ijen?variant={other.id}").get_data(as_text=True)
    assert '<p class="price" data-price>Rp 45.000</p>' in html


def test_expired_and_unverified_certificates(client, world):
    madu = client.get("/produk/madu-hutan-randu").get_data(as_text=True)
    assert "Kedaluwarsa sejak 31 Januari 2025" in madu
    dampit = client.get("/produk/kopi-robusta-dampit").get_data(as_text=True)
    assert "MD 224510001234" not in dampit


def test_producer_page_lists_its_public_products(client, world):
    response = client.get("/produsen/kopontren-sidogiri")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Koperasi Pondok Pesantren · Pondok Pesantren Sidogiri" in html
    assert "Kab. Pasuruan" in html
    assert "4 produk" in html
    assert sorted(card_names(response)) == [
        "Keripik Tempe Sanan", "Kopi Arabika Ijen", "Kopi Robusta Dampit", "Madu Hutan Randu",
    ]
    assert "ID35110000123450224" in html


@pytest.mark.parametrize("url", ["/", "/katalog", "/kategori/makanan-minuman", "/kategori/kopi",
                                 "/produsen/kopontren-sidogiri", "/produsen/namira-ecoprint",
                                 "/produk/kopi-arabika-ijen", "/katalog?sort=nama"])
def test_hidden_products_never_appear(client, world, url):
    html = client.get(url).get_data(as_text=True)
    for name in HIDDEN_NAMES:
        assert name not in html


@pytest.mark.parametrize("name", HIDDEN_NAMES)
def test_hidden_product_pages_are_404(client, world, name):
    product = world.hidden[name]
    assert client.get(f"/produk/{product.slug}").status_code == 404


def test_unverified_producer_page_is_404(client, world):
    assert client.get("/produsen/dapur-belum-terverifikasi").status_code == 404


def test_publishing_and_unverifying_show_at_once(client, session, world):
    # Given a product waiting for curation
    waiting = world.hidden["Kopi Menunggu Kurasi"]
    assert result_count(client.get("/katalog")) == "5 produk"
    # When a curator publishes it
    change_product_status(session, waiting, ProductStatus.PUBLISHED, actor_id=None)
    session.commit()
    # Then counts, lists and its page follow at once
    assert result_count(client.get("/katalog")) == "6 produk"
    assert "Kopi Menunggu Kurasi" in card_names(client.get("/katalog"))
    assert client.get(f"/produk/{waiting.slug}").status_code == 200
    # When its producer loses verification, all its products leave the catalogue
    set_producer_verified(session, waiting.producer, False)
    session.commit()
    assert card_names(client.get("/katalog")) == ["Kain Ecoprint Daun Jati"]
    assert client.get(f"/produk/{waiting.slug}").status_code == 404
    assert client.get("/produsen/kopontren-sidogiri").status_code == 404


def test_media_route_serves_only_stored_names(app, client, session, world):
    image = f.image(session, world.kain, app.config["MEDIA_ROOT"])
    session.commit()
    with client.get(f"/media/{image.key}_sm.jpg") as response:
        assert response.status_code == 200
        assert response.mimetype == "image/jpeg"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.data[:3] == b"\xff\xd8\xff"
    assert f'src="/media/{image.key}_sm.jpg"' in client.get("/katalog").get_data(as_text=True)
    for bad in ["..%2Fsecret_key", "x.html", f"{image.key}.svg", "0" * 32 + ".jpg"]:
        assert client.get(f"/media/{bad}").status_code == 404


def test_cached_product_page_follows_stock_moved_by_orders(client, session, world):
    # Given the product page was served (and cached) with 10 in stock
    assert "Tersedia 10" in client.get("/produk/kopi-robusta-dampit").get_data(as_text=True)
    # When an order takes 3 units with a plain stock update (no catalogue version bump)
    variant = world.dampit.variants[0]
    session.execute(
        ProductVariant.__table__.update().where(ProductVariant.id == variant.id)
        .values(stock=ProductVariant.stock - 3)
    )
    session.commit()
    # Then the next visitor sees the stock as it is
    assert "Tersedia 7" in client.get("/produk/kopi-robusta-dampit").get_data(as_text=True)


def test_cached_pages_are_per_language(client, world):
    assert "Semua produk" in client.get("/katalog").get_data(as_text=True)
    english = client.get("/katalog", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Semua produk" not in english
    assert '<html lang="en">' in english
