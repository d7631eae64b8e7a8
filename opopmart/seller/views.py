"""The seller studio (``/studio``): thin views over seller.services.

Every page needs a login; every product, variant and certificate is reached through the
signed-in user's memberships (``services.get_own_product``), so anyone else's id is a
404. Views parse, call one service, commit once, render. Studio pages are never stored
by a browser or a proxy (``Cache-Control: no-store``).
"""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import MemberRole, User
from ..catalogue.certificates import CERT_LABELS
from ..catalogue.models import ProductEvent, ProductStatus
from ..core.templating import long_date
from ..core.params import page_number
from ..core.uploads import UploadRejected, store_document, store_photo
from ..core.errors import flash_errors
from ..extensions import db
from . import services
from .forms import (NEW_VARIANT_ROWS, ActionForm, AttachCertificateForm, CertificateForm, InviteForm, PhotoForm, ProductForm,
                    QuickVariantForm, ShopForm, apply_errors, options)
from .services import SellerError
from ..core.media import media_files

log = logging.getLogger(__name__)

_flash_errors = flash_errors  # the studio's submodules import it from here

bp = Blueprint("seller", __name__, url_prefix="/studio")

PRODUCTS_PER_PAGE = 30


@bp.record_once
def _template_globals(state) -> None:
    state.app.jinja_env.globals["user_has_shop"] = lambda user: services.has_producer(db.session, user.id)



def _user_id() -> int:
    return int(current_user.id)


def _own_product_or_404(product_id: int):
    product = services.get_own_product(db.session, _user_id(), product_id)
    if product is None:
        abort(404)
    return product


def _own_producer_or_404(producer_id: int):
    producer = services.get_own_producer(db.session, _user_id(), producer_id)
    if producer is None:
        abort(404)
    return producer


def _conflict(form) -> None:
    db.session.rollback()
    form.form_errors.append(_("Data bentrok dengan perubahan lain. Periksa lagi lalu simpan ulang."))


REFUSED = object()


def _commit_or_form_errors(form, action):
    """Run one service call and commit; a refusal puts its messages on the form, rolls
    back and returns REFUSED, so a view only says what to do on success."""
    try:
        result = action()
        db.session.commit()
    except SellerError as exc:
        db.session.rollback()
        apply_errors(form, exc.errors)
    except IntegrityError:
        _conflict(form)
    else:
        return result
    return REFUSED


# --------------------------------------------------------------------------------------
# Dashboard and opening a shop


@bp.get("/")
@bp.get("")
@login_required
def dashboard():
    uid = _user_id()
    producers = services.own_producers(db.session, uid)
    pagination = db.paginate(services.own_products(db.session, uid),
                             page=page_number(request.args.get("halaman")),
                             per_page=PRODUCTS_PER_PAGE, error_out=False, count=True)
    return render_template("seller/dashboard.html", producers=producers, pagination=pagination,
                           action_form=ActionForm(), quick_form=QuickVariantForm(),
                           status_labels=services.STATUS_LABELS)


@bp.route("/buka-toko", methods=["GET", "POST"])
@login_required
def open_shop():
    form = ShopForm()
    form.region_code.choices = options([("", _("— pilih kabupaten/kota —"))]) + [
        choice for label, group in services.region_choices(db.session)
        for choice in options(group, optgroup=label)]
    if form.validate_on_submit():
        application = services.ShopApplication(**{
            name: getattr(form, name).data or "" for name in (
                "kind", "name", "pesantren_name", "koperasi_name", "nib", "region_code",
                "address", "description")})
        upload = request.files.get("logo")
        stored = None
        try:
            # Every rule first, so a refused application never leaves a file behind.
            services.check_shop_application(db.session, application)
            if upload is not None and upload.filename:
                stored = store_photo(upload.stream, current_app.config["MEDIA_ROOT"])
            producer = services.open_shop(db.session, user_id=_user_id(), application=application,
                                          logo=stored)
            db.session.commit()
        except UploadRejected as exc:
            form.logo.errors = [*form.logo.errors, str(exc.message)]
        except SellerError as exc:
            db.session.rollback()
            apply_errors(form, exc.errors)
        except IntegrityError:
            _conflict(form)
        else:
            stored = None  # the new shop uses it
            flash(_("Toko %(name)s terdaftar. Produk Anda bisa tayang setelah kurator "
                    "memverifikasi toko.", name=producer.name), "success")
            return redirect(url_for("seller.producer", producer_id=producer.id), 303)
        if stored is not None:
            _remove_files(media_files(stored.key))
    return render_template("seller/open_shop.html", form=form)


# --------------------------------------------------------------------------------------
# A producer: members and staff invitations


def _producer_page(producer, invite_form, invite_link=None, status=200):
    uid = _user_id()
    role = services.member_role(db.session, uid, producer.id)
    return render_template(
        "seller/producer.html", producer=producer, role=role, is_owner=role is MemberRole.OWNER,
        members=services.members(db.session, producer.id),
        invites=services.pending_invites(db.session, producer.id) if role is MemberRole.OWNER else [],
        invite_form=invite_form, invite_link=invite_link,
    ), status


@bp.get("/toko/<int:producer_id>")
@login_required
def producer(producer_id: int):
    return _producer_page(_own_producer_or_404(producer_id), InviteForm())


@bp.post("/toko/<int:producer_id>/undang")
@login_required
def invite(producer_id: int):
    producer = _own_producer_or_404(producer_id)
    if services.member_role(db.session, _user_id(), producer.id) is not MemberRole.OWNER:
        abort(403)
    form = InviteForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        invitation, token = services.invite_staff(db.session, producer=producer,
                                                  inviter_id=_user_id(), email=form.email.data)
        db.session.commit()
    except SellerError as exc:
        db.session.rollback()
        apply_errors(form, exc.errors)
        return _producer_page(producer, form, status=200)
    link = url_for("seller.accept_invite", token=token, _external=True)
    # Mail is not configured yet: the link goes to the log and, once, to the owner's page.
    log.info("staff invite for producer %s to %s: %s", producer.id, invitation.email, link)
    flash(_("Undangan untuk %(email)s dibuat. Bagikan tautan di bawah ini; tautan hanya "
            "ditampilkan sekali dan berlaku 7 hari.", email=invitation.email), "success")
    return _producer_page(producer, InviteForm(formdata=None), invite_link=link)


@bp.route("/undangan/<token>", methods=["GET", "POST"])
@login_required
def accept_invite(token: str):
    user = db.session.get(User, _user_id())
    invitation = services.find_invite(db.session, token)
    problem = services.invite_problem(invitation, user)
    form = ActionForm()
    if request.method == "POST" and problem is None:
        if not form.validate_on_submit():
            abort(400)
        try:
            member = services.accept_invite(db.session, token=token, user=user)
            db.session.commit()
        except SellerError as exc:
            db.session.rollback()
            problem = next(iter(exc.errors.values()))[0]
        except IntegrityError:
            db.session.rollback()
            problem = _("Undangan ini sudah dipakai.")
        else:
            flash(_("Anda sekarang staf toko ini."), "success")
            return redirect(url_for("seller.producer", producer_id=member.producer_id), 303)
    producer = None
    if invitation is not None and problem is None:
        from ..catalogue.models import Producer

        producer = db.session.get(Producer, invitation.producer_id)
    return render_template("seller/invite.html", problem=problem and str(problem), form=form,
                           producer=producer, token=token), (200 if problem is None else 400)


# --------------------------------------------------------------------------------------
# Products


def _product_form(producer_id: int | None, product=None, formdata=True) -> ProductForm:
    uid = _user_id()
    kwargs = {} if formdata else {"formdata": None}
    if product is not None and not formdata:
        form = ProductForm(obj=product, **kwargs)
    else:
        form = ProductForm(**kwargs)
    producers = [(p, r) for p, r in services.own_producers(db.session, uid)]
    form.producer_id.choices = options((p.id, p.name) for p, _r in producers)
    form.category_id.choices = options(
        [("", _("— pilih kategori —")), *services.category_choices(db.session)])
    brand_producer = product.producer_id if product is not None else producer_id
    form.brand_id.choices = options([("", _("— tanpa merek —")), *(
        services.brand_choices(db.session, brand_producer) if brand_producer else [])])
    return form


def _fill_from_product(form: ProductForm, product) -> None:
    form.category_id.data = str(product.category_id)
    form.brand_id.data = str(product.brand_id) if product.brand_id else ""
    while form.variants.entries:
        form.variants.pop_entry()
    for variant in product.variants:
        form.variants.append_entry({
            "id": str(variant.id), "sku": variant.sku, "option1": variant.option1 or "",
            "option2": variant.option2 or "", "price": str(variant.price),
            "stock": str(variant.stock), "weight_grams": str(variant.weight_grams),
            "min_order_qty": str(variant.min_order_qty), "is_active": variant.is_active,
            "tiers": [{"min_qty": str(t.min_qty), "unit_price": str(t.unit_price)}
                      for t in variant.wholesale_tiers],
        })
    _pad_rows(form)


def _pad_rows(form: ProductForm) -> None:
    """Blank rows to add variants and tiers without JavaScript."""
    blanks = sum(1 for e in form.variants.entries if not e.form.id.data and not e.form.sku.data)
    for _i in range(max(0, NEW_VARIANT_ROWS - blanks)):
        if len(form.variants.entries) >= form.variants.max_entries:
            break
        form.variants.append_entry()
    for entry in form.variants.entries:
        tiers = entry.form.tiers
        while len(tiers.entries) < tiers.min_entries:
            tiers.append_entry()


@bp.route("/produk/baru", methods=["GET", "POST"])
@login_required
def new_product():
    uid = _user_id()
    producers = services.own_producers(db.session, uid)
    if not producers:
        flash(_("Buka toko dulu sebelum menambah produk."), "info")
        return redirect(url_for("seller.open_shop"))
    # The shop asked for, if it is one of the user's own (compared as text: whatever was
    # typed there, even a number no database column holds, picks the first shop instead).
    wanted = request.values.get("producer_id") or request.args.get("toko") or ""
    producer_id = next((p.id for p, _role in producers if str(p.id) == wanted.strip()), producers[0][0].id)
    form = _product_form(producer_id)
    if request.method == "GET":
        form.producer_id.data = str(producer_id)
        form.variants.entries[0].form.min_order_qty.data = "1"
    if form.validate_on_submit():
        try:
            product = services.create_product(db.session, user_id=uid, producer_id=form.producer_id.data,
                                              data=form.to_input())
            db.session.commit()
        except SellerError as exc:
            db.session.rollback()
            apply_errors(form, exc.errors)
        except IntegrityError:
            _conflict(form)
        else:
            flash(_("Produk %(name)s disimpan sebagai draf.", name=product.name), "success")
            return redirect(url_for("seller.edit_product", product_id=product.id), 303)
    _pad_rows(form)
    return render_template("seller/product_form.html", form=form, product=None)


def _attach_form(product, formdata=None) -> AttachCertificateForm:
    form = AttachCertificateForm(formdata=formdata)
    form.certification_id.choices = [
        (str(c.id), f"{CERT_LABELS.get(c.type, c.type)} {c.number}"
         + (f" ({_('berlaku sampai %(date)s', date=long_date(c.expires_on))})" if c.expires_on else ""))
        for c in services.attachable_certificates(db.session, product)]
    return form


def _product_page(product, form=None, cert_form=None, status=200, attach_form=None):
    events = db.session.execute(
        select(ProductEvent, User.name)
        .outerjoin(User, User.id == ProductEvent.actor_id)
        .where(ProductEvent.product_id == product.id)
        .order_by(ProductEvent.created_at.desc(), ProductEvent.id.desc())
    ).all()
    return render_template(
        "seller/product_form.html", product=product, form=form,
        cert_form=cert_form or CertificateForm(formdata=None), action_form=ActionForm(),
        attach_form=attach_form or _attach_form(product),
        photo_form=PhotoForm(formdata=None), photos_editable=product.status in services.EDITABLE,
        max_photos=services.MAX_PHOTOS,
        events=events, actions=services.allowed_actions(product),
        status_labels=services.STATUS_LABELS,
        editable=product.status in services.EDITABLE or product.status is ProductStatus.PUBLISHED,
        published=product.status is ProductStatus.PUBLISHED,
        refused_message=services.PUBLISHED_CONTENT_REFUSED,
        lapsed=services.is_lapsed(product),
        **revision_context(product),
    ), status


@bp.route("/produk/<int:product_id>", methods=["GET", "POST"])
@login_required
def edit_product(product_id: int):
    product = _own_product_or_404(product_id)
    if request.method == "GET":
        form = _product_form(product.producer_id, product, formdata=False)
        _fill_from_product(form, product)
        fill_from_revision(form, product)
        return _product_page(product, form)
    form = _product_form(product.producer_id, product)
    if form.validate_on_submit():
        try:
            services.update_product(db.session, product=product, data=form.to_input(),
                                    actor_id=_user_id())
            db.session.commit()
        except SellerError as exc:
            db.session.rollback()
            apply_errors(form, exc.errors)
        except IntegrityError:
            _conflict(form)
        else:
            flash(saved_message(product), "success")
            return redirect(url_for("seller.edit_product", product_id=product.id), 303)
    _pad_rows(form)
    product = _own_product_or_404(product_id)  # reloaded after a rollback
    return _product_page(product, form, status=200)


def _back(product_id: int | None = None) -> str:
    target = request.form.get("back")
    if target == "list":
        return url_for("seller.dashboard")
    return url_for("seller.edit_product", product_id=product_id) if product_id else url_for("seller.dashboard")


@bp.post("/produk/<int:product_id>/varian/<int:variant_id>")
@login_required
def quick_update(product_id: int, variant_id: int):
    product = _own_product_or_404(product_id)
    if not any(v.id == variant_id for v in product.variants):
        abort(404)
    form = QuickVariantForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        variant = services.quick_update_variant(db.session, product=product, variant_id=variant_id,
                                                price=form.price.data or "", stock=form.stock.data or "",
                                                actor_id=_user_id())
        db.session.commit()
    except SellerError as exc:
        db.session.rollback()
        for messages in exc.errors.values():
            for message in messages:
                flash(str(message), "error")
    else:
        flash(_("Harga dan stok %(sku)s disimpan.", sku=variant.sku), "success")
    return redirect(_back(product_id), 303)


@bp.post("/produk/<int:product_id>/<any(ajukan, arsipkan, pulihkan):action>")
@login_required
def move(product_id: int, action: str):
    product = _own_product_or_404(product_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    name = {"ajukan": "submit", "arsipkan": "archive", "pulihkan": "restore"}[action]
    try:
        services.seller_move(db.session, product=product, action=name, actor_id=_user_id())
        db.session.commit()
    except SellerError as exc:
        db.session.rollback()
        for messages in exc.errors.values():
            for message in messages:
                flash(str(message), "error")
    else:
        flash({
            "submit": _("Produk diajukan untuk kurasi."),
            "archive": _("Produk diarsipkan."),
            "restore": _("Produk dipulihkan sebagai draf."),
        }[name], "success")
    return redirect(_back(product_id), 303)


@bp.post("/produk/<int:product_id>/sertifikat")
@login_required
def add_certificate(product_id: int):
    product = _own_product_or_404(product_id)
    form = CertificateForm()
    if form.validate_on_submit():
        upload = request.files.get("document")
        stored = None
        try:
            if upload is not None and upload.filename:
                stored = store_document(upload.stream, current_app.config["DOCUMENT_ROOT"])
            _cert, warnings = services.add_certificate(
                db.session, product=product, data=form.to_input(),
                document=stored.filename if stored else None, actor_id=_user_id())
            db.session.commit()
        except UploadRejected as exc:
            form.document.errors = [*form.document.errors, str(exc.message)]
        except SellerError as exc:
            db.session.rollback()
            apply_errors(form, exc.errors)
        except IntegrityError:
            _conflict(form)
        else:
            stored = None  # kept: the certificate row points at it
            flash(_("Sertifikat ditambahkan; kurator akan memeriksanya."), "success")
            for warning in warnings:
                flash(str(warning), "info")
            return redirect(url_for("seller.edit_product", product_id=product.id) + "#sertifikat", 303)
        if stored is not None:
            _remove_files([stored.filename] if stored.kind == "pdf" else media_files(stored.key),
                          root=current_app.config["DOCUMENT_ROOT"])
    product = _own_product_or_404(product_id)
    edit_form = _product_form(product.producer_id, product, formdata=False)
    _fill_from_product(edit_form, product)
    return _product_page(product, edit_form, cert_form=form)


@bp.post("/produk/<int:product_id>/sertifikat/pasang")
@login_required
def attach_certificate(product_id: int):
    product = _own_product_or_404(product_id)
    form = _attach_form(product, formdata=request.form)
    if not form.validate_on_submit():
        abort(400)
    try:
        cert = services.attach_existing_certificate(db.session, product=product,
                                                    certification_id=form.certification_id.data,
                                                    actor_id=_user_id())
        db.session.commit()
    except SellerError as exc:
        db.session.rollback()
        _flash_errors(exc)
    except IntegrityError:
        db.session.rollback()
        flash(_("Produk ini sudah memakai sertifikat tersebut."), "error")
    else:
        flash(_("Sertifikat %(number)s dipasang pada produk ini.", number=cert.number), "success")
    return redirect(url_for("seller.edit_product", product_id=product.id) + "#sertifikat", 303)


@bp.post("/produk/<int:product_id>/sertifikat/<int:certification_id>/lepas")
@login_required
def detach_certificate(product_id: int, certification_id: int):
    product = _own_product_or_404(product_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        services.detach_certificate(db.session, product=product, certification_id=certification_id)
        db.session.commit()
    except LookupError:
        abort(404)
    except SellerError as exc:
        db.session.rollback()
        _flash_errors(exc)
    else:
        flash(_("Sertifikat dilepas dari produk ini; sertifikat tetap tersimpan di toko."), "success")
    return redirect(url_for("seller.edit_product", product_id=product.id) + "#sertifikat", 303)


def _photos_url(product_id: int) -> str:
    return url_for("seller.edit_product", product_id=product_id) + "#foto"


@bp.post("/produk/<int:product_id>/foto")
@login_required
def add_photo(product_id: int):
    product = _own_product_or_404(product_id)
    form = PhotoForm()
    if not form.validate_on_submit():
        abort(400)
    upload = request.files.get("photo")
    if upload is None or not upload.filename and not upload.content_length:
        flash(_("Pilih foto yang akan diunggah."), "error")
        return redirect(_photos_url(product.id), 303)
    try:
        services.check_photos_editable(product)  # before anything touches the disk
        stored = store_photo(upload.stream, current_app.config["MEDIA_ROOT"])
    except SellerError as exc:
        _flash_errors(exc)
        return redirect(_photos_url(product.id), 303)
    except UploadRejected as exc:
        flash(str(exc.message), "error")
        return redirect(_photos_url(product.id), 303)
    try:
        image = services.add_photo(db.session, product=product, stored=stored, alt=form.alt.data or "",
                                   actor_id=_user_id())
        db.session.commit()
    except SellerError as exc:
        db.session.rollback()
        _remove_files(media_files(stored.key))
        _flash_errors(exc)
    else:
        flash(_("Foto ditambahkan.") if image is not None else
              _("Foto ditambahkan ke perubahan yang menunggu kurasi; pembeli melihatnya setelah "
                "kurator menyetujui."), "success")
    return redirect(_photos_url(product.id), 303)


@bp.post("/produk/<int:product_id>/foto/<int:image_id>/hapus")
@login_required
def remove_photo(product_id: int, image_id: int):
    product = _own_product_or_404(product_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        files = services.remove_photo(db.session, product=product, image_id=image_id,
                                      actor_id=_user_id())
    except LookupError:
        abort(404)
    except SellerError as exc:
        db.session.rollback()
        _flash_errors(exc)
        return redirect(_photos_url(product.id), 303)
    db.session.commit()
    _remove_files(files)  # after the commit: a failed commit keeps the photo whole
    flash(_("Foto dihapus."), "success")
    return redirect(_photos_url(product.id), 303)


def _remove_files(names: list[str], root: str | None = None) -> None:
    """A side effect after commit: never breaks the request, only logs."""
    root = Path(root or current_app.config["MEDIA_ROOT"])
    for name in names:
        try:
            (root / name).unlink(missing_ok=True)
        except OSError:
            log.warning("could not delete media file %s", name, exc_info=True)


from . import shop_views  # noqa: E402,F401
from .revision_views import fill_from_revision, revision_context, saved_message  # noqa: E402
from . import bulk_views  # noqa: E402,F401
