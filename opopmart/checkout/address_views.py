"""The shopper's address book (/akun/alamat): list, add, edit, delete, choose the default.

Views parse, call a service in checkout.addresses, commit once, render. Someone else's
address id is a 404. Every page takes ``?next=`` (a path on this site, see core.urls),
so checkout can send the shopper here to add an address and bring them back after.
Address pages hold personal data: never stored by a browser or a proxy.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ..accounts.models import User
from ..core.urls import safe_next
from ..extensions import db
from ..regions.models import JAWA_TIMUR, Region, RegionKind
from ..seller.forms import apply_errors, options
from ..seller.services import region_choices
from . import addresses
from .address_forms import ActionForm, AddressForm
from .addresses import AddressError

bp = Blueprint("addresses", __name__)



def _user_id() -> int:
    return current_user.id


def _next_path() -> str:
    """Where to go after saving: the ``next`` the page was given, or "" for none."""
    return safe_next(request.values.get("next"), "")


def _back(default_endpoint: str = "addresses.index") -> str:
    return _next_path() or url_for(default_endpoint)


def _owned_or_404(address_id: int):
    address = addresses.owned_address(db.session, _user_id(), address_id)
    if address is None:
        abort(404)
    return address


def province_choices(session) -> list[tuple[str, str]]:
    """Jawa Timur first (most shoppers and every region known), then A to Z."""
    provinces = session.execute(
        select(Region).where(Region.kind == RegionKind.PROVINSI)
    ).scalars().all()
    provinces.sort(key=lambda r: (r.code != JAWA_TIMUR, r.name))
    return [(r.code, r.name) for r in provinces]


def _address_form(formdata=True, obj=None) -> AddressForm:
    form = AddressForm() if formdata else AddressForm(formdata=None, obj=obj)
    form.province_code.choices = options([("", _("— pilih provinsi —"))] + province_choices(db.session))
    form.region_code.choices = options([("", _("— pilih kabupaten/kota —"))]) + [
        choice for label, group in region_choices(db.session)
        for choice in options(group, optgroup=label)]
    return form


def _form_page(form: AddressForm, *, address=None, at_limit: bool = False):
    return render_template(
        "checkout/address_form.html", form=form, address=address, next_url=_next_path(),
        complete_provinces=" ".join(sorted(addresses.COMPLETE_PROVINCES)), at_limit=at_limit,
        max_addresses=addresses.MAX_ADDRESSES,
    )


@bp.get("/akun/alamat")
@login_required
def index():
    items = addresses.user_addresses(db.session, _user_id())
    return render_template("checkout/addresses.html", addresses=items, action_form=ActionForm(),
                           next_url=_next_path(), one_line=addresses.one_line,
                           at_limit=len(items) >= addresses.MAX_ADDRESSES,
                           max_addresses=addresses.MAX_ADDRESSES)


@bp.route("/akun/alamat/baru", methods=["GET", "POST"])
@login_required
def new():
    at_limit = addresses.count_addresses(db.session, _user_id()) >= addresses.MAX_ADDRESSES
    if request.method == "GET":
        form = _address_form(formdata=False)
        user = db.session.get(User, _user_id())
        # The shopper usually receives their own parcels: start from their profile.
        form.recipient.data, form.phone.data = user.name, user.phone or ""
        return _form_page(form, at_limit=at_limit)
    form = _address_form()
    if not form.validate_on_submit():
        abort(400)
    try:
        addresses.create_address(db.session, user_id=_user_id(), data=form.to_input(),
                                 make_default=bool(form.is_default.data))
    except AddressError as exc:
        db.session.rollback()
        apply_errors(form, exc.errors)
        return _form_page(form, at_limit=at_limit)
    db.session.commit()
    flash(_("Alamat disimpan."), "success")
    return redirect(_back(), 303)


@bp.route("/akun/alamat/<int:address_id>/ubah", methods=["GET", "POST"])
@login_required
def edit(address_id: int):
    address = _owned_or_404(address_id)
    if request.method == "GET":
        form = _address_form(formdata=False, obj=address)
        form.region_code.data = address.region_code or ""
        form.city_name.data = "" if address.region_code else address.city_name
        return _form_page(form, address=address)
    form = _address_form()
    if not form.validate_on_submit():
        abort(400)
    try:
        addresses.update_address(db.session, address, form.to_input(),
                                 make_default=bool(form.is_default.data))
    except AddressError as exc:
        db.session.rollback()
        apply_errors(form, exc.errors)
        return _form_page(form, address=_owned_or_404(address_id))
    db.session.commit()
    flash(_("Alamat disimpan."), "success")
    return redirect(_back(), 303)


@bp.post("/akun/alamat/<int:address_id>/hapus")
@login_required
def delete(address_id: int):
    address = _owned_or_404(address_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    addresses.delete_address(db.session, address)
    db.session.commit()
    flash(_("Alamat dihapus."), "success")
    next_path = _next_path()
    return redirect(url_for("addresses.index", next=next_path or None), 303)


@bp.post("/akun/alamat/<int:address_id>/utama")
@login_required
def make_default(address_id: int):
    address = _owned_or_404(address_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    addresses.set_default_address(db.session, address)
    db.session.commit()
    flash(_("Alamat utama diganti."), "success")
    return redirect(_back(), 303)
