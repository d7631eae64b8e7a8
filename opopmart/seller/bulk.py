"""Bulk listing: a producer's catalogue as a spreadsheet (CSV or XLSX), edited and sent back.

One row per variant, as in the marketplaces' mass upload: the product's own cells
(name, category, brand, ...) repeat on every row of that product. Rows with an
``id_produk`` belong to that existing product; rows without one make a new product,
grouped by ``nama_produk``. Existing variants are matched by SKU; a new SKU adds a
variant; a variant missing from the file stays as it is (a file never deletes).

There is one set of rules: every product is turned into the same ``ProductInput`` the
studio form builds and checked by ``services.check_product``; saving goes through
``create_product`` / ``update_product``. This module only reads the file, maps each
error of a field (``variants-3-price``) back to the line and column it came from, and
decides what to write for the chosen mode. Nothing is kept on the server between
requests, and nothing is committed here (the view commits once).

Text cells are neutralised on export and restored on import (``core.spreadsheet``), so
a file round-trips unchanged and no cell runs as a formula.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..catalogue.models import Brand, Product, ProductStatus, ProductVariant
from ..catalogue.services import refresh_products
from ..core.spreadsheet import neutralise, restore
from . import services
from .services import ProductInput, SellerError, TierInput, VariantInput

log = logging.getLogger(__name__)

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
# An honest 5,000-row workbook unpacks to a few MB; past this it is refused unopened.
MAX_UNCOMPRESSED = 64 * 1024 * 1024
MAX_ZIP_ENTRIES = 200
MAX_COLUMNS = 100
MAX_SHOWN_PROBLEMS = 500
VALUE_SHOWN = 60

CHECK, ALL, VALID = "check", "all", "valid"
MODES = (CHECK, ALL, VALID)


@dataclass(frozen=True)
class Column:
    key: str
    aliases: tuple[str, ...]
    product_level: bool = False
    required: bool = True


COLUMNS = [
    Column("id_produk", ("product_id",), product_level=True),
    Column("nama_produk", ("product_name", "name"), product_level=True),
    Column("kategori", ("category",), product_level=True),
    Column("merek", ("brand",), product_level=True),
    Column("deskripsi", ("description",), product_level=True),
    Column("klaim_halal", ("halal_claim", "claims_halal", "halal"), product_level=True),
    Column("nama_pilihan_1", ("option1_name", "option_1_name"), product_level=True),
    Column("nama_pilihan_2", ("option2_name", "option_2_name"), product_level=True),
    Column("sku", ()),
    Column("pilihan_1", ("option1", "option_1")),
    Column("pilihan_2", ("option2", "option_2")),
    Column("harga", ("price",)),
    Column("stok", ("stock",)),
    Column("berat_gram", ("weight_grams", "weight_g", "weight")),
    Column("min_pembelian", ("min_order_qty", "min_order", "minimum_order")),
    Column("aktif", ("active", "is_active")),
    Column("grosir", ("wholesale", "wholesale_tiers", "tiers")),
    Column("status", (), required=False),  # shown on export, never read back
]
HEADERS = [c.key for c in COLUMNS]
_BY_NAME = {name: c.key for c in COLUMNS for name in (c.key, *c.aliases)}
# Compared across the rows of one product (id_produk is what groups them).
PRODUCT_CELLS = [c.key for c in COLUMNS if c.product_level and c.key != "id_produk"]

# Field names of services' errors -> the column they came from.
PRODUCT_FIELD_COLUMN = {
    "name": "nama_produk", "category_id": "kategori", "brand_id": "merek", "new_brand": "merek",
    "description": "deskripsi", "option1_name": "nama_pilihan_1", "option2_name": "nama_pilihan_2",
}
VARIANT_FIELD_COLUMN = {
    "sku": "sku", "option1": "pilihan_1", "option2": "pilihan_2", "price": "harga", "stock": "stok",
    "weight_grams": "berat_gram", "min_order_qty": "min_pembelian", "is_active": "aktif",
    "tiers": "grosir",
}
_VARIANT_KEY = re.compile(r"^variants-(\d+)-([a-z_0-9]+?)(?:-(\d+)-([a-z_]+))?$")

# A cell a spreadsheet would run: after any run of apostrophes, one of these characters.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_DTD_MARKERS = tuple(m.encode(codec) for m in ("<!DOCTYPE", "<!ENTITY")
                     for codec in ("utf-8", "utf-16-le", "utf-16-be"))
YES = frozenset({"ya", "y", "yes", "true", "1", "benar"})
NO = frozenset({"tidak", "no", "n", "false", "0", "salah"})

FILE_MESSAGES = {
    "empty": _l("Berkas kosong. Unggah berkas CSV atau XLSX berisi produk."),
    "no_file": _l("Pilih berkas CSV atau XLSX yang akan diunggah."),
    "not_sheet": _l("Berkas ini bukan CSV atau XLSX yang bisa kami baca. Simpan dari aplikasi "
                    "spreadsheet sebagai CSV (UTF-8) atau Excel Workbook (.xlsx)."),
    "xls": _l("Berkas Excel lama (.xls) atau berkas yang dikunci sandi tidak bisa dibaca. Simpan "
              "sebagai Excel Workbook (.xlsx) tanpa sandi."),
    "bomb": _l("Isi berkas XLSX terlalu besar setelah dibuka (lebih dari %(limit)s MB). Hapus lembar "
               "atau gambar yang tidak perlu."),
    "no_header": _l("Baris pertama harus berisi judul kolom, seperti di berkas unduhan."),
    "unknown": _l("Kolom tidak dikenal: %(names)s. Pakai judul kolom dari berkas unduhan."),
    "missing": _l("Kolom wajib tidak ada: %(names)s. Pakai judul kolom dari berkas unduhan."),
    "duplicate": _l("Kolom muncul lebih dari sekali: %(names)s."),
    "no_rows": _l("Berkas hanya berisi judul kolom; belum ada baris produk."),
    "too_many_rows": _l("Paling banyak %(n)s baris produk per berkas. Bagi menjadi beberapa berkas."),
    "cell_too_long": _l("Ada sel yang terlalu panjang untuk dibaca. Periksa berkasnya lalu unggah lagi."),
}

NOT_FOUND = _l("Produk tidak ditemukan di toko ini. Kosongkan id_produk untuk produk baru.")
NAME_FOR_NEW = _l("Wajib diisi untuk produk baru (id_produk kosong).")
YES_NO = _l("Tulis ya atau tidak.")
TIERS_FORMAT = _l("Tulis harga grosir seperti 10:23000; 50:21000 (jumlah minimum:harga per unit).")
NEW_INACTIVE = _l("Varian baru selalu dijual; ubah menjadi tidak dijual setelah tersimpan.")
ARCHIVED = _l("Produk yang diarsipkan tidak bisa diubah lewat berkas; pulihkan dulu di studio.")


class BulkFileError(ValueError):
    """The file as a whole cannot be read; ``message`` is meant for the seller."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params

    @property
    def message(self) -> str:
        return str(FILE_MESSAGES[self.code]) % self.params if self.params else str(FILE_MESSAGES[self.code])


# --------------------------------------------------------------------------------------
# Cells


def _clean(raw: str) -> str:
    return " ".join(raw.split())


def _yes_no(raw: str, default: bool) -> bool | None:
    text = _clean(raw).lower()
    if not text:
        return default
    if text in YES:
        return True
    if text in NO:
        return False
    return None


def format_tiers(tiers) -> str:
    return "; ".join(f"{t.min_qty}:{t.unit_price}" for t in tiers)


def parse_tiers(raw: str) -> list[TierInput] | None:
    """``10:23000; 50:21.000`` -> tiers for the services to check; None if unreadable."""
    parts = [p.strip() for p in re.split(r"[;\n|]", raw or "") if p.strip()]
    tiers = []
    for part in parts:
        pieces = part.split(":")
        if len(pieces) != 2 or not pieces[0].strip() or not pieces[1].strip():
            return None
        tiers.append(TierInput(pieces[0].strip(), pieces[1].strip()))
    return tiers


def _cell_text(value) -> str:
    """An XLSX cell as the text a CSV would carry (numbers without a decimal point)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        # A decimal comma: services refuse it as a whole number, never read 2.5 as 25.
        return repr(value).replace(".", ",")
    if isinstance(value, datetime) and value.time() == time(0):
        return value.date().isoformat()  # a date typed into a spreadsheet
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    return restore(str(value))


# --------------------------------------------------------------------------------------
# Export


def category_paths(session: Session) -> list[tuple[int, str]]:
    return services.category_choices(session)


def _producer_products(session: Session, producer_id: int) -> list[Product]:
    return list(session.execute(
        select(Product)
        .where(Product.producer_id == producer_id)
        .options(selectinload(Product.variants).selectinload(ProductVariant.wholesale_tiers),
                 selectinload(Product.brand))
        .order_by(Product.id)
    ).scalars())


def export_rows(session: Session, producer_id: int) -> list[list]:
    """The header and one row per variant of every product of the producer, all statuses.

    Numbers stay numbers; everything else is text, not yet neutralised.
    """
    paths = dict(category_paths(session))
    rows: list[list] = [list(HEADERS)]
    for product in _producer_products(session, producer_id):
        head = [
            product.id, product.name, paths.get(product.category_id, str(product.category_id)),
            product.brand.name if product.brand else "", product.description or "",
            "ya" if product.claims_halal else "tidak", product.option1_name or "",
            product.option2_name or "",
        ]
        status = str(services.STATUS_LABELS[product.status])
        variants = sorted(product.variants, key=lambda v: (v.position, v.id))
        if not variants:
            rows.append(head + [""] * 9 + [status])
        for v in variants:
            rows.append(head + [
                v.sku, v.option1 or "", v.option2 or "", v.price, v.stock, v.weight_grams,
                v.min_order_qty, "ya" if v.is_active else "tidak", format_tiers(v.wholesale_tiers),
                status,
            ])
    return rows


def to_xlsx(rows: list[list], categories: list[str] | None = None) -> bytes:
    """A workbook whose first sheet is the catalogue; text cells are strings, never formulas."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Produk")
    ws.freeze_panes = "A2"
    bold = Font(bold=True)

    def cell(value, header=False):
        if isinstance(value, str):
            c = WriteOnlyCell(ws, value=neutralise(ILLEGAL_CHARACTERS_RE.sub("", value)))
            c.data_type = "s"
        else:
            c = WriteOnlyCell(ws, value=value)
        if header:
            c.font = bold
        return c

    for i, row in enumerate(rows):
        ws.append([cell(v, header=i == 0) for v in row])
    if categories:
        sheet = wb.create_sheet("Kategori")
        sheet.append([cell("kategori", header=True)])
        for path in categories:
            sheet.append([cell(path)])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --------------------------------------------------------------------------------------
# Reading a file


@dataclass
class Row:
    line: int
    cells: dict[str, str]

    def get(self, key: str) -> str:
        return self.cells.get(key, "")


def header_key(raw) -> str | None:
    text = "" if raw is None else str(raw)
    text = text.replace("\ufeff", "").strip().strip("*").strip().lower()
    text = re.sub(r"[\s\-]+", "_", text)
    return _BY_NAME.get(text) if text else ""


def _headers(raw_headers: list) -> list[str | None]:
    """Column keys by position ("" for a blank header); BulkFileError when unusable."""
    keys = [header_key(h) for h in raw_headers]
    unknown = [str(h).strip() for h, k in zip(raw_headers, keys) if k is None]
    if unknown:
        if not any(keys):
            raise BulkFileError("no_header")
        raise BulkFileError("unknown", names=", ".join(unknown[:10]))
    seen, twice = set(), []
    for k in keys:
        if k and k in seen:
            twice.append(k)
        seen.add(k)
    if twice:
        raise BulkFileError("duplicate", names=", ".join(sorted(set(twice))))
    missing = [c.key for c in COLUMNS if c.required and c.key not in seen]
    if missing:
        raise BulkFileError("missing", names=", ".join(missing))
    return keys


def _rows(records, first_line: int = 1) -> list[Row]:
    """Header from the first non-blank record, then the non-blank rows (at most MAX_ROWS)."""
    keys = None
    rows: list[Row] = []
    for line, record in enumerate(records, start=first_line):
        values = ["" if v is None else v for v in record]
        if not any(str(v).strip() for v in values):
            continue
        if keys is None:
            keys = _headers(values[:MAX_COLUMNS])
            continue
        if len(rows) >= MAX_ROWS:
            raise BulkFileError("too_many_rows", n=f"{MAX_ROWS:,}".replace(",", "."))
        cells = {k: v for k, v in zip(keys, values) if k}
        rows.append(Row(line, cells))
    if keys is None:
        raise BulkFileError("empty")
    if not rows:
        raise BulkFileError("no_rows")
    return rows


def read_sheet(data: bytes) -> list[Row]:
    """The data rows of an uploaded CSV or XLSX, judged by its bytes (never its name)."""
    if not data or not data.strip():
        raise BulkFileError("empty")
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data)
    if data.startswith(b"\xd0\xcf\x11\xe0"):  # OLE2: .xls, or an encrypted .xlsx
        raise BulkFileError("xls")
    return _read_csv(_decode(data))


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise BulkFileError("not_sheet") from None
    else:
        if b"\x00" in data:
            raise BulkFileError("not_sheet")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")  # Excel on Windows: "CSV (Comma delimited)"
            except UnicodeDecodeError:
                raise BulkFileError("not_sheet") from None
    # Text pasted into a description may carry a stray control character; a binary file
    # decoded as cp1252 is full of them.
    if len(_CONTROL.findall(text)) > max(8, len(text) // 200):
        raise BulkFileError("not_sheet")
    return text.removeprefix("\ufeff")


def _delimiter(text: str) -> str:
    """``,`` or ``;`` (Excel in an Indonesian locale) or tab: whichever names most columns."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    best, score = ",", -1
    for delimiter in (",", ";", "\t"):
        try:
            headers = next(csv.reader([first], delimiter=delimiter), [])
        except csv.Error:
            continue
        known = sum(1 for h in headers if header_key(h))
        if known > score:
            best, score = delimiter, known
    return best


def _read_csv(text: str) -> list[Row]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        return _rows(([restore(v) for v in record] for record in reader))
    except csv.Error:
        raise BulkFileError("cell_too_long") from None


def _read_xlsx(data: bytes) -> list[Row]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise BulkFileError("not_sheet") from None
    limit = f"{MAX_UNCOMPRESSED // (1024 * 1024)}"
    if len(infos) > MAX_ZIP_ENTRIES or sum(i.file_size for i in infos) > MAX_UNCOMPRESSED:
        raise BulkFileError("bomb", limit=limit)
    names = {i.filename for i in infos}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise BulkFileError("not_sheet")
    try:
        # Declared sizes bound what zipfile inflates (it stops there, then checks the CRC).
        for info in infos:
            if info.filename.endswith((".xml", ".rels")):
                part = archive.read(info)
                # No DTDs in an honest workbook: refuse entity expansion before any parser
                # runs (expat limits it too), in each encoding an XML part may use.
                if any(marker in part for marker in _DTD_MARKERS):
                    raise BulkFileError("not_sheet")
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError):
        raise BulkFileError("not_sheet") from None
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - a third-party parser on untrusted bytes: any failure is "unreadable"
        log.info("bulk upload: unreadable xlsx", exc_info=True)
        raise BulkFileError("not_sheet") from None
    try:
        if not workbook.worksheets:
            raise BulkFileError("empty")
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # a declared A1:XFD1048576 must not pad a million rows
        records = sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
        return _rows(([_cell_text(v) for v in record] for record in records))
    except BulkFileError:
        raise
    except Exception:  # noqa: BLE001 - the rows are parsed lazily, with the same risk as above
        log.info("bulk upload: unreadable xlsx rows", exc_info=True)
        raise BulkFileError("not_sheet") from None
    finally:
        workbook.close()


# --------------------------------------------------------------------------------------
# Checking and applying


@dataclass
class Problem:
    line: int
    column: str
    value: str
    message: str


@dataclass
class Group:
    """The rows of one product in the file, and what they come to."""

    key: tuple
    rows: list[Row]
    product: Product | None = None
    data: ProductInput | None = None
    origins: list[int | None] = field(default_factory=list)  # file line of each ProductInput variant
    bad: bool = False
    changed: bool = False

    @property
    def label(self) -> str:
        return self.product.name if self.product is not None else _clean(self.rows[0].get("nama_produk"))

    @property
    def lines(self) -> str:
        """The product's lines as runs: "2–4, 9"."""
        runs: list[list[int]] = []
        for line in sorted(r.line for r in self.rows):
            if runs and line == runs[-1][-1] + 1:
                runs[-1].append(line)
            else:
                runs.append([line])
        return ", ".join(f"{run[0]}" if len(run) == 1 else f"{run[0]}–{run[-1]}" for run in runs)


@dataclass
class Report:
    mode: str
    rows: int = 0
    products: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    saved: bool = False
    problems: list[Problem] = field(default_factory=list)
    skipped: list[Group] = field(default_factory=list)
    to_create: int = 0
    to_update: int = 0

    @property
    def error_rows(self) -> int:
        return len({p.line for p in self.problems})

    @property
    def shown_problems(self) -> list[Problem]:
        return self.problems[:MAX_SHOWN_PROBLEMS]


class _Checker:
    def __init__(self, session: Session, producer_id: int):
        self.session = session
        self.producer_id = producer_id
        self.products = {p.id: p for p in _producer_products(session, producer_id)}
        self.sku_owner = {v.sku: p.id for p in self.products.values() for v in p.variants}
        self.brands = {b.name.lower(): b.id for b in session.execute(
            select(Brand).where(Brand.producer_id == producer_id)).scalars()}
        self.category_ids: set[int] = set()
        self.category_by_path: dict[str, int] = {}
        leaves: dict[str, list[int]] = {}
        for cid, path in category_paths(session):
            self.category_ids.add(cid)
            self.category_by_path[self._path_key(path)] = cid
            leaves.setdefault(self._path_key(path.split("›")[-1]), []).append(cid)
        self.category_by_leaf = {k: v[0] for k, v in leaves.items() if len(v) == 1}
        self.problems: list[Problem] = []
        self._seen: set[tuple] = set()

    @staticmethod
    def _path_key(text: str) -> str:
        parts = re.split(r"\s*[›>]\s*", text.strip().lower())
        return " › ".join(" ".join(p.split()) for p in parts)

    def category(self, raw: str) -> int | None:
        text = _clean(raw)
        if text.isascii() and text.isdigit() and len(text) < 10:
            return int(text) if int(text) in self.category_ids else None
        key = self._path_key(text)
        return self.category_by_path.get(key) or self.category_by_leaf.get(key)

    def add(self, row: Row, column: str, message) -> None:
        value = row.get(column) if column else ""
        if len(value) > VALUE_SHOWN:
            value = value[:VALUE_SHOWN - 1] + "…"
        problem = Problem(row.line, column, value, str(message))
        key = (problem.line, problem.column, problem.message)
        if key not in self._seen:
            self._seen.add(key)
            self.problems.append(problem)

    # -- grouping

    def group(self, rows: list[Row]) -> list[Group]:
        groups: dict[tuple, Group] = {}
        for row in rows:
            raw_id = _clean(row.get("id_produk"))
            if raw_id:
                pid = int(raw_id) if raw_id.isascii() and raw_id.isdigit() and len(raw_id) < 10 else None
                if pid is None or pid not in self.products:
                    self.add(row, "id_produk", NOT_FOUND)
                    continue
                key = ("id", pid)
            else:
                name = _clean(row.get("nama_produk"))
                if not name:
                    self.add(row, "nama_produk", NAME_FOR_NEW)
                    continue
                key = ("new", name.lower())
            group = groups.get(key)
            if group is None:
                group = groups[key] = Group(key, [], product=self.products.get(key[1]) if key[0] == "id" else None)
            group.rows.append(row)
        return list(groups.values())

    def _product_cell(self, column: str, raw: str):
        """A product-level cell as compared across rows."""
        if column == "deskripsi":
            return raw.replace("\r\n", "\n").strip()
        if column == "klaim_halal":
            parsed = _yes_no(raw, False)
            return parsed if parsed is not None else _clean(raw).lower()
        if column == "kategori":
            return self.category(raw) or _clean(raw).lower()
        if column == "merek":
            return _clean(raw).lower()
        return _clean(raw)

    def consistent(self, group: Group) -> None:
        """Product-level cells must say the same on every row of one product."""
        first = group.rows[0]
        expected = {c: self._product_cell(c, first.get(c)) for c in PRODUCT_CELLS}
        for row in group.rows[1:]:
            for column in PRODUCT_CELLS:
                if self._product_cell(column, row.get(column)) != expected[column]:
                    self.add(row, column, _l(
                        "Berbeda dengan baris %(line)s dari produk yang sama; isi kolom ini sama "
                        "di setiap baris produk.", line=first.line))

    # -- building the ProductInput

    def build(self, group: Group) -> None:
        first = group.rows[0]
        halal = _yes_no(first.get("klaim_halal"), False)
        if halal is None:
            self.add(first, "klaim_halal", YES_NO)
        brand_name = _clean(first.get("merek"))
        brand_id = self.brands.get(brand_name.lower()) if brand_name else None
        category_text = _clean(first.get("kategori"))
        data = ProductInput(
            name=first.get("nama_produk"),
            category_id=self.category(category_text) if category_text else None,
            brand_id=brand_id, new_brand="" if brand_id or not brand_name else brand_name,
            description=first.get("deskripsi"), claims_halal=bool(halal),
            option1_name=first.get("nama_pilihan_1"), option2_name=first.get("nama_pilihan_2"),
        )
        origins: list[int | None] = []
        by_sku: dict[str, int] = {}
        if group.product is not None:
            for v in sorted(group.product.variants, key=lambda v: (v.position, v.id)):
                by_sku[v.sku.upper()] = len(data.variants)
                data.variants.append(VariantInput(
                    id=v.id, sku=v.sku, option1=v.option1 or "", option2=v.option2 or "",
                    price=v.price, stock=v.stock, weight_grams=v.weight_grams,
                    min_order_qty=v.min_order_qty, is_active=v.is_active,
                    tiers=[TierInput(t.min_qty, t.unit_price) for t in v.wholesale_tiers]))
                origins.append(None)
        claimed: dict[int, int] = {}
        for row in group.rows:
            sku = _clean(row.get("sku")).upper()
            active = _yes_no(row.get("aktif"), True)
            if active is None:
                self.add(row, "aktif", YES_NO)
            tiers = parse_tiers(row.get("grosir"))
            if tiers is None:
                self.add(row, "grosir", TIERS_FORMAT)
                tiers = []
            elif len(tiers) > services.MAX_TIERS:
                self.add(row, "grosir", _l("Paling banyak %(n)s tingkat harga grosir.", n=services.MAX_TIERS))
            variant = VariantInput(
                sku=row.get("sku"), option1=row.get("pilihan_1"), option2=row.get("pilihan_2"),
                price=row.get("harga"), stock=row.get("stok"), weight_grams=row.get("berat_gram"),
                min_order_qty=row.get("min_pembelian"), is_active=active is not False, tiers=tiers)
            index = by_sku.get(sku) if sku else None
            if index is not None and index in claimed:
                self.add(row, "sku", _l("SKU ini muncul dua kali untuk produk yang sama (baris %(line)s).",
                                        line=claimed[index]))
                continue
            if index is not None:
                claimed[index] = row.line
                variant.id = data.variants[index].id
                data.variants[index] = variant
                origins[index] = row.line
            else:
                if variant.blank():
                    continue  # a product-only row (a product without variants yet)
                if active is False:
                    self.add(row, "aktif", NEW_INACTIVE)
                data.variants.append(variant)
                origins.append(row.line)
        group.data, group.origins = data, origins

    def skus_across_products(self, groups: list[Group]) -> None:
        """A SKU is unique within a shop: two products of one file must not both add it."""
        first_seen: dict[str, tuple[tuple, int]] = {}
        for group in groups:
            own = group.product.id if group.product is not None else None
            for row in group.rows:
                sku = _clean(row.get("sku")).upper()
                if not sku:
                    continue
                owner = self.sku_owner.get(sku)
                if owner is not None and owner != own:
                    continue  # services report the clash with the product that has it
                seen = first_seen.get(sku)
                if seen is None:
                    first_seen[sku] = (group.key, row.line)
                elif seen[0] != group.key:
                    self.add(row, "sku", _l("SKU ini juga dipakai produk lain di berkas ini (baris %(line)s).",
                                            line=seen[1]))

    # -- services' verdict, mapped back to the file

    def verdict(self, group: Group) -> None:
        errors, group.changed = services.check_product(
            self.session, producer_id=self.producer_id, data=group.data, product=group.product)
        if group.product is not None and not group.changed:
            return
        for name, messages in errors.items():
            for message in messages:
                self.map_error(group, name, message)

    def map_error(self, group: Group, name: str, message) -> None:
        first = group.rows[0]
        by_line = {r.line: r for r in group.rows}
        if name in PRODUCT_FIELD_COLUMN:
            self.add(first, PRODUCT_FIELD_COLUMN[name], message)
            return
        match = _VARIANT_KEY.match(name)
        if match:
            index, field_name, tier, _tier_field = match.groups()
            column = VARIANT_FIELD_COLUMN.get(field_name, "")
            if tier is not None:
                message = _l("Harga grosir ke-%(n)s: %(message)s", n=int(tier) + 1, message=str(message))
            line = group.origins[int(index)] if int(index) < len(group.origins) else None
            if line is None:
                sku = group.data.variants[int(index)].sku if int(index) < len(group.data.variants) else ""
                self.add(first, "sku", _l("Varian %(sku)s (tidak ada di berkas): %(message)s",
                                          sku=sku, message=str(message)))
            else:
                self.add(by_line[line], column, message)
            return
        # A message about the product as a whole.
        product = group.product
        if product is not None and str(message) == str(services.PUBLISHED_CONTENT_REFUSED):
            self.content_refused(group, message)
        elif product is not None and product.status not in services.EDITABLE \
                and product.status is not ProductStatus.PUBLISHED:
            text = ARCHIVED if product.status is ProductStatus.ARCHIVED else message
            for row in group.rows:
                self.add(row, "status", text)
        else:
            self.add(first, "", message)

    def content_refused(self, group: Group, message) -> None:
        """Point at each cell that would change a published product's curated content."""
        product = group.product
        first = group.rows[0]
        found = False
        brand_name = _clean(first.get("merek"))
        current = {
            "nama_produk": _clean(first.get("nama_produk")) != product.name,
            "kategori": self.category(first.get("kategori")) != product.category_id,
            "merek": (brand_name.lower() if brand_name else "") != (
                product.brand.name.lower() if product.brand else ""),
            "deskripsi": first.get("deskripsi").replace("\r\n", "\n").strip() != (product.description or ""),
            "klaim_halal": bool(_yes_no(first.get("klaim_halal"), False)) != product.claims_halal,
            "nama_pilihan_1": (_clean(first.get("nama_pilihan_1")) or None) != product.option1_name,
            "nama_pilihan_2": (_clean(first.get("nama_pilihan_2")) or None) != product.option2_name,
        }
        for column, differs in current.items():
            if differs:
                self.add(first, column, message)
                found = True
        existing = {v.id: v for v in product.variants}
        for index, line in enumerate(group.origins):
            if line is None:
                continue
            row = next(r for r in group.rows if r.line == line)
            data = group.data.variants[index]
            stored = existing.get(data.id)
            if stored is None:
                self.add(row, "sku", message)
                found = True
                continue
            for column, new, old in (("pilihan_1", data.option1, stored.option1),
                                      ("pilihan_2", data.option2, stored.option2)):
                if (_clean(new) or None) != old:
                    self.add(row, column, message)
                    found = True
        if not found:
            self.add(first, "", message)


def check(session: Session, producer_id: int, rows: list[Row]) -> tuple[list[Group], _Checker]:
    """Every row checked against the same rules as the studio form; nothing written."""
    checker = _Checker(session, producer_id)
    groups = checker.group(rows)
    for group in groups:
        checker.consistent(group)
    checker.skus_across_products(groups)
    for group in groups:
        checker.build(group)
        checker.verdict(group)
    bad_lines = {p.line for p in checker.problems}
    for group in groups:
        group.bad = any(r.line in bad_lines for r in group.rows)
    return groups, checker


def run(session: Session, *, user_id: int, producer_id: int, rows: list[Row], mode: str) -> Report:
    """Check the rows, then write what ``mode`` allows (flushed, never committed).

    ``report.saved`` tells the view whether to commit: False means roll back (a check,
    or an all-or-nothing upload with an error somewhere).
    """
    mode = mode if mode in MODES else CHECK
    groups, checker = check(session, producer_id, rows)
    report = Report(mode=mode, rows=len(rows), products=len(groups), problems=checker.problems)
    report.unchanged = sum(1 for g in groups if not g.bad and not g.changed)
    report.skipped = [g for g in groups if g.bad]
    todo = [g for g in groups if not g.bad and g.changed]
    report.to_create = sum(1 for g in todo if g.product is None)
    report.to_update = len(todo) - report.to_create
    if mode == CHECK or (mode == ALL and checker.problems):
        return _by_line(report)
    saved: list[int] = []
    for group in todo:
        try:
            if group.product is None:
                product = services.create_product(session, user_id=user_id, producer_id=producer_id,
                                                  data=group.data, refresh=False)
                report.created += 1
            else:
                product = services.update_product(session, product=group.product, data=group.data,
                                                  refresh=False, actor_id=user_id)
                report.updated += 1
            saved.append(product.id)
        except SellerError as exc:
            # Checked a moment ago, so another product of this file changed the answer.
            # The services check before they write: nothing of this product was written.
            for name, messages in exc.errors.items():
                for message in messages:
                    checker.map_error(group, name, message)
            group.bad = True
            report.skipped.append(group)
            if mode == ALL:
                report.created = report.updated = 0
                return _by_line(report)
    if saved:
        # One listing refresh (and one catalogue version bump) for the whole file.
        refresh_products(session, product_ids=saved)
    report.saved = True
    return _by_line(report)


def _by_line(report: Report) -> Report:
    report.problems.sort(key=lambda p: p.line)  # stable: a line's problems keep their order
    return report
