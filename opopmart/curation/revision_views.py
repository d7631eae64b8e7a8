"""Curator pages for revisions of published products (``/kurasi/revisi``): the queue, the
field-by-field diff, and the decision. Registered on the curation blueprint (imported at
the bottom of curation/views.py), so curator-only (403) and ``no-store`` like the rest.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField

from ..accounts.decorators import role_required
from ..catalogue.models import ProducerStatus, Product
from ..extensions import db
from ..seller.forms import apply_errors
from . import revisions
from .models import ASPECTS
from .revision_models import ProductRevision, RevisionDecision
from .views import PER_PAGE, _page_number, _pending_products, bp


class RevisionDecisionForm(FlaskForm):
    """The button pressed names the decision; a note per aspect asks for changes."""

    decision = StringField()
    reason = TextAreaField(_l("Alasan penolakan (dibaca penjual)"))

    def note_fields(self):
        return [(key, label, self[f"note_{key}"]) for key, label in ASPECTS.items()]

    def to_input(self) -> revisions.RevisionInput:
        return revisions.RevisionInput(
            decision=(self.decision.data or "").strip(),
            notes={key: self[f"note_{key}"].data or "" for key in ASPECTS},
            reason=self.reason.data or "")


for _key, _label in ASPECTS.items():
    setattr(RevisionDecisionForm, f"note_{_key}", TextAreaField(_label))


@bp.record_once
def _template_globals(state) -> None:
    state.app.jinja_env.globals["curation_revision_count"] = lambda: revisions.pending_count(db.session)


def _nav_counts() -> dict:
    from .services import producer_counts

    return {"producer_count": producer_counts(db.session)[ProducerStatus.PENDING],
            "product_count": _pending_products()}


@bp.get("/revisi")
@role_required("curator")
def revisions_queue():
    pagination = db.paginate(revisions.revision_queue(), page=_page_number(), per_page=PER_PAGE,
                             error_out=False, count=True)
    products = {p.id: p for p in db.session.query(Product).filter(
        Product.id.in_([r.product_id for r in pagination.items])).all()} if pagination.items else {}
    return render_template("curation/revisions.html", pagination=pagination, products=products,
                           **_nav_counts())


def _revision_or_404(revision_id: int) -> ProductRevision:
    revision = db.session.get(ProductRevision, revision_id)
    if revision is None:
        abort(404)
    return revision


def _revision_page(revision: ProductRevision, form=None):
    product = db.session.get(Product, revision.product_id)
    live = revisions.live_content(product)
    return render_template(
        "curation/revision.html", revision=revision, product=product,
        rows=revisions.diff(db.session, product, revision),
        old_images=live["images"], new_images=revision.content.get("images", []),
        history=revisions.revisions_of(db.session, product.id),
        form=form or RevisionDecisionForm(formdata=None), aspects=ASPECTS,
    )


@bp.get("/revisi/<int:revision_id>")
@role_required("curator")
def revision(revision_id: int):
    return _revision_page(_revision_or_404(revision_id))


@bp.post("/revisi/<int:revision_id>/keputusan")
@role_required("curator")
def decide_revision(revision_id: int):
    revision = _revision_or_404(revision_id)
    form = RevisionDecisionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        files = revisions.decide_revision(db.session, revision=revision, curator_id=int(current_user.id),
                                          data=form.to_input())
        db.session.commit()
    except revisions.RevisionNotPending as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(url_for("curation.revision", revision_id=revision_id), 303)
    except revisions.RevisionError as exc:
        db.session.rollback()
        apply_errors(form, exc.errors)
        return _revision_page(_revision_or_404(revision_id), form)
    from ..seller.views import _remove_files

    _remove_files(files)  # after the commit: photos no row uses any more
    flash({
        RevisionDecision.APPROVED: _("Revisi disetujui; katalog kini menampilkan isi yang baru."),
        RevisionDecision.CHANGES_REQUESTED: _("Revisi dikembalikan ke penjual untuk diperbaiki."),
        RevisionDecision.REJECTED: _("Revisi ditolak; katalog tetap menampilkan isi yang lama."),
    }[revision.decision], "success")
    return redirect(url_for("curation.revisions_queue"), 303)
