"""The admins' market data (``/admin/insight``) and its CSV downloads.

Admins only: anyone else signed in gets 403, visitors go to log in. The period comes from
the query string (``dari``/``sampai`` as ISO dates, or a ``periode`` preset); a value
that cannot be read, or a range that makes no sense, is named in a message and the
default period (the last 30 days) is shown instead, with a 200. Every table of the page
downloads as CSV with the same parameters (``/admin/insight/<table>.csv``); an unknown
table is a 404. Figures and their definitions: ``insight.queries``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import Blueprint, abort, render_template, request
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..accounts.decorators import role_required
from ..catalogue.views import PRODUCER_KIND_LABELS
from ..core.money import format_rupiah
from ..core.spreadsheet import csv_download
from ..core.timeutil import today_jakarta
from ..extensions import db
from . import charts, queries
from .models import CHANNEL_LABELS
from .queries import Period

bp = Blueprint("insight", __name__)

EARLIEST = date(2019, 1, 1)
LATEST = date(2100, 12, 31)
MAX_DAYS = 3660  # ten years: at most 120 monthly points

PRESETS = {
    "30-hari": _l("30 hari terakhir"),
    "bulan-ini": _l("Bulan ini"),
    "tahun-ini": _l("Tahun ini"),
}
DEFAULT_PRESET = "30-hari"


def preset_period(name: str, today: date) -> Period:
    if name == "bulan-ini":
        return Period(today.replace(day=1), today)
    if name == "tahun-ini":
        return Period(date(today.year, 1, 1), today)
    return Period(today - timedelta(days=29), today)


@dataclass
class Choice:
    period: Period
    preset: str | None  # the preset shown, if the period is one
    errors: dict[str, list[str]]


def parse_period(args, today: date) -> Choice:
    """The period the query string asks for, or the default with messages saying why."""
    errors: dict[str, list[str]] = {}
    preset = (args.get("periode") or "").strip()
    raw_from, raw_to = (args.get("dari") or "").strip(), (args.get("sampai") or "").strip()
    if preset and preset in PRESETS and not (raw_from or raw_to):
        return Choice(preset_period(preset, today), preset, errors)
    if preset and preset not in PRESETS:
        errors.setdefault("periode", []).append(_("Pilihan periode tidak dikenal."))
    if not (raw_from or raw_to):
        return Choice(preset_period(DEFAULT_PRESET, today), DEFAULT_PRESET, errors)

    def read(name: str, raw: str) -> date | None:
        if not raw:
            errors.setdefault(name, []).append(_("Isi tanggalnya, atau pilih periode siap pakai."))
            return None
        try:
            value = date.fromisoformat(raw[:10]) if len(raw) == 10 else None
        except ValueError:
            value = None
        if value is None:
            errors.setdefault(name, []).append(
                _("Tanggal tidak terbaca: %(value)s. Gunakan format TTTT-BB-HH.", value=raw[:40]))
        elif not EARLIEST <= value <= LATEST:
            errors.setdefault(name, []).append(
                _("Tanggal harus antara %(low)s dan %(high)s.", low=EARLIEST.isoformat(),
                  high=LATEST.isoformat()))
            value = None
        return value

    start, end = read("dari", raw_from), read("sampai", raw_to)
    if start and end:
        if end < start:
            errors.setdefault("sampai", []).append(
                _("Tanggal akhir lebih awal dari tanggal mulai."))
        elif (end - start).days + 1 > MAX_DAYS:
            errors.setdefault("sampai", []).append(
                _("Periode paling panjang %(n)s hari.", n=MAX_DAYS))
        elif not errors:
            return Choice(Period(start, end), None, errors)
    return Choice(preset_period(DEFAULT_PRESET, today), DEFAULT_PRESET, errors)


def labels() -> queries.Labels:
    return queries.Labels(
        other_city=_("Kabupaten/kota lain"),
        removed_product=_("Produk sudah dihapus"), online=_("Online (marketplace)"),
        direct=_("Penjualan langsung"),
        kinds={k: str(v) for k, v in PRODUCER_KIND_LABELS.items()},
        channels={c: str(v) for c, v in CHANNEL_LABELS.items()},
    )


def percent(value) -> str:
    """``Decimal('33.3')`` -> ``33,3 %`` (Indonesian decimal comma); None -> ``-``."""
    if value is None:
        return "-"
    return f"{value:.1f}".replace(".", ",") + " %"


def bucket_label(bucket: queries.Bucket, size: str) -> str:
    if size == "month":
        return format_date(bucket.start, "MMM y")
    if bucket.single_day:
        return format_date(bucket.start, "d MMM")
    return f"{format_date(bucket.start, 'd MMM')}–{format_date(bucket.end, 'd MMM')}"


def _bars(rows) -> list[charts.Bar]:
    return [charts.Bar(r.label, r.value, f"{format_rupiah(r.value)} ({percent(r.share)})")
            for r in rows if r.value > 0]


def build_charts(d: queries.Dashboard) -> dict[str, object]:
    empty = _("Belum ada penjualan pada periode ini.")
    labels_ = [bucket_label(p.bucket, d.bucket_size) for p in d.series]
    title = _("Penjualan online dan langsung per %(unit)s", unit=unit_name(d.bucket_size))
    lines = [
        charts.Line(_("Online"), "online", [p.online for p in d.series], area=True),
        charts.Line(_("Langsung"), "direct", [p.direct for p in d.series]),
    ]
    # Drawn twice: a wide chart for screens, a narrow one (larger text for its size,
    # fewer dates) for phones; CSS shows one of them.
    out = {
        "series_wide": charts.line_chart(
            "chart-series", title, labels_, lines, width=720, height=300, x_labels=6,
            axis=compact_rupiah, point_text=format_rupiah, empty=empty, css="chart-wide"),
        "series_narrow": charts.line_chart(
            "chart-series-phone", title, labels_, lines, width=360, height=260, x_labels=3,
            axis=compact_rupiah, point_text=format_rupiah, empty=empty, css="chart-narrow"),
    }
    for key, title, rows in (
        ("producer_regions", _("Penjualan online menurut kabupaten/kota produsen"), d.producer_regions[:10]),
        ("buyer_provinces", _("Penjualan online menurut provinsi pembeli"), d.buyer_provinces[:10]),
        ("buyer_regions", _("Penjualan online menurut kabupaten/kota pembeli"), d.buyer_regions[:10]),
        ("categories", _("Penjualan online menurut kategori"), d.categories[:10]),
        ("producer_kinds", _("Penjualan online menurut jenis produsen"), d.producer_kinds),
        ("top_producers", _("10 produsen teratas"), d.top_producers),
        ("top_products", _("10 produk teratas"), d.top_products),
        ("online_direct", _("Online dan penjualan langsung"), d.online_direct),
        ("channels", _("Penjualan langsung menurut saluran"), d.channels),
    ):
        out[key] = charts.bar_chart(f"chart-{key.replace('_', '-')}", title, _bars(rows), empty=empty)
    return out


def compact_rupiah(value: int) -> str:
    """Axis labels: ``Rp 50 rb``, ``Rp 1,5 jt`` (abbreviations translated)."""
    return charts.compact_rupiah(value, suffixes=(
        _("T"),  # triliun (10^12), on chart axes
        _("M"),  # miliar (10^9)
        _("jt"),  # juta (10^6)
        _("rb"),  # ribu (10^3)
    ))


TABLE_ROWS = 15


def table_rows(rows) -> tuple[list, queries.Row | None]:
    """The first TABLE_ROWS rows of a table, and the others summed into one row (the CSV
    has them all): a page a phone can scroll."""
    if len(rows) <= TABLE_ROWS:
        return list(rows), None
    rest = rows[TABLE_ROWS:]
    whole = sum(r.value for r in rows)
    value = sum(r.value for r in rest)
    return list(rows[:TABLE_ROWS]), queries.Row(
        "-", _("%(n)s lainnya", n=len(rest)), value=value, orders=sum(r.orders for r in rest),
        units=sum(r.units for r in rest), share=queries.share(value, whole))


def unit_name(size: str) -> str:
    return {"day": _("hari"), "week": _("minggu"), "month": _("bulan")}[size]


def _query_args(period: Period) -> dict[str, str]:
    return {"dari": period.start.isoformat(), "sampai": period.end.isoformat()}


@bp.get("/admin/insight")
@role_required("admin")
def dashboard():
    choice = parse_period(request.args, today_jakarta())
    d = queries.dashboard(db.session, choice.period, labels(), engine=db.engine)
    return render_template(
        "insight/dashboard.html", d=d, h=d.headline, choice=choice, raw=request.args,
        charts=build_charts(d), presets=PRESETS, percent=percent,
        bucket_label=bucket_label, unit=unit_name(d.bucket_size), table_rows=table_rows,
        csv_args=_query_args(d.period), tables=TABLES,
    )


# --------------------------------------------------------------------------------------
# CSV: one builder per table, each running only the queries it needs


def _region_rows(rows, code_header: str, name_header: str, detail_header: str | None = None):
    head = [code_header, name_header] + ([detail_header] if detail_header else []) + [
        "nilai_rp", "pesanan", "pangsa_persen"]
    out = [head]
    for r in rows:
        out.append([str(r.key), r.label] + ([r.detail] if detail_header else []) +
                   [r.value, r.orders, _share(r.share)])
    return out


def _share(value) -> str:
    return "" if value is None else f"{value:.1f}"


def _csv_headline(period: Period):
    d = queries.dashboard(db.session, period, labels(), engine=db.engine)
    h = d.headline
    return [
        ["ukuran", "nilai", "target"],
        ["penjualan_kotor_online_rp", h.gross, ""],
        ["pesanan", h.orders, ""],
        ["rata_rata_pesanan_rp", "" if h.average_order is None else h.average_order, ""],
        ["produsen_aktif", h.active_producers, ""],
        ["pembeli_aktif", h.active_buyers, ""],
        ["penjualan_langsung_rp", h.direct_value, ""],
        ["transaksi_langsung", h.direct_sales, ""],
        ["produk_terkurasi", h.curated_products, h.target_curated],
        ["kopontren_terverifikasi", h.kopontren, h.target_kopontren],
        ["santri_wirausaha_penjual", h.santri_sellers, ""],
    ]


def _csv_series(period: Period):
    lab = labels()
    _split, _channels, days, _v, _n = queries.direct_breakdowns(db.session, period, lab, 0)
    out = [["mulai", "sampai", "online_rp", "pesanan_online", "langsung_rp", "transaksi_langsung"]]
    for p in queries.series(db.session, period, days):
        out.append([p.bucket.start.isoformat(), p.bucket.end.isoformat(), p.online, p.orders,
                    p.direct, p.direct_sales])
    return out


def _csv_online_direct(period: Period):
    lab = labels()
    _p, _c, orders, gross = queries.buyer_breakdowns(db.session, period, lab)
    split, _channels, _days, _v, _n = queries.direct_breakdowns(db.session, period, lab, gross,
                                                                orders)
    return [["jenis", "nama", "nilai_rp", "transaksi", "pangsa_persen"]] + [
        [str(r.key), r.label, r.value, r.orders, _share(r.share)] for r in split]


def _csv_channels(period: Period):
    _split, channels, _days, _v, _n = queries.direct_breakdowns(db.session, period, labels(), 0)
    return [["saluran", "nama", "nilai_rp", "transaksi", "pangsa_persen"]] + [
        [str(r.key), r.label, r.value, r.orders, _share(r.share)] for r in channels]


def _csv_buyer_provinces(period: Period):
    provinces, _cities, _n, _g = queries.buyer_breakdowns(db.session, period, labels())
    return _region_rows(provinces, "kode_provinsi", "provinsi")


def _csv_buyer_regions(period: Period):
    _provinces, cities, _n, _g = queries.buyer_breakdowns(db.session, period, labels())
    return _region_rows(cities, "kode_wilayah", "kabupaten_kota", "provinsi")


def _csv_producer_regions(period: Period):
    regions, _kinds, _top = queries.producer_breakdowns(db.session, period, labels())
    return _region_rows(regions, "kode_wilayah", "kabupaten_kota_produsen")


def _csv_producer_kinds(period: Period):
    _regions, kinds, _top = queries.producer_breakdowns(db.session, period, labels())
    return _region_rows(kinds, "jenis", "nama")


def _csv_top_producers(period: Period):
    _regions, _kinds, top = queries.producer_breakdowns(db.session, period, labels())
    return _region_rows(top, "id_produsen", "produsen", "kabupaten_kota")


def _csv_categories(period: Period):
    categories, _top = queries.product_breakdowns(db.session, period, labels())
    return [["id_kategori", "kategori", "nilai_rp", "jumlah_unit", "pangsa_persen"]] + [
        [str(r.key), r.label, r.value, r.units, _share(r.share)] for r in categories]


def _csv_top_products(period: Period):
    _categories, top = queries.product_breakdowns(db.session, period, labels())
    return [["id_produk", "produk", "produsen", "nilai_rp", "jumlah_unit", "pangsa_persen"]] + [
        [str(r.key), r.label, r.detail, r.value, r.units, _share(r.share)] for r in top]


# slug -> (what the link says, builder)
TABLES = {
    "ringkasan": (_l("Ringkasan"), _csv_headline),
    "deret-waktu": (_l("Deret waktu"), _csv_series),
    "online-langsung": (_l("Online dan langsung"), _csv_online_direct),
    "saluran-langsung": (_l("Saluran penjualan langsung"), _csv_channels),
    "kabupaten-produsen": (_l("Kabupaten/kota produsen"), _csv_producer_regions),
    "provinsi-pembeli": (_l("Provinsi pembeli"), _csv_buyer_provinces),
    "kabupaten-pembeli": (_l("Kabupaten/kota pembeli"), _csv_buyer_regions),
    "kategori": (_l("Kategori"), _csv_categories),
    "jenis-produsen": (_l("Jenis produsen"), _csv_producer_kinds),
    "produsen-teratas": (_l("Produsen teratas"), _csv_top_producers),
    "produk-teratas": (_l("Produk teratas"), _csv_top_products),
}


@bp.get("/admin/insight/<table>.csv")
@role_required("admin")
def table_csv(table: str):
    entry = TABLES.get(table)
    if entry is None:
        abort(404)
    choice = parse_period(request.args, today_jakarta())
    period = choice.period
    rows = entry[1](period)
    return csv_download(rows, f"opop-{table}-{period.start.isoformat()}-{period.end.isoformat()}.csv")


__all__ = ["bp", "parse_period", "TABLES"]
