"""The admins' shipping rate table (/admin/ongkir): every courier x zone in one form.

Admins only: anyone else signed in gets 403, visitors go to log in (as every /admin page,
accounts.decorators.role_required). The whole table is saved at once or not at all; a
refused value is named next to its cell and the form shows what was typed. Each change
is logged (who, which rate, from what to what) after the commit.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.decorators import role_required
from ..core.templating import thousands
from ..extensions import db
from . import shipping
from .address_forms import ActionForm
from .models import COURIER_LABELS, ZONE_LABELS
from .shipping import RateError, RateInput, rate_field

bp = Blueprint("shipping_rates", __name__)



def _values_from_rates(rates) -> dict[str, object]:
    values: dict[str, object] = {}
    for rate in rates:
        values[rate_field(rate.courier, rate.zone, "price_per_kg")] = thousands(rate.price_per_kg)
        values[rate_field(rate.courier, rate.zone, "etd_min_days")] = str(rate.etd_min_days)
        values[rate_field(rate.courier, rate.zone, "etd_max_days")] = str(rate.etd_max_days)
        values[rate_field(rate.courier, rate.zone, "is_active")] = rate.is_active
    return values


def _values_from_form(rates) -> dict[str, object]:
    values: dict[str, object] = {}
    for rate in rates:
        for part in ("price_per_kg", "etd_min_days", "etd_max_days"):
            name = rate_field(rate.courier, rate.zone, part)
            values[name] = request.form.get(name) or ""
        name = rate_field(rate.courier, rate.zone, "is_active")
        values[name] = bool(request.form.get(name))
    return values


def _page(rates, values, errors=None, status=200):
    return render_template(
        "admin/shipping_rates.html", rates=rates, values=values, errors=errors or {},
        form=ActionForm(), courier_labels=COURIER_LABELS, zone_labels=ZONE_LABELS,
        field=rate_field, max_days=shipping.MAX_ETD_DAYS,
    ), status


@bp.route("/admin/ongkir", methods=["GET", "POST"])
@role_required("admin")
def rates():
    table = shipping.all_rates(db.session)
    if request.method == "GET":
        return _page(table, _values_from_rates(table))
    if not ActionForm().validate_on_submit():
        abort(400)
    values = _values_from_form(table)
    inputs = {
        (rate.courier, rate.zone): RateInput(
            price_per_kg=values[rate_field(rate.courier, rate.zone, "price_per_kg")],
            etd_min_days=values[rate_field(rate.courier, rate.zone, "etd_min_days")],
            etd_max_days=values[rate_field(rate.courier, rate.zone, "etd_max_days")],
            is_active=values[rate_field(rate.courier, rate.zone, "is_active")],
        )
        for rate in table
    }
    try:
        changes = shipping.update_rates(db.session, inputs)
    except RateError as exc:
        db.session.rollback()
        return _page(shipping.all_rates(db.session), values, exc.errors)
    db.session.commit()
    shipping.log_rate_changes(changes, actor_id=current_user.id)
    if changes:
        flash(_("Tarif ongkos kirim disimpan (%(n)s diubah).", n=len(changes)), "success")
    else:
        flash(_("Tidak ada tarif yang berubah."), "info")
    return redirect(url_for("shipping_rates.rates"), 303)
