"""The admins' status history (``/admin/riwayat``) and its CSV export.

Registered on the admin blueprint (imported at the bottom of accounts/views.py), so it
shares its ``no-store`` header. Admins only: anyone else signed in gets 403, visitors go
to log in. A filter value that cannot be read is named next to its field and left out;
the page still answers 200.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _

from ..catalogue.models import ProducerStatus, ProductStatus
from ..curation.services import PRODUCER_STATUS_LABELS
from ..core.timeutil import today_jakarta
from ..core.params import page_number
from ..extensions import db
from ..core.spreadsheet import csv_download
from ..seller.services import STATUS_LABELS
from . import admin_history as history
from .decorators import role_required
from .views import admin_bp


def _capital(text) -> str:
    text = str(text)
    return text[:1].upper() + text[1:]


def kind_labels() -> dict[str, str]:
    return {history.PRODUCT: _("produk"), history.PRODUCER: _("produsen")}


def actor_labels() -> dict[str, str]:
    return {history.CURATOR: _("kurator"), history.SELLER: _("penjual"), history.SYSTEM: _("sistem")}


def status_label(kind: str, value: str | None) -> str:
    """A stored status value as people read it ("" for the first event, which has none)."""
    if not value:
        return ""
    if kind == history.PRODUCT:
        return _capital(STATUS_LABELS[ProductStatus(value)])
    return _capital(PRODUCER_STATUS_LABELS[ProducerStatus(value)])


def when(entry: history.Entry) -> str:
    local = entry.created_local
    return f"{format_date(local.date(), 'd MMMM y')} {local:%H:%M} WIB"


def _page_number() -> int:
    return page_number(request.args.get("halaman"))


@admin_bp.get("/riwayat")
@role_required("admin")
def history_page():
    f, chosen, errors = history.parse_filter(request.args)
    result = history.page(db.session, f, _page_number())
    return render_template(
        "admin/history.html", result=result, chosen=chosen, errors=errors, raw=request.args,
        kinds=kind_labels(), actors=actor_labels(), status_label=status_label, when=when,
        kind_params={v: k for k, v in history.KIND_PARAMS.items()},
        actor_params={v: k for k, v in history.ACTOR_PARAMS.items()},
        product_statuses=[(s.value, status_label(history.PRODUCT, s.value)) for s in ProductStatus],
        producer_statuses=[(s.value, status_label(history.PRODUCER, s.value)) for s in ProducerStatus],
        max_pages=history.MAX_PAGES,
    )


CSV_HEADERS = ["waktu_wib", "jenis", "id_event", "id", "nama", "dari_status", "ke_status",
               "pelaku", "jenis_pelaku", "catatan"]


@admin_bp.get("/riwayat.csv")
@role_required("admin")
def history_csv():
    f, chosen, _errors = history.parse_filter(request.args)
    total = history.count(db.session, f)
    if total > history.MAX_CSV_ROWS:
        flash(_("Riwayat yang cocok ada %(n)s baris, lebih dari %(max)s yang bisa diunduh sekaligus. "
                "Persempit saringannya (misalnya rentang tanggal).",
                n=f"{total:,}".replace(",", "."), max=f"{history.MAX_CSV_ROWS:,}".replace(",", ".")),
              "error")
        return redirect(url_for("admin.history_page", **chosen), 303)
    kinds, actors = kind_labels(), actor_labels()
    rows: list[list] = [CSV_HEADERS]
    for e in history.export(db.session, f):
        rows.append([
            e.created_local.strftime("%Y-%m-%d %H:%M:%S"), kinds[e.kind], e.id, e.subject_id,
            e.subject_name, status_label(e.kind, e.from_status), status_label(e.kind, e.to_status),
            (e.actor_name or "") if e.actor_id is not None else _("sistem"), actors[e.actor_kind], e.note,
        ])
    return csv_download(rows, f"riwayat-status-{today_jakarta().isoformat()}.csv")
