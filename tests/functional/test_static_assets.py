"""Static files carry a content fingerprint in their URL and are cached for a year."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from flask import url_for

STATIC = Path(__file__).resolve().parents[2] / "static"


def test_given_a_page_when_rendered_then_its_css_and_js_urls_carry_the_content_fingerprint(client):
    html = client.get("/").get_data(as_text=True)
    expected = hashlib.sha256((STATIC / "css" / "app.css").read_bytes()).hexdigest()[:12]
    assert f'/static/css/app.css?v={expected}"' in html
    scripts = re.findall(r'src="(/static/js/[^"]+)"', html)
    assert scripts and all(re.search(r"\?v=[0-9a-f]{12}$", src) for src in scripts)


def test_given_the_current_fingerprint_when_fetched_then_cached_for_a_year(app, client):
    with app.test_request_context():
        url = url_for("static", filename="css/app.css")
    with client.get(url) as response:
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_given_no_or_an_old_fingerprint_when_fetched_then_not_cached_for_long(client):
    for url in ("/static/css/app.css", "/static/css/app.css?v=000000000000"):
        with client.get(url) as response:
            assert response.status_code == 200
            assert "immutable" not in (response.headers.get("Cache-Control") or ""), url


def test_given_a_missing_or_escaping_file_when_linked_then_no_fingerprint_and_404(app, client):
    with app.test_request_context():
        assert url_for("static", filename="css/nope.css") == "/static/css/nope.css"
        assert "v=" not in url_for("static", filename="../pyproject.toml")
    assert client.get("/static/css/nope.css?v=abc").status_code == 404
