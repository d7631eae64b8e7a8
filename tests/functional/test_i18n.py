"""English UI: chosen by the ``lang`` cookie (set by /bahasa/<code>) or by Accept-Language.

Bahasa Indonesia is the source language; English comes from the compiled catalogue in
opopmart/translations, which this module compiles first when the .mo is missing or stale
(compiled catalogues are git-ignored and normally built by ``make``).
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from html import unescape
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask_babel import refresh

import opopmart
from opopmart.catalogue.models import Product, ProducerKind
from tests import factories as f

TRANSLATIONS = Path(opopmart.__file__).resolve().parent / "translations"
ENGLISH_PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
ONE_YEAR = 365 * 24 * 3600

FIGURES = re.compile(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>")
TITLE = re.compile(r"<title>([^<]*)</title>")
H1 = re.compile(r"<h1>([^<]*)</h1>")
H2 = re.compile(r"<h2>([^<]*)</h2>")
RESULT_COUNT = re.compile(r'data-testid="result-count">([^<]*)</p>')


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogues():
    """Compile every messages.po whose .mo is missing or older, as `make translations` does."""
    for po_path in sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as fh:
            catalog = read_po(fh, locale=po_path.parent.parent.name)
        # Write beside the target and rename: a concurrent run never reads half a file.
        fd, tmp_name = tempfile.mkstemp(dir=mo_path.parent, prefix=".messages-", suffix=".mo")
        try:
            with os.fdopen(fd, "wb") as fh:
                write_mo(fh, catalog, use_fuzzy=True)
            os.chmod(tmp_name, 0o644)  # mkstemp makes it 0600; `pybabel compile` gives 0644
            os.replace(tmp_name, mo_path)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise


@pytest.fixture(autouse=True)
def locale_per_request(app):
    """Choose the language afresh on every test request, as in production.

    Flask-Babel 4 caches the chosen locale on ``g``. The ``app`` fixture keeps one app
    context open for the whole test and test requests reuse it, so without this the
    first request's language would stick for the rest of a test.
    """
    app.before_request(refresh)


@dataclass
class Shop:
    ijen: Product
    dampit: Product


@pytest.fixture
def shop(session) -> Shop:
    coffee = f.category(session, "Kopi", name_en="Coffee")
    sidogiri = f.producer(session, "Kopontren Sidogiri", region_code="35.14",
                          kind=ProducerKind.KOPONTREN)
    ijen = f.product(session, sidogiri, coffee, "Kopi Arabika Ijen", prices=[45_000], stock=12,
                     weight_grams=250, description="Kopi arabika dari lereng Ijen.")
    dampit = f.product(session, sidogiri, coffee, "Kopi Robusta Dampit", prices=[30_000], stock=0)
    session.commit()
    return Shop(ijen, dampit)


def page(response) -> str:
    assert response.status_code == 200
    return response.get_data(as_text=True)


def html_lang(html: str) -> str:
    match = re.search(r'<html lang="([^"]*)">', html)
    assert match, "no <html lang> attribute"
    return match.group(1)


def test_home_in_english_with_lang_cookie(client, shop):
    # Given a published catalogue and a visitor who chose English
    client.set_cookie("lang", "en")
    # When they open the home page
    html = page(client.get("/"))
    # Then the whole page speaks English
    assert html_lang(html) == "en"
    assert TITLE.findall(html) == ["OPOP Mart — East Java pesantren products"]
    # (Translations are trusted markup in Jinja, so the apostrophe is not escaped)
    assert H1.findall(html) == ["Handpicked products from East Java's pesantren"]
    assert H2.findall(html) == ["Categories", "Newly curated", "Producers"]
    assert dict(FIGURES.findall(html)) == {
        "Curated products": "2",
        "Producers": "1",
        "Regencies/cities": "1",
        "Pesantren cooperatives": "1",
    }
    # Category names come from the English column, counts from the catalogue
    assert re.search(r"<span>Coffee</span>\s*<small>2 products</small>", html)
    assert '<a class="skip" href="#main">Skip to content</a>' in html
    assert '<nav class="top-nav" aria-label="Main navigation">' in html
    assert '<span class="badge badge-out">Out of stock</span>' in html
    assert "Prices in Indonesian Rupiah. Secure payment via Stripe." in html
    # And no Indonesian UI text is left behind
    for indonesian in ("Kategori", "Produk terkurasi", "Stok habis", "Langsung ke isi", "Baru dikurasi"):
        assert indonesian not in html


def test_home_in_indonesian_by_default(client, shop):
    # Given a visitor with no cookie and no language preference
    html = page(client.get("/"))
    assert html_lang(html) == "id"
    assert TITLE.findall(html) == ["OPOP Mart — produk pesantren Jawa Timur"]
    assert H2.findall(html) == ["Kategori", "Baru dikurasi", "Produsen"]
    assert dict(FIGURES.findall(html)) == {
        "Produk terkurasi": "2",
        "Produsen": "1",
        "Kabupaten/kota": "1",
        "Koperasi pondok pesantren": "1",
    }
    assert re.search(r"<span>Kopi</span>\s*<small>2 produk</small>", html)
    assert '<span class="badge badge-out">Stok habis</span>' in html
    assert "Categories" not in html and "Out of stock" not in html


def test_accept_language_english_without_cookie(client, shop):
    html = page(client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"}))
    assert html_lang(html) == "en"
    assert H2.findall(html) == ["Categories", "Newly curated", "Producers"]


def test_cookie_wins_over_accept_language(client, shop):
    # A visitor who picked Indonesian keeps it even though the browser prefers English
    client.set_cookie("lang", "id")
    html = page(client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"}))
    assert html_lang(html) == "id"
    assert H2.findall(html) == ["Kategori", "Baru dikurasi", "Produsen"]


def test_unsupported_accept_language_falls_back_to_indonesian(client, shop):
    html = page(client.get("/", headers={"Accept-Language": "fr-FR,fr;q=0.9"}))
    assert html_lang(html) == "id"


def test_choosing_english_sets_cookie_and_returns_to_the_page(client, shop):
    # When a visitor picks English on the catalogue page
    response = client.get("/bahasa/en?next=/katalog")
    # Then they are sent back where they were, with the choice remembered for a year
    assert response.status_code == 302
    assert response.headers["Location"] == "/katalog"
    cookie = client.get_cookie("lang")
    assert cookie is not None
    assert (cookie.value, cookie.max_age, cookie.path, cookie.http_only, cookie.same_site) == (
        "en", ONE_YEAR, "/", True, "Lax"
    )
    # And the catalogue now renders in English
    html = page(client.get("/katalog"))
    assert html_lang(html) == "en"
    assert TITLE.findall(html) == ["Catalogue — OPOP Mart"]
    assert H1.findall(html) == ["All products"]
    assert RESULT_COUNT.findall(html) == ["2 products"]
    assert '<label for="f-sort">Sort</label>' in html
    assert re.search(r'<option value="termurah"\s*>Lowest price</option>', html)
    assert '<button type="submit" class="button">Apply</button>' in html


def test_language_switch_link_round_trip(client, shop):
    # Given the Indonesian catalogue page
    html = page(client.get("/katalog?sort=termurah"))
    link = re.search(r'<a href="([^"]+)"[^>]*lang="en">EN</a>', html)
    assert link, "no EN switch link"
    # When the visitor follows the EN link
    response = client.get(unescape(link.group(1)), follow_redirects=True)
    # Then they land on the same listing, now in English
    assert [r.status_code for r in response.history] == [302]
    assert (response.request.path, response.request.query_string) == ("/katalog", b"sort=termurah")
    assert H1.findall(page(response)) == ["All products"]
    # And switching back to Indonesian works the same way
    back = re.search(r'<a href="([^"]+)"[^>]*lang="id">ID</a>', page(response))
    assert back, "no ID switch link"
    html = page(client.get(unescape(back.group(1)), follow_redirects=True))
    assert html_lang(html) == "id"
    assert H1.findall(html) == ["Semua produk"]


@pytest.mark.parametrize("target", [
    "//evil.example",
    "//evil.example/katalog",
    "https://evil.example/",
    "/\\evil.example",
    "katalog",
])
def test_language_switch_refuses_to_redirect_off_site(client, target):
    response = client.get("/bahasa/en", query_string={"next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get_cookie("lang").value == "en"


def test_language_switch_without_next_goes_home(client):
    response = client.get("/bahasa/en")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_unknown_language_is_404_and_sets_no_cookie(client):
    response = client.get("/bahasa/xx")
    assert response.status_code == 404
    assert client.get_cookie("lang") is None
    assert response.headers.getlist("Set-Cookie") == []


def test_unknown_cookie_value_is_ignored(client, shop):
    client.set_cookie("lang", "xx")
    html = page(client.get("/"))
    assert html_lang(html) == "id"


def test_product_page_in_english(client, shop):
    client.set_cookie("lang", "en")
    html = page(client.get(f"/produk/{shop.ijen.slug}"))
    assert html_lang(html) == "en"
    assert '<dt>Stock</dt><dd data-stock>12 in stock</dd>' in html
    assert "<dt>Weight</dt><dd data-weight>250 g</dd>" in html
    assert "<dt>Minimum order</dt>" in html
    assert H2.findall(html) == ["Wholesale prices", "Description", "Similar products"]
    assert '<nav class="crumbs" aria-label="Breadcrumb">' in html
    # The variant data for the picker script is translated in Python (gettext)
    assert '"stock_text": "12 in stock"' in html


def test_sold_out_product_page_in_english(client, shop):
    client.set_cookie("lang", "en")
    html = page(client.get(f"/produk/{shop.dampit.slug}"))
    assert '<dd data-stock><span class="badge badge-out">Out of stock</span></dd>' in html
    assert '"stock_text": "Out of stock"' in html


def test_error_page_in_english(client, shop):
    # Error titles and messages are lazy strings, translated when the page renders
    client.set_cookie("lang", "en")
    response = client.get("/produk/tidak-ada")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert html_lang(html) == "en"
    assert TITLE.findall(html) == ["Page not found — OPOP Mart"]
    assert H1.findall(html) == ["Page not found"]
    assert ("<p>The page or product you're looking for doesn't exist "
            "or is no longer listed.</p>") in html
    assert '<a class="button" href="/">Back to home</a>' in html


def test_error_page_in_indonesian_by_default(client, shop):
    response = client.get("/produk/tidak-ada")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert H1.findall(html) == ["Halaman tidak ditemukan"]
    assert '<a class="button" href="/">Kembali ke beranda</a>' in html


def test_english_catalogue_is_complete_and_consistent():
    """Every message extracted into the template is translated, none fuzzy, placeholders intact."""
    with (TRANSLATIONS / "messages.pot").open("rb") as fh:
        template = read_po(fh)
    with ENGLISH_PO.open("rb") as fh:
        english = read_po(fh, locale="en")
    wanted = {m.id for m in template if m.id}
    present = {m.id for m in english if m.id}
    assert sorted(wanted - present, key=str) == []
    untranslated = [m.id for m in english if m.id and not (m.string if isinstance(m.string, str)
                                                          else all(m.string))]
    assert untranslated == []
    assert [m.id for m in english if m.id and m.fuzzy] == []
    problems = [(m.id, [str(e) for e in errors]) for m, errors in english.check()]
    assert problems == []
