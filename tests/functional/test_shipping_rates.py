"""Shipping quotes from the seeded rate table, and the admins' rate table at /admin/ongkir."""

from __future__ import annotations

import logging
import re

from sqlalchemy import select

from opopmart.checkout import shipping
from opopmart.checkout.models import Courier, ShippingRate, Zone
from opopmart.extensions import db
from tests.functional.test_accounts import csrf_token, errors_by_field, form_errors, login, make_user, text

SURABAYA, PASURUAN, SEMARANG, MAKASSAR = "35.78", "35.14", "33.74", "73.71"

# The migration's starting table: zone -> (pos, jne, jnt, sicepat) per kg, (min, max) days.
SEEDED = {
    Zone.SAME_CITY: ((7000, 9000, 9000, 8000), (1, 2)),
    Zone.JAWA_TIMUR: ((9000, 11000, 11000, 10000), (2, 3)),
    Zone.JAVA: ((14000, 17000, 16000, 15000), (2, 4)),
    Zone.OUTSIDE_JAVA: ((32000, 38000, 36000, 35000), (4, 8)),
}
COURIERS = (Courier.POS, Courier.JNE, Courier.JNT, Courier.SICEPAT)


def table() -> dict[tuple[str, str], tuple]:
    db.session.expire_all()
    return {(r.courier.value, r.zone.value): (r.price_per_kg, r.etd_min_days, r.etd_max_days, r.is_active)
            for r in db.session.execute(select(ShippingRate)).scalars()}


def seeded_table() -> dict[tuple[str, str], tuple]:
    return {(c.value, z.value): (prices[i], days[0], days[1], True)
            for z, (prices, days) in SEEDED.items() for i, c in enumerate(COURIERS)}


def form_from(rates: dict[tuple[str, str], tuple]) -> dict[str, str]:
    """What the admin form posts for ``rates`` (an unticked box is simply absent)."""
    data = {}
    for (courier, zone), (price, low, high, active) in rates.items():
        data[f"{courier}-{zone}-price_per_kg"] = f"{price:,}".replace(",", ".")
        data[f"{courier}-{zone}-etd_min_days"] = str(low)
        data[f"{courier}-{zone}-etd_max_days"] = str(high)
        if active:
            data[f"{courier}-{zone}-is_active"] = "y"
    return data


def admin(session, client):
    user = make_user(session, email="admin@contoh.id", name="Admin Opop", is_admin=True)
    login(client, email="admin@contoh.id")
    return user


def post_rates(client, data: dict):
    return client.post("/admin/ongkir", data={**data, "csrf_token": csrf_token(client, "/akun")})


# -- Quotes --------------------------------------------------------------------------------


def test_the_migration_seeds_sixteen_active_rates(session):
    assert table() == seeded_table()


def test_2300_grams_within_jawa_timur_with_jne_is_three_kilograms_at_11000(session):
    quote = shipping.quote_for(session, courier=Courier.JNE, origin_region_code=SURABAYA,
                               dest_region_code=PASURUAN, dest_province_code="35", weight_grams=2300)
    assert quote == shipping.Quote(courier=Courier.JNE, zone=Zone.JAWA_TIMUR, billable_kg=3, cost=33_000,
                                   etd_min_days=2, etd_max_days=3)
    assert quote.courier_label == "JNE"


def test_quotes_list_every_active_courier_cheapest_first(session):
    found = shipping.quotes(session, origin_region_code=SURABAYA, dest_region_code=PASURUAN,
                            dest_province_code="35", weight_grams=2300)
    # JNE and J&T cost the same and take as long: the courier order breaks the tie.
    assert [(q.courier, q.zone, q.billable_kg, q.cost) for q in found] == [
        (Courier.POS, Zone.JAWA_TIMUR, 3, 27_000), (Courier.SICEPAT, Zone.JAWA_TIMUR, 3, 30_000),
        (Courier.JNE, Zone.JAWA_TIMUR, 3, 33_000), (Courier.JNT, Zone.JAWA_TIMUR, 3, 33_000),
    ]


def test_each_zone_prices_from_its_own_rates(session):
    def costs(dest_region, dest_province, grams):
        return {q.courier: q.cost for q in shipping.quotes(
            session, origin_region_code=SURABAYA, dest_region_code=dest_region,
            dest_province_code=dest_province, weight_grams=grams)}

    # 1 g is billed as 1 kg, 1000 g too, 1001 g as 2 kg
    assert costs(SURABAYA, "35", 1) == {Courier.POS: 7000, Courier.JNE: 9000, Courier.JNT: 9000,
                                        Courier.SICEPAT: 8000}
    assert costs(SURABAYA, "35", 1000)[Courier.POS] == 7000
    assert costs(SURABAYA, "35", 1001)[Courier.POS] == 14_000
    assert costs(SEMARANG, "33", 4500)[Courier.JNT] == 5 * 16_000
    assert costs(MAKASSAR, "73", 2000)[Courier.JNE] == 2 * 38_000
    assert costs(None, "51", 250)[Courier.SICEPAT] == 35_000  # Bali, a typed city


def test_an_inactive_rate_is_no_quote(session):
    rate = session.execute(select(ShippingRate).where(ShippingRate.courier == Courier.JNE,
                                                      ShippingRate.zone == Zone.JAVA)).scalar_one()
    rate.is_active = False
    session.commit()
    args = dict(origin_region_code=SURABAYA, dest_region_code=SEMARANG, dest_province_code="33",
                weight_grams=800)
    assert shipping.quote_for(session, courier="jne", **args) is None
    assert [q.courier for q in shipping.quotes(session, **args)] == [Courier.POS, Courier.SICEPAT, Courier.JNT]
    # a courier a form made up is no quote either, never an error
    assert shipping.quote_for(session, courier="gojek", **args) is None
    assert shipping.quote_for(session, courier="sicepat", **args).cost == 15_000


# -- The admin's rate table -------------------------------------------------------------------


def test_the_admin_sees_every_rate(client, session):
    admin(session, client)
    response = client.get("/admin/ongkir")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert html.count("<tr data-rate=") == 16
    assert 'name="jne-jawa_timur-price_per_kg" value="11.000"' in html
    assert 'id="jnt-outside_java-is_active" name="jnt-outside_java-is_active" value="y" aria-label="J&amp;T Express, Luar Jawa: aktif" checked' in html


def test_the_admin_changes_rates_and_each_change_is_logged(client, session, caplog):
    # given an admin and the seeded table
    user = admin(session, client)
    wanted = seeded_table()
    wanted[("jne", "jawa_timur")] = (12_500, 2, 4, True)
    wanted[("pos", "outside_java")] = (32_000, 4, 8, False)
    # when they save the whole form with two rows changed
    with caplog.at_level(logging.INFO, logger="opopmart.checkout.shipping"):
        response = post_rates(client, {**form_from(wanted), "jne-jawa_timur-price_per_kg": "Rp 12.500"})
    # then exactly those two rows changed, and the log says who changed what from what to what
    assert response.status_code == 303 and response.headers["Location"] == "/admin/ongkir"
    assert table() == wanted
    lines = sorted(r.getMessage() for r in caplog.records if r.name == "opopmart.checkout.shipping")
    assert lines == [
        f"shipping rate jne/jawa_timur changed by user {user.id}: price_per_kg 11000 -> 12500, "
        "etd_max_days 3 -> 4",
        f"shipping rate pos/outside_java changed by user {user.id}: is_active True -> False",
    ]
    assert "Tarif ongkos kirim disimpan (2 diubah)." in text(client.get("/admin/ongkir"))
    # and checkout's quotes follow at once
    quote = shipping.quote_for(session, courier="jne", origin_region_code=SURABAYA, dest_region_code=PASURUAN,
                               dest_province_code="35", weight_grams=2300)
    assert (quote.cost, quote.etd_min_days, quote.etd_max_days) == (37_500, 2, 4)


def test_saving_an_unchanged_table_changes_and_logs_nothing(client, session, caplog):
    admin(session, client)
    with caplog.at_level(logging.INFO, logger="opopmart.checkout.shipping"):
        response = post_rates(client, form_from(seeded_table()))
    assert response.status_code == 303
    assert [r for r in caplog.records if r.name == "opopmart.checkout.shipping"] == []
    assert "Tidak ada tarif yang berubah." in text(client.get("/admin/ongkir"))
    assert table() == seeded_table()


def test_bad_values_are_named_next_to_their_cells_and_nothing_is_written(client, session, caplog):
    admin(session, client)
    good = form_from(seeded_table())
    cases = [
        ({"jne-java-price_per_kg": "0"},
         {"jne-java-price_per_kg": ["Harga per kg harus lebih dari Rp 0 dan paling banyak Rp 10.000.000."]}),
        ({"jne-java-price_per_kg": "10.000.001"},
         {"jne-java-price_per_kg": ["Harga per kg harus lebih dari Rp 0 dan paling banyak Rp 10.000.000."]}),
        ({"jne-java-price_per_kg": "-5000"},
         {"jne-java-price_per_kg": ["Tulis harga dalam rupiah, misalnya 11.000."]}),
        ({"jne-java-price_per_kg": "17,5"},
         {"jne-java-price_per_kg": ["Tulis harga dalam rupiah, misalnya 11.000."]}),
        ({"jne-java-price_per_kg": ""}, {"jne-java-price_per_kg": ["Wajib diisi."]}),
        ({"pos-same_city-etd_min_days": "61"}, {"pos-same_city-etd_min_days": ["Tulis jumlah hari 0 sampai 60."]}),
        ({"pos-same_city-etd_max_days": "-1"}, {"pos-same_city-etd_max_days": ["Tulis jumlah hari 0 sampai 60."]}),
        ({"pos-same_city-etd_max_days": "٣"}, {"pos-same_city-etd_max_days": ["Tulis jumlah hari 0 sampai 60."]}),
        ({"pos-same_city-etd_min_days": ""}, {"pos-same_city-etd_min_days": ["Wajib diisi."]}),
        ({"sicepat-jawa_timur-etd_min_days": "5", "sicepat-jawa_timur-etd_max_days": "3"},
         {"sicepat-jawa_timur-etd_max_days": ["Hari maks. tidak boleh kurang dari hari min."]}),
    ]
    for changes, expected in cases:
        response = post_rates(client, {**good, "jnt-java-price_per_kg": "99.000", **changes})
        assert response.status_code == 200, changes
        assert errors_by_field(response) == expected, changes
        html = response.get_data(as_text=True)
        # what the admin typed is shown again, the valid change included
        assert 'name="jnt-java-price_per_kg" value="99.000"' in html
        assert 'data-testid="rates-not-saved"' in html
    assert table() == seeded_table()
    assert [r for r in caplog.records if r.name == "opopmart.checkout.shipping"] == []


def test_a_zone_keeps_at_least_one_active_courier(client, session):
    admin(session, client)
    rates = seeded_table()
    for courier in COURIERS:
        rates[(courier.value, "outside_java")] = (*rates[(courier.value, "outside_java")][:3], False)
    response = post_rates(client, form_from(rates))
    assert response.status_code == 200
    assert form_errors(response) == ["Zona Luar Jawa perlu sedikitnya satu kurir aktif."]
    assert table() == seeded_table()


def test_a_form_that_lost_a_row_writes_nothing(client, session):
    admin(session, client)
    data = {k: v for k, v in form_from(seeded_table()).items() if not k.startswith("pos-java-")}
    response = post_rates(client, data)
    assert errors_by_field(response) == {"pos-java-price_per_kg": ["Wajib diisi."],
                                         "pos-java-etd_min_days": ["Wajib diisi."],
                                         "pos-java-etd_max_days": ["Wajib diisi."]}
    assert table() == seeded_table()


def test_only_admins_reach_the_rate_table(client, session):
    # a shopper and a curator are refused, and nothing is written
    make_user(session, email="kurator@contoh.id", name="Kurator", is_curator=True)
    make_user(session, email="budi@contoh.id", name="Budi")
    changed = form_from({**seeded_table(), ("jne", "java"): (1, 0, 0, True)})
    for email in ("budi@contoh.id", "kurator@contoh.id"):
        login(client, email=email)
        assert client.get("/admin/ongkir").status_code == 403
        assert post_rates(client, changed).status_code == 403
        client.post("/keluar", data={"csrf_token": csrf_token(client, "/akun")})
    # a visitor is sent to log in
    response = client.get("/admin/ongkir")
    assert response.status_code == 302 and response.headers["Location"].startswith("/masuk?next=")
    response = client.post("/admin/ongkir", data={"csrf_token": csrf_token(client, "/masuk"), **changed})
    assert response.status_code == 302
    assert table() == seeded_table()


def test_without_csrf_token_the_admin_is_refused(client, session):
    admin(session, client)
    response = client.post("/admin/ongkir", data=form_from({**seeded_table(), ("jne", "java"): (1, 0, 0, True)}))
    assert response.status_code == 400
    assert table() == seeded_table()


def test_html_typed_into_a_cell_comes_back_escaped(client, session):
    admin(session, client)
    response = post_rates(client, {**form_from(seeded_table()),
                                   "jne-java-price_per_kg": '"><script>alert(1)</script>'})
    html = response.get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert re.search(r'name="jne-java-price_per_kg" value="&#34;&gt;&lt;script&gt;', html)
    assert table() == seeded_table()
