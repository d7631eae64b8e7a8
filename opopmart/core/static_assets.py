"""Static files: fingerprinted URLs that browsers keep for a year.

Shoppers are mostly on phones, often on slow networks; without this, every page load
re-checks each stylesheet and script. ``url_for("static", filename=...)`` gets
``?v=<fingerprint of the file's content>``, and a response to a URL carrying the
current fingerprint may be cached for a year as immutable: a changed file gets a new
URL, so nobody is left with a stale one. A request without it (or with an old one) is
served as before, revalidated on every use.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from flask import Flask, request

YEAR = 365 * 24 * 3600


class Fingerprints:
    """Content hashes of static files, recomputed only when a file's mtime or size changes."""

    def __init__(self, folder: str) -> None:
        self.folder = Path(folder).resolve()
        self.known: dict[str, tuple[int, int, str]] = {}

    def of(self, filename: str) -> str | None:
        path = (self.folder / filename).resolve()
        if self.folder not in path.parents:
            return None
        try:
            stat = os.stat(path)
        except OSError:
            return None
        cached = self.known.get(filename)
        if cached and cached[:2] == (stat.st_mtime_ns, stat.st_size):
            return cached[2]
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        self.known[filename] = (stat.st_mtime_ns, stat.st_size, digest)
        return digest


def register_static_assets(app: Flask) -> None:
    if not app.static_folder:
        return
    fingerprints = Fingerprints(app.static_folder)

    @app.url_defaults
    def _fingerprint(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "v" not in values and "filename" in values:
            version = fingerprints.of(values["filename"])
            if version:
                values["v"] = version

    @app.after_request
    def _cache_fingerprinted(response):
        if (request.endpoint == "static" and response.status_code == 200
                and request.view_args
                and request.args.get("v") == fingerprints.of(request.view_args.get("filename", ""))):
            response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
        return response
