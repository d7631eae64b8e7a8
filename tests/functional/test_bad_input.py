"""Whatever a visitor puts in a URL gives a sane page, a 404 or a 400; never a 500."""

from __future__ import annotations

import pytest

LONG = "x" * 5000
# Listings read a category filter; an unknown category there is a page that does not exist.
LISTINGS = {"/katalog", "/produsen/kopontren-sidogiri"}
PARAMS = ["page", "sort", "category", "region", "cert", "kind", "price_min", "price_max",
          "after", "before", "variant"]
VALUES = ["-1", "abc", "0", "99999999999999999999", "1e9", "", " ", LONG, "<script>alert(1)</script>",
          "' OR 1=1 --", "😀", "%00", "35.78'", "null", "[]", "eyJ4Ijo",
          "²"]  # "²".isdigit() is true, int("²") raises: page and variant were a 500


@pytest.mark.parametrize("path", ["/katalog", "/kategori/kopi", "/produsen/kopontren-sidogiri",
                                  "/produk/kopi-arabika-ijen"])
def test_pages_survive_any_parameter(client, world, path):
    for param in PARAMS:
        for value in VALUES:
            response = client.get(path, query_string={param: value})
            # category names a page: unknown ones are 404; everything else is ignored
            expected = 404 if param == "category" and value.strip() and path in LISTINGS else 200
            assert response.status_code == expected, (param, value[:40])
            html = response.get_data(as_text=True)
            assert "<script>alert(1)</script>" not in html, (param, value[:40])


def test_invalid_values_are_ignored_not_applied(client, world):
    baseline = client.get("/katalog").get_data(as_text=True)
    for query in ["page=-1", "page=abc", "price_min=x", "price_max=-5", "sort=bogus",
                  "region=99.99", "cert=iso9001", "kind=pabrik", "after=garbage",
                  "before=%%%"]:
        html = client.get(f"/katalog?{query}").get_data(as_text=True)
        assert 'data-testid="result-count">5 produk' in html, query
        assert html.count('class="card"') == baseline.count('class="card"'), query


def test_swapped_price_range_is_read_the_right_way_round(client, world):
    html = client.get("/katalog?price_min=40000&price_max=20000").get_data(as_text=True)
    assert 'data-testid="result-count">1 produk' in html
    assert 'value="20000"' in html and 'value="40000"' in html


@pytest.mark.parametrize(
    "url",
    [
        "/kategori/tidak-ada",
        "/katalog?category=tidak-ada",
        "/produk/tidak-ada",
        "/produsen/tidak-ada",
        "/produk/" + "a" * 3000,
        "/kategori/" + "a" * 3000,
        "/produsen/%3Cscript%3E",
        "/halaman-yang-tidak-ada",
    ],
)
def test_unknown_things_are_404_in_house_style(client, world, url):
    response = client.get(url)
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Halaman tidak ditemukan" in html
    assert 'class="brand"' in html
    assert "<script>" not in html.split("</footer>")[0].split('<main')[1]


def test_api_paths_get_json_errors(client):
    response = client.get("/api/tidak-ada")
    assert response.status_code == 404
    assert response.get_json() == {
        "error": {"code": 404, "message": "Halaman atau produk yang Anda cari tidak ada, atau sudah tidak ditampilkan."}
    }


def test_wrong_method_is_405(client, world):
    response = client.post("/katalog")
    # CSRF protection answers first on any POST without a token
    assert response.status_code in (400, 405)
    assert "Terjadi kesalahan" not in response.get_data(as_text=True)


def test_server_error_page_is_styled_and_logged(app, client, caplog):
    # Given a route that fails (registered before the app serves its first request)
    def boom():
        raise RuntimeError("kaboom")

    app.add_url_rule("/_test/boom", "boom", boom)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    # When it is requested
    response = client.get("/_test/boom")
    # Then the shopper sees the house-style 500 page, without the exception text
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Terjadi kesalahan" in html
    assert "kaboom" not in html
    assert 'class="brand"' in html
    assert any("unhandled error on GET /_test/boom" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("number", ["2147483648", "99999999999999999999999"])
def test_an_id_no_database_column_holds_is_404_not_500(app, client, session, number):
    # Given a logged-in user (the address book reads an id from the path)
    from tests.functional.test_accounts import login, make_user

    make_user(session)
    login(client)
    # When the id in the path is past an INTEGER column's range (PostgreSQL answered
    # "integer out of range", SQLite's driver OverflowError past 64 bits: both a 500)
    response = client.get(f"/akun/alamat/{number}/ubah")
    # Then no route matches: the house-style 404
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.get_data(as_text=True)
    # and the largest id a column holds is still routed (and names nothing)
    assert client.get("/akun/alamat/2147483647/ubah").status_code == 404
    endpoint, args = app.url_map.bind("localhost").match("/akun/alamat/2147483647/ubah")
    assert (endpoint, args) == ("addresses.edit", {"address_id": 2147483647})


def test_a_nul_character_is_dropped_from_fields_and_a_path_holding_one_is_400(client, session, world):
    # Given a shopper's account (PostgreSQL refuses to even compare text holding NUL:
    # psycopg raised DataError, a 500, wherever such a value reached a query)
    from sqlalchemy import select

    from opopmart.accounts.models import User
    from tests.functional.test_accounts import PASSWORD, csrf_token, make_user

    make_user(session, email="siti@contoh.id")
    # When a NUL character comes in the path, a query parameter, a form field's value or name
    path = client.get("/produk/kopi-arabika-ijen%00")
    search = client.get("/cari", query_string={"q": "kopi\x00"})
    wrong = client.post("/masuk", data={"csrf_token": csrf_token(client), "email": "siti@contoh.id\x00",
                                        "password": "salah-sama-sekali"})
    named = client.post("/masuk", data={"csrf_token": csrf_token(client), "email\x00": "x@contoh.id",
                                        "password": "salah-sama-sekali"})
    right = client.post("/masuk", data={"csrf_token": csrf_token(client), "email": "\x00siti@contoh.id",
                                        "password": PASSWORD})
    # Then the path is a house-style 400, and fields are read without the character
    assert path.status_code == 400
    assert "Permintaan tidak valid" in path.get_data(as_text=True)
    assert search.status_code == 200
    # (the right password logs in: the address was read without the character)
    assert (wrong.status_code, named.status_code, right.status_code) == (200, 200, 302)
    assert session.scalars(select(User.email)).all() == ["siti@contoh.id"]
