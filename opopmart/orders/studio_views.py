"""Incoming orders in the seller studio (``/studio/pesanan``): one shipment per producer.

Owners and staff alike pack, ship (with a tracking number), mark delivered, print the
packing slip, or call off a shipment they cannot fulfil (refunded through Stripe).
Every shipment is reached through the user's memberships (fulfilment.own_shipment):
another shop's id is a 404 and nothing changes. One commit per request.
"""

from __future__ import annotations

import logging

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from ..checkout.stripe_gateway import gateway
from ..core.money import format_rupiah
from ..core.timeutil import utcnow
from ..extensions import db
from ..seller.services import SellerError, own_producers
from . import fulfilment, refunds
from .forms import ActionForm, SellerCancelForm, ShipForm, apply_errors
from .models import SHIPMENT_STATUS_LABELS, Shipment, ShipmentStatus
from .views import page_number

log = logging.getLogger(__name__)

bp = Blueprint("studio_orders", __name__, url_prefix="/studio/pesanan")

SHIPMENTS_PER_PAGE = 20


@bp.record_once
def _template_globals(state) -> None:
    state.app.jinja_env.globals["studio_new_orders"] = (
        lambda user: fulfilment.new_shipment_count(db.session, int(user.id)))



def _user_id() -> int:
    return int(current_user.id)


def _own_shipment_or_404(shipment_id: int) -> Shipment:
    shipment = fulfilment.own_shipment(db.session, _user_id(), shipment_id)
    if shipment is None:
        abort(404)
    return shipment


@bp.get("/")
@bp.get("")
@login_required
def index():
    uid = _user_id()
    tab = request.args.get("tab", fulfilment.DEFAULT_TAB)
    if tab not in fulfilment.STUDIO_TABS:
        tab = fulfilment.DEFAULT_TAB
    pagination = db.paginate(fulfilment.own_shipments(uid, tab), page=page_number(),
                             per_page=SHIPMENTS_PER_PAGE, error_out=False, count=True)
    return render_template(
        "orders/studio_list.html", pagination=pagination, tab=tab, tabs=fulfilment.STUDIO_TABS,
        counts=fulfilment.tab_counts(db.session, uid),
        has_shop=bool(own_producers(db.session, uid)), status_labels=SHIPMENT_STATUS_LABELS,
    )


def _detail_page(shipment: Shipment, *, ship_form=None, cancel_form=None, status: int = 200):
    order = shipment.order
    if ship_form is None:
        ship_form = ShipForm(formdata=None, courier=shipment.courier.value)
    regions = fulfilment.region_names(db.session, order.province_code,
                                      shipment.producer.region_code)
    return render_template(
        "orders/studio_detail.html", shipment=shipment, order=order,
        province_name=regions.get(order.province_code, ""),
        action_form=ActionForm(), ship_form=ship_form,
        cancel_form=cancel_form or SellerCancelForm(formdata=None),
        status_labels=SHIPMENT_STATUS_LABELS, cancellable=fulfilment.CANCELLABLE,
        S=ShipmentStatus,
    ), status


@bp.get("/<int:shipment_id>")
@login_required
def detail(shipment_id: int):
    return _detail_page(_own_shipment_or_404(shipment_id))


@bp.get("/<int:shipment_id>/label")
@login_required
def label(shipment_id: int):
    shipment = _own_shipment_or_404(shipment_id)
    order = shipment.order
    regions = fulfilment.region_names(db.session, order.province_code)
    return render_template("orders/packing_slip.html", shipment=shipment, order=order,
                           producer=shipment.producer,
                           province_name=regions.get(order.province_code, ""))


def _done(shipment_id: int):
    return redirect(url_for("studio_orders.detail", shipment_id=shipment_id), 303)


def _simple_move(shipment_id: int, service, success: str):
    shipment = _own_shipment_or_404(shipment_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        service(db.session, shipment, actor_id=_user_id(), now=utcnow())
        db.session.commit()
    except SellerError as exc:
        db.session.rollback()
        for messages in exc.errors.values():
            for message in messages:
                flash(str(message), "error")
    except IntegrityError:
        db.session.rollback()
        flash(_("Data bentrok dengan perubahan lain. Coba lagi."), "error")
    else:
        flash(success, "success")
    return _done(shipment_id)


@bp.post("/<int:shipment_id>/proses")
@login_required
def process(shipment_id: int):
    return _simple_move(shipment_id, fulfilment.start_processing,
                        _("Pesanan ditandai sedang dikemas."))


@bp.post("/<int:shipment_id>/sampai")
@login_required
def deliver(shipment_id: int):
    return _simple_move(shipment_id, fulfilment.mark_delivered,
                        _("Kiriman ditandai sudah sampai. Pembeli tinggal mengonfirmasi penerimaan."))


@bp.post("/<int:shipment_id>/kirim")
@login_required
def ship(shipment_id: int):
    shipment = _own_shipment_or_404(shipment_id)
    form = ShipForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        fulfilment.ship(db.session, shipment, tracking_number=form.tracking_number.data,
                        courier=form.courier.data, actor_id=_user_id(), now=utcnow())
        db.session.commit()
    except SellerError as exc:
        db.session.rollback()
        if set(exc.errors) - {""}:  # a field to correct: the form again, with the messages
            apply_errors(form, exc.errors)
            return _detail_page(_own_shipment_or_404(shipment_id), ship_form=form)
        for message in exc.errors[""]:
            flash(str(message), "error")
    except IntegrityError:
        db.session.rollback()
        flash(_("Data bentrok dengan perubahan lain. Coba lagi."), "error")
    else:
        flash(_("Pesanan dikirim dengan nomor resi %(number)s. Pembeli sudah diberi tahu.",
                number=shipment.tracking_number), "success")
    return _done(shipment_id)


@bp.post("/<int:shipment_id>/batalkan")
@login_required
def cancel(shipment_id: int):
    shipment = _own_shipment_or_404(shipment_id)
    form = SellerCancelForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        refund = refunds.seller_cancel(db.session, gateway(current_app), shipment,
                                       reason=form.reason.data, actor_id=_user_id(), now=utcnow())
        db.session.commit()
    except SellerError as exc:
        db.session.rollback()
        if set(exc.errors) - {""}:
            apply_errors(form, exc.errors)
            return _detail_page(_own_shipment_or_404(shipment_id), cancel_form=form)
        for message in exc.errors[""]:
            flash(str(message), "error")
    except IntegrityError:
        db.session.rollback()
        log.error("shipment %s: cancellation not saved after Stripe's answer", shipment_id,
                  exc_info=True)
        flash(_("Data bentrok dengan perubahan lain. Coba lagi."), "error")
    else:
        flash(_("Pesanan dibatalkan. Dana %(amount)s dikembalikan ke pembeli dan stok "
                "dikembalikan.", amount=format_rupiah(refund.amount)), "success")
    return _done(shipment_id)
