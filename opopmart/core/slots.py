"""Hole punching: per-visitor fragments put into pages after they were rendered (and cached).

Public catalogue pages are cached per worker as whole HTML (core.cache), so they must
hold nothing per visitor. ``templates/base.html`` leaves markers where the account
menu, the cart link and the flash messages go, and a form on a cached page leaves one
for its CSRF field; an ``after_request`` handler swaps each for this request's fragment,
after the page cache has stored the page, so a cached page never holds anyone's name,
cart or token.
"""

from __future__ import annotations

from flask import Flask, current_app, render_template, request, session, url_for
from flask_login import current_user
from markupsafe import Markup
from urllib.parse import urlencode

from .i18n import request_translations

ACCOUNT_MARKER = b"<!--slot:account-->"
FLASH_MARKER = b"<!--slot:flash-->"
# A form on a cached page (add to cart) puts this where its hidden CSRF field goes.
CSRF_MARKER = b"<!--slot:csrf-->"
CSRF_FIELD = Markup('<input type="hidden" name="csrf_token" value="{}">')
AUTH_ENDPOINTS = {"accounts.login", "accounts.register"}


ANONYMOUS_LINKS = Markup(
    '<span class="account-links"><a href="{login}">{login_label}</a> '
    '<a href="{register}">{register_label}</a></span>'
)


def signed_in_visitor():
    """The logged-in user, or None without asking Flask-Login when no cookie could say so
    (it would hash the visitor's address and agent on every anonymous page view)."""
    remember_cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    if "_user_id" not in session and remember_cookie not in request.cookies:
        return None
    return current_user if current_user.is_authenticated else None


_LABELS: dict[str, tuple[str, str]] = {}


def _anonymous_labels() -> tuple[str, str]:
    from .templating import current_locale

    locale = current_locale()
    labels = _LABELS.get(locale)
    if labels is None:
        translations = request_translations()
        labels = _LABELS[locale] = (translations.ugettext("Masuk"), translations.ugettext("Daftar"))
    return labels


def account_fragment() -> str:
    user = signed_in_visitor()
    if user is not None:
        return render_template("_account_slot.html", user=user)
    if request.endpoint in AUTH_ENDPOINTS:
        from .urls import safe_next

        next_path = safe_next(request.args.get("next"))
    else:
        next_path = request.full_path.rstrip("?") if request.method == "GET" else "/"
    # Most page views are anonymous: two links, built without a template render and
    # without url_for (routing the same two endpoints on every page view).
    login_label, register_label = _anonymous_labels()
    paths = _auth_paths()
    # The same characters left unquoted as url_for leaves them.
    query = "?" + urlencode({"next": next_path}, safe="!$'()*,/:;?@") if next_path else ""
    return ANONYMOUS_LINKS.format(
        login=paths[0] + query,
        login_label=login_label,
        register=paths[1] + query,
        register_label=register_label,
    )


def _auth_paths() -> tuple[str, str]:
    paths = current_app.extensions.get("opopmart.auth_paths")
    if paths is None:
        paths = current_app.extensions["opopmart.auth_paths"] = (
            url_for("accounts.login"), url_for("accounts.register"))
    return paths


def flash_fragment() -> str:
    # Rendering (and taking) flashes only when there are some keeps anonymous pages cheap.
    if "_flashes" not in session:
        return ""
    return render_template("_flash_slot.html")


def add_slot(app: Flask, marker: bytes, fragment) -> None:
    """Another per-visitor fragment: ``fragment()`` returns the HTML for ``marker``
    (the cart link: cart.views)."""
    app.extensions.setdefault("opopmart.slots", []).append((marker, fragment))


def csrf_field() -> str:
    from flask_wtf.csrf import generate_csrf

    return CSRF_FIELD.format(generate_csrf())


def fill_slots(response):
    if (response.mimetype != "text/html" or response.direct_passthrough
            or response.is_streamed):
        return response
    body = response.get_data()
    extra = [(m, f) for m, f in current_app.extensions.get("opopmart.slots", ()) if m in body]
    has_csrf = CSRF_MARKER in body
    if ACCOUNT_MARKER not in body and FLASH_MARKER not in body and not extra and not has_csrf:
        return response
    if ACCOUNT_MARKER in body:
        body = body.replace(ACCOUNT_MARKER, account_fragment().encode("utf-8"), 1)
    if FLASH_MARKER in body:
        # Flash messages are per visitor too, and are only taken when they are shown.
        body = body.replace(FLASH_MARKER, flash_fragment().encode("utf-8"), 1)
    for marker, fragment in extra:
        body = body.replace(marker, fragment().encode("utf-8"), 1)
    if has_csrf:
        # Every form of the page; the token belongs to this visitor's session.
        body = body.replace(CSRF_MARKER, csrf_field().encode("utf-8"))
    response.set_data(body)
    # The page now differs per visitor: shared caches must not hand it to someone else.
    response.vary.add("Cookie")
    if ((has_csrf or signed_in_visitor() is not None)
            and "no-store" not in (response.headers.get("Cache-Control") or "")):
        response.headers["Cache-Control"] = "private, no-cache"
    return response


def register_slots(app: Flask) -> None:
    app.after_request(fill_slots)
