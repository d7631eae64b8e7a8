"""The admins' status history: product and producer events merged newest first, filters,
bad input, paging, the CSV export (formulas neutralised), and who may see it."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import datetime
from html import unescape

import pytest
from sqlalchemy import delete

from opopmart.accounts import admin_history as history
from opopmart.accounts.models import MemberRole, ProducerMember, User
from opopmart.catalogue.models import (Producer, ProducerEvent, ProducerStatus, Product, ProductEvent,
                                       ProductStatus)
from tests import factories as f
from tests.conftest import snapshot_world
from tests.functional.test_accounts import errors_by_field, login, make_user

P, S = ProducerStatus, ProductStatus
FORMULA = '=HYPERLINK("http://contoh.id","klik")'


@dataclass
class Log:
    admin: User
    curator: User  # Kurnia: curator, member of no shop
    seller: User  # Ani: owner of Al Amin
    curator_seller: User  # Dewi: curator and owner of Dapur Dewi
    al_amin: Producer
    surabaya: Producer
    dewi_shop: Producer
    kopi: Product  # of Al Amin
    sambal: Product  # of Dapur Dewi
    ids: dict[str, str]  # e1..e9 -> "product-<id>" / "producer-<id>" as the page marks rows


def _utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 3, day, hour, minute)


def build_log(app, session) -> Log:
    """A hand-built history (times UTC; WIB is 7 hours ahead):

    e1 9 Mar 17:30 (10 Mar 00:30 WIB)  Al Amin       - -> pending        Ani (seller)
    e2 10 Mar 02:00                    Al Amin       pending -> verified Kurnia (curator)
    e3 11 Mar 01:00                    Kopi Ijen     draft -> submitted  Ani
    e4 12 Mar 01:00                    Kopi Ijen     submitted -> changes requested, Kurnia, a formula note
    e5 13 Mar 01:00                    Kopi Ijen     changes requested -> submitted, Ani
    e6 14 Mar 01:00                    Kopi Ijen     submitted -> published, Kurnia
    e7 14 Mar 01:00 (same instant)     Kopontren Surabaya pending -> verified, the system
    e8 15 Mar 01:00                    Sambal Dewi   draft -> submitted, Dewi (curator, but the shop's owner)
    e9 16 Mar 18:30 (17 Mar 01:30 WIB) Kopi Ijen     published -> submitted, the system
    """
    admin = make_user(session, email="admin@contoh.id", name="Adi Admin", is_admin=True)
    curator = make_user(session, email="kurnia@contoh.id", name="Kurnia Kurator", is_curator=True)
    seller = make_user(session, email="ani@contoh.id", name="Ani Rahma")
    dewi = make_user(session, email="dewi@contoh.id", name="Dewi Sari", is_curator=True)
    make_user(session, email="pembeli@contoh.id", name="Pembeli")
    al_amin = f.producer(session, "Kopontren Al Amin")
    surabaya = f.producer(session, "Kopontren Surabaya")
    dewi_shop = f.producer(session, "Dapur Dewi")
    session.add_all([
        ProducerMember(user_id=seller.id, producer_id=al_amin.id, role=MemberRole.OWNER),
        ProducerMember(user_id=dewi.id, producer_id=dewi_shop.id, role=MemberRole.OWNER),
    ])
    food = f.category(session, "Makanan & Minuman")
    kopi = f.product(session, al_amin, food, "Kopi Ijen")
    sambal = f.product(session, dewi_shop, food, "Sambal Dewi", status=S.SUBMITTED)
    # Only the hand-built rows below: the factories' own events go.
    session.execute(delete(ProductEvent))
    session.execute(delete(ProducerEvent))
    rows = {
        "e1": ProducerEvent(producer_id=al_amin.id, actor_id=seller.id, from_status=None,
                            to_status=P.PENDING, reason="", created_at=_utc(9, 17, 30)),
        "e2": ProducerEvent(producer_id=al_amin.id, actor_id=curator.id, from_status=P.PENDING,
                            to_status=P.VERIFIED, reason="", created_at=_utc(10, 2)),
        "e3": ProductEvent(product_id=kopi.id, actor_id=seller.id, from_status=S.DRAFT,
                           to_status=S.SUBMITTED, note="", created_at=_utc(11, 1)),
        "e4": ProductEvent(product_id=kopi.id, actor_id=curator.id, from_status=S.SUBMITTED,
                           to_status=S.CHANGES_REQUESTED, note=FORMULA, created_at=_utc(12, 1)),
        "e5": ProductEvent(product_id=kopi.id, actor_id=seller.id, from_status=S.CHANGES_REQUESTED,
                           to_status=S.SUBMITTED, note="", created_at=_utc(13, 1)),
        "e6": ProductEvent(product_id=kopi.id, actor_id=curator.id, from_status=S.SUBMITTED,
                           to_status=S.PUBLISHED, note="", created_at=_utc(14, 1)),
        "e7": ProducerEvent(producer_id=surabaya.id, actor_id=None, from_status=P.PENDING,
                            to_status=P.VERIFIED, reason="", created_at=_utc(14, 1)),
        "e8": ProductEvent(product_id=sambal.id, actor_id=dewi.id, from_status=S.DRAFT,
                           to_status=S.SUBMITTED, note="", created_at=_utc(15, 1)),
        "e9": ProductEvent(product_id=kopi.id, actor_id=None, from_status=S.PUBLISHED,
                           to_status=S.SUBMITTED, note="Sertifikat P-IRT diperbarui",
                           created_at=_utc(16, 18, 30)),
    }
    session.add_all(rows.values())
    session.commit()
    ids = {name: f"{'product' if isinstance(row, ProductEvent) else 'producer'}-{row.id}"
           for name, row in rows.items()}
    return Log(admin, curator, seller, dewi, al_amin, surabaya, dewi_shop, kopi, sambal, ids)


log = snapshot_world(build_log)


def as_admin(client) -> None:
    login(client, email="admin@contoh.id")


def shown(log: Log, response) -> list[str]:
    """The rows of the page, as e1..e9, in the order shown."""
    assert response.status_code == 200
    by_mark = {mark: name for name, mark in log.ids.items()}
    html = response.get_data(as_text=True)
    return [by_mark[m] for m in re.findall(r'<tr data-event="([a-z]+-\d+)">', html)]


def cells(response, mark: str) -> dict[str, str]:
    row = re.search(rf'<tr data-event="{mark}">(.*?)</tr>', response.get_data(as_text=True), re.S).group(1)
    return {name: " ".join(unescape(re.sub(r"<[^>]+>", " ", value)).split())
            for name, value in re.findall(r'<td data-testid="event-([a-z]+)">(.*?)</td>', row, re.S)}


def total(response) -> str:
    html = response.get_data(as_text=True)
    return unescape(re.search(r'data-testid="history-count">([^<]*)<', html).group(1))


NEWEST_FIRST = ["e9", "e8", "e6", "e7", "e5", "e4", "e3", "e2", "e1"]


# --------------------------------------------------------------------------------------
# The log


def test_both_tables_merge_newest_first(client, log):
    # Given the hand-built history; When the admin opens the log
    as_admin(client)
    response = client.get("/admin/riwayat")
    # Then every event shows, newest first; at the same instant the product comes first
    assert shown(log, response) == NEWEST_FIRST
    assert total(response) == "9 perubahan status"
    assert response.headers["Cache-Control"] == "no-store"


def test_each_row_reads_time_kind_name_change_actor_and_note(client, log):
    as_admin(client)
    response = client.get("/admin/riwayat")
    html = response.get_data(as_text=True)
    # Then times are in WIB, statuses in words, the system named as such
    assert cells(response, log.ids["e9"]) == {
        "time": "17 Maret 2025 01:30 WIB", "kind": "produk", "name": "Kopi Ijen",
        "change": "Tayang → Menunggu kurasi", "actor": "sistem", "note": "Sertifikat P-IRT diperbarui"}
    assert cells(response, log.ids["e4"]) == {
        "time": "12 Maret 2025 08:00 WIB", "kind": "produk", "name": "Kopi Ijen",
        "change": "Menunggu kurasi → Perlu perbaikan", "actor": "Kurnia Kurator (kurator)",
        "note": FORMULA}
    assert cells(response, log.ids["e1"]) == {
        "time": "10 Maret 2025 00:30 WIB", "kind": "produsen", "name": "Kopontren Al Amin",
        "change": "- → Menunggu verifikasi", "actor": "Ani Rahma (penjual)", "note": ""}
    # And a curator acting on her own shop acted as its seller
    assert cells(response, log.ids["e8"])["actor"] == "Dewi Sari (penjual)"
    # And names link to the curation pages
    assert f'<a href="/kurasi/produk/{log.kopi.id}">Kopi Ijen</a>' in html
    assert f'<a href="/kurasi/produsen/{log.surabaya.id}">Kopontren Surabaya</a>' in html


@pytest.mark.parametrize("query, expected", [
    ("jenis=produk", ["e9", "e8", "e6", "e5", "e4", "e3"]),
    ("jenis=produsen", ["e7", "e2", "e1"]),
    ("status=submitted", ["e9", "e8", "e5", "e3"]),
    ("status=verified", ["e7", "e2"]),
    ("status=pending", ["e1"]),
    ("status=changes_requested", ["e4"]),
    ("status=verified&jenis=produk", []),
    ("pelaku=sistem", ["e9", "e7"]),
    ("pelaku=kurator", ["e6", "e4", "e2"]),
    ("pelaku=penjual", ["e8", "e5", "e3", "e1"]),
    ("pelaku=kurator&jenis=produsen", ["e2"]),
    # WIB days: 10 Mar 00:30 WIB is the 10th; 17 Mar 01:30 WIB is the 17th.
    ("dari=2025-03-10&sampai=2025-03-10", ["e2", "e1"]),
    ("sampai=2025-03-09", []),
    ("dari=2025-03-14&sampai=2025-03-16", ["e8", "e6", "e7"]),
    ("dari=2025-03-17", ["e9"]),
    ("q=kopi", ["e9", "e6", "e5", "e4", "e3"]),
    ("q=AL+AMIN", ["e2", "e1"]),
    ("q=%25", []),
    ("q=_", []),
    ("q=dewi&pelaku=penjual&status=submitted&dari=2025-03-15&sampai=2025-03-15", ["e8"]),
    # Unknown values of the choice filters are ignored.
    ("jenis=semua&status=hilang&pelaku=robot", NEWEST_FIRST),
])
def test_each_filter(client, log, query, expected):
    as_admin(client)
    response = client.get(f"/admin/riwayat?{query}")
    assert shown(log, response) == expected
    assert total(response) == f"{len(expected)} perubahan status"


@pytest.mark.parametrize("query, field, message", [
    ("dari=2025-13-01", "dari", "Tulis tanggal seperti 2025-01-31."),
    ("dari=kemarin", "dari", "Tulis tanggal seperti 2025-01-31."),
    ("sampai=31-03-2025", "sampai", "Tulis tanggal seperti 2025-01-31."),
    ("sampai=20250331", "sampai", "Tulis tanggal seperti 2025-01-31."),
    ("dari=2025-02-30", "dari", "Tulis tanggal seperti 2025-01-31."),
    ("dari=0001-01-01", "dari", "Tanggal harus antara tahun 2000 dan 2100."),
    ("sampai=9999-12-31", "sampai", "Tanggal harus antara tahun 2000 dan 2100."),
    ("dari=" + "9" * 5000, "dari", "Tulis tanggal seperti 2025-01-31."),
])
def test_a_bad_date_is_a_message_and_the_rest_still_shows(client, log, query, field, message):
    as_admin(client)
    response = client.get(f"/admin/riwayat?{query}")
    # Then the page answers, names the problem next to the field, and ignores that date
    assert errors_by_field(response) == {field: [message]}
    assert shown(log, response) == NEWEST_FIRST


def test_dates_in_the_wrong_order_keep_the_start_only(client, log):
    as_admin(client)
    response = client.get("/admin/riwayat?dari=2025-03-15&sampai=2025-03-11")
    assert errors_by_field(response) == {"sampai": ["Tanggal akhir tidak boleh sebelum tanggal awal."]}
    assert shown(log, response) == ["e9", "e8"]


def test_pages_follow_each_other_without_overlap(session, log):
    # Given the filter-free log read four rows at a time
    everything = history.HistoryFilter()
    pages = [history.page(session, everything, n, per_page=4) for n in (1, 2, 3, 4)]
    # Then the pages hold 4, 4, 1 and 0 rows, in the log's order, each row once
    assert [len(p.items) for p in pages] == [4, 4, 1, 0]
    assert [(p.pages, p.has_prev, p.has_next) for p in pages[:3]] == [
        (3, False, True), (3, True, True), (3, True, False)]
    names = {mark: name for name, mark in log.ids.items()}
    assert [names[f"{e.kind}-{e.id}"] for p in pages for e in p.items] == NEWEST_FIRST
    # And a page number beyond the bound is brought back to it
    assert history.page(session, everything, 10**6, per_page=4).page == history.MAX_PAGES


def test_the_page_links_to_the_next_page_with_the_filter(client, session, log):
    # Given more events of Kopi Ijen than fit one page
    for minute in range(history.PER_PAGE):
        session.add(ProductEvent(product_id=log.kopi.id, actor_id=None, from_status=S.PUBLISHED,
                                 to_status=S.PUBLISHED, note=f"isi {minute}",
                                 created_at=datetime(2025, 4, 1, 0, minute)))
    session.commit()
    as_admin(client)
    # When the filtered first page is read
    first = client.get("/admin/riwayat?jenis=produk&pelaku=sistem")
    html = first.get_data(as_text=True)
    # Then it holds PER_PAGE rows and links to page 2 with the same filter
    assert total(first) == f"{history.PER_PAGE + 1} perubahan status"
    assert html.count('<tr data-event="') == history.PER_PAGE
    assert 'href="/admin/riwayat?halaman=2&amp;jenis=produk&amp;pelaku=sistem"' in html
    second = client.get("/admin/riwayat?halaman=2&jenis=produk&pelaku=sistem")
    assert shown(log, second) == ["e9"]
    # And a nonsense page number is page 1
    assert client.get("/admin/riwayat?halaman=abc").status_code == 200


# --------------------------------------------------------------------------------------
# CSV


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8")[1:])))


def test_csv_holds_the_filtered_log_with_formulas_neutralised(client, log):
    as_admin(client)
    # When the product log is exported
    response = client.get("/admin/riwayat.csv?jenis=produk&pelaku=kurator")
    rows = read_csv(response)
    assert response.headers["Content-Disposition"].startswith('attachment; filename="riwayat-status-')
    # Then it has the header and the matching rows, newest first, times in WIB
    assert rows[0] == history_headers()
    e4, e6 = (int(log.ids[n].split("-")[1]) for n in ("e4", "e6"))
    assert rows[1:] == [
        ["2025-03-14 08:00:00", "produk", str(e6), str(log.kopi.id), "Kopi Ijen", "Menunggu kurasi",
         "Tayang", "Kurnia Kurator", "kurator", ""],
        ["2025-03-12 08:00:00", "produk", str(e4), str(log.kopi.id), "Kopi Ijen", "Menunggu kurasi",
         "Perlu perbaikan", "Kurnia Kurator", "kurator", "'" + FORMULA],
    ]


def history_headers() -> list[str]:
    return ["waktu_wib", "jenis", "id_event", "id", "nama", "dari_status", "ke_status",
            "pelaku", "jenis_pelaku", "catatan"]


def test_csv_of_everything_and_of_nothing(client, log):
    as_admin(client)
    rows = read_csv(client.get("/admin/riwayat.csv"))
    assert len(rows) == 1 + 9
    # The first event has no "from"; the system is named; dates read in WIB
    assert rows[-1][:9] == ["2025-03-10 00:30:00", "produsen", log.ids["e1"].split("-")[1],
                            str(log.al_amin.id), "Kopontren Al Amin", "", "Menunggu verifikasi",
                            "Ani Rahma", "penjual"]
    assert rows[1][7:9] == ["sistem", "sistem"]
    # A filter matching nothing gives the header only; a bad date is ignored as on the page
    assert read_csv(client.get("/admin/riwayat.csv?status=verified&jenis=produk")) == [history_headers()]
    assert len(read_csv(client.get("/admin/riwayat.csv?dari=bukan-tanggal"))) == 10


def test_a_formula_in_a_name_is_neutralised_too(client, session, log):
    log.kopi.name = "+62 Kopi"
    session.commit()
    as_admin(client)
    rows = read_csv(client.get("/admin/riwayat.csv?jenis=produk&status=published"))
    assert [r[4] for r in rows[1:]] == ["'+62 Kopi"]


def test_too_large_an_export_asks_to_narrow_the_filter(client, log, monkeypatch):
    # Given an export limit smaller than the matching log
    monkeypatch.setattr(history, "MAX_CSV_ROWS", 3)
    as_admin(client)
    # When everything is asked for
    response = client.get("/admin/riwayat.csv?jenis=produk")
    # Then the admin is sent back to the filtered log with a message, nothing cut silently
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/riwayat?jenis=produk"
    page = unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert ("Riwayat yang cocok ada 6 baris, lebih dari 3 yang bisa diunduh sekaligus. "
            "Persempit saringannya (misalnya rentang tanggal).") in page
    # And a narrower filter downloads
    assert len(read_csv(client.get("/admin/riwayat.csv?jenis=produk&pelaku=kurator"))) == 3


# --------------------------------------------------------------------------------------
# Access


@pytest.mark.parametrize("path", ["/admin/riwayat", "/admin/riwayat.csv"])
@pytest.mark.parametrize("email, status", [
    (None, 302), ("pembeli@contoh.id", 403), ("ani@contoh.id", 403),
    ("kurnia@contoh.id", 403), ("dewi@contoh.id", 403), ("admin@contoh.id", 200),
])
def test_only_admins_see_the_history(client, log, path, email, status):
    if email:
        login(client, email=email)
    response = client.get(path)
    assert response.status_code == status
    if status == 302:
        assert response.headers["Location"].startswith("/masuk?next=/admin/riwayat")


def test_the_account_menu_links_admins_to_the_history(client, log):
    as_admin(client)
    assert 'href="/admin/riwayat" data-testid="history-link"' in client.get("/akun").get_data(as_text=True)
    curator = client.application.test_client()
    login(curator, email="kurnia@contoh.id")
    assert 'data-testid="history-link"' not in curator.get("/akun").get_data(as_text=True)
