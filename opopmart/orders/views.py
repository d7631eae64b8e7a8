"""The shopper's orders (``/pesanan``): the list, one order's page, confirming receipt,
cancelling before anything ships.

An order is found by its number and the signed-in user together: anyone else's number
is a 404. Views parse, call one service, commit once, then redirect with a message.
Order pages are never stored by a browser or a proxy (``Cache-Control: no-store``).
"""

from __future__ import annotations

import logging

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from werkzeug.routing import BuildError

from ..checkout.models import COURIER_LABELS, ZONE_LABELS
from ..checkout.stripe_gateway import PaymentError, gateway
from ..core.money import format_rupiah
from ..core.params import page_number as read_page_number
from ..core.timeutil import utcnow
from ..core.errors import flash_errors
from ..extensions import db
from ..seller.services import SellerError
from . import fulfilment, refunds
from .forms import ActionForm
from .models import ORDER_STATUS_LABELS, Order, OrderStatus, Shipment, ShipmentStatus

log = logging.getLogger(__name__)

bp = Blueprint("orders", __name__)

ORDERS_PER_PAGE = 10
MAX_NUMBER_LENGTH = 24

S = ShipmentStatus
# The same steps, told to the person who bought (the studio tells the producer).
SHOPPER_SHIPMENT_LABELS = {
    S.PENDING_PAYMENT: _l("Menunggu pembayaran"),
    S.PAID: _l("Dibayar, menunggu dikemas"),
    S.PROCESSING: _l("Sedang dikemas penjual"),
    S.SHIPPED: _l("Dikirim"),
    S.DELIVERED: _l("Sampai tujuan"),
    S.COMPLETED: _l("Diterima"),
    S.CANCELLED: _l("Dibatalkan"),
    S.REFUNDED: _l("Dibatalkan, dana dikembalikan"),
}


def jakarta_time(value) -> str:
    """Stored naive UTC shown in Western Indonesia Time (Babel's default timezone)."""
    if value is None:
        return "-"
    return format_datetime(value, "d MMM y, HH.mm") + " WIB"


def page_number() -> int:
    return read_page_number(request.args.get("halaman"))


def event_actor(event, order: Order) -> str:
    """Who made a move, as the shopper and the producer both read it."""
    if event.actor_id is None:
        return _("sistem")
    if event.actor_id == order.user_id:
        return _("pembeli")
    return _("penjual")


@bp.record_once
def _template_helpers(state) -> None:
    state.app.jinja_env.globals.update(
        jakarta_time=jakarta_time,
        order_event_actor=event_actor,
        courier_labels=COURIER_LABELS,
        zone_labels=ZONE_LABELS,
    )



def _user_id() -> int:
    return int(current_user.id)


def _own_order_or_404(number: str) -> Order:
    if len(number) > MAX_NUMBER_LENGTH:
        abort(404)
    order = db.session.execute(
        select(Order).where(Order.number == number, Order.user_id == _user_id())
        .options(selectinload(Order.shipments).joinedload(Shipment.producer),
                 selectinload(Order.shipments).selectinload(Shipment.lines),
                 selectinload(Order.shipments).selectinload(Shipment.events))
    ).scalar_one_or_none()
    if order is None:
        abort(404)
    return order


def _pay_url(order: Order) -> str | None:
    """The payment page while the order waits for its payment (another blueprint's)."""
    if order.status is not OrderStatus.PENDING_PAYMENT:
        return None
    try:
        return url_for("payments.pay", number=order.number)
    except BuildError:
        return None


@bp.get("/pesanan")
@login_required
def index():
    query = (select(Order).where(Order.user_id == _user_id())
             .options(selectinload(Order.shipments).joinedload(Shipment.producer))
             .order_by(Order.created_at.desc(), Order.id.desc()))
    pagination = db.paginate(query, page=page_number(), per_page=ORDERS_PER_PAGE,
                             error_out=False, count=True)
    return render_template("orders/list.html", pagination=pagination,
                           order_labels=ORDER_STATUS_LABELS, shipment_labels=SHOPPER_SHIPMENT_LABELS)


@bp.get("/pesanan/<number>")
@login_required
def detail(number: str):
    order = _own_order_or_404(number)
    regions = fulfilment.region_names(db.session, order.region_code, order.province_code)
    return render_template(
        "orders/detail.html", order=order, pay_url=_pay_url(order),
        province_name=regions.get(order.province_code, ""),
        can_cancel=fulfilment.shopper_can_cancel(order),
        receivable=fulfilment.RECEIVABLE, action_form=ActionForm(),
        order_labels=ORDER_STATUS_LABELS, shipment_labels=SHOPPER_SHIPMENT_LABELS,
    )


@bp.post("/pesanan/<number>/kiriman/<int:shipment_id>/terima")
@login_required
def confirm(number: str, shipment_id: int):
    order = _own_order_or_404(number)
    shipment = next((s for s in order.shipments if s.id == shipment_id), None)
    if shipment is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        fulfilment.confirm_receipt(db.session, order, shipment, actor_id=_user_id(), now=utcnow())
        db.session.commit()
    except SellerError as exc:
        db.session.rollback()
        flash_errors(exc)
    except IntegrityError:
        db.session.rollback()
        flash(_("Data bentrok dengan perubahan lain. Coba lagi."), "error")
    else:
        flash(_("Terima kasih! Penerimaan kiriman dari %(producer)s sudah dikonfirmasi.",
                producer=shipment.producer.name), "success")
    return redirect(url_for("orders.detail", number=number), 303)


@bp.post("/pesanan/<number>/batal")
@login_required
def cancel(number: str):
    order = _own_order_or_404(number)
    if not ActionForm().validate_on_submit():
        abort(400)
    stripe = gateway(current_app)
    try:
        outcome = refunds.shopper_cancel(db.session, stripe, order, actor_id=_user_id(), now=utcnow())
        db.session.commit()
    except SellerError as exc:
        db.session.rollback()
        flash_errors(exc)
        return redirect(url_for("orders.detail", number=number), 303)
    except IntegrityError:
        db.session.rollback()
        log.error("order %s: cancellation not saved after Stripe's answer", number, exc_info=True)
        flash(_("Data bentrok dengan perubahan lain. Coba lagi."), "error")
        return redirect(url_for("orders.detail", number=number), 303)
    if outcome.intent_to_cancel:
        try:
            stripe.cancel_intent(outcome.intent_to_cancel)
        except PaymentError as exc:
            # The order no longer waits for it; a payment arriving anyway is the webhook's
            # to refund. Nothing for the shopper to do.
            log.warning("PaymentIntent %s of cancelled order %s not cancelled: %s",
                        outcome.intent_to_cancel, number, exc)
    if outcome.refund is not None:
        flash(_("Pesanan dibatalkan. Dana %(amount)s dikembalikan ke metode pembayaran Anda.",
                amount=format_rupiah(outcome.refund.amount)), "success")
    else:
        flash(_("Pesanan dibatalkan."), "success")
    return redirect(url_for("orders.detail", number=number), 303)
