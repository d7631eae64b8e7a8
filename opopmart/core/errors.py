"""Error pages in the house style; JSON for API paths. Never a bare stack trace."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)

MESSAGES = {
    400: (_l("Permintaan tidak valid"), _l("Ada isian yang tidak bisa kami baca. Periksa lagi dan coba ulang.")),
    403: (_l("Akses ditolak"), _l("Anda tidak punya izin untuk membuka halaman ini.")),
    404: (_l("Halaman tidak ditemukan"), _l("Halaman atau produk yang Anda cari tidak ada, atau sudah tidak ditampilkan.")),
    405: (_l("Metode tidak diizinkan"), _l("Halaman ini tidak bisa dibuka dengan cara itu.")),
    413: (_l("Berkas terlalu besar"), _l("Unggahan melebihi batas ukuran. Perkecil berkas lalu coba lagi.")),
    429: (_l("Terlalu banyak percobaan"), _l("Tunggu sebentar sebelum mencoba lagi.")),
    500: (_l("Terjadi kesalahan"), _l("Maaf, ada gangguan di sisi kami. Tim kami sudah dicatat; silakan coba lagi.")),
}


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def render_error(code: int, description: str | None = None):
    title, message = MESSAGES.get(code, MESSAGES[500] if code >= 500 else MESSAGES[400])
    if wants_json():
        return jsonify(error={"code": code, "message": str(description or message)}), code
    try:
        return render_template("errors/error.html", code=code, title=title, message=message), code
    except Exception:  # noqa: BLE001 - the error page itself must never fail
        log.exception("error page failed to render")
        return f"{code}", code


def register_errors(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        return render_error(exc.code or 500)

    @app.errorhandler(InternalServerError)
    def server_error(exc: InternalServerError):
        from ..extensions import db

        db.session.rollback()
        log.error("unhandled error on %s %s", request.method, request.path,
                  exc_info=getattr(exc, "original_exception", None))
        return render_error(500)
