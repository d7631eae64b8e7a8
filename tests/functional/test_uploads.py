"""Uploads over HTTP: a friendly 413, and stored documents served safely."""

from __future__ import annotations

import io

from PIL import Image
from werkzeug.datastructures import FileStorage
from werkzeug.test import stream_encode_multipart

from opopmart.core.uploads import store_document, store_photo
from tests.unit.test_uploads import MINIMAL_PDF

SEVENTEEN_MIB = 17 * 1024 * 1024


def test_too_large_body_is_a_styled_413_not_a_csrf_400(client):
    response = client.post("/masuk", data=b"x" * SEVENTEEN_MIB,
                           content_type="application/octet-stream")
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "Berkas terlalu besar" in html
    assert "<html" in html.lower() and "error-page" in html  # the house page, not a bare code


def test_too_large_multipart_form_is_413(client):
    # Encoded in memory: Werkzeug's test client would spool it to a file it never closes.
    body, length, boundary = stream_encode_multipart(
        {"email": "a@b.id", "foto": FileStorage(io.BytesIO(b"x" * SEVENTEEN_MIB), "x.jpg")},
        use_tempfile=False)
    response = client.post("/masuk", data=body.getvalue(),
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert length > SEVENTEEN_MIB
    assert response.status_code == 413
    assert "Berkas terlalu besar" in response.get_data(as_text=True)


def test_too_large_body_to_json_client_is_json_413(client):
    response = client.post("/masuk", data=b"x" * SEVENTEEN_MIB,
                           content_type="application/octet-stream",
                           headers={"Accept": "application/json"})
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == 413


def test_body_under_the_limit_is_not_413(client):
    response = client.post("/masuk", data=b"x" * 1024, content_type="application/octet-stream")
    assert response.status_code == 400  # no CSRF token: refused, but not for its size


def test_stored_pdf_is_served_as_an_attachment(app, client):
    document = store_document(io.BytesIO(MINIMAL_PDF), app.config["MEDIA_ROOT"])
    response = client.get(f"/media/{document.filename}")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.data == MINIMAL_PDF
    response.close()


def test_stored_photo_is_served_inline_as_jpeg(app, client):
    buffer = io.BytesIO()
    Image.new("RGB", (900, 600), (30, 120, 60)).save(buffer, "PNG")
    buffer.seek(0)
    stored = store_photo(buffer, app.config["MEDIA_ROOT"])
    for suffix in ("", "_md", "_sm"):
        response = client.get(f"/media/{stored.key}{suffix}.jpg")
        assert response.status_code == 200
        assert response.mimetype == "image/jpeg"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Content-Disposition"].startswith("inline")
        response.close()
