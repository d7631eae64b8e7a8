"""Bulk listing: download the catalogue as CSV/XLSX, upload it back, read the report."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from html import unescape

import openpyxl
import pytest
from sqlalchemy import select, text
from werkzeug.datastructures import FileStorage
from werkzeug.test import stream_encode_multipart

from opopmart.accounts.models import MemberRole, ProducerMember
from opopmart.catalogue.models import Brand, Product, ProductStatus, ProductVariant
from opopmart.catalogue.services import change_product_status
from opopmart.core.models import CATALOGUE, CacheVersion
from opopmart.extensions import db
from opopmart.seller import bulk, services
from tests import factories as f
from tests.functional.seller_support import csrf_token, login, make_user, seller, snapshot

TOKEN_PAGE = "/studio/buka-toko"
HEADER = ("id_produk,nama_produk,kategori,merek,deskripsi,klaim_halal,nama_pilihan_1,nama_pilihan_2,"
          "sku,pilihan_1,pilihan_2,harga,stok,berat_gram,min_pembelian,aktif,grosir,status")


@dataclass
class Shop:
    user_id: int
    producer_id: int
    kopi_id: int
    camilan_id: int
    robusta: int  # published, variants ROB-250 (tier 10:22500) and ROB-500
    keripik: int  # draft, one variant KRP-1
    lama: int  # archived, one variant LAMA-1
    other_producer: int
    other_product: int


def make_product(session, user_id, producer_id, category_id, name, variants, *, option1_name="",
                 brand="", description="Dibuat di pondok.", claims_halal=True, status=None):
    product = services.create_product(session, user_id=user_id, producer_id=producer_id, data=services.ProductInput(
        name=name, category_id=category_id, new_brand=brand, description=description,
        claims_halal=claims_halal, option1_name=option1_name,
        variants=[services.VariantInput(sku=sku, option1=opt, price=price, stock=stock, weight_grams=weight,
                                        min_order_qty=1, tiers=[services.TierInput(q, p) for q, p in tiers])
                  for sku, opt, price, stock, weight, tiers in variants]))
    for step in {ProductStatus.PUBLISHED: [ProductStatus.SUBMITTED, ProductStatus.PUBLISHED],
                 ProductStatus.ARCHIVED: [ProductStatus.ARCHIVED], None: []}[status]:
        change_product_status(session, product, step, actor_id=None)
    return product


@pytest.fixture
def shop(app, client, session) -> Shop:
    user, producer = seller(session, client)
    food = f.category(session, "Makanan & Minuman")
    kopi = f.category(session, "Kopi", parent=food)
    camilan = f.category(session, "Camilan", parent=food)
    robusta = make_product(session, user.id, producer.id, kopi.id, "Kopi Robusta Al Amin", [
        ("ROB-250", "250 g", 25_000, 40, 260, [(10, 22_500)]),
        ("ROB-500", "500 g", 47_000, 15, 510, []),
    ], option1_name="Berat", brand="Santri Kopi", status=ProductStatus.PUBLISHED)
    keripik = make_product(session, user.id, producer.id, camilan.id, "Keripik Tempe",
                           [("KRP-1", "", 12_000, 30, 150, [])], claims_halal=False)
    lama = make_product(session, user.id, producer.id, kopi.id, "Kopi Lama",
                        [("LAMA-1", "", 20_000, 0, 250, [])], status=ProductStatus.ARCHIVED)
    other = f.producer(session, "Toko Lain")
    other_product = f.product(session, other, kopi, "Kopi Toko Lain", prices=[30_000])
    session.commit()
    return Shop(user.id, producer.id, kopi.id, camilan.id, robusta.id, keripik.id, lama.id, other.id,
                other_product.id)


# --------------------------------------------------------------------------------------
# Steps


def page_url(shop: Shop) -> str:
    return f"/studio/toko/{shop.producer_id}/massal"


def upload(client, shop: Shop, data: bytes, mode: str = "all", filename: str = "produk.csv", token=True):
    payload = {"mode": mode, "sheet": FileStorage(io.BytesIO(data), filename)}
    if token:
        payload["csrf_token"] = csrf_token(client, TOKEN_PAGE)
    # Encoded in memory: Werkzeug's test client would spool a large body to a file it never closes.
    body, _length, boundary = stream_encode_multipart(payload, use_tempfile=False)
    return client.post(page_url(shop), data=body.getvalue(),
                       content_type=f"multipart/form-data; boundary={boundary}")


def export_csv(client, shop: Shop) -> str:
    response = client.get(page_url(shop) + "/unduh.csv")
    assert response.status_code == 200
    return response.data.decode("utf-8-sig")


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def to_csv(rows: list[list], delimiter=",") -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue().encode("utf-8")


def summary(response) -> dict[str, int]:
    html = response.get_data(as_text=True)
    return {name: int(value) for name, value in re.findall(r'data-testid="count-([a-z-]+)">(\d+)<', html)}


def problems(response) -> list[tuple[int, str, str, str]]:
    html = response.get_data(as_text=True)
    table = re.search(r'<table class="studio-table" data-testid="problems">(.*?)</table>', html, re.S)
    if not table:
        return []
    return [(int(line), unescape(column), unescape(value), unescape(message)) for line, column, value, message
            in re.findall(r"<tr><td>(\d+)</td><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", table.group(1))]


def file_error(response) -> str | None:
    match = re.search(r'data-testid="file-error"><p>(.*?)</p>', response.get_data(as_text=True), re.S)
    return unescape(match.group(1)) if match else None


def skipped(response) -> list[str]:
    match = re.search(r'<ul data-testid="skipped">(.*?)</ul>', response.get_data(as_text=True), re.S)
    return [re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", li))).strip()
            for li in re.findall(r"<li>(.*?)</li>", match.group(1), re.S)] if match else []


def catalogue_version(session) -> int:
    session.expire_all()
    return session.execute(select(CacheVersion.value).where(CacheVersion.name == CATALOGUE)).scalar() or 0


def variants_of(session, product_id):
    session.expire_all()
    product = session.get(Product, product_id)
    return [(v.sku, v.option1, v.price, v.stock, v.weight_grams, v.min_order_qty, v.is_active,
             [(t.min_qty, t.unit_price) for t in v.wholesale_tiers]) for v in product.variants]


def edited(text: str, changes: dict[tuple[str, str], str]) -> list[list[str]]:
    """The exported rows with cells changed, addressed by (sku, column)."""
    rows = csv_rows(text)
    header = rows[0]
    for row in rows[1:]:
        for (sku, column), value in changes.items():
            if row[header.index("sku")] == sku:
                row[header.index(column)] = value
    return rows


# --------------------------------------------------------------------------------------
# Download


def test_export_lists_every_product_and_variant_in_a_stable_order(client, session, shop):
    # Given a shop with a published, a draft and an archived product (and another shop)
    # When the owner downloads the CSV
    response = client.get(page_url(shop) + "/unduh.csv")
    # Then it is an attachment, never stored, with one row per variant, all statuses
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(r'attachment; filename="produk-kopontren-al-amin-\d{4}-\d\d-\d\d\.csv"',
                        response.headers["Content-Disposition"])
    assert response.headers["Cache-Control"] == "no-store"
    assert response.data.startswith(b"\xef\xbb\xbf")
    kopi, camilan = "Makanan & Minuman › Kopi", "Makanan & Minuman › Camilan"
    assert csv_rows(response.data.decode("utf-8-sig")) == [
        HEADER.split(","),
        [str(shop.robusta), "Kopi Robusta Al Amin", kopi, "Santri Kopi", "Dibuat di pondok.", "ya", "Berat", "",
         "ROB-250", "250 g", "", "25000", "40", "260", "1", "ya", "10:22500", "tayang"],
        [str(shop.robusta), "Kopi Robusta Al Amin", kopi, "Santri Kopi", "Dibuat di pondok.", "ya", "Berat", "",
         "ROB-500", "500 g", "", "47000", "15", "510", "1", "ya", "", "tayang"],
        [str(shop.keripik), "Keripik Tempe", camilan, "", "Dibuat di pondok.", "tidak", "", "",
         "KRP-1", "", "", "12000", "30", "150", "1", "ya", "", "draf"],
        [str(shop.lama), "Kopi Lama", kopi, "", "Dibuat di pondok.", "ya", "", "",
         "LAMA-1", "", "", "20000", "0", "250", "1", "ya", "", "diarsipkan"],
    ]


def test_xlsx_export_has_numbers_as_numbers_and_text_as_text(client, session, shop):
    response = client.get(page_url(shop) + "/unduh.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert response.headers["Content-Disposition"].startswith('attachment; filename="produk-kopontren-al-amin-')
    assert response.headers["Cache-Control"] == "no-store"
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Produk", "Kategori"]
    sheet = book["Produk"]
    assert [c.value for c in sheet[1]] == HEADER.split(",")
    assert [c.value for c in sheet[2]] == [
        shop.robusta, "Kopi Robusta Al Amin", "Makanan & Minuman › Kopi", "Santri Kopi", "Dibuat di pondok.",
        "ya", "Berat", None, "ROB-250", "250 g", None, 25000, 40, 260, 1, "ya", "10:22500", "tayang"]
    assert sheet.max_row == 5
    assert [c.value for c in book["Kategori"]["A"]] == [
        "kategori", "Makanan & Minuman", "Makanan & Minuman › Camilan", "Makanan & Minuman › Kopi"]


# --------------------------------------------------------------------------------------
# Round trips


def test_csv_round_trip_changes_nothing(client, session, shop):
    # Given the shop's own CSV, untouched
    before, version = snapshot(), catalogue_version(session)
    data = client.get(page_url(shop) + "/unduh.csv").data
    # When it is uploaded back (all or nothing)
    response = upload(client, shop, data)
    # Then the report says nothing changes, and nothing did
    assert response.status_code == 200
    assert summary(response) == {"rows": 4, "products": 3, "created": 0, "updated": 0, "unchanged": 3,
                                 "error-rows": 0}
    assert problems(response) == []
    assert snapshot() == before
    assert catalogue_version(session) == version


def test_xlsx_round_trip_changes_nothing(client, session, shop):
    before = snapshot()
    data = client.get(page_url(shop) + "/unduh.xlsx").data
    response = upload(client, shop, data, filename="produk.xlsx")
    assert summary(response) == {"rows": 4, "products": 3, "created": 0, "updated": 0, "unchanged": 3,
                                 "error-rows": 0}
    assert problems(response) == []
    assert snapshot() == before


def test_round_trip_of_a_workbook_resaved_by_a_spreadsheet_keeps_values(client, session, shop):
    # Given the XLSX opened and saved again (openpyxl as the spreadsheet: same cells, new file)
    book = openpyxl.load_workbook(io.BytesIO(client.get(page_url(shop) + "/unduh.xlsx").data))
    out = io.BytesIO()
    book.save(out)
    before = snapshot()
    response = upload(client, shop, out.getvalue(), filename="disimpan-ulang.xlsx")
    assert summary(response)["unchanged"] == 3 and problems(response) == []
    assert snapshot() == before


# --------------------------------------------------------------------------------------
# Creating and updating


def test_new_product_with_two_variants_from_the_file(client, session, shop):
    # Given two rows without id_produk for one new product, prices written three ways
    rows = [HEADER.split(","),
            ["", "Sambal Bawang Santri", "Makanan & Minuman › Camilan", "Dapur Santri", "Pedas manis.", "ya",
             "Ukuran", "", "smb-100", "100 g", "", "Rp 18.000", "25", "130", "1", "ya", "12:16.000; 24:15000", ""],
            ["", "Sambal Bawang Santri", "makanan & minuman > camilan", "dapur santri", "Pedas manis.", "YA",
             "Ukuran", "", "SMB-200", "200 g", "", "32000", "10", "240", "2", "", "", ""]]
    version = catalogue_version(session)
    # When they are uploaded
    response = upload(client, shop, to_csv(rows))
    # Then one draft product exists with both variants, its tiers and a new brand
    assert summary(response) == {"rows": 2, "products": 1, "created": 1, "updated": 0, "unchanged": 0,
                                 "error-rows": 0}
    session.expire_all()
    product = session.execute(select(Product).where(Product.name == "Sambal Bawang Santri")).scalar_one()
    assert (product.producer_id, product.category_id, product.status, product.description, product.claims_halal,
            product.option1_name, product.slug) == (
        shop.producer_id, shop.camilan_id, ProductStatus.DRAFT, "Pedas manis.", True, "Ukuran",
        "sambal-bawang-santri")
    assert session.get(Brand, product.brand_id).name == "Dapur Santri"
    assert variants_of(session, product.id) == [
        ("SMB-100", "100 g", 18_000, 25, 130, 1, True, [(12, 16_000), (24, 15_000)]),
        ("SMB-200", "200 g", 32_000, 10, 240, 2, True, []),
    ]
    assert catalogue_version(session) > version


def test_price_stock_and_tiers_of_a_published_product_apply_at_once(client, session, shop):
    # Given the export with ROB-250's price, stock, tiers and ROB-500's weight changed
    version = catalogue_version(session)
    rows = edited(export_csv(client, shop), {
        ("ROB-250", "harga"): "Rp 26.500", ("ROB-250", "stok"): "55", ("ROB-250", "grosir"): "10:24000; 20:23000",
        ("ROB-500", "berat_gram"): "520", ("ROB-500", "aktif"): "tidak",
    })
    # When uploaded
    response = upload(client, shop, to_csv(rows))
    # Then the published product changed in place and the public listing follows
    assert summary(response) == {"rows": 4, "products": 3, "created": 0, "updated": 1, "unchanged": 2,
                                 "error-rows": 0}
    assert variants_of(session, shop.robusta) == [
        ("ROB-250", "250 g", 26_500, 55, 260, 1, True, [(10, 24_000), (20, 23_000)]),
        ("ROB-500", "500 g", 47_000, 15, 520, 1, False, []),
    ]
    product = session.get(Product, shop.robusta)
    assert (product.status, product.is_listed, product.min_price, product.max_price) == (
        ProductStatus.PUBLISHED, True, 26_500, 26_500)
    assert catalogue_version(session) > version


def test_a_new_sku_adds_a_variant_and_variants_left_out_stay(client, session, shop):
    # Given a file with only the draft's rows: KRP-1 given a flavour, a new KRP-2
    rows = edited(export_csv(client, shop), {("KRP-1", "harga"): "13000", ("KRP-1", "nama_pilihan_1"): "Rasa",
                                             ("KRP-1", "pilihan_1"): "Original"})
    header, krp = rows[0], next(r for r in rows if r[8] == "KRP-1")
    new = list(krp)
    for column, value in {"sku": "krp-2", "pilihan_1": "Pedas", "harga": "22.000", "stok": "8"}.items():
        new[header.index(column)] = value
    # When it is uploaded
    response = upload(client, shop, to_csv([header, krp, new]))
    # Then the draft has both variants
    assert summary(response) == {"rows": 2, "products": 1, "created": 0, "updated": 1, "unchanged": 0,
                                 "error-rows": 0}
    assert variants_of(session, shop.keripik) == [
        ("KRP-1", "Original", 13_000, 30, 150, 1, True, []),
        ("KRP-2", "Pedas", 22_000, 8, 150, 1, True, []),
    ]
    assert session.get(Product, shop.keripik).option1_name == "Rasa"
    # the published and archived products were not in the file: untouched
    assert [v[0] for v in variants_of(session, shop.robusta)] == ["ROB-250", "ROB-500"]


def test_content_change_of_a_published_product_is_refused_on_each_cell(client, session, shop):
    # Given the published product renamed, and one of its options changed
    before = snapshot()
    rows = edited(export_csv(client, shop), {
        ("ROB-250", "nama_produk"): "Kopi Robusta Baru", ("ROB-500", "nama_produk"): "Kopi Robusta Baru",
        ("ROB-500", "pilihan_1"): "1/2 kg", ("ROB-250", "harga"): "30000",
    })
    response = upload(client, shop, to_csv(rows))
    refused = str(services.PUBLISHED_CONTENT_REFUSED)
    # Then each changed cell is reported and nothing is written, not even the price
    assert problems(response) == [
        (2, "nama_produk", "Kopi Robusta Baru", refused),
        (3, "pilihan_1", "1/2 kg", refused),
    ]
    assert summary(response) == {"rows": 4, "products": 3, "to-create": 0, "to-update": 0, "unchanged": 2,
                                 "error-rows": 2}
    assert skipped(response) == ["Kopi Robusta Al Amin (baris 2–3)"]
    assert snapshot() == before


def test_archived_product_rows_are_refused_when_they_change_something(client, session, shop):
    before = snapshot()
    rows = edited(export_csv(client, shop), {("LAMA-1", "stok"): "5"})
    response = upload(client, shop, to_csv(rows), mode="valid")
    assert problems(response) == [
        (5, "status", "diarsipkan",
         "Produk yang diarsipkan tidak bisa diubah lewat berkas; pulihkan dulu di studio.")]
    assert summary(response)["updated"] == 0
    assert snapshot() == before


def bad_and_good(client, shop) -> bytes:
    """The draft's price changed (fine) and the published product's stock made negative."""
    return to_csv(edited(export_csv(client, shop), {
        ("KRP-1", "harga"): "15.000", ("ROB-500", "stok"): "-3", ("ROB-250", "grosir"): "10:22500; lima",
    }))


def test_all_or_nothing_writes_nothing_when_one_row_is_bad(client, session, shop):
    before = snapshot()
    response = upload(client, shop, bad_and_good(client, shop), mode="all")
    assert problems(response) == [
        (2, "grosir", "10:22500; lima",
         "Tulis harga grosir seperti 10:23000; 50:21000 (jumlah minimum:harga per unit)."),
        (3, "stok", "-3", "Masukkan bilangan bulat, misalnya 10."),
    ]
    assert summary(response) == {"rows": 4, "products": 3, "to-create": 0, "to-update": 1, "unchanged": 1,
                                 "error-rows": 2}
    assert "Tidak ada yang disimpan" in response.get_data(as_text=True)
    assert snapshot() == before


def test_valid_only_applies_the_good_products_and_reports_the_bad_ones(client, session, shop):
    response = upload(client, shop, bad_and_good(client, shop), mode="valid")
    assert summary(response) == {"rows": 4, "products": 3, "created": 0, "updated": 1, "unchanged": 1,
                                 "error-rows": 2}
    assert [(line, column) for line, column, _v, _m in problems(response)] == [(2, "grosir"), (3, "stok")]
    assert skipped(response) == ["Kopi Robusta Al Amin (baris 2–3)"]
    assert variants_of(session, shop.keripik)[0][2] == 15_000
    assert variants_of(session, shop.robusta) == [
        ("ROB-250", "250 g", 25_000, 40, 260, 1, True, [(10, 22_500)]),
        ("ROB-500", "500 g", 47_000, 15, 510, 1, True, []),
    ]


def test_check_only_reports_and_writes_nothing(client, session, shop):
    before = snapshot()
    rows = edited(export_csv(client, shop), {("KRP-1", "harga"): "15000"})
    rows.append(["", "Gula Aren", "Camilan", "", "Gula aren cetak.", "tidak", "", "", "GA-1", "", "", "9000",
                 "12", "500", "1", "ya", "", ""])
    response = upload(client, shop, to_csv(rows), mode="check")
    assert summary(response) == {"rows": 5, "products": 4, "to-create": 1, "to-update": 1, "unchanged": 2,
                                 "error-rows": 0}
    assert "Hanya pemeriksaan: tidak ada yang disimpan." in response.get_data(as_text=True)
    assert snapshot() == before


def test_product_cells_that_disagree_between_rows_are_an_error_on_that_row(client, session, shop):
    before = snapshot()
    rows = edited(export_csv(client, shop), {("ROB-500", "deskripsi"): "Lain sendiri.",
                                             ("ROB-500", "klaim_halal"): "tidak"})
    response = upload(client, shop, to_csv(rows))
    message = ("Berbeda dengan baris 2 dari produk yang sama; isi kolom ini sama di setiap baris produk.")
    assert problems(response) == [(3, "deskripsi", "Lain sendiri.", message), (3, "klaim_halal", "tidak", message)]
    assert snapshot() == before


def test_rules_of_the_studio_form_are_reported_by_line_and_column(client, session, shop):
    # Given new rows breaking the form's rules: unknown category, tier above the price,
    # a SKU of another product, a bad yes/no, a new variant marked inactive
    before = snapshot()
    rows = [HEADER.split(","),
            ["", "Teh Daun Kelor", "Minuman Ajaib", "", "", "mungkin", "", "", "ROB-250", "", "", "10000", "5",
             "100", "1", "ya", "5:11000", ""],
            ["", "Madu", "Kopi", "", "Madu hutan.", "ya", "", "", "MD-1", "", "", "abc", "5", "0", "1", "tidak",
             "", ""]]
    response = upload(client, shop, to_csv(rows))
    assert problems(response) == [
        (2, "klaim_halal", "mungkin", "Tulis ya atau tidak."),
        (2, "kategori", "Minuman Ajaib", "Pilih kategori dari daftar."),
        (2, "deskripsi", "", "Wajib diisi."),
        (2, "grosir", "5:11000", "Harga grosir: jumlah minimum mulai 2 dan naik, harga per unit turun dan "
                                 "di bawah harga normal."),
        (2, "sku", "ROB-250", "SKU ini sudah dipakai produk lain di toko Anda."),
        (3, "aktif", "tidak", "Varian baru selalu dijual; ubah menjadi tidak dijual setelah tersimpan."),
        (3, "harga", "abc", "Tulis harga dalam rupiah tanpa sen, misalnya 25.000."),
        (3, "berat_gram", "0", "Isi angka 1 sampai 1.000.000."),
    ]
    assert snapshot() == before


def test_reported_values_are_escaped_and_cut_short(client, session, shop):
    long_category = "<script>alert(1)</script>" + "x" * 100
    rows = [HEADER.split(","),
            ["", "Produk", long_category, "", "Ada.", "ya", "", "", "P-1", "", "", "1000", "1", "1", "1", "ya", "", ""]]
    response = upload(client, shop, to_csv(rows))
    assert problems(response) == [(2, "kategori", long_category[:59] + "…", "Pilih kategori dari daftar.")]
    assert "<script>alert(1)" not in response.get_data(as_text=True)


def test_one_sku_added_by_two_products_of_the_file_is_refused(client, session, shop):
    rows = [HEADER.split(","),
            ["", "Produk A", "Kopi", "", "A.", "ya", "", "", "DUA-1", "", "", "10000", "5", "100", "1", "ya", "", ""],
            ["", "Produk B", "Kopi", "", "B.", "ya", "", "", "dua-1", "", "", "10000", "5", "100", "1", "ya", "", ""]]
    before = snapshot()
    response = upload(client, shop, to_csv(rows), mode="valid")
    assert problems(response) == [(3, "sku", "dua-1", "SKU ini juga dipakai produk lain di berkas ini (baris 2).")]
    assert summary(response)["created"] == 1
    assert session.execute(select(Product.name).where(Product.name.in_(["Produk A", "Produk B"]))).scalars().all() == [
        "Produk A"]
    assert snapshot() != before


def test_another_shops_product_id_is_not_found_and_never_touched(client, session, shop):
    before = snapshot()
    rows = [HEADER.split(","),
            [str(shop.other_product), "Kopi Toko Lain", "Kopi", "", "", "tidak", "", "", f"SKU-{shop.other_product}-0",
             "", "", "99000", "1", "250", "1", "ya", "", ""],
            ["999999", "Hantu", "Kopi", "", "", "tidak", "", "", "X", "", "", "1000", "1", "1", "1", "ya", "", ""]]
    response = upload(client, shop, to_csv(rows), mode="valid")
    message = "Produk tidak ditemukan di toko ini. Kosongkan id_produk untuk produk baru."
    assert problems(response) == [(2, "id_produk", str(shop.other_product), message), (3, "id_produk", "999999", message)]
    assert snapshot() == before
    assert session.execute(select(ProductVariant.price).where(
        ProductVariant.product_id == shop.other_product)).scalars().all() == [30_000]


def test_a_conflict_at_save_time_rolls_the_whole_upload_back(client, session, shop):
    # Given the database refuses one SKU as a concurrent upload would (a unique violation
    # that no check could see coming), and a file whose first product is fine
    if db.engine.dialect.name == "sqlite":
        session.execute(text(
            "CREATE TRIGGER bentrok BEFORE INSERT ON product_variants WHEN NEW.sku = 'BENTROK' "
            "BEGIN SELECT RAISE(ABORT, 'UNIQUE constraint failed: product_variants.sku'); END"))
    else:
        session.execute(text(
            "CREATE FUNCTION bentrok() RETURNS trigger AS $$ BEGIN IF NEW.sku = 'BENTROK' THEN "
            "RAISE unique_violation USING MESSAGE = 'duplicate sku'; END IF; RETURN NEW; END $$ "
            "LANGUAGE plpgsql"))
        session.execute(text("CREATE TRIGGER bentrok BEFORE INSERT ON product_variants "
                             "FOR EACH ROW EXECUTE FUNCTION bentrok()"))
    session.commit()
    rows = price_change_rows(client, shop, "19000")
    rows += [["", "Produk Baik", "Kopi", "", "Baik.", "ya", "", "", "BAIK-1", "", "", "10000", "5", "100", "1",
              "ya", "", ""],
             ["", "Produk Bentrok", "Kopi", "", "Bentrok.", "ya", "", "", "BENTROK", "", "", "10000", "5", "100",
              "1", "ya", "", ""]]
    before = snapshot()
    # When it is uploaded with "apply the valid ones"
    response = upload(client, shop, to_csv(rows), mode="valid")
    # Then nothing at all is written, and the seller is told why
    assert response.status_code == 200
    assert file_error(response) == ("Data bentrok dengan perubahan lain (misalnya SKU yang baru saja dipakai). "
                                    "Tidak ada yang disimpan; unggah berkasnya lagi.")
    assert snapshot() == before


# --------------------------------------------------------------------------------------
# Formulas


EVIL = ['=HYPERLINK("http://evil","x")', "+6281234567890", "-5", "@SUM(A1)", "'=already quoted"]


def formula_shop(session, shop: Shop) -> Product:
    product = make_product(session, shop.user_id, shop.producer_id, shop.kopi_id, EVIL[0], [
        (EVIL[1], EVIL[2], 10_000, 1, 100, []),
        ("BIASA", EVIL[4], 11_000, 1, 100, []),
    ], option1_name=EVIL[3], brand="@merek", description="-diseduh\n=dingin")
    session.commit()
    return product


def test_formulas_are_neutralised_in_csv_and_the_round_trip_is_lossless(client, session, shop):
    product = formula_shop(session, shop)
    text = export_csv(client, shop)
    row = next(r for r in csv_rows(text) if r[0] == str(product.id))
    assert row[:11] == [str(product.id), "'" + EVIL[0], "Makanan & Minuman › Kopi", "'@merek",
                        "'-diseduh\n=dingin", "ya", "'" + EVIL[3], "", "'" + EVIL[1], "'-5", ""]
    second = [r for r in csv_rows(text) if r[0] == str(product.id)][1]
    assert second[9] == "''=already quoted"
    before = snapshot()
    response = upload(client, shop, text.encode("utf-8"))
    assert summary(response)["unchanged"] == 4 and problems(response) == []
    assert snapshot() == before


def test_formulas_are_plain_strings_in_xlsx_and_the_round_trip_is_lossless(client, session, shop):
    product = formula_shop(session, shop)
    data = client.get(page_url(shop) + "/unduh.xlsx").data
    sheet = openpyxl.load_workbook(io.BytesIO(data))["Produk"]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == product.id)
    assert [(c.value, c.data_type) for c in (row[1], row[6], row[8], row[9])] == [
        ("'" + EVIL[0], "s"), ("'" + EVIL[3], "s"), ("'" + EVIL[1], "s"), ("'-5", "s")]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")
    before = snapshot()
    response = upload(client, shop, data, filename="produk.xlsx")
    assert summary(response)["unchanged"] == 4 and problems(response) == []
    assert snapshot() == before


# --------------------------------------------------------------------------------------
# Spreadsheet dialects


def price_change_rows(client, shop, price="15000") -> list[list[str]]:
    return edited(export_csv(client, shop), {("KRP-1", "harga"): price})


def test_semicolon_csv_from_excel_in_an_indonesian_locale(client, session, shop):
    data = to_csv(price_change_rows(client, shop, "15.000"), delimiter=";")
    response = upload(client, shop, data)
    assert summary(response)["updated"] == 1 and problems(response) == []
    assert variants_of(session, shop.keripik)[0][2] == 15_000


def test_cp1252_csv_from_older_excel(client, session, shop):
    rows = price_change_rows(client, shop)
    rows.append(["", "Kopi Café Santri", "Makanan & Minuman › Kopi", "", "Kopi ‘spesial’.", "ya", "", "",
                 "CAFE-1", "", "", "20000", "3", "250", "1", "ya", "", ""])
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=";").writerows(rows)
    response = upload(client, shop, out.getvalue().encode("cp1252"))
    assert problems(response) == []
    assert summary(response)["created"] == 1 and summary(response)["updated"] == 1
    product = session.execute(select(Product).where(Product.name == "Kopi Café Santri")).scalar_one()
    assert (product.description, product.category_id) == ("Kopi ‘spesial’.", shop.kopi_id)


def test_utf8_with_and_without_bom_and_english_headers(client, session, shop):
    rows = price_change_rows(client, shop, "16000")
    rows[0] = ["Product_ID", "PRODUCT_NAME", "Category", "brand", "Description", "halal_claim", "option1_name",
               "option2_name", "SKU", "option1", "option2", "Price", "Stock", "weight_grams", "min_order_qty",
               "active", "wholesale", "status"]
    for data in (to_csv(rows), b"\xef\xbb\xbf" + to_csv(rows)):
        response = upload(client, shop, data)
        assert problems(response) == [] and file_error(response) is None
    assert variants_of(session, shop.keripik)[0][2] == 16_000


# --------------------------------------------------------------------------------------
# Files that are refused whole


def zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (bulk.MAX_UNCOMPRESSED + 1))
    return out.getvalue()


def fake_xlsx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("foto.jpg", b"\xff\xd8\xff")
    return out.getvalue()


def xlsx_with_entities() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><Types/>')
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return out.getvalue()


NOT_SHEET = ("Berkas ini bukan CSV atau XLSX yang bisa kami baca. Simpan dari aplikasi spreadsheet sebagai "
             "CSV (UTF-8) atau Excel Workbook (.xlsx).")


@pytest.mark.parametrize(("data", "message"), [
    (b"", "Berkas kosong. Unggah berkas CSV atau XLSX berisi produk."),
    (b"\r\n \r\n", "Berkas kosong. Unggah berkas CSV atau XLSX berisi produk."),
    ((HEADER + "\r\n").encode(), "Berkas hanya berisi judul kolom; belum ada baris produk."),
    (bytes(range(256)) * 40, NOT_SHEET),
    (b"PK\x03\x04" + b"\x00garbage" * 50, NOT_SHEET),
    ("fake", NOT_SHEET),
    ("entities", NOT_SHEET),
    ("bomb", "Isi berkas XLSX terlalu besar setelah dibuka (lebih dari 64 MB). Hapus lembar atau gambar "
             "yang tidak perlu."),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100,
     "Berkas Excel lama (.xls) atau berkas yang dikunci sandi tidak bisa dibaca. Simpan sebagai Excel Workbook "
     "(.xlsx) tanpa sandi."),
    (b"nama_produk,harga,warna\r\nKopi,1,merah\r\n",
     "Kolom tidak dikenal: warna. Pakai judul kolom dari berkas unduhan."),
    (b"sku;harga;stok\r\nA;1;1\r\n",
     "Kolom wajib tidak ada: id_produk, nama_produk, kategori, merek, deskripsi, klaim_halal, nama_pilihan_1, "
     "nama_pilihan_2, pilihan_1, pilihan_2, berat_gram, min_pembelian, aktif, grosir. Pakai judul kolom dari "
     "berkas unduhan."),
    (b"halo dunia\r\n1,2,3\r\n", "Baris pertama harus berisi judul kolom, seperti di berkas unduhan."),
    ((HEADER + ",sku\r\n").encode(), "Kolom muncul lebih dari sekali: sku."),
])
def test_unreadable_files_get_a_clear_message_and_nothing_is_written(client, session, shop, data, message):
    data = {"fake": fake_xlsx, "entities": xlsx_with_entities, "bomb": zip_bomb}.get(data, lambda: data)() \
        if isinstance(data, str) else data
    before = snapshot()
    response = upload(client, shop, data, filename="produk.xlsx")
    assert response.status_code == 200
    assert file_error(response) == message
    assert snapshot() == before


def test_no_file_chosen(client, session, shop):
    response = client.post(page_url(shop), data={"csrf_token": csrf_token(client, TOKEN_PAGE), "mode": "all"},
                           content_type="multipart/form-data")
    assert response.status_code == 200
    assert file_error(response) == "Pilih berkas CSV atau XLSX yang akan diunggah."


def test_a_file_over_five_megabytes_is_refused(client, session, shop):
    before = snapshot()
    response = upload(client, shop, (HEADER + "\r\n").encode() + b"a" * (5 * 1024 * 1024))
    assert response.status_code == 413
    assert file_error(response) == "Berkas terlalu besar. Ukuran maksimal 5 MB."
    assert snapshot() == before


def test_more_than_five_thousand_rows_is_refused(client, session, shop):
    row = "," * 8 + "X,,,1,1,1,1,ya,,"
    data = (HEADER + "\r\n" + "\r\n".join(f"{i}" + row for i in range(5001))).encode()
    before = snapshot()
    response = upload(client, shop, data)
    assert file_error(response) == "Paling banyak 5.000 baris produk per berkas. Bagi menjadi beberapa berkas."
    assert snapshot() == before


# --------------------------------------------------------------------------------------
# Who may


def test_a_staff_member_can_download_and_upload(client, session, shop):
    staff = make_user(session, email="staf@contoh.id", name="Staf Toko")
    session.add(ProducerMember(user_id=staff.id, producer_id=shop.producer_id, role=MemberRole.STAFF))
    session.commit()
    client.post("/keluar", data={"csrf_token": csrf_token(client, TOKEN_PAGE)})
    login(client, email="staf@contoh.id")
    assert client.get(page_url(shop)).status_code == 200
    response = upload(client, shop, to_csv(price_change_rows(client, shop, "14000")))
    assert summary(response)["updated"] == 1
    assert variants_of(session, shop.keripik)[0][2] == 14_000


def test_another_seller_gets_404_on_every_bulk_route_and_nothing_changes(client, session, shop):
    data = client.get(page_url(shop) + "/unduh.csv").data
    client.post("/keluar", data={"csrf_token": csrf_token(client, TOKEN_PAGE)})
    seller(session, client, email="budi@contoh.id", name="Budi", shop="Toko Budi")
    before = snapshot()
    for path in (page_url(shop), page_url(shop) + "/unduh.csv", page_url(shop) + "/unduh.xlsx"):
        assert client.get(path).status_code == 404, path
    assert upload(client, shop, data).status_code == 404
    assert snapshot() == before


def test_upload_without_csrf_token_is_refused(client, session, shop):
    before = snapshot()
    response = upload(client, shop, to_csv(price_change_rows(client, shop)), token=False)
    assert response.status_code == 400
    assert snapshot() == before


def test_the_page_is_linked_from_the_shop_and_the_dashboard(client, session, shop):
    page = client.get(page_url(shop))
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert f'href="{page_url(shop)}/unduh.xlsx"' in page.get_data(as_text=True)
    assert f'href="{page_url(shop)}"' in client.get(f"/studio/toko/{shop.producer_id}").get_data(as_text=True)
    assert f'href="{page_url(shop)}"' in client.get("/studio/").get_data(as_text=True)
