"""Error pages in the house style; JSON for API paths. Never a bare stack trace."""

from __future__ import annotations

import logging

from flask import Flask, abort, jsonify, render_template, request
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


def refuse_oversized_body() -> None:
    """Answer 413 for a declared body over MAX_CONTENT_LENGTH before anything reads it.

    Werkzeug raises 413 only once something reads the body (the CSRF check parsing the
    form, a view calling get_data); this answers first, whatever the route, the hooks
    and the content type. A body without a declared length (chunked) is still cut off
    by Werkzeug's limited stream when read.
    """
    limit = request.max_content_length
    if limit is not None and request.content_length is not None and request.content_length > limit:
        abort(413)


def drop_nul_characters() -> None:
    """Take NUL characters out of query and form fields (names and values); answer 400
    when the path or an upload's file name holds one.

    No browser sends one from anything a person typed, and PostgreSQL cannot store or
    even compare text holding one: psycopg raised DataError, a 500, wherever such a value
    reached a query (SQLite stored it silently). Fields lose the character, as search has
    always treated it, so a form comes back with its usual messages; a path or file name
    holding one names nothing. Runs for every route before the CSRF check and any view,
    and reads the body only after refuse_oversized_body has let it through.
    """
    if "\x00" in request.path:
        abort(400)
    if any("\x00" in name or "\x00" in (upload.filename or "")
           for name, upload in request.files.items(multi=True)):
        abort(400)
    for fields in ("args", "form"):
        data = getattr(request, fields)
        if any("\x00" in name or "\x00" in value for name, value in data.items(multi=True)):
            setattr(request, fields, type(data)(
                (name.replace("\x00", ""), value.replace("\x00", ""))
                for name, value in data.items(multi=True)))


def register_errors(app: Flask) -> None:
    # First among the before_request hooks, ahead of the CSRF check that extensions add.
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_oversized_body)
    app.before_request_funcs[None].insert(1, drop_nul_characters)

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


def flash_errors(exc) -> None:
    """Flash every message of an error that carries ``errors`` per field (SellerError and
    its kin) when the page shows no form to put them next to."""
    from flask import flash

    for messages in exc.errors.values():
        for message in messages:
            flash(str(message), "error")
