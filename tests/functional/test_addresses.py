"""The address book at /akun/alamat: add, edit, delete, default, limits, next=, escaping."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from opopmart.checkout import addresses
from opopmart.checkout.models import Address
from opopmart.extensions import db
from tests.functional.test_accounts import (count, csrf_token, errors_by_field, form_errors, login,
                                            make_user, text)

SURABAYA = {
    "label": "Rumah", "recipient": "Siti Aminah", "phone": "0812-3456-7890",
    "street": "Jl. Kendangsari 12\r\nRT 03 / RW 05", "village": "Kendangsari",
    "district": "Tenggilis Mejoyo", "province_code": "35", "region_code": "35.78",
    "city_name": "", "postal_code": "60292",
}


def post(client, path: str, data: dict, token: bool = True):
    payload = dict(data)
    if token:
        payload["csrf_token"] = csrf_token(client, "/akun")
    return client.post(path, data=payload)


def rows(user_id: int | None = None) -> list[tuple]:
    """Every address row (or one user's), as plain tuples in id order."""
    db.session.expire_all()
    stmt = select(*Address.__table__.columns).order_by(Address.id)
    if user_id is not None:
        stmt = stmt.where(Address.user_id == user_id)
    return [tuple(r) for r in db.session.execute(stmt).all()]


def shopper(session, client, email="siti@contoh.id"):
    user = make_user(session, email=email)
    login(client, email=email)
    return user


def add(session, user_id: int, **fields) -> Address:
    """An address through the service, committed."""
    data = {k: v for k, v in {**SURABAYA, **fields}.items() if k != "make_default"}
    address = addresses.create_address(session, user_id=user_id, data=addresses.AddressInput(**data),
                                       make_default=fields.get("make_default", False))
    session.commit()
    return address


def defaults(user_id: int) -> list[int]:
    db.session.expire_all()
    return list(db.session.execute(
        select(Address.id).where(Address.user_id == user_id, Address.is_default.is_(True))
    ).scalars())


# -- Adding, listing, editing, deleting ----------------------------------------------------


def test_a_shopper_adds_an_address_and_sees_it_listed(client, session):
    # given a logged-in shopper with no addresses
    user = shopper(session, client)
    assert "Belum ada alamat" in text(client.get("/akun/alamat"))
    # when they add one in Surabaya
    response = post(client, "/akun/alamat/baru", SURABAYA)
    # then it is saved cleaned up, linked to Kota Surabaya, and made the default
    assert response.status_code == 303
    assert response.headers["Location"] == "/akun/alamat"
    address = session.execute(select(Address)).scalar_one()
    assert (address.user_id, address.label, address.recipient, address.phone, address.street,
            address.village, address.district, address.region_code, address.city_name,
            address.province_code, address.postal_code, address.is_default) == (
        user.id, "Rumah", "Siti Aminah", "+6281234567890", "Jl. Kendangsari 12\nRT 03 / RW 05",
        "Kendangsari", "Tenggilis Mejoyo", "35.78", "Kota Surabaya", "35", "60292", True)
    page = text(client.get("/akun/alamat"))
    assert "Jl. Kendangsari 12, RT 03 / RW 05, Kendangsari, Kec. Tenggilis Mejoyo, Kota Surabaya, " \
           "Jawa Timur, 60292" in page
    assert 'data-testid="address-default"' in page


def test_the_new_address_form_starts_from_the_profile(client, session):
    shopper(session, client)
    html = client.get("/akun/alamat/baru").get_data(as_text=True)
    assert 'name="recipient" type="text" value="Siti Aminah"' in html
    assert 'value="+6281234567890"' in html
    # Jawa Timur first among provinces and among kabupaten/kota; the script is served locally.
    assert html.index('<option value="35">Jawa Timur</option>') < html.index('<option value="11">Aceh</option>')
    assert html.split("<optgroup", 2)[1].count("<option") == 38
    assert re.search(r'<script src="/static/js/address\.js\?v=[0-9a-f]{12}" defer></script>', html)


def test_the_profile_links_to_the_address_book(client, session):
    shopper(session, client)
    assert '<a href="/akun/alamat" data-testid="addresses-link">Alamat</a>' in client.get("/akun").get_data(as_text=True)


def test_editing_an_address_changes_it_and_keeps_it_the_default(client, session):
    user = shopper(session, client)
    address = add(session, user.id)
    form = client.get(f"/akun/alamat/{address.id}/ubah").get_data(as_text=True)
    assert '<option selected value="35.78">Kota Surabaya</option>' in form
    response = post(client, f"/akun/alamat/{address.id}/ubah", {
        **SURABAYA, "label": "Kantor", "region_code": "35.14", "street": "Jl. Raya Sidogiri 1",
        "village": "Sidogiri", "district": "Kraton", "postal_code": "67151"})
    assert response.status_code == 303
    session.expire_all()
    address = session.get(Address, address.id)
    assert (address.label, address.street, address.village, address.district, address.region_code,
            address.city_name, address.postal_code, address.is_default) == (
        "Kantor", "Jl. Raya Sidogiri 1", "Sidogiri", "Kraton", "35.14", "Kab. Pasuruan", "67151", True)


def test_deleting_an_address_removes_it(client, session):
    user = shopper(session, client)
    address = add(session, user.id)
    response = post(client, f"/akun/alamat/{address.id}/hapus", {})
    assert response.status_code == 303
    assert response.headers["Location"] == "/akun/alamat"
    assert rows() == []
    assert "Alamat dihapus." in text(client.get("/akun/alamat"))


def test_an_address_outside_jawa_timur_may_type_its_city(client, session):
    user = shopper(session, client)
    bali = {**SURABAYA, "province_code": "51", "region_code": "", "city_name": " Kab.  Badung ",
            "postal_code": "80361"}
    assert post(client, "/akun/alamat/baru", bali).status_code == 303
    # A typed name that is exactly one known city of the province is linked to it.
    bandung = {**SURABAYA, "province_code": "32", "region_code": "", "city_name": "bandung",
               "postal_code": "40111"}
    assert post(client, "/akun/alamat/baru", bandung).status_code == 303
    # A city chosen from the list with no province chosen (no script): its province is taken.
    semarang = {**SURABAYA, "province_code": "", "region_code": "33.74", "postal_code": "50132"}
    assert post(client, "/akun/alamat/baru", semarang).status_code == 303
    found = session.execute(select(Address.province_code, Address.region_code, Address.city_name)
                            .where(Address.user_id == user.id).order_by(Address.id)).all()
    assert [tuple(r) for r in found] == [("51", None, "Kab. Badung"), ("32", "32.73", "Kota Bandung"),
                                        ("33", "33.74", "Kota Semarang")]
    # The typed city comes back in its box when editing.
    bali_id = session.execute(select(Address.id).where(Address.province_code == "51")).scalar_one()
    html = client.get(f"/akun/alamat/{bali_id}/ubah").get_data(as_text=True)
    assert 'name="city_name" type="text" value="Kab. Badung"' in html


def test_a_typed_name_that_fits_two_cities_of_jawa_timur_must_be_chosen_from_the_list(client, session):
    shopper(session, client)
    response = post(client, "/akun/alamat/baru", {**SURABAYA, "region_code": "", "city_name": "Malang"})
    assert response.status_code == 200
    assert errors_by_field(response) == {"region_code": ["Pilih kabupaten/kota di Jawa Timur dari daftar."]}
    assert post(client, "/akun/alamat/baru",
                {**SURABAYA, "region_code": "", "city_name": "Kota Malang"}).status_code == 303
    assert rows()[0][9] == "Kota Malang"  # city_name


# -- Refused input ---------------------------------------------------------------------------


def test_an_empty_form_names_every_missing_field_and_saves_nothing(client, session):
    shopper(session, client)
    response = post(client, "/akun/alamat/baru", {})
    assert response.status_code == 200
    assert errors_by_field(response) == {
        "recipient": ["Wajib diisi."],
        "phone": ["Masukkan nomor HP Indonesia, misalnya 0812 3456 7890."],
        "street": ["Wajib diisi."],
        "village": ["Wajib diisi."],
        "district": ["Wajib diisi."],
        "province_code": ["Pilih provinsi."],
        "postal_code": ["Wajib diisi."],
    }
    assert rows() == []


def test_bad_values_are_named_next_to_their_fields_and_nothing_is_saved(client, session):
    user = shopper(session, client)
    add(session, user.id)
    before = rows()
    cases = [
        ({"phone": "021-555-1234"}, {"phone": ["Masukkan nomor HP Indonesia, misalnya 0812 3456 7890."]}),
        ({"postal_code": "6029"}, {"postal_code": ["Kode pos terdiri dari 5 angka."]}),
        ({"postal_code": "6029a"}, {"postal_code": ["Kode pos terdiri dari 5 angka."]}),
        ({"postal_code": "６０２９２"}, {"postal_code": ["Kode pos terdiri dari 5 angka."]}),
        ({"recipient": "x" * 121}, {"recipient": ["Paling banyak 120 karakter."]}),
        ({"street": "x" * 501}, {"street": ["Paling banyak 500 karakter."]}),
        ({"village": "x" * 81, "district": "x" * 81},
         {"village": ["Paling banyak 80 karakter."], "district": ["Paling banyak 80 karakter."]}),
        ({"label": "x" * 41}, {"label": ["Paling banyak 40 karakter."]}),
        ({"province_code": "35.78"}, {"province_code": ["Pilih provinsi dari daftar."]}),
        ({"province_code": "99"}, {"province_code": ["Pilih provinsi dari daftar."]}),
        ({"region_code": "35"}, {"region_code": ["Pilih kabupaten/kota dari daftar."]}),
        ({"region_code": "35.99"}, {"region_code": ["Pilih kabupaten/kota dari daftar."]}),
        ({"region_code": "33.74"}, {"region_code": ["Kabupaten/kota ini tidak ada di provinsi Jawa Timur."]}),
        ({"region_code": ""}, {"region_code": ["Pilih kabupaten/kota di Jawa Timur dari daftar."]}),
        ({"province_code": "32", "region_code": ""},
         {"city_name": ["Pilih kabupaten/kota dari daftar atau tulis namanya."]}),
        ({"province_code": "11", "region_code": ""}, {"city_name": ["Tulis nama kabupaten/kota."]}),
        ({"province_code": "11", "region_code": "", "city_name": "x" * 81},
         {"city_name": ["Paling banyak 80 karakter."]}),
    ]
    address_id = before[0][0]
    for fields, expected in cases:
        for path in ("/akun/alamat/baru", f"/akun/alamat/{address_id}/ubah"):
            response = post(client, path, {**SURABAYA, **fields})
            assert response.status_code == 200, (path, fields)
            assert errors_by_field(response) == expected, (path, fields)
    assert rows() == before


def test_a_refused_form_keeps_what_was_typed(client, session):
    shopper(session, client)
    response = post(client, "/akun/alamat/baru", {**SURABAYA, "postal_code": "123"})
    html = response.get_data(as_text=True)
    assert 'name="village" type="text" value="Kendangsari"' in html
    assert '<option selected value="35.78">Kota Surabaya</option>' in html
    assert 'aria-invalid="true"' in html


def test_a_post_without_csrf_token_is_refused(client, session):
    user = shopper(session, client)
    address = add(session, user.id)
    before = rows()
    for path in ("/akun/alamat/baru", f"/akun/alamat/{address.id}/ubah",
                 f"/akun/alamat/{address.id}/hapus", f"/akun/alamat/{address.id}/utama"):
        assert post(client, path, SURABAYA, token=False).status_code == 400
    assert rows() == before


# -- Ownership -----------------------------------------------------------------------------------


def test_someone_elses_address_is_not_found_and_stays_unchanged(client, session):
    # given Budi's two addresses, and Siti logged in
    budi = make_user(session, email="budi@contoh.id", name="Budi Santoso")
    first = add(session, budi.id, label="Rumah Budi")
    second = add(session, budi.id, label="Kantor Budi")
    shopper(session, client)
    before = rows()
    # when Siti tries to read, edit, delete or make default Budi's address ids
    for address_id in (first.id, second.id):
        assert client.get(f"/akun/alamat/{address_id}/ubah").status_code == 404
        for path in (f"/akun/alamat/{address_id}/ubah", f"/akun/alamat/{address_id}/hapus",
                     f"/akun/alamat/{address_id}/utama"):
            assert post(client, path, {**SURABAYA, "label": "Curian"}).status_code == 404
    assert client.get("/akun/alamat/999999/ubah").status_code == 404
    # then nothing changed, and Siti's own list is empty
    assert rows() == before
    assert "Rumah Budi" not in text(client.get("/akun/alamat"))
    assert addresses.owned_address(session, budi.id, first.id).id == first.id
    assert addresses.owned_address(session, budi.id + 1, first.id) is None


def test_anonymous_visitors_are_sent_to_log_in(client, session):
    for path in ("/akun/alamat", "/akun/alamat/baru", "/akun/alamat/1/ubah"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/masuk?next=")


def test_address_pages_are_never_stored(client, session):
    shopper(session, client)
    assert client.get("/akun/alamat").headers["Cache-Control"] == "no-store"
    assert client.get("/akun/alamat/baru").headers["Cache-Control"] == "no-store"


# -- The default address ---------------------------------------------------------------------------


def test_the_first_address_is_the_default_and_later_ones_are_not_unless_asked(client, session):
    user = shopper(session, client)
    post(client, "/akun/alamat/baru", {**SURABAYA, "label": "Satu"})
    post(client, "/akun/alamat/baru", {**SURABAYA, "label": "Dua"})
    one, two = [r[0] for r in rows()]
    assert defaults(user.id) == [one]
    # a third one asked to be the default takes over
    post(client, "/akun/alamat/baru", {**SURABAYA, "label": "Tiga", "is_default": "y"})
    three = rows()[-1][0]
    assert defaults(user.id) == [three]
    # choosing another one with the button
    response = post(client, f"/akun/alamat/{one}/utama", {})
    assert response.status_code == 303 and response.headers["Location"] == "/akun/alamat"
    assert defaults(user.id) == [one]
    # ticking "default" while editing another
    post(client, f"/akun/alamat/{two}/ubah", {**SURABAYA, "label": "Dua", "is_default": "y"})
    assert defaults(user.id) == [two]
    # unticking is not a way to have none: the edit form does not even offer it
    html = client.get(f"/akun/alamat/{two}/ubah").get_data(as_text=True)
    assert 'name="is_default"' not in html
    post(client, f"/akun/alamat/{two}/ubah", {**SURABAYA, "label": "Dua"})
    assert defaults(user.id) == [two]
    # the list shows the default first
    page = client.get("/akun/alamat").get_data(as_text=True)
    assert page.index(f'data-address="{two}"') < page.index(f'data-address="{one}"')


def test_deleting_the_default_passes_it_to_the_newest_remaining(client, session):
    user = shopper(session, client)
    oldest = add(session, user.id, label="Lama")
    middle = add(session, user.id, label="Tengah")
    newest = add(session, user.id, label="Baru")
    post(client, f"/akun/alamat/{middle.id}/utama", {})
    assert defaults(user.id) == [middle.id]
    post(client, f"/akun/alamat/{middle.id}/hapus", {})
    assert defaults(user.id) == [newest.id]
    # deleting one that is not the default leaves the default alone
    post(client, f"/akun/alamat/{oldest.id}/hapus", {})
    assert defaults(user.id) == [newest.id]
    post(client, f"/akun/alamat/{newest.id}/hapus", {})
    assert rows(user.id) == []


def test_one_shoppers_default_does_not_touch_anothers(client, session):
    budi = make_user(session, email="budi@contoh.id", name="Budi Santoso")
    budis = add(session, budi.id)
    user = shopper(session, client)
    post(client, "/akun/alamat/baru", SURABAYA)
    assert defaults(budi.id) == [budis.id]
    assert len(defaults(user.id)) == 1


# -- The limit ------------------------------------------------------------------------------------------


def test_a_shopper_keeps_at_most_twenty_addresses(client, session):
    user = shopper(session, client)
    for n in range(addresses.MAX_ADDRESSES):
        add(session, user.id, label=f"Alamat {n + 1}")
    before = rows()
    response = post(client, "/akun/alamat/baru", {**SURABAYA, "label": "Ke-21"})
    assert response.status_code == 200
    assert form_errors(response) == ["Paling banyak 20 alamat. Hapus alamat yang tidak dipakai lagi."]
    assert rows() == before
    page = text(client.get("/akun/alamat"))
    assert "Anda sudah menyimpan 20 alamat" in page and 'data-testid="address-new"' not in page
    # editing one of the twenty is still fine
    assert post(client, f"/akun/alamat/{before[0][0]}/ubah", {**SURABAYA, "label": "Ubah"}).status_code == 303
    # after deleting one, a new one fits again
    post(client, f"/akun/alamat/{before[0][0]}/hapus", {})
    assert post(client, "/akun/alamat/baru", {**SURABAYA, "label": "Ke-21"}).status_code == 303
    assert count(Address) == 20


# -- Coming back to checkout ---------------------------------------------------------------------------------


def test_next_brings_the_shopper_back_to_checkout(client, session):
    user = shopper(session, client)
    form = client.get("/akun/alamat/baru?next=/checkout").get_data(as_text=True)
    assert '<input type="hidden" name="next" value="/checkout">' in form
    response = post(client, "/akun/alamat/baru", {**SURABAYA, "next": "/checkout"})
    assert response.status_code == 303 and response.headers["Location"] == "/checkout"
    address_id = rows(user.id)[0][0]
    response = post(client, f"/akun/alamat/{address_id}/ubah", {**SURABAYA, "next": "/checkout?alamat=1"})
    assert response.headers["Location"] == "/checkout?alamat=1"
    second = add(session, user.id, label="Kantor")
    response = post(client, f"/akun/alamat/{second.id}/utama", {"next": "/checkout"})
    assert response.headers["Location"] == "/checkout"
    # deleting goes back to the list, which still knows where to return
    response = post(client, f"/akun/alamat/{second.id}/hapus", {"next": "/checkout"})
    assert response.headers["Location"] == "/akun/alamat?next=/checkout"
    assert '<a href="/checkout" data-testid="address-back">' in client.get(
        "/akun/alamat?next=/checkout").get_data(as_text=True)


def test_next_never_leaves_the_site(client, session):
    shopper(session, client)
    for target in ("https://jahat.example/", "//jahat.example/", "javascript:alert(1)", "/\\jahat.example"):
        response = post(client, "/akun/alamat/baru", {**SURABAYA, "next": target})
        assert response.status_code == 303
        assert response.headers["Location"] == "/akun/alamat", target
        form = client.get("/akun/alamat/baru?next=" + target).get_data(as_text=True)
        assert 'name="next"' not in form


# -- Escaping --------------------------------------------------------------------------------------------


def test_html_in_fields_is_shown_as_text(client, session):
    user = shopper(session, client)
    script = "<script>alert(1)</script>"
    response = post(client, "/akun/alamat/baru", {
        **SURABAYA, "label": "<b>Rumah</b>", "recipient": script, "street": f'Jl. "Mawar" {script}',
        "village": "<img src=x onerror=alert(1)>", "province_code": "11", "region_code": "",
        "city_name": "<i>Banda</i> Aceh"})
    assert response.status_code == 303
    stored = session.execute(select(Address)).scalar_one()
    assert (stored.recipient, stored.label, stored.city_name) == (script, "<b>Rumah</b>", "<i>Banda</i> Aceh")
    for path in ("/akun/alamat", f"/akun/alamat/{stored.id}/ubah"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html and "<b>Rumah" not in html
        assert "<i>Banda" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert user.id == stored.user_id


# -- The service, as checkout uses it ------------------------------------------------------------------------


def test_the_snapshot_holds_what_an_order_copies(session):
    user = make_user(session)
    address = add(session, user.id)
    assert addresses.address_snapshot(address) == {
        "recipient": "Siti Aminah", "phone": "+6281234567890",
        "street": "Jl. Kendangsari 12\nRT 03 / RW 05", "village": "Kendangsari",
        "district": "Tenggilis Mejoyo", "region_code": "35.78", "city_name": "Kota Surabaya",
        "province_code": "35", "postal_code": "60292",
    }
    assert addresses.default_address(session, user.id).id == address.id
    assert [a.id for a in addresses.user_addresses(session, user.id)] == [address.id]


def test_the_service_refuses_with_every_message_and_writes_nothing(session):
    user = make_user(session)
    with pytest.raises(addresses.AddressError) as refused:
        addresses.create_address(session, user_id=user.id, data=addresses.AddressInput(
            recipient="Siti", phone="0812", street="Jl. A", village="B", district="C",
            province_code="35", region_code="", postal_code="1"))
    assert {k: [str(m) for m in v] for k, v in refused.value.errors.items()} == {
        "phone": ["Masukkan nomor HP Indonesia, misalnya 0812 3456 7890."],
        "region_code": ["Pilih kabupaten/kota di Jawa Timur dari daftar."],
        "postal_code": ["Kode pos terdiri dari 5 angka."],
    }
    session.rollback()
    assert rows() == []
