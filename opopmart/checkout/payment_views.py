"""``/pembayaran/<number>``: paying an order; ``/stripe/webhook``: Stripe telling us it was.

The payment page is only its owner's (anyone else gets a 404) and shows the status the
database holds: it never marks anything paid, not even when Stripe sends the shopper
back to it with ``?redirect_status=succeeded``; only the webhook fulfils. With Stripe
keys it mounts Stripe.js's Payment Element (the one script loaded from another site,
allowed by this page's own Content-Security-Policy); without keys (localstripe) it
offers clearly marked test cards that the server attaches through the Stripe API.
"""

from __future__ import annotations

import logging

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from werkzeug.routing import BuildError

from ..core.security import DEFAULT_CSP
from ..core.timeutil import utcnow
from ..extensions import csrf, db
from ..orders.models import ORDER_STATUS_LABELS, OrderStatus
from ..orders.services import StatusChanged
from . import payments, webhooks
from .stripe_gateway import PaymentError, SignatureError, gateway

log = logging.getLogger("opopmart.payments")

bp = Blueprint("payments", __name__)

STRIPE_JS = "https://js.stripe.com/v3/"


def _stripe_csp() -> str:
    """The site's policy (core.security) plus what Stripe.js needs, and nothing more:
    its script, its frames (the card fields, 3D Secure) and its API."""
    directives = dict(part.strip().split(" ", 1) for part in DEFAULT_CSP.split(";") if part.strip())
    directives["script-src"] = "'self' https://js.stripe.com"
    directives["frame-src"] = "https://js.stripe.com https://hooks.stripe.com"
    directives["connect-src"] = "'self' https://api.stripe.com"
    return "; ".join(f"{name} {value}" for name, value in directives.items())


# Only the payment page showing the Payment Element gets it; every other response keeps
# the default policy set by core.security.
CSP_STRIPE = _stripe_csp()

AUTH_DECISIONS = {"setuju": True, "tolak": False}
# A conditional move lost to another writer is run again on fresh rows this many times.
WEBHOOK_ATTEMPTS = 3


class ActionForm(FlaskForm):
    """Only the CSRF token; the choice comes from the button pressed (an allow-list)."""



def _own_order_or_404(number: str):
    order = payments.owned_order(db.session, user_id=int(current_user.id), number=number)
    if order is None:
        abort(404)
    return order


def _back(order):
    return redirect(url_for("payments.pay", number=order.number), code=303)


def _order_url(order) -> str | None:
    """The shopper's order page (orders.views), when that blueprint is registered."""
    try:
        return url_for("orders.detail", number=order.number)
    except BuildError:
        return None


def _return_url(order) -> str:
    """Where Stripe sends the shopper back after a redirect (3D Secure, some banks):
    this page, which only reads the status. SITE_URL when set, as for emails."""
    site = (current_app.config.get("SITE_URL") or "").rstrip("/")
    path = url_for("payments.pay", number=order.number)
    return site + path if site else url_for("payments.pay", number=order.number, _external=True)


def _unreachable() -> None:
    flash(_("Layanan pembayaran sedang tidak dapat dihubungi. Silakan coba lagi sebentar lagi."),
          "error")


@bp.get("/pembayaran/<number>")
@login_required
def pay(number: str):
    order = _own_order_or_404(number)
    gw = gateway(current_app)
    now = utcnow()
    if gw.is_local:
        mode = "test_cards"
    elif gw.publishable_key:
        mode = "stripe_js"
    else:
        mode = "unconfigured"
    if mode == "stripe_js" and payments.is_open_for_payment(order, now) and not order.payment_intent_id:
        # The Payment Element needs the intent's client secret; checkout normally made it.
        try:
            payments.ensure_intent(db.session, order, gw, now=now)
            db.session.commit()
        except PaymentError:
            db.session.rollback()
            log.exception("payment page: no intent for order %s", order.number)
    state = payments.page_state(order, gw, now=now)
    stripe_form = (mode == "stripe_js" and state.intent is not None
                   and state.stage in (payments.Stage.PAY, payments.Stage.AUTHENTICATE))
    response = make_response(render_template(
        "payments/pay.html", order=order, state=state, Stage=payments.Stage, mode=mode,
        status_label=ORDER_STATUS_LABELS[order.status],
        reason_label=payments.REASON_LABELS.get(order.cancel_reason, order.cancel_reason),
        test_cards=payments.TEST_CARDS, form=ActionForm(), stripe_form=stripe_form,
        stripe_js=STRIPE_JS, publishable_key=gw.publishable_key,
        return_url=_return_url(order),
        expires_label=format_datetime(order.expires_at, "d MMM y, HH.mm") + " WIB",
        order_url=_order_url(order),
        poll=order.status is OrderStatus.PENDING_PAYMENT and (
            state.stage is payments.Stage.WAITING
            or (state.stage is payments.Stage.PAY and state.error is not None)),
    ))
    if stripe_form:
        response.headers["Content-Security-Policy"] = CSP_STRIPE
    return response


@bp.get("/pembayaran/<number>/status")
@login_required
def status(number: str):
    """The order's status from the database, polled by the payment page's script."""
    order = _own_order_or_404(number)
    return jsonify(number=order.number, status=order.status.value,
                   label=str(ORDER_STATUS_LABELS[order.status]),
                   pending=order.status is OrderStatus.PENDING_PAYMENT)


@bp.post("/pembayaran/<number>/kartu-uji")
@login_required
def test_card(number: str):
    if not ActionForm().validate_on_submit():
        abort(400)
    order = _own_order_or_404(number)
    gw = gateway(current_app)
    if not gw.is_local:
        abort(404)
    choice = request.form.get("kartu", "")
    if choice not in payments.TEST_CARDS:
        abort(400)
    now = utcnow()
    try:
        # The intent's id is committed before any card touches it.
        payments.ensure_intent(db.session, order, gw, now=now)
        db.session.commit()
        payments.pay_with_test_card(db.session, order, gw, choice=choice, now=now)
    except payments.PaymentRefused as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    except PaymentError:
        db.session.rollback()
        log.exception("test card payment failed for order %s", order.number)
        _unreachable()
    return _back(order)


@bp.post("/pembayaran/<number>/autentikasi")
@login_required
def authenticate(number: str):
    if not ActionForm().validate_on_submit():
        abort(400)
    order = _own_order_or_404(number)
    gw = gateway(current_app)
    if not gw.is_local:
        abort(404)
    decision = request.form.get("keputusan", "")
    if decision not in AUTH_DECISIONS:
        abort(400)
    try:
        payments.authenticate_test_payment(order, gw, approve=AUTH_DECISIONS[decision], now=utcnow())
    except payments.PaymentRefused as exc:
        flash(str(exc.message), "error")
    except PaymentError:
        log.exception("test authentication failed for order %s", order.number)
        _unreachable()
    return _back(order)


@bp.post("/stripe/webhook")
@csrf.exempt
def webhook():
    """Verify, record once, apply; 200 for anything recorded (duplicates included)."""
    gw = gateway(current_app)
    payload = request.get_data(cache=False)
    try:
        event = gw.parse_event(payload, request.headers.get("Stripe-Signature"))
    except SignatureError as exc:
        # The reason only (no header, no secret): "no signatures found", "timestamp outside...".
        log.warning("Stripe webhook refused from %s: %s", request.remote_addr, exc)
        return jsonify(error="invalid signature"), 400
    for _attempt in range(WEBHOOK_ATTEMPTS):
        try:
            handled = webhooks.handle_event(db.session, event, gateway=gw, now=utcnow())
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            if webhooks.already_recorded(db.session, event["id"]):
                return jsonify(received=True, duplicate=True), 200
            raise
        except StatusChanged:
            db.session.rollback()
            continue
        except PaymentError:
            db.session.rollback()
            log.exception("Stripe event %s: refund failed; Stripe will deliver it again", event["id"])
            return jsonify(error="refund failed"), 503
        break
    else:
        log.error("Stripe event %s: the order kept moving under it; Stripe will deliver it again",
                  event["id"])
        return jsonify(error="conflict"), 409
    if handled.cancel_intent_after_commit:
        try:
            gw.cancel_intent(handled.cancel_intent_after_commit)
        except PaymentError as exc:
            log.info("intent %s not cancelled at Stripe: %s", handled.cancel_intent_after_commit, exc)
    return jsonify(received=True, outcome=handled.outcome.value), 200
