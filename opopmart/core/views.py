"""Site-wide routes: uploaded media, language choice, health."""

from __future__ import annotations

import re

from flask import Blueprint, abort, current_app, make_response, redirect, request, send_from_directory
from flask_login import current_user, login_required
from sqlalchemy import text

from ..extensions import db
from .i18n import LOCALE_COOKIE
from .urls import safe_next

bp = Blueprint("core", __name__)

# Stored names are random hex keys with a size suffix; nothing else is ever served.
MEDIA_NAME = re.compile(r"^[a-f0-9]{32}(?:_(?:md|sm))?\.(?:jpg|png|webp|pdf)$")
MEDIA_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp", "pdf": "application/pdf"}


@bp.get("/media/<name>")
def media(name: str):
    if not MEDIA_NAME.match(name):
        abort(404)
    response = send_from_directory(
        current_app.config["MEDIA_ROOT"], name,
        mimetype=MEDIA_TYPES[name.rsplit(".", 1)[1]], max_age=31536000,
        # A document is downloaded, never rendered inline on our origin.
        as_attachment=name.endswith(".pdf"),
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


@bp.get("/dokumen/sertifikat/<int:certification_id>")
@login_required
def certificate_document(certification_id: int):
    """A certificate scan, for the producer's members, curators and admins only.

    Scans carry names, addresses and signatures that the public page does not show, so
    they live outside MEDIA_ROOT and everyone else gets the same 404 as for a missing one.
    """
    from ..catalogue.services import readable_certificate

    cert = readable_certificate(db.session, user=current_user, certification_id=certification_id)
    if cert is None or not cert.document_path or not MEDIA_NAME.match(cert.document_path):
        abort(404)
    extension = cert.document_path.rsplit(".", 1)[1]
    response = send_from_directory(
        current_app.config["DOCUMENT_ROOT"], cert.document_path, mimetype=MEDIA_TYPES[extension],
        as_attachment=extension == "pdf", download_name=f"sertifikat-{cert.id}.{extension}",
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/bahasa/<code>")
def set_language(code: str):
    """Remember the visitor's language; changes no data, only a preference cookie."""
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    response = make_response(redirect(safe_next(request.args.get("next"))))
    response.set_cookie(LOCALE_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax",
                        httponly=True, secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


@bp.get("/healthz")
def healthz():
    """For the load balancer: 503 when the database or the search index cannot answer.

    A search index not built yet is reported ("missing") but is not a failure: the
    catalogue still sells, and ``flask search reindex`` builds it.
    """
    from ..search.backend import current_backend

    checks: dict[str, str] = {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception:  # any driver error means "not healthy", never a 500 page
        current_app.logger.exception("health check: database")
        db.session.rollback()
        checks["database"] = "error"
    try:
        backend = current_backend()
        checks["search"] = "ok" if backend.exists() else "missing"
    except Exception:
        current_app.logger.exception("health check: search")
        checks["search"] = "error"
    healthy = "error" not in checks.values()
    return {"status": "ok" if healthy else "error", **checks}, 200 if healthy else 503
