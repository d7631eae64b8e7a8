"""The studio's side of revisions of published products (curation.revisions): the form
shows the changes waiting for a curator, and the seller may take a photo out of them or
withdraw them. Registered on the studio blueprint (imported at the bottom of
seller/views.py): member-only (404 for anyone else), ``no-store``.
"""

from __future__ import annotations

import re

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import login_required

from ..catalogue.models import ProductStatus
from ..curation import revisions
from ..extensions import db
from .changelog import variant_changes
from .forms import ActionForm
from .views import _flash_errors, _own_product_or_404, _remove_files, _user_id, bp

KEY = re.compile(r"^[0-9a-f]{32}$")


def revision_context(product) -> dict:
    """What the studio product page shows about revisions and the price/stock log."""
    published = product.status is ProductStatus.PUBLISHED
    working = revisions.working_revision(db.session, product) if published else None
    return {
        "revision": working,
        "revision_images": (working.content.get("images", []) if working is not None
                            else revisions.live_content(product)["images"]) if published else [],
        "revision_history": revisions.revisions_of(db.session, product.id),
        "variant_changes": variant_changes(db.session, product.id),
    }


def fill_from_revision(form, product) -> None:
    """A published product's form shows the content waiting for (or sent back by) a curator."""
    working = revisions.working_revision(db.session, product)
    if working is None:
        return
    content = working.content
    form.name.data = content.get("name") or ""
    form.description.data = content.get("description") or ""
    form.category_id.data = str(content.get("category_id") or "")
    form.brand_id.data = str(content.get("brand_id") or "")
    form.claims_halal.data = bool(content.get("claims_halal"))
    form.option1_name.data = content.get("option1_name") or ""
    form.option2_name.data = content.get("option2_name") or ""


def saved_message(product) -> str:
    if product.status is ProductStatus.PUBLISHED and revisions.pending_revision(db.session, product.id):
        return _("Perubahan disimpan. Harga dan stok langsung berlaku; perubahan isi menunggu "
                 "kurasi, dan pembeli masih melihat versi yang tayang.")
    return _("Perubahan disimpan.")


@bp.post("/produk/<int:product_id>/revisi/batal")
@login_required
def withdraw_revision(product_id: int):
    product = _own_product_or_404(product_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        files = revisions.withdraw(db.session, product=product, actor_id=_user_id())
    except revisions.RevisionError as exc:
        db.session.rollback()
        _flash_errors(exc)
        return redirect(url_for("seller.edit_product", product_id=product_id), 303)
    db.session.commit()
    _remove_files(files)  # after the commit: photos only that revision used
    flash(_("Perubahan dibatalkan; produk tetap seperti yang tayang."), "success")
    return redirect(url_for("seller.edit_product", product_id=product_id), 303)


@bp.post("/produk/<int:product_id>/revisi/foto/<key>/hapus")
@login_required
def remove_revision_photo(product_id: int, key: str):
    product = _own_product_or_404(product_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if not KEY.match(key) or product.status is not ProductStatus.PUBLISHED:
        abort(404)
    try:
        files = revisions.stage_photo_remove(db.session, product=product, key=key, actor_id=_user_id())
    except LookupError:
        abort(404)
    except revisions.RevisionError as exc:
        db.session.rollback()
        _flash_errors(exc)
        return redirect(url_for("seller.edit_product", product_id=product_id) + "#foto", 303)
    db.session.commit()
    _remove_files(files)
    flash(_("Foto dikeluarkan dari perubahan yang menunggu kurasi."), "success")
    return redirect(url_for("seller.edit_product", product_id=product_id) + "#foto", 303)
