"""Security headers on every response; private pages never stored; HSTS in production only."""

import pytest

from opopmart import create_app
from opopmart.config import ProductionConfig
from opopmart.core.security import DEFAULT_CSP
from opopmart.extensions import db


@pytest.mark.parametrize("path", ["/", "/katalog", "/cari?q=kopi", "/masuk", "/tidak-ada", "/healthz"])
def test_given_any_page_when_served_then_strict_headers(client, path):
    response = client.get(path)

    assert response.headers["Content-Security-Policy"] == DEFAULT_CSP
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response.headers


def test_given_default_policy_then_no_inline_script_and_no_outside_origin():
    directives = dict(part.split(" ", 1) for part in DEFAULT_CSP.split("; "))

    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "http" not in DEFAULT_CSP and "unsafe" not in DEFAULT_CSP


@pytest.mark.parametrize("path, stored", [
    ("/masuk", False), ("/akun", False), ("/keranjang", False), ("/studio", False),
    ("/kurasi", False), ("/admin/pengguna", False), ("/", True), ("/katalog", True),
])
def test_given_private_page_when_served_then_no_store(client, path, stored):
    response = client.get(path)

    assert ("no-store" in (response.headers.get("Cache-Control") or "")) is (not stored)


def test_given_production_when_served_then_hsts(tmp_path, monkeypatch, databases):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    url = databases.new(tmp_path)
    app = create_app(ProductionConfig, {"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": str(tmp_path / "i")})

    response = app.test_client().get("/masuk")
    with app.app_context():
        db.engine.dispose()  # this app's own pool: closed before its database is dropped
    databases.drop(url)

    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
