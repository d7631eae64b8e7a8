"""The storefront in a real browser, at phone and desktop width.

Each test builds its own catalogue (its own database), commits, then browses it.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from opopmart.catalogue.models import ProducerKind, ProductStatus, WholesaleTier
from opopmart.catalogue.services import refresh_products
from tests import factories

GREEN = "rgb(13, 92, 70)"  # --green in static/css/app.css


def assert_no_sideways_scroll(page):
    """The page fits the screen it was opened on.

    A mobile browser zooms a too-wide page out instead of scrolling it, which widens
    window.innerWidth too; so the device width is the yardstick, not innerWidth alone.
    """
    device = page.viewport_size["width"]
    widths = page.evaluate(
        "({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
    )
    assert widths["inner"] == device, (
        f"the page was zoomed out to {widths['inner']} px on a {device} px screen"
    )
    assert widths["scroll"] <= device, (
        f"the page is {widths['scroll']} px wide on a {device} px screen"
    )


def category_tree(session):
    food = factories.category(session, "Makanan & Minuman", name_en="Food & Drink")
    coffee = factories.category(session, "Kopi", parent=food, name_en="Coffee")
    crafts = factories.category(session, "Kerajinan", name_en="Crafts")
    batik = factories.category(session, "Batik", parent=crafts)
    return {"food": food, "coffee": coffee, "crafts": crafts, "batik": batik}


def coffee_with_sizes(session, producer, category):
    """Three sizes; only the 1 kg bag has a wholesale tier, the 500 g bag is sold out."""
    item = factories.product(
        session, producer, category, "Kopi Arabika Ijen",
        prices=[45_000, 85_000, 160_000], option1_name="Ukuran",
        options=["250 g", "500 g", "1 kg"],
        description="Kopi arabika dari lereng Ijen.\n\nDisangrai di pesantren.",
    )
    small, medium, large = item.variants
    small.stock, small.weight_grams = 10, 250
    medium.stock, medium.weight_grams = 0, 500
    large.stock, large.weight_grams = 7, 1_000
    large.wholesale_tiers.append(WholesaleTier(min_qty=10, unit_price=150_000))
    session.flush()
    refresh_products(session, product_ids=[item.id])
    return item


class TestVariantPicker:
    def test_choosing_a_variant_updates_the_buy_box_without_a_reload(self, page, session):
        # Given a published coffee in three sizes
        cats = category_tree(session)
        maker = factories.producer(session, "Koperasi Pondok Nurul Huda")
        item = coffee_with_sizes(session, maker, cats["coffee"])
        small, medium, large = (v.id for v in item.variants)
        slug = item.slug
        session.commit()

        # When the shopper opens the product page, the first size is shown
        page.goto(f"/produk/{slug}")
        expect(page.locator("h1")).to_have_text("Kopi Arabika Ijen")
        expect(page.locator("[data-price]")).to_have_text("Rp 45.000")
        expect(page.locator("[data-weight]")).to_have_text("250 g")
        expect(page.locator("[data-stock]")).to_have_text("Tersedia 10")
        expect(page.locator("[data-tiers]")).to_be_hidden()
        page.evaluate("window.__marker = 'same-document'")

        # ... and clicks "1 kg"
        page.get_by_role("link", name="1 kg", exact=True).click()

        # Then the buy box shows the 1 kg bag, its wholesale tier and a shareable URL
        expect(page.locator("[data-price]")).to_have_text("Rp 160.000")
        expect(page.locator("[data-weight]")).to_have_text("1.000 g")
        expect(page.locator("[data-stock]")).to_have_text("Tersedia 7")
        expect(page.locator("[data-stock] .badge-out")).to_have_count(0)
        expect(page.locator("[data-sku]")).to_have_text(f"SKU-{item.id}-2")
        tiers = page.locator("[data-tiers]")
        expect(tiers).to_be_visible()
        expect(tiers.locator("tbody tr")).to_have_count(1)
        expect(tiers.locator("tbody tr").first.locator("td")).to_have_text(["≥ 10", "Rp 150.000"])
        expect(page).to_have_url(re.compile(rf"/produk/{re.escape(slug)}\?variant={large}$"))
        chosen = page.locator(f'[data-variant="{large}"]')
        expect(chosen).to_have_class(re.compile(r"\bselected\b"))
        expect(chosen).to_have_attribute("aria-current", "true")
        expect(page.locator(".variant.selected")).to_have_count(1)
        expect(page.locator(f'[data-variant="{small}"]')).not_to_have_attribute("aria-current", "true")
        assert page.evaluate("window.__marker") == "same-document"

        # When the shopper clicks the sold-out "500 g"
        page.get_by_role("link", name="500 g", exact=True).click()

        # Then the stock reads "Stok habis" as a badge and the tier table disappears
        expect(page.locator("[data-price]")).to_have_text("Rp 85.000")
        expect(page.locator("[data-weight]")).to_have_text("500 g")
        badge = page.locator("[data-stock] .badge.badge-out")
        expect(badge).to_have_text("Stok habis")
        expect(badge).to_be_visible()
        expect(tiers).to_be_hidden()
        expect(page).to_have_url(re.compile(rf"\?variant={medium}$"))
        assert page.evaluate("window.__marker") == "same-document"

    def test_variant_in_the_url_is_selected_on_load(self, page, session):
        # Given the same coffee
        cats = category_tree(session)
        maker = factories.producer(session, "Pesantren Sidogiri")
        item = coffee_with_sizes(session, maker, cats["coffee"])
        large = item.variants[2].id
        slug = item.slug
        session.commit()

        # When the shared link ?variant=<1 kg> is opened
        page.goto(f"/produk/{slug}?variant={large}")

        # Then the server renders the same state the script would show
        expect(page.locator("[data-price]")).to_have_text("Rp 160.000")
        expect(page.locator("[data-weight]")).to_have_text("1.000 g")
        expect(page.locator("[data-stock]")).to_have_text("Tersedia 7")
        expect(page.locator("[data-tiers] tbody tr td")).to_have_text(["≥ 10", "Rp 150.000"])
        expect(page.locator(f'[data-variant="{large}"]')).to_have_attribute("aria-current", "true")


def catalogue_of_four(session):
    """Four single-variant products; the cheapest is the oldest, so "terbaru" puts it last."""
    cats = category_tree(session)
    maker = factories.producer(session, "Pesantren Darul Ulum", region_code="35.07")
    other = factories.producer(session, "UMKM Batik Tulis Sumenep", region_code="35.29")
    specs = [
        ("Keripik Tempe Pedas", 15_000, maker, cats["food"]),
        ("Kopi Robusta Dampit", 35_000, maker, cats["coffee"]),
        ("Madu Hutan Randu", 95_000, maker, cats["food"]),
        ("Batik Tulis Sumenep", 350_000, other, cats["batik"]),
    ]
    return [factories.product(session, who, cat, name, prices=[price])
            for name, price, who, cat in specs]


class TestCatalogue:
    def test_layout_folds_filters_on_phones_and_shows_them_beside_the_grid_on_desktop(
        self, page, viewport, session
    ):
        # Given four listed products
        catalogue_of_four(session)
        session.commit()

        # When the shopper opens the catalogue
        page.goto("/katalog")
        cards = page.locator(".results .grid > .card")
        expect(cards).to_have_count(4)
        details = page.locator(".filters details")
        first, second, third = (cards.nth(i).bounding_box() for i in range(3))

        if viewport == "phone":
            # Then the filters are folded and the grid has two columns
            assert details.evaluate("d => d.open") is False
            expect(page.locator("#f-region")).to_be_hidden()
            assert first["y"] == second["y"]
            assert first["x"] < second["x"]
            assert third["y"] > first["y"] + first["height"] - 1
            assert third["x"] == first["x"]
        else:
            # Then the filters are open, left of the grid, and the grid has more columns
            assert details.evaluate("d => d.open") is True
            expect(page.locator("#f-region")).to_be_visible()
            panel = page.locator(".filters").bounding_box()
            grid = page.locator(".results .grid").bounding_box()
            assert panel["x"] + panel["width"] <= grid["x"]
            assert panel["y"] < grid["y"] + grid["height"] and grid["y"] < panel["y"] + panel["height"]
            assert first["y"] == second["y"] == third["y"]
            assert first["x"] < second["x"] < third["x"]
        # ... and in both cases nothing sticks out sideways
        assert_no_sideways_scroll(page)

    def test_choosing_a_sort_order_submits_and_puts_the_cheapest_first(self, page, session):
        # Given four listed products, newest first by default
        catalogue_of_four(session)
        session.commit()
        page.goto("/katalog")
        names = page.locator(".results .card-name")
        expect(names.first).to_have_text("Batik Tulis Sumenep")

        # When the shopper picks "Harga terendah" (no submit button: the select submits)
        page.locator("#f-sort").select_option("termurah")

        # Then the page reloads sorted by price, cheapest first
        expect(page).to_have_url(re.compile(r"/katalog\?(?:.*&)?sort=termurah(?:&|$)"))
        expect(names).to_have_text(
            ["Keripik Tempe Pedas", "Kopi Robusta Dampit", "Madu Hutan Randu", "Batik Tulis Sumenep"]
        )
        expect(page.locator(".results .card-price").first).to_have_text("Rp 15.000")
        expect(page.locator("#f-sort")).to_have_value("termurah")


class TestHome:
    def test_home_fits_the_screen_and_counts_curated_products(self, page, session):
        # Given three published products and one draft, from a cooperative with the
        # kind of long name the programme is full of
        cats = category_tree(session)
        maker = factories.producer(
            session, "Koperasi Pondok Pesantren Nurul Jadid", kind=ProducerKind.KOPONTREN,
            region_code="35.13",  # Kab. Probolinggo
        )
        for name in ("Sarung Tenun Lirboyo", "Kecap Santri", "Teh Rosella"):
            factories.product(session, maker, cats["food"], name)
        factories.product(session, maker, cats["food"], "Sambal Draf", status=ProductStatus.DRAFT)
        session.commit()

        # When the shopper opens the home page
        page.goto("/")

        # Then the figure counts only published products
        figure = page.locator(".figures > div").filter(
            has=page.locator("dt", has_text="Produk terkurasi")
        ).locator("dd")
        expect(figure).to_have_text("3")
        expect(page.locator(".grid .card")).to_have_count(3)
        # ... and nothing scrolls sideways
        assert_no_sideways_scroll(page)


class TestAssets:
    def test_every_request_stays_on_the_site(self, page, live_server, app, session):
        # Given a product with a photo
        cats = category_tree(session)
        maker = factories.producer(session, "Koperasi Pondok Tebuireng")
        item = coffee_with_sizes(session, maker, cats["coffee"])
        factories.image(session, item, app.config["MEDIA_ROOT"])
        slug = item.slug
        session.commit()
        requested, failed = [], []
        page.on("request", lambda request: requested.append(request.url))
        page.on("requestfailed", lambda request: failed.append(request.url))

        # When the shopper browses home, catalogue and product page, each until the network
        # is quiet (lazy images are in, and leaving a page aborts nothing still loading)
        page.goto("/", wait_until="networkidle")
        page.goto("/katalog", wait_until="networkidle")
        page.goto(f"/produk/{slug}", wait_until="networkidle")

        # Then every request went to the live server, nothing to a CDN, and none failed
        origin = live_server + "/"
        assert requested
        assert [url for url in requested if not url.startswith(origin)] == []
        assert failed == []
        paths = {url[len(live_server):].split("?")[0] for url in requested}
        assert {"/static/css/app.css", "/static/js/app.js", "/static/js/product.js"} <= paths
        assert any(p.startswith("/media/") for p in paths)


class TestErrors:
    def test_missing_product_gets_the_site_styled_404(self, page, live_server):
        # When the shopper opens a product that does not exist
        response = page.goto("/produk/tidak-ada")

        # Then the 404 page keeps the site header and style
        assert response is not None and response.status == 404
        brand = page.locator("header.site-header a.brand")
        expect(brand).to_be_visible()
        expect(brand).to_have_attribute("href", "/")
        expect(page.locator("h1")).to_have_text("Halaman tidak ditemukan")
        expect(page.locator(".site-header")).to_have_css("background-color", GREEN)
        assert page.url == f"{live_server}/produk/tidak-ada"
