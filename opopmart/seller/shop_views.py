"""Studio pages for running a shop: its details and logo, staff, invitations, brands.

Thin views over seller.shop, on the studio blueprint (so they share its login rules and
``Cache-Control: no-store``). The shop is always reached through the signed-in user's
membership: anyone else's shop is a 404; a staff member asking for an owner's action
gets a 403. Files are written only after every other check passed and removed after
the commit, never before it.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy.exc import IntegrityError

from ..accounts.models import MemberRole
from ..core.media import media_files
from ..core.uploads import UploadRejected, store_photo
from ..extensions import db
from . import services, shop
from .forms import ActionForm, BrandForm, ShopEditForm, apply_errors, options
from .services import SellerError
from .views import (REFUSED, _commit_or_form_errors, _conflict, _flash_errors, _own_producer_or_404,
                    _remove_files, _user_id, bp)


def _owned_producer_or_error(producer_id: int):
    """The shop if the user owns it; 404 for a stranger, 403 for its staff."""
    producer = _own_producer_or_404(producer_id)
    if services.member_role(db.session, _user_id(), producer.id) is not MemberRole.OWNER:
        abort(403)
    return producer


def _producer_url(producer_id: int, anchor: str = "") -> str:
    return url_for("seller.producer", producer_id=producer_id) + anchor


# --------------------------------------------------------------------------------------
# Shop details and logo


def _shop_form(producer, formdata=True) -> ShopEditForm:
    form = ShopEditForm(obj=producer) if not formdata else ShopEditForm()
    form.region_code.choices = options([("", _("— pilih kabupaten/kota —"))]) + [
        choice for label, group in services.region_choices(db.session)
        for choice in options(group, optgroup=label)]
    return form


def _details(form: ShopEditForm) -> shop.ShopDetails:
    return shop.ShopDetails(
        name=form.name.data or "", address=form.address.data or "",
        description=form.description.data or "",
        **{name: form.sent(name) for name in shop.LEGAL_FIELDS},
    )


@bp.route("/toko/<int:producer_id>/ubah", methods=["GET", "POST"])
@login_required
def edit_shop(producer_id: int):
    producer = _owned_producer_or_error(producer_id)
    if request.method == "GET":
        return _shop_page(producer, _shop_form(producer, formdata=False))
    form = _shop_form(producer)
    if not form.validate_on_submit():
        abort(400)
    upload = request.files.get("logo")
    stored = None
    try:
        # Every rule first, so a refused edit never writes a file...
        shop.check_shop_update(db.session, producer=producer, details=_details(form))
        if upload is not None and (upload.filename or upload.content_length):
            stored = store_photo(upload.stream, current_app.config["MEDIA_ROOT"])
        # ...then the rows; the new logo's files go again if the rows cannot be written.
        old_files = shop.update_shop(db.session, producer=producer, user_id=_user_id(),
                                     details=_details(form), logo=stored,
                                     remove_logo=bool(form.remove_logo.data))
        db.session.commit()
    except UploadRejected as exc:
        form.logo.errors = [*form.logo.errors, str(exc.message)]
    except SellerError as exc:
        db.session.rollback()
        apply_errors(form, exc.errors)
    except IntegrityError:
        _conflict(form)
    else:
        _remove_files(old_files)  # after the commit: a failed commit keeps the old logo whole
        flash(_("Data toko disimpan."), "success")
        return redirect(_producer_url(producer_id), 303)
    if stored is not None:
        _remove_files(media_files(stored.key))
    return _shop_page(_owned_producer_or_error(producer_id), form)


def _shop_page(producer, form):
    return render_template("seller/shop_edit.html", producer=producer, form=form,
                           legal_locked=producer.verified)


# --------------------------------------------------------------------------------------
# Staff and invitations


@bp.post("/toko/<int:producer_id>/anggota/<int:user_id>/hapus")
@login_required
def remove_member(producer_id: int, user_id: int):
    producer = _owned_producer_or_error(producer_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        user = shop.remove_member(db.session, producer=producer, actor_id=_user_id(), user_id=user_id)
        db.session.commit()
    except LookupError:
        abort(404)
    except SellerError as exc:
        db.session.rollback()
        _flash_errors(exc)
    else:
        flash(_("%(name)s tidak lagi menjadi staf toko ini.", name=user.name), "success")
    return redirect(_producer_url(producer_id, "#anggota"), 303)


@bp.post("/toko/<int:producer_id>/keluar")
@login_required
def leave_shop(producer_id: int):
    producer = _own_producer_or_404(producer_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        shop.leave_shop(db.session, producer=producer, user_id=_user_id())
        db.session.commit()
    except LookupError:
        abort(404)
    except SellerError as exc:
        db.session.rollback()
        _flash_errors(exc)
        return redirect(_producer_url(producer_id, "#anggota"), 303)
    flash(_("Anda keluar dari toko %(name)s.", name=producer.name), "success")
    return redirect(url_for("seller.dashboard"), 303)


@bp.post("/toko/<int:producer_id>/undangan/<int:invite_id>/batal")
@login_required
def cancel_invite(producer_id: int, invite_id: int):
    producer = _owned_producer_or_error(producer_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        email = shop.cancel_invite(db.session, producer=producer, actor_id=_user_id(),
                                   invite_id=invite_id)
        db.session.commit()
    except LookupError:
        abort(404)
    except SellerError as exc:
        db.session.rollback()
        _flash_errors(exc)
    else:
        flash(_("Undangan untuk %(email)s dibatalkan; tautannya tidak berlaku lagi.", email=email),
              "success")
    return redirect(_producer_url(producer_id, "#undangan"), 303)


# --------------------------------------------------------------------------------------
# Brands


def _brands_page(producer, add_form=None, edit_forms=None, status=200):
    """The brand list with one edit form per brand; ``edit_forms`` holds a refused one."""
    rows = shop.shop_brands(db.session, producer.id)
    forms = {row.brand.id: BrandForm(formdata=None, obj=row.brand) for row in rows}
    return render_template(
        "seller/brands.html", producer=producer, rows=rows, forms=forms,
        add_form=add_form or BrandForm(formdata=None), edit_forms=edit_forms or {},
        action_form=ActionForm(), rename_refused=shop.BRAND_RENAME_REFUSED,
    ), status


def _brands_url(producer_id: int) -> str:
    return url_for("seller.brands", producer_id=producer_id)


def _brand_input(form: BrandForm) -> shop.BrandInput:
    return shop.BrandInput(name=form.name.data or "", djki_number=form.djki_number.data or "")


def _flash_warnings(warnings) -> None:
    for warning in warnings:
        flash(str(warning), "info")


@bp.route("/toko/<int:producer_id>/merek", methods=["GET", "POST"])
@login_required
def brands(producer_id: int):
    """Owner and staff: staff add brands from the product form anyway."""
    producer = _own_producer_or_404(producer_id)
    if request.method == "GET":
        return _brands_page(producer)
    form = BrandForm()
    if not form.validate_on_submit():
        abort(400)
    saved = _commit_or_form_errors(
        form, lambda: shop.add_brand(db.session, producer=producer, data=_brand_input(form)))
    if saved is not REFUSED:
        brand, warnings = saved
        flash(_("Merek %(name)s ditambahkan.", name=brand.name), "success")
        _flash_warnings(warnings)
        return redirect(_brands_url(producer_id), 303)
    return _brands_page(_own_producer_or_404(producer_id), add_form=form)


@bp.post("/toko/<int:producer_id>/merek/<int:brand_id>")
@login_required
def edit_brand(producer_id: int, brand_id: int):
    producer = _own_producer_or_404(producer_id)
    form = BrandForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        saved = _commit_or_form_errors(form, lambda: shop.update_brand(
            db.session, producer=producer, brand_id=brand_id, data=_brand_input(form)))
    except LookupError:
        abort(404)
    if saved is not REFUSED:
        brand, warnings = saved
        flash(_("Merek %(name)s disimpan.", name=brand.name), "success")
        _flash_warnings(warnings)
        return redirect(_brands_url(producer_id), 303)
    return _brands_page(_own_producer_or_404(producer_id), edit_forms={brand_id: form})


@bp.post("/toko/<int:producer_id>/merek/<int:brand_id>/hapus")
@login_required
def delete_brand(producer_id: int, brand_id: int):
    producer = _own_producer_or_404(producer_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        name = shop.delete_brand(db.session, producer=producer, brand_id=brand_id)
        db.session.commit()
    except LookupError:
        abort(404)
    except SellerError as exc:
        db.session.rollback()
        _flash_errors(exc)
    else:
        flash(_("Merek %(name)s dihapus.", name=name), "success")
    return redirect(_brands_url(producer_id), 303)
