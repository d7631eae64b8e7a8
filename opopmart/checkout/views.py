"""``/checkout``: choose an address and a courier per producer, see the totals, place.

GET renders the plan (re-rendered with ``?alamat=&kurir-<producer>=`` when the shopper
changes a choice; a small script submits on change, a button does without JS). POST
places exactly that plan again from the database, creates the order's PaymentIntent and
sends the shopper to the payment page. One commit per request.
"""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from wtforms import HiddenField

from ..cart.models import Cart
from ..core.params import whole_number
from ..core.timeutil import utcnow
from ..extensions import db
from . import services
from .models import COURIER_LABELS, ZONE_LABELS, Address, Courier
from .stripe_gateway import PaymentError, gateway

bp = Blueprint("checkout", __name__)

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


class PlaceOrderForm(FlaskForm):
    token = HiddenField()



def _user_cart() -> Cart | None:
    return db.session.scalar(select(Cart).where(Cart.user_id == int(current_user.id)))


def _addresses() -> list[Address]:
    return list(db.session.scalars(
        select(Address).where(Address.user_id == int(current_user.id))
        .order_by(Address.is_default.desc(), Address.id.desc())
    ))


def _chosen_address(addresses: list[Address], raw: str | None, *, strict: bool) -> Address | None:
    """The address named by id, else the default. ``strict``: another's id is a 404."""
    if raw:
        wanted = whole_number(raw, max_digits=12)  # compared in Python, never queried
        if wanted is None:
            if strict:
                abort(400)
        else:
            match = next((a for a in addresses if a.id == wanted), None)
            if match is None and strict:
                abort(404)
            if match is not None:
                return match
    return addresses[0] if addresses else None


def _chosen_couriers(values) -> dict[int, Courier]:
    chosen: dict[int, Courier] = {}
    for key, value in values.items():
        if key.startswith("kurir-") and key[6:].isdigit() and len(key) < 20:
            try:
                chosen[int(key[6:])] = Courier(value)
            except ValueError:
                continue  # an unknown courier falls back to the cheapest one
    return chosen


def _render(plan, addresses, form, errors=None, status=200):
    return render_template(
        "checkout/checkout.html", plan=plan, addresses=addresses, form=form, errors=errors or {},
        courier_labels=COURIER_LABELS, zone_labels=ZONE_LABELS,
    ), status


@bp.get("/checkout")
@login_required
def start():
    addresses = _addresses()
    address = _chosen_address(addresses, request.args.get("alamat"), strict=False)
    plan = services.plan_checkout(db.session, cart=_user_cart(), address=address,
                                  couriers=_chosen_couriers(request.args))
    if not plan.cart.groups:
        flash(_("Keranjang Anda kosong."), "info")
        return redirect(url_for("cart.view"))
    form = PlaceOrderForm(token=services.new_checkout_token())
    return _render(plan, addresses, form)


@bp.post("/checkout")
@login_required
def place():
    form = PlaceOrderForm()
    if not form.validate_on_submit():
        abort(400)
    token = form.token.data or ""
    if not _TOKEN.match(token):
        abort(400)
    user_id = int(current_user.id)
    addresses = _addresses()
    address = _chosen_address(addresses, request.form.get("alamat"), strict=True)
    couriers = _chosen_couriers(request.form)
    if request.form.get("hitung"):
        # "Hitung ulang" without JavaScript: show the plan for these choices (PRG).
        params = {f"kurir-{pid}": c.value for pid, c in couriers.items()}
        if address is not None:
            params["alamat"] = address.id
        return redirect(url_for("checkout.start", **params))
    cart = _user_cart()
    try:
        order = services.place_order(
            db.session, user_id=user_id, cart=cart, address=address, couriers=couriers,
            checkout_token=token, now=utcnow(),
            payment_timeout=timedelta(minutes=current_app.config["ORDER_PAYMENT_TIMEOUT_MINUTES"]),
        )
        if order.payment_intent_id is None:
            services.start_payment(db.session, order, gateway(current_app))
        db.session.commit()
    except services.CheckoutError as exc:
        db.session.rollback()
        plan = services.plan_checkout(db.session, cart=_user_cart(), address=address,
                                      couriers=couriers)
        form.token.data = services.new_checkout_token()
        return _render(plan, _addresses(), form, errors=exc.errors, status=409)
    except IntegrityError:
        # The same page submitted twice at once: the other request placed the order.
        db.session.rollback()
        order = services.existing_order(db.session, user_id=user_id, checkout_token=token)
        if order is None:
            raise
    except PaymentError:
        db.session.rollback()
        current_app.logger.exception("payment intent could not be created")
        flash(_("Layanan pembayaran sedang tidak dapat dihubungi. Pesanan belum dibuat; "
                "silakan coba lagi sebentar lagi."), "error")
        return redirect(url_for("checkout.start"))
    return redirect(url_for("payments.pay", number=order.number))
