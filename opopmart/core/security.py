"""Security headers on every response, set in one place.

A view that needs a different policy (the payment page loading Stripe.js) sets its own
Content-Security-Policy; everything else gets the strict default: our own scripts,
styles and images only, no framing, no plugins. Pages that belong to one person
(account, cart, checkout, orders, studio, curation, admin) are never stored by a
browser or a proxy.
"""

from __future__ import annotations

from flask import Flask, request

DEFAULT_CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

PRIVATE_PREFIXES = (
    "/akun", "/masuk", "/daftar", "/keluar", "/keranjang", "/checkout", "/pembayaran",
    "/pesanan", "/studio", "/kurasi", "/admin", "/notifikasi", "/dokumen", "/undangan",
)


def _private(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in PRIVATE_PREFIXES)


def register_security_headers(app: Flask) -> None:
    hsts = app.config.get("ENV_NAME") == "production"

    @app.after_request
    def _security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", DEFAULT_CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(self)")
        if hsts:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if _private(request.path) and "no-store" not in (headers.get("Cache-Control") or ""):
            headers["Cache-Control"] = "no-store"
        return response
