"""The cart page and its three actions, for anonymous visitors and logged-in users alike.

An anonymous visitor's cart is found by a random token kept in the signed session; a
user's by their id. The cart page is per visitor: it is never put in the page cache and
never stored by a browser or proxy. The header's cart link is a slot (core.slots) filled
per request, so cached catalogue pages never show one visitor's count to another.
"""

from __future__ import annotations

import logging

from flask import (Blueprint, abort, current_app, flash, jsonify, redirect, render_template,
                   request, session, url_for)
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.routing import BuildError

from ..core.errors import wants_json
from ..core.i18n import request_translations
from ..core.slots import add_slot, signed_in_visitor
from ..core.urls import safe_next
from ..extensions import db
from . import services
from .forms import AddForm, QuantityForm, RemoveForm
from .models import Cart
from .pricing import price_cart
from .services import CartError, LineNotFound

log = logging.getLogger(__name__)

bp = Blueprint("cart", __name__)

# The anonymous visitor's cart token in the Flask session (only its sha256 is stored).
SESSION_KEY = "cart_token"
CART_MARKER = b"<!--slot:cart-->"



def _json_wanted() -> bool:
    return request.is_json or wants_json()


def _user_id() -> int | None:
    return current_user.id if current_user.is_authenticated else None


def current_cart(create: bool = False) -> Cart | None:
    """This visitor's cart; with ``create``, made (and for anonymous visitors, keyed) now."""
    user_id = _user_id()
    if user_id is not None:
        if create:
            return services.get_or_create_cart(db.session, user_id=user_id)
        return services.find_cart(db.session, user_id=user_id)
    token = session.get(SESSION_KEY)
    if not isinstance(token, str) or not token:
        if not create:
            return None
        token = session[SESSION_KEY] = services.new_token()
    if create:
        return services.get_or_create_cart(db.session, token=token)
    return services.find_cart(db.session, token=token)


def checkout_url() -> str:
    """Where "Lanjut ke pembayaran" goes; checkout's blueprint may not be registered yet."""
    try:
        return url_for("checkout.start")
    except BuildError:
        return "/checkout"


@bp.record_once
def _register(state) -> None:
    state.app.jinja_env.globals.update(checkout_url=checkout_url)
    add_slot(state.app, CART_MARKER, cart_fragment)


# -- the header link (a slot: filled per request, after the page cache) -------------

CART_LINK = Markup(
    '<a class="cart-link" href="{url}" data-testid="cart-link" aria-label="{aria}">'
    '<svg aria-hidden="true" viewBox="0 0 24 24" width="22" height="22"><path d="M3 4h2l2.4 10.2a1 1 0 0 0 1 .8h8.9a1 1 0 0 0 1-.8L20 8H6.2" '
    'fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"/>'
    '<circle cx="9" cy="19" r="1.6" fill="currentColor"/><circle cx="17" cy="19" r="1.6" fill="currentColor"/></svg>'
    '<span class="cart-label">{label}</span>{badge}</a>'
)
CART_BADGE = Markup('<span class="badge cart-count" data-testid="cart-count">{n}</span>')


def visitor_line_count() -> int:
    user = signed_in_visitor()
    if user is not None:
        return services.line_count(db.session, user_id=user.id)
    token = session.get(SESSION_KEY) if SESSION_KEY in session else None
    if not isinstance(token, str) or not token:
        return 0  # most anonymous page views: no query at all
    return services.line_count(db.session, token=token)


def cart_fragment() -> str:
    try:
        count = visitor_line_count()
    except SQLAlchemyError:  # an error page must still render its header
        log.exception("cart count failed")
        db.session.rollback()
        count = 0
    translations = request_translations()
    label = translations.ugettext("Keranjang")
    aria = (translations.ungettext("Keranjang, %(num)s barang", "Keranjang, %(num)s barang", count)
            % {"num": count}) if count else label
    path = current_app.extensions.get("opopmart.cart_path")
    if path is None:
        path = current_app.extensions["opopmart.cart_path"] = url_for("cart.view")
    badge = CART_BADGE.format(n=count if count < 100 else "99+") if count else ""
    return CART_LINK.format(url=path, aria=aria, label=label, badge=badge)


# -- pages and actions ----------------------------------------------------------------

@bp.get("/keranjang")
def view():
    return _cart_page()


def _cart_page(line_errors: dict | None = None, typed: dict | None = None):
    priced = price_cart(db.session, current_cart())
    return render_template("cart/show.html", cart=priced, line_errors=line_errors or {},
                           typed=typed or {})


@bp.post("/keranjang/tambah")
def add():
    form = AddForm()
    back = safe_next(form.next.data, url_for("cart.view"))
    try:
        # Checked before a cart is made, so a refused first add leaves nothing behind.
        services.clean_id(form.variant_id.data)
        services.clean_quantity(form.quantity.data)
        cart = current_cart(create=True)
        change = services.add(db.session, cart, form.variant_id.data, form.quantity.data)
    except CartError as exc:
        db.session.rollback()
        if _json_wanted():
            return jsonify(ok=False, errors=exc.errors), 400
        # The product page is cached for everyone: the message goes there as a flash.
        flash(str(exc.message), "error")
        return redirect(back, 303)
    db.session.commit()
    message = _("Produk masuk keranjang.")
    if _json_wanted():
        return jsonify(ok=True, line_id=change.line_id, quantity=change.quantity,
                       count=visitor_line_count(), message=message,
                       notice=str(change.notice) if change.notice else None)
    flash(message, "success")
    if change.notice:
        flash(str(change.notice), "info")
    return redirect(back, 303)


@bp.post("/keranjang/<int:line_id>/ubah")
def update(line_id: int):
    form = QuantityForm()
    try:
        change = services.set_quantity(db.session, current_cart(), line_id, form.quantity.data)
    except LineNotFound:
        db.session.rollback()
        abort(404)
    except CartError as exc:
        db.session.rollback()
        if _json_wanted():
            return jsonify(ok=False, errors=exc.errors), 400
        # The cart again, the message next to the line's quantity and what was typed.
        raw = (form.quantity.data or "")[:20]
        return _cart_page({line_id: exc.message}, {line_id: raw})
    db.session.commit()
    if _json_wanted():
        return jsonify(ok=True, line_id=change.line_id, quantity=change.quantity,
                       notice=str(change.notice) if change.notice else None)
    flash(str(change.notice) if change.notice else _("Jumlah diperbarui."),
          "info" if change.notice else "success")
    return redirect(url_for("cart.view"), 303)


@bp.post("/keranjang/<int:line_id>/hapus")
def remove(line_id: int):
    RemoveForm()
    try:
        services.remove(db.session, current_cart(), line_id)
    except LineNotFound:
        db.session.rollback()
        abort(404)
    db.session.commit()
    if _json_wanted():
        return jsonify(ok=True, line_id=line_id)
    flash(_("Produk dihapus dari keranjang."), "success")
    return redirect(url_for("cart.view"), 303)


# -- login --------------------------------------------------------------------------

def anonymous_cart_token() -> str | None:
    """Read before the session is cleared at login (accounts.views._start_session)."""
    token = session.get(SESSION_KEY)
    return token if isinstance(token, str) and token else None


def merge_after_login(token: str | None, user_id: int) -> None:
    """The anonymous cart joins the account's cart; committed here, told by a flash."""
    result = services.merge_token_cart(db.session, token, user_id)
    if result is None:
        return
    db.session.commit()
    if result.moved:
        flash(_("Isi keranjang Anda sebelum masuk sudah digabung ke keranjang akun ini."), "info")
    for notice in result.notices:
        flash(str(notice), "info")
