"""Bulk listing sheets: formula neutralisation, tiers, headers, CSV dialects and XLSX files."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date

import openpyxl
import pytest

from opopmart.core.spreadsheet import neutralise, restore, to_csv
from opopmart.seller.bulk import (HEADERS, MAX_ROWS, BulkFileError, Group, Row, _cell_text, format_tiers,
                                  header_key, parse_tiers, read_sheet, to_xlsx)
from opopmart.seller.services import TierInput

HEADER = ",".join(HEADERS)
ROW = "12,Kopi Ijen,Kopi,,Enak.,ya,,,SKU-1,,,25000,4,250,1,ya,10:23000,tayang"


def cells(rows: list[Row]) -> list[tuple[int, dict]]:
    return [(r.line, {k: v for k, v in r.cells.items() if v != ""}) for r in rows]


# --------------------------------------------------------------------------------------
# Formulas


@pytest.mark.parametrize(("value", "written"), [
    ('=HYPERLINK("http://evil","x")', '\'=HYPERLINK("http://evil","x")'),
    ("+6281234567890", "'+6281234567890"),
    ("-5", "'-5"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\tTAB", "'\tTAB"),
    ("\rCR", "'\rCR"),
    ("'=x", "''=x"),
    ("''+x", "'''+x"),
    ("'abc", "'abc"),
    ("Kopi = enak", "Kopi = enak"),
    ("", ""),
    ("'", "'"),
])
def test_neutralise_prefixes_what_a_spreadsheet_would_run_and_restore_undoes_it(value, written):
    assert neutralise(value) == written
    assert restore(written) == value


def test_restore_leaves_an_apostrophe_not_followed_by_a_trigger():
    assert [restore(v) for v in ("'abc", "'", "'12", "x'=y")] == ["'abc", "'", "'12", "x'=y"]


# --------------------------------------------------------------------------------------
# Cells


def test_tiers_are_read_as_min_qty_and_unit_price_pairs():
    assert parse_tiers("10:23000; 50:Rp 21.000") == [TierInput("10", "23000"), TierInput("50", "Rp 21.000")]
    assert parse_tiers(" 10 : 23000 ;; ") == [TierInput("10", "23000")]
    assert parse_tiers("") == []
    assert [parse_tiers(bad) for bad in ("10-23000", "10:23000:1", ":5", "10:", "lima")] == [None] * 5


def test_a_products_lines_are_shown_as_runs():
    group = Group(("new", "x"), [Row(n, {}) for n in (2, 3, 4, 9, 11, 12)])
    assert group.lines == "2–4, 9, 11–12"
    assert Group(("new", "x"), [Row(7, {})]).lines == "7"


def test_tiers_are_written_in_the_same_form():
    assert format_tiers([TierInput(10, 23000), TierInput(50, 21000)]) == "10:23000; 50:21000"


@pytest.mark.parametrize(("raw", "key"), [
    ("harga", "harga"), ("Harga", "harga"), (" PRICE* ", "harga"), ("Product ID", "id_produk"),
    ("\ufeffid_produk", "id_produk"), ("weight-grams", "berat_gram"), ("nama", None), ("", ""), (None, ""),
])
def test_headers_are_indonesian_or_english_whatever_the_case(raw, key):
    assert header_key(raw) == key


def test_xlsx_cells_become_the_text_a_csv_would_carry():
    assert [_cell_text(v) for v in (None, True, False, 25000, 25000.0, 2.5, date(2026, 3, 1), "'=1", "x")] == [
        "", "ya", "tidak", "25000", "25000", "2,5", "2026-03-01", "=1", "x"]


# --------------------------------------------------------------------------------------
# CSV


def test_comma_csv_with_a_quoted_multiline_cell_and_blank_rows():
    data = (HEADER + "\r\n\r\n" + ROW.replace("Enak.", '"Enak.\nSekali, sungguh."') + "\r\n,,\r\n").encode()
    assert cells(read_sheet(data)) == [(3, {
        "id_produk": "12", "nama_produk": "Kopi Ijen", "kategori": "Kopi", "deskripsi": "Enak.\nSekali, sungguh.",
        "klaim_halal": "ya", "sku": "SKU-1", "harga": "25000", "stok": "4", "berat_gram": "250",
        "min_pembelian": "1", "aktif": "ya", "grosir": "10:23000", "status": "tayang"})]


@pytest.mark.parametrize("encode", [
    lambda t: t.replace(",", ";").encode("utf-8"),
    lambda t: t.replace(",", "\t").encode("utf-8"),
    lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"),
    lambda t: t.encode("utf-16"),
    lambda t: t.replace(",", ";").encode("cp1252"),
])
def test_csv_dialects_excel_writes_are_all_read(encode):
    text = HEADER + "\r\n" + ROW.replace("Kopi Ijen", "Kopi Café › Ijen") + "\r\n"
    [(line, row)] = cells(read_sheet(encode(text)))
    assert (line, row["nama_produk"], row["harga"], row["grosir"]) == (2, "Kopi Café › Ijen", "25000", "10:23000")


def test_a_stray_control_character_in_a_cell_is_kept():
    [(_line, row)] = cells(read_sheet((HEADER + "\r\n" + ROW.replace("Enak.", "Enak.\x0bSekali.")).encode()))
    assert row["deskripsi"] == "Enak.\x0bSekali."


def test_csv_cells_lose_the_apostrophe_put_there_on_export():
    data = to_csv([HEADERS, ["", "=1+1", "", "", "-diseduh", "", "", "", "+62", "'=x", "", 1, 2, 3, 4, "", "", ""]])
    [(_line, row)] = cells(read_sheet(data))
    assert (row["nama_produk"], row["deskripsi"], row["sku"], row["pilihan_1"], row["harga"]) == (
        "=1+1", "-diseduh", "+62", "'=x", "1")


def test_five_thousand_rows_are_read_and_one_more_is_refused():
    body = "\r\n".join(f"{i}" + ROW[2:] for i in range(MAX_ROWS))
    assert len(read_sheet((HEADER + "\r\n" + body).encode())) == MAX_ROWS
    with pytest.raises(BulkFileError) as refused:
        read_sheet((HEADER + "\r\n" + body + "\r\n" + ROW).encode())
    assert refused.value.message == "Paling banyak 5.000 baris produk per berkas. Bagi menjadi beberapa berkas."


def test_a_cell_too_long_for_the_csv_reader_is_a_message_not_a_crash():
    data = (HEADER + "\r\n" + ROW.replace("Enak.", '"' + "x" * 200_000 + '"')).encode()
    with pytest.raises(BulkFileError) as refused:
        read_sheet(data)
    assert refused.value.code == "cell_too_long"


@pytest.mark.parametrize(("data", "code"), [
    (b"", "empty"), (b" \n\t", "empty"), ((HEADER + "\n\n").encode(), "no_rows"),
    (b"\x00\x01\x02binary", "not_sheet"), (b"\x81\x8d\x8f\x90\x9d", "not_sheet"),
    (HEADER.encode() + b"\x07" * 9 + b"\n", "not_sheet"), (b"%PDF-1.4\n", "no_header"),
])
def test_files_that_are_not_sheets(data, code):
    with pytest.raises(BulkFileError) as refused:
        read_sheet(data)
    assert refused.value.code == code


# --------------------------------------------------------------------------------------
# XLSX


def workbook(rows) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_our_xlsx_reads_back_to_the_same_cells():
    rows = [HEADERS, [12, "=SUM(A1)", "Kopi", "", "a\nb", "ya", "", "", "-5", "", "", 25000, 4, 250, 1, "ya", "", ""]]
    [(line, row)] = cells(read_sheet(to_xlsx(rows, ["Kopi"])))
    assert (line, row["id_produk"], row["nama_produk"], row["deskripsi"], row["sku"], row["harga"]) == (
        2, "12", "=SUM(A1)", "a\nb", "-5", "25000")


def test_a_spreadsheets_own_xlsx_with_numbers_dates_and_booleans():
    rows = [[h.upper() for h in HEADERS], [None] * len(HEADERS),
            [12, "Kopi", "Kopi", None, "Enak", True, None, None, "SKU-1", None, None, 25000.0, 2.5, 250, 1,
             False, None, date(2026, 1, 2)]]
    [(line, row)] = cells(read_sheet(workbook(rows)))
    assert line == 3
    assert (row["klaim_halal"], row["harga"], row["stok"], row["aktif"], row["status"]) == (
        "ya", "25000", "2,5", "tidak", "2026-01-02")


def test_a_declared_dimension_of_a_million_rows_is_not_padded():
    data = workbook([HEADERS, [1] + [""] * (len(HEADERS) - 1)])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:XFD1048576"', content)
            target.writestr(info, content)
    assert [r.line for r in read_sheet(out.getvalue())] == [2]


def zip_of(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return out.getvalue()


@pytest.mark.parametrize(("data", "code"), [
    (zip_of({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<w/>",
             "xl/big.xml": b"\0" * (64 * 1024 * 1024 + 1)}), "bomb"),
    (zip_of({f"x{i}.xml": b"" for i in range(201)}), "bomb"),
    (zip_of({"word/document.xml": b"<w/>", "[Content_Types].xml": b"<Types/>"}), "not_sheet"),
    (zip_of({"[Content_Types].xml": b'<!DOCTYPE t [<!ENTITY a "a">]><Types/>', "xl/workbook.xml": b"<w/>"}),
     "not_sheet"),
    (zip_of({"[Content_Types].xml": '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE t [<!ENTITY a "a">]><T/>'
             .encode("utf-16"), "xl/workbook.xml": b"<w/>"}), "not_sheet"),
    (zip_of({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<not-closed"}), "not_sheet"),
    (b"PK\x03\x04truncated", "not_sheet"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "xls"),
])
def test_archives_that_are_not_honest_workbooks(data, code):
    with pytest.raises(BulkFileError) as refused:
        read_sheet(data)
    assert refused.value.code == code


def test_a_zip_whose_entry_inflates_past_its_declared_size_is_refused():
    # The central directory claims 10 bytes; the entry inflates to a megabyte.
    honest = zip_of({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<w>" + b" " * 1_000_000 + b"</w>"})
    lying = honest.replace((1_000_007).to_bytes(4, "little"), (10).to_bytes(4, "little"))
    with pytest.raises(BulkFileError) as refused:
        read_sheet(lying)
    assert refused.value.code == "not_sheet"
