"""Curator pages (``/kurasi``): the producer and product queues, producer verification and
product review. Thin views over curation.services: parse, call one service, commit once.

Every curator page needs the curator role (admins without it get 403). The one seller
route here, re-applying for verification, answers members of the producer only (404 for
anyone else, as in the studio). Pages are never stored (``Cache-Control: no-store``).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..accounts.decorators import role_required
from ..catalogue.certificates import BPOM_KIND, check_certificate, check_nib
from ..catalogue.models import CertType, Producer, ProducerStatus, Product, ProductStatus
from ..catalogue.queries import category_tree, known_region_codes
from ..catalogue.views import _variant_view
from ..core.params import page_number, whole_number
from ..core.timeutil import today_jakarta
from ..extensions import db
from ..seller.forms import apply_errors
from ..seller.services import STATUS_LABELS, get_own_producer
from . import services
from .forms import ActionForm, DecisionForm, ReapplyForm, RefuseForm
from .models import ASPECTS, PASS, ReviewDecision
from .services import CurationError, NotPending

bp = Blueprint("curation", __name__, url_prefix="/kurasi")

PER_PAGE = 30

def decision_labels() -> dict:
    return {
        ReviewDecision.APPROVED: _("Disetujui"),
        ReviewDecision.CHANGES_REQUESTED: _("Perlu perbaikan"),
        ReviewDecision.REJECTED: _("Ditolak"),
    }


@bp.record_once
def _template_globals(state) -> None:
    # The studio's pages include curation partials; these read what the partials show.
    state.app.jinja_env.globals.update(
        curation_reviews=lambda product_id: services.reviews_of(db.session, product_id),
        curation_refusal=lambda producer: services.latest_refusal(db.session, producer),
        curation_aspects=ASPECTS,
        curation_decision_labels=decision_labels,
        producer_status_labels=services.PRODUCER_STATUS_LABELS,
    )



def _page_number() -> int:
    return page_number(request.args.get("halaman"))


def _curator_id() -> int:
    return int(current_user.id)


def _flash_errors(exc: CurationError) -> None:
    for messages in exc.errors.values():
        for message in messages:
            flash(str(message), "error")


# --------------------------------------------------------------------------------------
# Producers


@bp.get("/produsen")
@role_required("curator")
def producers():
    wanted = request.args.get("status", ProducerStatus.PENDING.value)
    status = ProducerStatus(wanted) if wanted in {s.value for s in ProducerStatus} else ProducerStatus.PENDING
    pagination = db.paginate(services.producer_queue(status), page=_page_number(), per_page=PER_PAGE,
                             error_out=False, count=True)
    ids = [p.id for p in pagination.items]
    counts = services.producer_counts(db.session)
    return render_template(
        "curation/producers.html", pagination=pagination, status=status, counts=counts,
        producer_count=counts[ProducerStatus.PENDING],
        since=services.waiting_since_of_producers(db.session, ids),
        members=services.members_of(db.session, ids),
        nib_checks={p.id: check_nib(p.nib or "") for p in pagination.items},
        product_count=_pending_products(),
    )


def _pending_products() -> int:
    return db.session.execute(
        select(func.count()).select_from(Product).where(Product.status == ProductStatus.SUBMITTED)
    ).scalar_one()


def _producer_or_404(producer_id: int) -> Producer:
    producer = db.session.get(Producer, producer_id)
    if producer is None:
        abort(404)
    return producer


def _producer_page(producer: Producer, refuse_form=None, status=200):
    products = db.session.execute(
        select(Product).where(Product.producer_id == producer.id)
        .order_by(Product.updated_at.desc(), Product.id.desc()).limit(100)
    ).scalars().all()
    today = today_jakarta()
    certs = [(c, check_certificate(c.type, c.number, c.expires_on), c.is_valid_on(today))
             for c in producer.certifications]
    return render_template(
        "curation/producer.html", producer=producer, nib=check_nib(producer.nib or ""),
        members=services.members_of(db.session, [producer.id])[producer.id],
        events=services.producer_events(db.session, producer.id),
        refusal=services.latest_refusal(db.session, producer),
        products=products, status_labels=STATUS_LABELS, certs=certs,
        action_form=ActionForm(), refuse_form=refuse_form or RefuseForm(formdata=None),
    ), status


@bp.get("/produsen/<int:producer_id>")
@role_required("curator")
def producer(producer_id: int):
    return _producer_page(_producer_or_404(producer_id))


@bp.post("/produsen/<int:producer_id>/verifikasi")
@role_required("curator")
def verify_producer(producer_id: int):
    producer = _producer_or_404(producer_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        services.verify_producer(db.session, producer=producer, curator_id=_curator_id())
        db.session.commit()
    except CurationError as exc:
        db.session.rollback()
        _flash_errors(exc)
        return redirect(url_for("curation.producer", producer_id=producer_id), 303)
    flash(_("%(name)s terverifikasi. Produknya yang sudah disetujui kini tampil di katalog.",
            name=producer.name), "success")
    return redirect(url_for("curation.producers"), 303)


@bp.post("/produsen/<int:producer_id>/tolak")
@role_required("curator")
def refuse_producer(producer_id: int):
    producer = _producer_or_404(producer_id)
    form = RefuseForm()
    if not form.validate_on_submit():
        abort(400)
    was_verified = producer.status is ProducerStatus.VERIFIED
    try:
        services.refuse_producer(db.session, producer=producer, curator_id=_curator_id(),
                                 reason=form.reason.data)
        db.session.commit()
    except NotPending as exc:
        db.session.rollback()
        _flash_errors(exc)
        return redirect(url_for("curation.producer", producer_id=producer_id), 303)
    except CurationError as exc:
        db.session.rollback()
        apply_errors(form, exc.errors)
        return _producer_page(_producer_or_404(producer_id), refuse_form=form)
    if was_verified:
        flash(_("%(name)s ditangguhkan; semua produknya disembunyikan dari katalog.",
                name=producer.name), "success")
    else:
        flash(_("Verifikasi %(name)s ditolak; penjual melihat alasannya.", name=producer.name), "success")
    return redirect(url_for("curation.producers"), 303)


@bp.post("/ajukan-ulang/<int:producer_id>")
@login_required
def reapply(producer_id: int):
    """A member of a refused producer asks for verification again."""
    producer = get_own_producer(db.session, int(current_user.id), producer_id)
    if producer is None:
        abort(404)
    form = ReapplyForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.reapply_producer(db.session, producer=producer, user_id=int(current_user.id),
                                  note=form.note.data)
        db.session.commit()
    except CurationError as exc:
        db.session.rollback()
        _flash_errors(exc)
    else:
        flash(_("Toko diajukan ulang untuk verifikasi."), "success")
    return redirect(url_for("seller.producer", producer_id=producer_id), 303)


# --------------------------------------------------------------------------------------
# Products


def _queue_filter(args) -> tuple[services.QueueFilter, dict]:
    """The queue's filters from the query string; unknown values are ignored."""
    tree = category_tree()
    chosen: dict = {}
    category_ids: tuple[int, ...] = ()
    node = tree.by_slug.get((args.get("kategori") or "")[:100])
    if node is not None:
        category_ids = node.ids
        chosen["kategori"] = node.slug
    region = (args.get("wilayah") or "")[:5]
    region_code = None
    if region and region in known_region_codes():
        region_code = chosen["wilayah"] = region
    cert = args.get("sertifikat") or ""
    cert_type = CertType(cert) if cert in {c.value for c in CertType} else None
    if cert_type is not None:
        chosen["sertifikat"] = cert_type.value
    return services.QueueFilter(category_ids, region_code, cert_type), chosen


def _category_options(counts: dict[int, int]) -> list[tuple[str, str, int, int]]:
    """(slug, label, depth, count incl. subcategories) of every category with something
    waiting, in tree order."""
    tree = category_tree()
    out: list[tuple[str, str, int, int]] = []

    def total(node) -> int:
        return counts.get(node.id, 0) + sum(total(c) for c in node.children)

    def walk(node, depth: int) -> None:
        n = total(node)
        if n:
            out.append((node.slug, node.name, depth, n))
            for child in node.children:
                walk(child, depth + 1)

    for root in tree.roots:
        walk(root, 0)
    return out


@bp.get("/produk")
@role_required("curator")
def products():
    queue_filter, chosen = _queue_filter(request.args)
    pagination = db.paginate(services.product_queue(queue_filter), page=_page_number(),
                             per_page=PER_PAGE, error_out=False, count=True)
    facets = services.queue_facets(db.session, queue_filter)
    return render_template(
        "curation/products.html", pagination=pagination, chosen=chosen, facets=facets,
        rows=services.queue_rows(db.session, list(pagination.items)),
        categories=_category_options(facets.by_category), cert_types=list(CertType),
        producer_count=services.producer_counts(db.session)[ProducerStatus.PENDING],
        product_count=_pending_products(),
    )


def _product_or_404(product_id: int) -> Product:
    product = db.session.get(Product, product_id)
    if product is None:
        abort(404)
    return product


def _review_page(product: Product, form: DecisionForm | None = None, status: int = 200):
    today = today_jakarta()
    checks = services.certificate_checks(product, today)
    pending = services.pending_review(db.session, product.id)
    if form is None:
        form = DecisionForm(formdata=None)
        form.review_id.data = str(pending.id) if pending else ""
        form.certificates.data = [str(c.cert.id) for c in checks if c.usable and not c.cert.verified]
    form.certificates.choices = [(str(c.cert.id), c.cert.number) for c in checks
                                 if c.usable and not c.cert.verified]
    variants = [v for v in product.variants if v.is_active]
    selected = variants[0] if variants else None
    wanted = whole_number(request.args.get("variant"))
    selected = next((v for v in variants if v.id == wanted), selected)
    tree = category_tree()
    node = tree.by_id.get(product.category_id)
    producer = product.producer
    return render_template(
        "curation/review.html",
        # The public page's partial reads these (catalogue/_product_article.html).
        product=product, variants=variants, selected=selected, producer=producer,
        certs=[(c.cert, c.check, not c.expired) for c in checks], bpom_kinds=BPOM_KIND,
        category_path=tree.path(node) if node else [],
        variant_json=[_variant_view(v) for v in variants],
        # What the curator checks.
        checks=checks, requirements=services.requirements(db.session, product, checks),
        pending=pending, reviews=services.reviews_of(db.session, product.id),
        events=services.product_events(db.session, product.id),
        refusal=services.latest_refusal(db.session, producer),
        status_labels=STATUS_LABELS, form=form, pass_value=PASS,
        decidable=product.status is ProductStatus.SUBMITTED,
    ), status


@bp.get("/produk/<int:product_id>")
@role_required("curator")
def review(product_id: int):
    return _review_page(_product_or_404(product_id))


@bp.post("/produk/<int:product_id>/keputusan")
@role_required("curator")
def decide(product_id: int):
    product = _product_or_404(product_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        review = services.decide(db.session, product=product, curator_id=_curator_id(),
                                 data=form.to_input())
        db.session.commit()
    except NotPending as exc:
        db.session.rollback()
        _flash_errors(exc)
        return redirect(url_for("curation.review", product_id=product_id), 303)
    except CurationError as exc:
        db.session.rollback()
        apply_errors(form, exc.errors)
        return _review_page(_product_or_404(product_id), form)
    except IntegrityError:
        db.session.rollback()
        flash(str(services.NO_LONGER_PENDING), "error")
        return redirect(url_for("curation.review", product_id=product_id), 303)
    flash({
        ReviewDecision.APPROVED: _("%(name)s disetujui dan tayang di katalog.", name=product.name),
        ReviewDecision.CHANGES_REQUESTED: _("%(name)s dikembalikan ke penjual untuk diperbaiki.",
                                            name=product.name),
        ReviewDecision.REJECTED: _("%(name)s ditolak.", name=product.name),
    }[review.decision], "success")
    return redirect(url_for("curation.products"), 303)


from . import dashboard_views  # noqa: E402,F401 - registers /kurasi/dasbor on bp
from . import revision_views  # noqa: E402,F401 - registers /kurasi/revisi on bp
