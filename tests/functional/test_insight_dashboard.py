"""The admins' market data on a market with known figures (tests/functional/insight_support.py):
exact sums, counts and shares; cancelled, refunded and unpaid orders, a refunded shipment
and a voided direct sale left out; the period's edges in Jakarta time."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import pytest

from opopmart.extensions import db
from opopmart.insight import queries
from opopmart.insight.views import labels
from tests.conftest import snapshot_world
from tests.functional.insight_support import JUNE, JUNE_ARGS, build_market
from tests.functional.test_accounts import login


# Built once per worker (its payments and refunds in localstripe too), copied for each
# test: the tests only read it.
market = snapshot_world(build_market, needs=("localstripe",))


@pytest.fixture
def admin_client(app, market):
    client = app.test_client()
    login(client, email="admin@contoh.id")
    return client


def june(app):
    with app.test_request_context("/"):
        return queries.dashboard(db.session, JUNE, labels())


def rows(table) -> list[tuple]:
    return [(r.key, r.label, r.value, r.orders, r.units, r.share) for r in table]


def D(text: str) -> Decimal:
    return Decimal(text)


# --------------------------------------------------------------------------------------
# The figures


def test_given_june_market_when_reading_the_headline_then_only_counted_sales_are_in(app, market):
    # When
    d = june(app)

    # Then: O1 200.000 + O2 200.000 + O3 200.000 + O6 50.000 (its refunded part out) + O9 200.000
    h = d.headline
    assert (h.gross, h.orders, h.average_order) == (850_000, 5, 170_000)
    assert h.active_buyers == 4  # Siti, Budi, Dewi, Eko
    # P1, P2, P3 online; P1 and P4 direct; P5's only sale was voided.
    assert h.active_producers == 4
    assert (h.direct_value, h.direct_sales) == (1_500_000, 2)
    # Kopi, Madu, Kain published (the draft is not curated); P1 the only verified kopontren;
    # santri: the owner and staff of P1 (the owner is staff of P2 too: once), the owners of
    # P2 and P4; not the owner of P3 (an UMKM) nor of P5 (not verified).
    assert (h.curated_products, h.target_curated) == (3, 1000)
    assert (h.kopontren, h.target_kopontren) == (1, 660)
    assert h.santri_sellers == 4
    assert h.curated_share == D("0.3")
    assert h.kopontren_share == D("0.2")


def test_given_june_market_when_breaking_down_by_buyer_region_then_shares_are_exact(app, market):
    d = june(app)

    assert rows(d.buyer_provinces) == [
        ("35", "Jawa Timur", 450_000, 3, 0, D("52.9")),
        ("31", "DKI Jakarta", 200_000, 1, 0, D("23.5")),
        ("33", "Jawa Tengah", 200_000, 1, 0, D("23.5")),
    ]
    assert rows(d.buyer_regions) == [
        ("35.07", "Kab. Malang", 250_000, 2, 0, D("29.4")),
        ("33.-", "Kabupaten/kota lain (Jawa Tengah)", 200_000, 1, 0, D("23.5")),
        ("31.74", "Kota Jakarta Barat", 200_000, 1, 0, D("23.5")),
        ("35.78", "Kota Surabaya", 200_000, 1, 0, D("23.5")),
    ]


def test_given_june_market_when_breaking_down_by_producer_then_each_shop_counts_its_part(app, market):
    d = june(app)

    assert rows(d.producer_regions) == [
        ("35.78", "Kota Surabaya", 400_000, 2, 0, D("47.1")),
        ("35.14", "Kab. Pasuruan", 350_000, 3, 0, D("41.2")),
        ("35.17", "Kab. Jombang", 100_000, 1, 0, D("11.8")),
    ]
    assert rows(d.producer_kinds) == [
        ("umkm", "UMKM", 400_000, 2, 0, D("47.1")),
        ("kopontren", "Koperasi Pondok Pesantren", 350_000, 3, 0, D("41.2")),
        ("pesantren", "Pesantren", 100_000, 1, 0, D("11.8")),
    ]
    assert [(r.key, r.label, r.value, r.orders, r.detail) for r in d.top_producers] == [
        (market.p3.id, "Namira Ecoprint", 400_000, 2, "Kota Surabaya"),
        (market.p1.id, "Kopontren Sidogiri", 350_000, 3, "Kab. Pasuruan"),
        (market.p2.id, "Pesantren Tebuireng", 100_000, 1, "Kab. Jombang"),
    ]


def test_given_june_market_when_breaking_down_by_category_and_product_then_lines_add_up(app, market):
    d = june(app)

    food, fashion = market.kopi.category.parent_id, market.kain.category.parent_id
    assert rows(d.categories) == [
        (food, "Makanan & Minuman", 450_000, 0, 8, D("52.9")),
        (fashion, "Fesyen & Batik", 400_000, 0, 2, D("47.1")),
    ]
    assert [(r.key, r.label, r.value, r.units, r.detail, r.share) for r in d.top_products] == [
        (market.kain.id, "=SUM(A1) Kain Ecoprint", 400_000, 2, "Namira Ecoprint", D("47.1")),
        (market.kopi.id, "Kopi Arabika Ijen", 350_000, 7, "Kopontren Sidogiri", D("41.2")),
        (market.madu.id, "Madu Hutan Randu", 100_000, 1, "Pesantren Tebuireng", D("11.8")),
    ]


def test_given_june_market_when_comparing_online_and_direct_then_voided_sales_are_out(app, market):
    d = june(app)

    assert rows(d.online_direct) == [
        ("online", "Online (marketplace)", 850_000, 5, 0, D("36.2")),
        ("direct", "Penjualan langsung", 1_500_000, 2, 0, D("63.8")),
    ]
    assert [(r.key, r.value, r.orders, r.share) for r in d.channels] == [
        ("expo", 1_000_000, 1, D("66.7")),
        ("pesantren_store", 500_000, 1, D("33.3")),
        ("other", 0, 0, D("0.0")),  # the rest by label: Lainnya, Misi dagang, Reseller
        ("trade_mission", 0, 0, D("0.0")),
        ("reseller", 0, 0, D("0.0")),
    ]


def test_given_june_market_when_drawing_the_series_then_days_hold_their_jakarta_sales(app, market):
    d = june(app)

    assert d.bucket_size == "day"
    assert len(d.series) == 30
    by_day = {p.bucket.start.day: (p.online, p.orders, p.direct, p.direct_sales) for p in d.series}
    assert by_day[1] == (200_000, 1, 0, 0)  # O9 paid at 00:00 WIB on the first day
    assert by_day[5] == (200_000, 1, 0, 0)
    assert by_day[10] == (200_000, 1, 1_000_000, 1)
    assert by_day[12] == (0, 0, 0, 0)  # O5, refunded whole
    assert by_day[15] == (50_000, 1, 0, 0)  # O6 without its refunded shipment
    assert by_day[30] == (200_000, 1, 500_000, 1)  # O3 at 23:30 WIB on the last day
    assert sum(p.online for p in d.series) == 850_000
    assert sum(p.direct for p in d.series) == 1_500_000


@pytest.mark.parametrize(("start", "end", "gross", "orders"), [
    ((2025, 6, 30), (2025, 6, 30), 200_000, 1),  # O3 at 23:30 WIB: in
    ((2025, 7, 1), (2025, 7, 1), 300_000, 1),  # O4 at 00:30 WIB on 1 July: that day's
    ((2025, 5, 31), (2025, 5, 31), 100_000, 1),  # O10 at 23:59 WIB on 31 May
    ((2025, 6, 1), (2025, 6, 1), 200_000, 1),  # O9 at 00:00 WIB on 1 June
])
def test_given_orders_near_midnight_when_choosing_one_day_then_jakarta_dates_decide(
        app, market, start, end, gross, orders):
    from datetime import date

    with app.test_request_context("/"):
        d = queries.dashboard(db.session, queries.Period(date(*start), date(*end)), labels())

    assert (d.headline.gross, d.headline.orders) == (gross, orders)


# --------------------------------------------------------------------------------------
# The page


def shown(page: str, name: str) -> str:
    match = re.search(rf'data-testid="{name}">(.*?)</dd>', page, re.S)
    assert match, name
    return re.sub(r"<[^>]+>", "", match.group(1)).split("(")[0].strip()


def test_given_admin_when_opening_june_then_the_page_shows_the_figures_and_charts(admin_client):
    # When
    response = admin_client.get("/admin/insight", query_string=JUNE_ARGS)

    # Then
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert shown(page, "gross") == "Rp 850.000"
    assert shown(page, "orders") == "5"
    assert shown(page, "aov") == "Rp 170.000"
    assert shown(page, "active-producers") == "4"
    assert shown(page, "active-buyers") == "4"
    assert shown(page, "direct").startswith("Rp 1.500.000")
    assert "1 Juni 2025 – 30 Juni 2025" in page
    # Charts are inline SVG, named for screen readers; no script on the page of ours.
    # (the series twice: a wide drawing and a phone's)
    assert page.count('<svg class="chart') == 11
    assert 'id="chart-series-title"' in page
    # The producer's name is escaped text, and the CSV links carry the period.
    assert "/admin/insight/provinsi-pembeli.csv?dari=2025-06-01&amp;sampai=2025-06-30" in page
    assert response.headers["Cache-Control"] == "no-store"
    # Figures read on the page's second connection (lines by product, the series) are there.
    products = page.split('data-testid="table-produk-teratas"')[1].split("</table>")[0]
    assert [m for m in re.findall(r'data-testid="name">([^<]*)<', products)] == [
        "=SUM(A1) Kain Ecoprint", "Kopi Arabika Ijen", "Madu Hutan Randu"]
    assert '<td class="num" data-testid="units">7</td>' in products
    # Admins find it in their menu, beside their other pages.
    assert 'href="/admin/insight" data-testid="insight-link"' in page


@pytest.mark.parametrize(("args", "message"), [
    ({"dari": "2025-13-01", "sampai": "2025-06-30"}, "Tanggal tidak terbaca"),
    ({"dari": "2025-06-30", "sampai": "2025-06-01"}, "Tanggal akhir lebih awal dari tanggal mulai"),
    ({"dari": "2025-06-01"}, "Isi tanggalnya"),
    ({"dari": "1999-01-01", "sampai": "2025-06-01"}, "Tanggal harus antara 2019-01-01"),
    ({"dari": "2019-01-01", "sampai": "2100-12-31"}, "Periode paling panjang 3660 hari"),
    ({"periode": "sepuluh-tahun"}, "Pilihan periode tidak dikenal"),
])
def test_given_bad_period_when_opening_then_a_message_and_the_last_30_days(admin_client, args, message):
    from opopmart.core.timeutil import today_jakarta

    response = admin_client.get("/admin/insight", query_string=args)

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message in page
    assert 'data-testid="period-errors"' in page
    today = today_jakarta()
    start = today.toordinal() - 29
    from datetime import date

    assert f"dari={date.fromordinal(start).isoformat()}&amp;sampai={today.isoformat()}" in page


@pytest.mark.parametrize("preset", ["30-hari", "bulan-ini", "tahun-ini"])
def test_given_preset_when_opening_then_its_period_is_shown(admin_client, preset):
    from datetime import date

    from opopmart.core.timeutil import today_jakarta

    today = today_jakarta()
    start = {"30-hari": date.fromordinal(today.toordinal() - 29),
             "bulan-ini": today.replace(day=1), "tahun-ini": date(today.year, 1, 1)}[preset]

    page = admin_client.get("/admin/insight", query_string={"periode": preset}).get_data(as_text=True)

    assert f"dari={start.isoformat()}&amp;sampai={today.isoformat()}" in page
    assert f'aria-current="true" data-testid="preset-{preset}"' in page
    assert 'data-testid="period-errors"' not in page


# --------------------------------------------------------------------------------------
# CSV


def download(client, table: str) -> list[list[str]]:
    response = client.get(f"/admin/insight/{table}.csv", query_string=JUNE_ARGS)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="opop-{table}-2025-06-01-2025-06-30.csv"')
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def test_given_june_when_downloading_buyer_provinces_then_the_csv_has_the_exact_rows(admin_client):
    assert download(admin_client, "provinsi-pembeli") == [
        ["kode_provinsi", "provinsi", "nilai_rp", "pesanan", "pangsa_persen"],
        ["35", "Jawa Timur", "450000", "3", "52.9"],
        ["31", "DKI Jakarta", "200000", "1", "23.5"],
        ["33", "Jawa Tengah", "200000", "1", "23.5"],
    ]


def test_given_a_product_named_like_a_formula_when_downloading_then_the_cell_is_neutralised(
        admin_client, market):
    table = download(admin_client, "produk-teratas")

    assert table[0] == ["id_produk", "produk", "produsen", "nilai_rp", "jumlah_unit", "pangsa_persen"]
    assert table[1] == [str(market.kain.id), "'=SUM(A1) Kain Ecoprint", "Namira Ecoprint",
                        "400000", "2", "47.1"]
    assert [row[1] for row in table[2:]] == ["Kopi Arabika Ijen", "Madu Hutan Randu"]


def test_given_june_when_downloading_every_table_then_each_answers_with_its_rows(admin_client):
    from opopmart.insight.views import TABLES

    sizes = {table: len(download(admin_client, table)) - 1 for table in TABLES}

    assert sizes == {
        "ringkasan": 10, "deret-waktu": 30, "online-langsung": 2, "saluran-langsung": 5,
        "kabupaten-produsen": 3, "provinsi-pembeli": 3, "kabupaten-pembeli": 4, "kategori": 2,
        "jenis-produsen": 3, "produsen-teratas": 3, "produk-teratas": 3,
    }
    summary = {row[0]: row[1:] for row in download(admin_client, "ringkasan")[1:]}
    assert summary["penjualan_kotor_online_rp"] == ["850000", ""]
    assert summary["produk_terkurasi"] == ["3", "1000"]
    assert summary["kopontren_terverifikasi"] == ["1", "660"]
    series = download(admin_client, "deret-waktu")
    assert series[30] == ["2025-06-30", "2025-06-30", "200000", "1", "500000", "1"]


def test_given_unknown_table_when_downloading_then_404(admin_client):
    assert admin_client.get("/admin/insight/rahasia.csv").status_code == 404
