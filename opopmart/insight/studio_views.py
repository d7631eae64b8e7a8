"""Direct sales in the seller studio (``/studio/toko/<id>/penjualan-langsung``).

Owners and staff of the shop record the sales they make outside the marketplace (expo,
pesantren store, trade mission, resellers) and void a wrong one with a reason; the list
shows the totals per month. The shop is reached through the user's memberships
(``seller.services.get_own_producer``) and the sale through the shop: anyone else's id
is a 404 and nothing changes. One commit per request.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from ..core.money import format_rupiah
from ..core.templating import long_date
from ..core.timeutil import today_jakarta, utcnow
from ..extensions import db
from ..seller.services import SellerError, get_own_producer
from . import services
from .forms import DirectSaleForm, VoidForm, apply_errors, region_choices
from .models import CHANNEL_LABELS, DirectSale

bp = Blueprint("direct_sales", __name__,
               url_prefix="/studio/toko/<int:producer_id>/penjualan-langsung")

SALES_PER_PAGE = 30


def _user_id() -> int:
    return int(current_user.id)


def _own_producer_or_404(producer_id: int):
    producer = get_own_producer(db.session, _user_id(), producer_id)
    if producer is None:
        abort(404)
    return producer


def _own_sale_or_404(producer_id: int, sale_id: int) -> DirectSale:
    sale = services.own_sale(db.session, producer_id, sale_id)
    if sale is None:
        abort(404)
    return sale


def _page_number() -> int:
    raw = request.args.get("halaman", "1")
    # ASCII digits only: "²".isdigit() is true, and int() refuses it.
    if len(raw) <= 5 and raw.isascii() and raw.isdigit() and int(raw) > 0:
        return int(raw)
    return 1


def _list_page(producer, *, void_forms: dict[int, VoidForm] | None = None, status: int = 200):
    pagination = db.paginate(services.sales_of(producer.id), page=_page_number(),
                             per_page=SALES_PER_PAGE, error_out=False, count=True)
    return render_template(
        "insight/studio_sales.html", producer=producer, pagination=pagination,
        months=services.monthly_totals(db.session, producer.id, today=today_jakarta()),
        void_forms=void_forms or {}, blank_void=VoidForm(formdata=None),
        channel_labels=CHANNEL_LABELS, format_month=lambda d: format_date(d, "MMMM y"),
    ), status


@bp.get("/")
@bp.get("")
@login_required
def index(producer_id: int):
    return _list_page(_own_producer_or_404(producer_id))


def _form_page(producer, form: DirectSaleForm, status: int = 200):
    form.product_id.choices = [("", _("— tidak ada, tulis komoditasnya —"))] + [
        (str(pid), name) for pid, name in services.product_choices(db.session, producer.id)]
    form.buyer_region_code.choices = region_choices(db.session)
    today = today_jakarta()
    form.sold_on.render_kw = {**(form.sold_on.render_kw or {}), "max": today.isoformat(),
                              "min": services.EARLIEST.isoformat()}
    return render_template("insight/studio_sale_form.html", producer=producer, form=form), status


@bp.route("/baru", methods=["GET", "POST"])
@login_required
def new(producer_id: int):
    producer = _own_producer_or_404(producer_id)
    if request.method == "GET":
        return _form_page(producer, DirectSaleForm(formdata=None,
                                                   sold_on=today_jakarta().isoformat()))
    form = DirectSaleForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        sale = services.record_sale(db.session, producer_id=producer.id, data=form.to_input(),
                                    recorded_by_id=_user_id(), today=today_jakarta(),
                                    now=utcnow())
        db.session.commit()
    except SellerError as exc:
        db.session.rollback()
        apply_errors(form, exc.errors)
        return _form_page(_own_producer_or_404(producer_id), form)
    except IntegrityError:
        db.session.rollback()
        form.form_errors.append(_("Data bentrok dengan perubahan lain. Periksa lagi lalu simpan ulang."))
        return _form_page(_own_producer_or_404(producer_id), form)
    flash(_("Penjualan langsung %(value)s (%(commodity)s) dicatat.",
            value=format_rupiah(sale.value), commodity=sale.commodity), "success")
    return redirect(url_for("direct_sales.index", producer_id=producer.id), 303)


@bp.post("/<int:sale_id>/batalkan")
@login_required
def void(producer_id: int, sale_id: int):
    producer = _own_producer_or_404(producer_id)
    sale = _own_sale_or_404(producer.id, sale_id)
    form = VoidForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.void_sale(db.session, sale, reason=form.reason.data, actor_id=_user_id(),
                           now=utcnow())
        db.session.commit()
    except SellerError as exc:
        db.session.rollback()
        if set(exc.errors) - {""}:  # a reason to write: the list again, the message beside it
            apply_errors(form, exc.errors)
            return _list_page(_own_producer_or_404(producer_id), void_forms={sale_id: form})
        for message in exc.errors[""]:
            flash(str(message), "error")
    else:
        flash(_("Penjualan %(value)s pada %(date)s dibatalkan; tidak dihitung lagi.",
                value=format_rupiah(sale.value), date=long_date(sale.sold_on)),
              "success")
    return redirect(url_for("direct_sales.index", producer_id=producer.id), 303)
