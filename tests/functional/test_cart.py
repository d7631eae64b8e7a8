"""The shopping cart: add, change, remove; tiers, minimum order and stock; who may touch
which line; the anonymous cart joining the account at login; the header badge on cached
pages; bad input answered with a message, never a 500."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from opopmart.accounts import services as accounts
from opopmart.cart import services
from opopmart.cart.models import Cart, CartLine
from opopmart.catalogue.models import Product, ProductStatus, ProductVariant
from opopmart.catalogue.services import refresh_products
from opopmart.core.timeutil import today_jakarta
from opopmart.extensions import db
from tests import factories as f
from tests.conftest import snapshot_world

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
FLASH = re.compile(r'<li class="flash flash-(\w+)">([^<]*)</li>')
PASSWORD = "kopi-ijen-pagi"


@dataclass
class Shop:
    kopi: Product  # two variants: 250 g Rp 25.000, 500 g Rp 48.000; from 10 units Rp 22.000
    gula: Product  # minimum order 5
    kain: Product  # another producer, 2 in stock
    keripik: Product  # out of stock
    draft: Product
    unverified: Product
    lapsed: Product
    sambal: Product  # its second variant is inactive

    def vid(self, product: Product, index: int = 0) -> int:
        return product.variants[index].id


def build_shop(app, session) -> Shop:
    food = f.category(session, "Makanan & Minuman")
    kopi_cat = f.category(session, "Kopi", parent=food)
    kain_cat = f.category(session, "Ecoprint")
    sidogiri = f.producer(session, "Kopontren Sidogiri", region_code="35.14")
    namira = f.producer(session, "Namira Ecoprint", region_code="35.78")
    hidden = f.producer(session, "Dapur Belum Terverifikasi", region_code="35.07", verified=False)
    kopi = f.product(session, sidogiri, kopi_cat, "Kopi Arabika Ijen", prices=[25_000, 48_000],
                     option1_name="Berat", options=["250 g", "500 g"], tiers=[(10, 22_000)], stock=30)
    gula = f.product(session, sidogiri, food, "Gula Aren Sidogiri", prices=[12_000], stock=40)
    gula.variants[0].min_order_qty = 5
    kain = f.product(session, namira, kain_cat, "Kain Ecoprint Daun Jati", prices=[350_000], stock=2)
    keripik = f.product(session, sidogiri, food, "Keripik Tempe Sanan", prices=[15_000], stock=0)
    draft = f.product(session, sidogiri, food, "Draf Sambal", status=ProductStatus.DRAFT)
    unverified = f.product(session, hidden, food, "Sambal Belum Terverifikasi")
    lapsed = f.product(session, sidogiri, food, "Madu Hutan Randu", prices=[95_000])
    sambal = f.product(session, sidogiri, food, "Sambal Bawang", prices=[20_000, 22_000],
                       option1_name="Rasa", options=["Original", "Pedas"])
    sambal.variants[1].is_active = False
    session.flush()
    refresh_products(session, product_ids=[gula.id, sambal.id])
    # Its certificate ran out yesterday; the daily check has not unlisted it yet.
    session.execute(update(Product).where(Product.id == lapsed.id)
                    .values(lapses_on=today_jakarta() - timedelta(days=1)))
    session.commit()
    return Shop(kopi, gula, kain, keripik, draft, unverified, lapsed, sambal)


shop = snapshot_world(build_shop)


# -- helpers ------------------------------------------------------------------------

def token_from(client, path: str) -> str:
    match = CSRF.search(client.get(path).get_data(as_text=True))
    assert match, f"no csrf field on {path}"
    return match.group(1)


def csrf(client) -> str:
    """The visitor's token, as the cached product page's form gets it (a slot)."""
    return token_from(client, "/produk/kain-ecoprint-daun-jati")


def add(client, variant_id, quantity, *, follow=False, json=False, **extra):
    data = {"csrf_token": csrf(client), "variant_id": str(variant_id), "quantity": str(quantity), **extra}
    headers = {"Accept": "application/json"} if json else {}
    return client.post("/keranjang/tambah", data=data, headers=headers, follow_redirects=follow)


def change(client, line_id, quantity, *, follow=False, json=False):
    headers = {"Accept": "application/json"} if json else {}
    return client.post(f"/keranjang/{line_id}/ubah", headers=headers, follow_redirects=follow,
                       data={"csrf_token": csrf(client), "quantity": str(quantity)})


def remove(client, line_id, *, follow=False):
    return client.post(f"/keranjang/{line_id}/hapus", data={"csrf_token": csrf(client)},
                       follow_redirects=follow)


def flashes(response) -> list[tuple[str, str]]:
    return [(kind, unescape(text)) for kind, text in FLASH.findall(response.get_data(as_text=True))]


def lines(session) -> list[tuple[int, int, int]]:
    """(cart id, variant id, quantity) of every cart line, in order."""
    session.expire_all()
    return [tuple(r) for r in session.execute(
        select(CartLine.cart_id, CartLine.variant_id, CartLine.quantity).order_by(CartLine.id))]


def count(session, model) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def line_ids(session) -> list[int]:
    session.expire_all()
    return list(session.scalars(select(CartLine.id).order_by(CartLine.id)))


def cart_page(client) -> str:
    return client.get("/keranjang").get_data(as_text=True)


def rendered_lines(html: str) -> list[dict[str, str]]:
    """Each line of the cart page: name, variant, unit price, tier badge, total, problem."""
    found = []
    for block in re.findall(r'<li class="cart-line[^"]*"(.*?)</li>\s*(?=<li class="cart-line|</ul>)', html, re.S):
        def grab(pattern):
            match = re.search(pattern, block, re.S)
            return unescape(match.group(1)).strip() if match else None
        found.append({
            "name": grab(r'class="cart-line-name"[^>]*>([^<]*)<'),
            "variant": grab(r'</a>\s*<span class="muted">([^<]*)</span>'),
            "unit": grab(r'data-testid="unit-price">([^<]*)<'),
            "tier": grab(r'<span class="badge badge-verified">([^<]*)</span>'),
            "total": grab(r'data-testid="line-total">([^<]*)<'),
            "problem": grab(r'data-testid="line-problem">([^<]*)<'),
            "quantity": grab(r'name="quantity"[^>]*value="([^"]*)"'),
        })
    return found


def groups(html: str) -> list[tuple[str, str, str]]:
    """(producer, kabupaten/kota, subtotal) of each producer section, in order."""
    return [(unescape(name), unescape(region), unescape(subtotal)) for name, region, subtotal in re.findall(
        r'<h2 id="producer-\d+">([^<]*)</h2>\s*<span class="muted">([^<]*)</span>.*?'
        r'data-testid="group-subtotal">([^<]*)<', html, re.S)]


def total(html: str) -> str:
    return unescape(re.search(r'data-testid="cart-total">([^<]*)<', html).group(1))


def badge(html: str) -> str | None:
    match = re.search(r'data-testid="cart-count">([^<]*)<', html)
    return match.group(1) if match else None


def make_user(session, email="siti@contoh.id"):
    user = accounts.register_user(session, name="Siti Aminah", email=email, phone="081234567890",
                                  password=PASSWORD)
    session.commit()
    return user


def login(client, email="siti@contoh.id"):
    response = client.post("/masuk", data={"csrf_token": token_from(client, "/masuk"),
                                           "email": email, "password": PASSWORD})
    assert response.status_code == 302
    return response


# -- adding, pricing, grouping --------------------------------------------------------

def test_anonymous_visitor_adds_from_two_producers_and_sees_them_grouped(client, session, shop):
    # Given an anonymous visitor on two product pages
    # When they add one 250 g coffee and one ecoprint cloth
    first = add(client, shop.vid(shop.kopi), 1, next="/produk/kopi-arabika-ijen")
    second = add(client, shop.vid(shop.kain), 1)
    # Then they go back to the product page, and to the cart when no page is named
    assert (first.status_code, first.headers["Location"]) == (303, "/produk/kopi-arabika-ijen")
    assert (second.status_code, second.headers["Location"]) == (303, "/keranjang")
    # And the cart shows one section per producer, with its kabupaten/kota and subtotal
    html = cart_page(client)
    assert groups(html) == [("Kopontren Sidogiri", "Kab. Pasuruan", "Rp 25.000"),
                            ("Namira Ecoprint", "Kota Surabaya", "Rp 350.000")]
    assert rendered_lines(html) == [
        {"name": "Kopi Arabika Ijen", "variant": "250 g", "unit": "Rp 25.000 / unit", "tier": None,
         "total": "Rp 25.000", "problem": None, "quantity": "1"},
        {"name": "Kain Ecoprint Daun Jati", "variant": None, "unit": "Rp 350.000 / unit", "tier": None,
         "total": "Rp 350.000", "problem": None, "quantity": "1"},
    ]
    assert total(html) == "Rp 375.000"
    assert "Total belanja (2 barang)" in html
    # And one anonymous cart holds both lines, keyed by the token's hash only
    cart = session.scalars(select(Cart)).one()
    assert cart.user_id is None and len(cart.token_hash) == 64
    assert lines(session) == [(cart.id, shop.vid(shop.kopi), 1), (cart.id, shop.vid(shop.kain), 1)]


def test_wholesale_tier_applies_by_quantity(client, session, shop):
    # Given one 250 g coffee in the cart at the normal price
    add(client, shop.vid(shop.kopi), 1)
    assert rendered_lines(cart_page(client))[0] | {"name": None} == {
        "name": None, "variant": "250 g", "unit": "Rp 25.000 / unit", "tier": None,
        "total": "Rp 25.000", "problem": None, "quantity": "1"}
    assert "Beli 10 atau lebih: Rp 22.000 / unit" in cart_page(client)
    # When the quantity becomes 10
    response = change(client, line_ids(session)[0], 10)
    assert (response.status_code, response.headers["Location"]) == (303, "/keranjang")
    # Then the tier price applies to every unit, and the page says which tier
    html = cart_page(client)
    assert rendered_lines(html)[0] | {"name": None} == {
        "name": None, "variant": "250 g", "unit": "Rp 22.000 / unit", "tier": "Harga grosir ≥ 10",
        "total": "Rp 220.000", "problem": None, "quantity": "10"}
    assert '<s class="muted">Rp 25.000</s>' in html
    assert total(html) == "Rp 220.000"


def test_adding_to_an_existing_line_sums_the_quantities(client, session, shop):
    add(client, shop.vid(shop.kopi), 4)
    add(client, shop.vid(shop.kopi), 6)
    assert [q for _, _, q in lines(session)] == [10]
    assert rendered_lines(cart_page(client))[0]["total"] == "Rp 220.000"


def test_posted_price_fields_are_ignored(client, session, shop):
    # When the form is posted with made-up prices
    add(client, shop.vid(shop.kopi), 2, price="1", unit_price="1", line_total="2", total="2")
    # Then the database prices win
    html = cart_page(client)
    assert rendered_lines(html)[0]["unit"] == "Rp 25.000 / unit"
    assert total(html) == "Rp 50.000"


def test_the_other_variant_is_its_own_line(client, session, shop):
    add(client, shop.vid(shop.kopi, 0), 1)
    add(client, shop.vid(shop.kopi, 1), 1)
    found = rendered_lines(cart_page(client))
    assert [(x["variant"], x["unit"]) for x in found] == [("250 g", "Rp 25.000 / unit"),
                                                         ("500 g", "Rp 48.000 / unit")]


# -- bounds: minimum order and stock --------------------------------------------------

def test_below_the_minimum_order_is_refused_and_writes_nothing(client, session, shop):
    # When 3 units of a product sold from 5 are added
    response = add(client, shop.vid(shop.gula), 3, follow=True)
    # Then the visitor is told the minimum, and no cart was even made
    assert flashes(response) == [("error", "Minimal pembelian 5.")]
    assert (count(session, Cart), lines(session)) == (0, [])
    # And 5 units go in
    add(client, shop.vid(shop.gula), 5)
    assert [q for _, _, q in lines(session)] == [5]


def test_lowering_below_the_minimum_is_refused_next_to_the_field(client, session, shop):
    add(client, shop.vid(shop.gula), 5)
    line_id = line_ids(session)[0]
    response = change(client, line_id, 4)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'<p class="field-error" id="qty-{line_id}-error" role="alert">Minimal pembelian 5.</p>' in html
    assert f'id="qty-{line_id}" name="quantity"' in html and 'value="4" aria-invalid="true"' in html
    assert [q for _, _, q in lines(session)] == [5]


def test_adding_beyond_the_stock_is_lowered_to_the_stock_with_a_message(client, session, shop):
    # Given 1 of the 2 cloths in the cart
    add(client, shop.vid(shop.kain), 1)
    # When 5 more are added
    response = add(client, shop.vid(shop.kain), 5, follow=True)
    # Then the line holds the 2 in stock, and the visitor is told why
    assert flashes(response) == [
        ("success", "Produk masuk keranjang."),
        ("info", "Stok tersisa 2, jumlah di keranjang disesuaikan menjadi 2."),
    ]
    assert [q for _, _, q in lines(session)] == [2]


def test_changing_beyond_the_stock_is_lowered_to_the_stock(client, session, shop):
    add(client, shop.vid(shop.kain), 1)
    response = change(client, line_ids(session)[0], 9, follow=True)
    assert flashes(response) == [("info", "Stok tersisa 2, jumlah di keranjang disesuaikan menjadi 2.")]
    assert [q for _, _, q in lines(session)] == [2]


def test_out_of_stock_variant_is_refused(client, session, shop):
    response = add(client, shop.vid(shop.keripik), 1, follow=True)
    assert flashes(response) == [("error", "Stok habis.")]
    assert (count(session, Cart), lines(session)) == (0, [])


@pytest.mark.parametrize("which", ["draft", "unverified", "lapsed", "inactive", "unknown"])
def test_variants_not_for_sale_are_refused(client, session, shop, which):
    variant_id = {
        "draft": shop.vid(shop.draft), "unverified": shop.vid(shop.unverified),
        "lapsed": shop.vid(shop.lapsed), "inactive": shop.vid(shop.sambal, 1), "unknown": 987654,
    }[which]
    response = add(client, variant_id, 1, follow=True)
    assert flashes(response) == [("error", "Produk ini sedang tidak dijual.")]
    assert (count(session, Cart), lines(session)) == (0, [])
    json = add(client, variant_id, 1, json=True)
    assert (json.status_code, json.get_json()) == (
        400, {"ok": False, "errors": {"variant_id": ["Produk ini sedang tidak dijual."]}})


def test_a_line_that_stops_selling_shows_its_problem_and_blocks_checkout(client, session, shop):
    # Given a coffee in the cart
    add(client, shop.vid(shop.kopi), 2)
    assert 'data-testid="checkout-link"' in cart_page(client)
    # When its producer is suspended
    from opopmart.catalogue.services import set_producer_verified

    set_producer_verified(session, shop.kopi.producer, False)
    session.commit()
    # Then the line says so and the way to checkout is closed until it is removed
    html = cart_page(client)
    assert rendered_lines(html)[0]["problem"] == "Produk ini sedang tidak dijual."
    assert 'data-testid="checkout-link"' not in html
    assert "Perbaiki dulu barang yang ditandai merah." in html
    # And it may still be removed
    remove(client, line_ids(session)[0])
    assert lines(session) == []


# -- changing and removing; someone else's line ---------------------------------------

def test_change_and_remove_a_line(client, session, shop):
    add(client, shop.vid(shop.kopi), 1)
    add(client, shop.vid(shop.kain), 1)
    kopi_line, kain_line = line_ids(session)
    response = change(client, kopi_line, 3, follow=True)
    assert flashes(response) == [("success", "Jumlah diperbarui.")]
    assert [q for _, _, q in lines(session)] == [3, 1]
    response = remove(client, kain_line, follow=True)
    assert flashes(response) == [("success", "Produk dihapus dari keranjang.")]
    assert [v for _, v, _ in lines(session)] == [shop.vid(shop.kopi)]
    remove(client, kopi_line)
    assert 'data-testid="cart-empty"' in cart_page(client)


def test_another_carts_line_is_404_and_changes_nothing(app, session, shop):
    # Given Siti's line and Ahmad's own cart
    siti, ahmad = app.test_client(), app.test_client()
    add(siti, shop.vid(shop.kopi), 2)
    add(ahmad, shop.vid(shop.kain), 1)
    siti_line = line_ids(session)[0]
    before = lines(session)
    # When Ahmad posts to Siti's line, or to lines that do not exist
    for line_id in [siti_line, 999_999, 99_999_999_999_999]:
        assert change(ahmad, line_id, 5).status_code == 404
        assert remove(ahmad, line_id).status_code == 404
    # And a visitor with no cart at all tries too
    stranger = app.test_client()
    assert change(stranger, siti_line, 5).status_code == 404
    assert remove(stranger, siti_line).status_code == 404
    # Then nothing changed
    assert lines(session) == before
    assert count(session, Cart) == 2


# -- bad input --------------------------------------------------------------------------

@pytest.mark.parametrize("quantity, message", [
    ("", "Isi jumlah yang ingin dibeli."),
    ("abc", "Jumlah harus berupa angka bulat, misalnya 2."),
    ("1.5", "Jumlah harus berupa angka bulat, misalnya 2."),
    ("2e3", "Jumlah harus berupa angka bulat, misalnya 2."),
    ("０", "Jumlah harus berupa angka bulat, misalnya 2."),  # a full-width digit
    ("-1", "Jumlah minimal 1."),
    ("0", "Jumlah minimal 1."),
    ("100001", "Jumlah terlalu besar (paling banyak 100.000)."),
    ("1000000000", "Jumlah terlalu besar (paling banyak 100.000)."),
    ("9" * 400, "Jumlah terlalu besar (paling banyak 100.000)."),
])
def test_bad_quantities_get_a_clear_message(client, session, shop, quantity, message):
    response = add(client, shop.vid(shop.kopi), quantity, follow=True)
    assert response.status_code == 200
    assert flashes(response) == [("error", message)]
    json = add(client, shop.vid(shop.kopi), quantity, json=True)
    assert (json.status_code, json.get_json()) == (400, {"ok": False, "errors": {"quantity": [message]}})
    assert (count(session, Cart), lines(session)) == (0, [])
    # The same words when a line is changed, next to its field
    add(client, shop.vid(shop.kain), 1)
    line_id = line_ids(session)[0]
    page = change(client, line_id, quantity)
    assert page.status_code == 200
    assert f'id="qty-{line_id}-error" role="alert">{message}</p>' in unescape(page.get_data(as_text=True))
    json = change(client, line_id, quantity, json=True)
    assert (json.status_code, json.get_json()) == (400, {"ok": False, "errors": {"quantity": [message]}})
    assert [q for _, _, q in lines(session)] == [1]


@pytest.mark.parametrize("variant_id, message", [
    ("", "Pilih varian produk."),
    ("kopi", "Produk ini sedang tidak dijual."),
    ("-3", "Produk ini sedang tidak dijual."),
    ("0", "Produk ini sedang tidak dijual."),
    ("99999999999", "Produk ini sedang tidak dijual."),
    ("9" * 400, "Produk ini sedang tidak dijual."),
])
def test_bad_variant_ids_get_a_clear_message(client, session, shop, variant_id, message):
    response = add(client, variant_id, 1, follow=True)
    assert response.status_code == 200
    assert flashes(response) == [("error", message)]
    assert (count(session, Cart), lines(session)) == (0, [])


def test_missing_fields_and_foreign_next_are_handled(client, session, shop):
    # No fields at all: a message, not a 500
    response = client.post("/keranjang/tambah", data={"csrf_token": csrf(client)}, follow_redirects=True)
    assert flashes(response) == [("error", "Pilih varian produk.")]
    # A "next" off this site is not followed
    response = add(client, shop.vid(shop.kopi), 1, next="https://contoh.example/phish")
    assert response.headers["Location"] == "/keranjang"


def test_posts_without_csrf_token_are_refused(client, session, shop):
    add(client, shop.vid(shop.kopi), 1)
    line_id = line_ids(session)[0]
    assert client.post("/keranjang/tambah", data={"variant_id": str(shop.vid(shop.kain)),
                                                  "quantity": "1"}).status_code == 400
    assert client.post(f"/keranjang/{line_id}/ubah", data={"quantity": "3"}).status_code == 400
    assert client.post(f"/keranjang/{line_id}/hapus").status_code == 400
    assert [q for _, _, q in lines(session)] == [1]


def test_json_add_answers_with_the_line_and_the_count(client, session, shop):
    response = add(client, shop.vid(shop.kain), 5, json=True)
    line_id = line_ids(session)[0]
    assert (response.status_code, response.get_json()) == (200, {
        "ok": True, "line_id": line_id, "quantity": 2, "count": 1,
        "message": "Produk masuk keranjang.",
        "notice": "Stok tersisa 2, jumlah di keranjang disesuaikan menjadi 2.",
    })


# -- the product page's form on a cached page -----------------------------------------

def test_product_page_form_offers_active_variants_from_the_minimum_order(client, session, shop):
    # Given a product with an inactive variant and one whose first variant ran out
    html = client.get("/produk/sambal-bawang").get_data(as_text=True)
    assert 'action="/keranjang/tambah"' in html
    assert '<input type="hidden" name="variant_id" value="%d">' % shop.vid(shop.sambal) in html
    assert "Pedas" not in html  # inactive: neither offered nor shown
    gula = client.get("/produk/gula-aren-sidogiri").get_data(as_text=True)
    assert 'name="quantity" type="number" inputmode="numeric" min="1" step="1" value="5"' in gula
    session.execute(update(ProductVariant).where(ProductVariant.id == shop.vid(shop.kopi))
                    .values(stock=0))
    session.commit()
    kopi = client.get("/produk/kopi-arabika-ijen").get_data(as_text=True)
    options = re.findall(r'<option value="(\d+)"([^>]*)>([^<]*)</option>', kopi)
    assert options == [
        (str(shop.vid(shop.kopi, 0)), " disabled", "250 g · Rp 25.000 · Stok habis"),
        (str(shop.vid(shop.kopi, 1)), " selected", "500 g · Rp 48.000"),
    ]
    keripik = client.get("/produk/keripik-tempe-sanan").get_data(as_text=True)
    assert '<button type="submit" disabled>Stok habis</button>' in keripik


def test_cached_product_page_gives_each_visitor_their_own_token_and_count(app, session, shop):
    # Given Siti has added a coffee (her count is 1)
    siti, ahmad = app.test_client(), app.test_client()
    add(siti, shop.vid(shop.kopi), 1)
    # When she and then Ahmad open the same (cached) product page
    page_siti = siti.get("/produk/kain-ecoprint-daun-jati")
    page_ahmad = ahmad.get("/produk/kain-ecoprint-daun-jati")
    # Then each sees their own count and gets their own CSRF token
    assert badge(page_siti.get_data(as_text=True)) == "1"
    assert badge(page_ahmad.get_data(as_text=True)) is None
    token_siti = CSRF.search(page_siti.get_data(as_text=True)).group(1)
    token_ahmad = CSRF.search(page_ahmad.get_data(as_text=True)).group(1)
    assert token_siti != token_ahmad
    assert page_ahmad.headers["Cache-Control"] == "private, no-cache"
    assert "Cookie" in page_ahmad.headers["Vary"]
    # And Ahmad's form works with the token his copy of the page carried
    response = ahmad.post("/keranjang/tambah", data={
        "csrf_token": token_ahmad, "variant_id": str(shop.vid(shop.kain)), "quantity": "1"})
    assert response.status_code == 303
    assert badge(ahmad.get("/produk/kain-ecoprint-daun-jati").get_data(as_text=True)) == "1"
    assert badge(siti.get("/produk/kain-ecoprint-daun-jati").get_data(as_text=True)) == "1"
    # And the cached page itself holds the markers, no count and no token
    cached = [html for key, html in app.extensions["opopmart.catalogue_cache"].pages.data.items()
              if key[0].startswith("/produk/kain-ecoprint-daun-jati")]
    assert len(cached) == 1
    assert "<!--slot:cart-->" in cached[0] and "<!--slot:csrf-->" in cached[0]
    assert "cart-count" not in cached[0] and "csrf_token" not in cached[0]


def test_header_badge_counts_lines_on_every_page(client, session, shop):
    assert badge(client.get("/").get_data(as_text=True)) is None
    assert 'data-testid="cart-link" aria-label="Keranjang"' in client.get("/").get_data(as_text=True)
    add(client, shop.vid(shop.kopi), 3)
    add(client, shop.vid(shop.kain), 1)
    for path in ["/", "/katalog", "/produk/kopi-arabika-ijen", "/keranjang"]:
        html = client.get(path).get_data(as_text=True)
        assert badge(html) == "2", path
        assert 'aria-label="Keranjang, 2 barang"' in html


def test_cart_page_is_never_cached(app, client, session, shop):
    assert 'data-testid="cart-empty"' in cart_page(client)
    add(client, shop.vid(shop.kopi), 1)
    response = client.get("/keranjang")
    assert response.headers["Cache-Control"] == "no-store"
    assert len(rendered_lines(response.get_data(as_text=True))) == 1
    keys = [key[0] for key in app.extensions["opopmart.catalogue_cache"].pages.data]
    assert not any(key.startswith("/keranjang") for key in keys)
    # Another visitor's cart page is their own
    assert 'data-testid="cart-empty"' in cart_page(app.test_client())


def test_checkout_button_links_to_checkout(app, client, session, shop):
    add(client, shop.vid(shop.kopi), 1)
    html = cart_page(client)
    with app.test_request_context():
        from opopmart.cart.views import checkout_url

        expected = checkout_url()
    assert f'<a class="button" href="{expected}" data-testid="checkout-link">Lanjut ke pembayaran</a>' in html


# -- login merges the anonymous cart ----------------------------------------------------

def test_login_merges_the_anonymous_cart_summing_and_clamping(app, session, shop):
    # Given Siti's account cart: 1 cloth and 5 sugar
    siti = make_user(session)
    own = services.get_or_create_cart(session, user_id=siti.id)
    services.add(session, own, shop.vid(shop.kain), 1)
    services.add(session, own, shop.vid(shop.gula), 5)
    session.commit()
    # And, not logged in on her phone, 2 cloths and 3 coffees
    phone = app.test_client()
    add(phone, shop.vid(shop.kain), 2)
    add(phone, shop.vid(shop.kopi), 3)
    assert count(session, Cart) == 2
    # When she logs in on the phone
    login(phone)
    page = phone.get("/keranjang")
    # Then one cart remains, hers: cloths summed and lowered to the 2 in stock
    assert count(session, Cart) == 1
    assert sorted((v, q) for c, v, q in lines(session)) == sorted([
        (shop.vid(shop.kain), 2), (shop.vid(shop.gula), 5), (shop.vid(shop.kopi), 3)])
    assert {c for c, _, _ in lines(session)} == {own.id}
    assert flashes(page) == [
        ("info", "Isi keranjang Anda sebelum masuk sudah digabung ke keranjang akun ini."),
        ("info", "Kain Ecoprint Daun Jati: stok tersisa 2, jumlah di keranjang disesuaikan menjadi 2."),
        ("success", "Anda sudah masuk."),
    ]
    assert badge(page.get_data(as_text=True)) == "3"
    # And after logging out the phone's cart is empty (the account keeps the lines)
    phone.post("/keluar", data={"csrf_token": token_from(phone, "/akun")})
    assert 'data-testid="cart-empty"' in cart_page(phone)
    assert len(lines(session)) == 3


def test_login_without_an_anonymous_cart_keeps_the_account_cart(app, session, shop):
    siti = make_user(session)
    own = services.get_or_create_cart(session, user_id=siti.id)
    services.add(session, own, shop.vid(shop.kopi), 2)
    session.commit()
    client = app.test_client()
    login(client)
    assert lines(session) == [(own.id, shop.vid(shop.kopi), 2)]
    assert rendered_lines(cart_page(client))[0]["quantity"] == "2"


def test_registration_takes_the_anonymous_cart_along(client, session, shop):
    add(client, shop.vid(shop.kopi), 2)
    response = client.post("/daftar", data={
        "csrf_token": token_from(client, "/daftar"), "name": "Ahmad Fauzi",
        "email": "ahmad@contoh.id", "phone": "081234567891", "password": PASSWORD,
        "confirm": PASSWORD})
    assert response.status_code == 302
    cart = session.scalars(select(Cart)).one()
    assert cart.token_hash is None and cart.user_id is not None
    assert lines(session) == [(cart.id, shop.vid(shop.kopi), 2)]


def test_logged_in_shopper_uses_the_account_cart(app, session, shop):
    siti = make_user(session)
    laptop, phone = app.test_client(), app.test_client()
    login(laptop)
    login(phone)
    add(laptop, shop.vid(shop.kopi), 2)
    # The same cart on her other device
    assert rendered_lines(cart_page(phone))[0]["quantity"] == "2"
    assert session.scalars(select(Cart)).one().user_id == siti.id


# -- services: races and direct calls -------------------------------------------------

def _in_threads(app, work, n=2):
    """Run ``work(session)`` in n threads at once, each with its own connection."""
    engine = db.engine
    barrier = threading.Barrier(n)
    errors: list[BaseException] = []
    results: list = []

    def run():
        with app.app_context(), Session(engine) as own:
            try:
                barrier.wait(timeout=10)
                results.append(work(own))
                own.commit()
            except BaseException as exc:  # noqa: BLE001 - reported below
                own.rollback()
                errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results, errors


def test_concurrent_adds_of_one_variant_sum_into_one_line(app, session, shop):
    cart = services.get_or_create_cart(session, token="tok-" + "a" * 40)
    session.commit()
    cart_id, variant_id = cart.id, shop.vid(shop.kopi)

    def work(own):
        return services.add(own, own.get(Cart, cart_id), variant_id, 2).quantity

    results, errors = _in_threads(app, work)
    assert errors == []
    assert sorted(results) == [2, 4]
    assert lines(session) == [(cart_id, variant_id, 4)]


def test_concurrent_first_adds_share_one_cart(app, session, shop):
    token = "tok-" + "b" * 40

    def work(own):
        cart = services.get_or_create_cart(own, token=token)
        services.add(own, cart, shop_variant, 1)
        return cart.id

    shop_variant = shop.vid(shop.kopi)
    results, errors = _in_threads(app, work)
    assert errors == []
    assert len(set(results)) == 1
    assert count(session, Cart) == 1
    assert lines(session) == [(results[0], shop_variant, 2)]


def test_service_rejects_bad_arguments_with_cart_errors(session, shop):
    cart = services.get_or_create_cart(session, token="tok-" + "c" * 40)
    for quantity in [True, None, 0, -5, 10**9, "x"]:
        with pytest.raises(services.CartError) as caught:
            services.add(session, cart, shop.vid(shop.kopi), quantity)
        assert caught.value.field == "quantity"
    with pytest.raises(services.LineNotFound):
        services.set_quantity(session, cart, 12345, 1)
    with pytest.raises(services.LineNotFound):
        services.remove(session, None, 1)
    with pytest.raises(ValueError):
        services.get_or_create_cart(session)
    assert services.line_count(session, token="tok-" + "c" * 40) == 0
    assert services.find_cart(session, token="nobody") is None


def test_merge_into_a_user_id_creates_the_cart_and_deletes_the_anonymous_one(session, shop):
    siti = make_user(session)
    anonymous = services.get_or_create_cart(session, token="tok-" + "d" * 40)
    services.add(session, anonymous, shop.vid(shop.kopi), 12)
    result = services.merge(session, anonymous, siti.id)
    session.commit()
    assert (result.moved, result.notices) == (1, [])
    assert result.cart.user_id == siti.id
    assert count(session, Cart) == 1
    assert lines(session) == [(result.cart.id, shop.vid(shop.kopi), 12)]
    assert services.line_count(session, user_id=siti.id) == 1
