"""Bulk listing in the studio: download a producer's catalogue, upload it back edited.

Registered on the studio blueprint (``views.bp``), so every page needs a login, is
never stored by a browser (``no-store``) and answers 404 for a producer the user is
not a member of (owner or staff). Stateless: the uploaded file is read in memory,
checked, written in one transaction and committed once here; nothing is kept.
"""

from __future__ import annotations

from datetime import date

from flask import Response, current_app, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import BadRequest
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice

from ..core.spreadsheet import to_csv
from ..core.uploads import UploadRejected, read_upload
from ..extensions import db
from . import bulk
from .views import _own_producer_or_404, _user_id, bp


class BulkForm(FlaskForm):
    sheet = FileField(_l("Berkas CSV atau XLSX"),
                      render_kw={"accept": ".csv,.xlsx,text/csv,application/vnd.openxmlformats-"
                                           "officedocument.spreadsheetml.sheet"})
    mode = RadioField(_l("Cara menyimpan"), default=bulk.ALL, validate_choice=False, choices=[
        SelectChoice(bulk.CHECK, _l("Periksa saja: tampilkan laporan, tidak ada yang disimpan")),
        SelectChoice(bulk.ALL, _l("Semua atau tidak sama sekali: simpan hanya jika semua baris benar")),
        SelectChoice(bulk.VALID, _l("Terapkan yang valid saja: produk dengan baris bermasalah dilewati")),
    ])


def _page(producer, form, report=None, file_error=None, status=200):
    return render_template(
        "seller/bulk.html", producer=producer, form=form, report=report, file_error=file_error,
        headers=bulk.HEADERS, categories=[path for _id, path in bulk.category_paths(db.session)],
        max_rows=bulk.MAX_ROWS, max_mb=_max_bytes() // (1024 * 1024),
    ), status


def _max_bytes() -> int:
    return int(current_app.config.get("BULK_MAX_BYTES", bulk.MAX_BYTES))


@bp.get("/toko/<int:producer_id>/massal")
@login_required
def bulk_page(producer_id: int):
    return _page(_own_producer_or_404(producer_id), BulkForm(formdata=None))


@bp.get("/toko/<int:producer_id>/massal/unduh.<any(csv, xlsx):fmt>")
@login_required
def bulk_export(producer_id: int, fmt: str):
    producer = _own_producer_or_404(producer_id)
    rows = bulk.export_rows(db.session, producer.id)
    if fmt == "csv":
        body, mimetype = to_csv(rows), "text/csv"
    else:
        paths = [path for _id, path in bulk.category_paths(db.session)]
        body = bulk.to_xlsx(rows, paths)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    name = f"produk-{producer.slug}-{date.today().isoformat()}.{fmt}"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.post("/toko/<int:producer_id>/massal")
@login_required
def bulk_upload(producer_id: int):
    producer = _own_producer_or_404(producer_id)
    form = BulkForm()
    if not form.validate_on_submit():
        raise BadRequest()  # only the CSRF token can fail: every other field is optional
    upload = request.files.get("sheet")
    if upload is None or not upload.filename and not upload.content_length:
        return _page(producer, form, file_error=str(bulk.FILE_MESSAGES["no_file"]))
    try:
        rows = bulk.read_sheet(read_upload(upload.stream, _max_bytes()))
    except UploadRejected as exc:
        return _page(producer, form, file_error=exc.message, status=413)
    except bulk.BulkFileError as exc:
        return _page(producer, form, file_error=exc.message)
    try:
        report = bulk.run(db.session, user_id=_user_id(), producer_id=producer.id, rows=rows,
                          mode=form.mode.data or bulk.CHECK)
        if report.saved:
            db.session.commit()
        else:
            db.session.rollback()
    except IntegrityError:
        db.session.rollback()
        return _page(producer, form, file_error=_(
            "Data bentrok dengan perubahan lain (misalnya SKU yang baru saja dipakai). Tidak ada "
            "yang disimpan; unggah berkasnya lagi."))
    return _page(_own_producer_or_404(producer_id), form, report=report)
