"""Revisions of published products: staging the seller's content changes, and the curator's
decision on them.

The product's own columns and image rows are what the public reads, so they stay the last
approved content; a seller's change of name, description, category, brand, halal claim,
option names or photos goes into the product's pending revision instead (created, or
updated in place while still pending). A curator approves (the content is copied onto the
product in the same transaction), requests changes (the seller's next save opens a new
pending revision starting from that content) or rejects (the public content stays).

Races are settled by the database: one pending revision per product (a partial unique
index), and every decision is ``UPDATE ... WHERE decision IS NULL``.

Services flush and never commit; files of photos that no row uses any more are returned
to the view, which deletes them after its commit.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..catalogue.models import Brand, Category, Product, ProductImage, ProductStatus
from ..catalogue.services import refresh_products
from ..core.media import StoredImage, media_files
from ..core.timeutil import utcnow
from ..seller.services import MAX_PHOTOS, SellerError
from .models import ASPECTS
from .revision_models import ProductRevision, RevisionDecision

FIELDS = ("name", "description", "category_id", "brand_id", "claims_halal", "option1_name",
          "option2_name")
MAX_NOTE = 1000
MAX_REASON = 2000

REVISION_CONFLICT = _l("Perubahan lain pada produk ini baru saja disimpan. Muat ulang halaman "
                       "lalu coba lagi.")
NO_LONGER_PENDING = _l("Revisi ini tidak lagi menunggu kurasi: kurator lain sudah memutuskannya "
                       "atau penjual membatalkannya. Keputusan Anda tidak disimpan.")
NOT_PUBLISHED = _l("Produk ini tidak lagi tayang, jadi revisinya tidak bisa disetujui.")


class RevisionError(SellerError):
    """Messages per form field; nothing was written."""


class RevisionNotPending(RevisionError):
    def __init__(self, message=NO_LONGER_PENDING):
        super().__init__({"": [message]})
        self.message = message


# --------------------------------------------------------------------------------------
# Reading


def live_content(product: Product) -> dict:
    """The approved content, as a revision stores it."""
    content = {name: getattr(product, name) for name in FIELDS}
    content["images"] = [
        {"key": i.key, "width": i.width, "height": i.height, "alt": i.alt}
        for i in sorted(product.images, key=lambda i: (i.position, i.id or 0))
    ]
    return content


def pending_revision(session: Session, product_id: int) -> ProductRevision | None:
    return session.execute(
        select(ProductRevision).where(ProductRevision.product_id == product_id,
                                      ProductRevision.decision.is_(None))
    ).scalar_one_or_none()


def latest_revision(session: Session, product_id: int) -> ProductRevision | None:
    return session.execute(
        select(ProductRevision).where(ProductRevision.product_id == product_id)
        .order_by(ProductRevision.submitted_at.desc(), ProductRevision.id.desc()).limit(1)
    ).scalar_one_or_none()


def working_revision(session: Session, product: Product) -> ProductRevision | None:
    """The revision the seller is working on: the pending one, or the latest one when a
    curator sent it back for changes (the seller's next save re-submits its content)."""
    if product.status is not ProductStatus.PUBLISHED:
        return None
    latest = latest_revision(session, product.id)
    if latest is not None and latest.decision in (None, RevisionDecision.CHANGES_REQUESTED):
        return latest
    return None


def working_content(session: Session, product: Product) -> dict:
    """What the studio form shows for a published product: its working revision's
    content, else the approved content."""
    revision = working_revision(session, product)
    return dict(revision.content) if revision is not None else live_content(product)


def revisions_of(session: Session, product_id: int) -> list[tuple[ProductRevision, str | None]]:
    """Every revision of a product, newest first, with the curator's name."""
    return [tuple(r) for r in session.execute(
        select(ProductRevision, User.name)
        .outerjoin(User, User.id == ProductRevision.curator_id)
        .where(ProductRevision.product_id == product_id)
        .order_by(ProductRevision.submitted_at.desc(), ProductRevision.id.desc())
    ).all()]


# --------------------------------------------------------------------------------------
# The seller: staging changes


def _stage(session: Session, product: Product, content: dict, actor_id: int | None) -> ProductRevision:
    """Put ``content`` into the pending revision: updated in place, or a new one."""
    now = utcnow()
    revision = pending_revision(session, product.id)
    if revision is not None:
        revision.content = content
        revision.updated_at = now
        if actor_id is not None:
            revision.submitted_by_id = actor_id
        session.flush()
        return revision
    revision = ProductRevision(product_id=product.id, submitted_by_id=actor_id, submitted_at=now,
                               updated_at=now, content=content, notes={}, reason="")
    try:
        with session.begin_nested():
            session.add(revision)
    except IntegrityError:
        # Another request opened the pending revision a moment ago.
        raise RevisionError({"": [REVISION_CONFLICT]}) from None
    return revision


def stage_content(session: Session, *, product: Product, values: dict,
                  actor_id: int | None) -> ProductRevision | None:
    """Hold checked content values (``FIELDS``) of a published product for curation.

    Returns the pending revision, or None when nothing needs a curator (the values are
    the approved ones and no revision is being worked on).
    """
    working = working_revision(session, product)
    base = dict(working.content) if working is not None else live_content(product)
    content = {**base, **{name: values[name] for name in FIELDS}}
    if working is not None and working.pending:
        if content == working.content:
            return working
        return _stage(session, product, content, actor_id)
    if content == live_content(product):
        return None  # nothing to curate
    return _stage(session, product, content, actor_id)


def stage_photo_add(session: Session, *, product: Product, stored: StoredImage, alt: str,
                    actor_id: int | None) -> ProductRevision:
    content = working_content(session, product)
    images = list(content.get("images", []))
    if len(images) >= MAX_PHOTOS:
        raise RevisionError({"photo": [_l("Paling banyak %(n)s foto per produk.", n=MAX_PHOTOS)]})
    images.append({"key": stored.key, "width": stored.width, "height": stored.height,
                   "alt": " ".join((alt or "").split())[:200]})
    content["images"] = images
    return _stage(session, product, content, actor_id)


def stage_photo_remove(session: Session, *, product: Product, key: str,
                       actor_id: int | None) -> list[str]:
    """Take one photo out of the revision's list (LookupError if it is not there).

    Returns the files to delete after the commit: a photo only this revision used."""
    content = working_content(session, product)
    images = list(content.get("images", []))
    if not any(i["key"] == key for i in images):
        raise LookupError(key)
    content["images"] = [i for i in images if i["key"] != key]
    _stage(session, product, content, actor_id)
    return unused_files(session, [key])


def withdraw(session: Session, *, product: Product, actor_id: int | None) -> list[str]:
    """The seller drops the changes being worked on; the approved content stays.

    A pending revision is closed as withdrawn; one sent back for changes is followed by a
    withdrawn row, so that the form shows the approved content again. Returns the files
    of photos no other row uses, to delete after the commit."""
    working = working_revision(session, product)
    if working is None:
        raise RevisionNotPending(_l("Tidak ada perubahan yang menunggu kurasi."))
    now = utcnow()
    keys = [i["key"] for i in working.content.get("images", [])]
    if working.pending:
        claimed = session.execute(
            update(ProductRevision)
            .where(ProductRevision.id == working.id, ProductRevision.decision.is_(None))
            .values(decision=RevisionDecision.WITHDRAWN, decided_at=now)
            .returning(ProductRevision.id).execution_options(synchronize_session=False)
        ).scalars().all()
        if not claimed:
            raise RevisionNotPending()
        session.refresh(working)
    else:
        session.add(ProductRevision(
            product_id=product.id, submitted_by_id=actor_id, submitted_at=now, updated_at=now,
            content=dict(working.content), decision=RevisionDecision.WITHDRAWN, decided_at=now,
            notes={}, reason=""))
        session.flush()
    return unused_files(session, keys)


def unused_files(session: Session, keys: list[str]) -> list[str]:
    """The files of ``keys`` that neither a product photo nor a pending revision uses."""
    session.flush()
    keys = list(dict.fromkeys(keys))
    if not keys:
        return []
    used = set(session.execute(select(ProductImage.key).where(ProductImage.key.in_(keys))).scalars())
    for content in session.execute(
            select(ProductRevision.content).where(ProductRevision.decision.is_(None))).scalars():
        used.update(i.get("key") for i in (content or {}).get("images", []))
    return [name for key in keys if key not in used for name in media_files(key)]


# --------------------------------------------------------------------------------------
# The curator: the queue, the diff, the decision


def revision_queue():
    """Pending revisions, the longest waiting first (a select for db.paginate)."""
    return (select(ProductRevision).where(ProductRevision.decision.is_(None))
            .order_by(ProductRevision.updated_at, ProductRevision.id))


def pending_count(session: Session) -> int:
    return session.execute(
        select(func.count()).select_from(ProductRevision).where(ProductRevision.decision.is_(None))
    ).scalar_one()


@dataclass
class DiffRow:
    field: str
    label: object
    old: object
    new: object

    @property
    def changed(self) -> bool:
        return self.old != self.new


FIELD_LABELS = {
    "name": _l("Nama produk"),
    "description": _l("Deskripsi"),
    "category_id": _l("Kategori"),
    "brand_id": _l("Merek"),
    "claims_halal": _l("Klaim halal"),
    "option1_name": _l("Nama pilihan 1"),
    "option2_name": _l("Nama pilihan 2"),
}


def _shown(session: Session, name: str, value):
    if name == "category_id":
        category = session.get(Category, value) if value else None
        return category.name if category is not None else "-"
    if name == "brand_id":
        brand = session.get(Brand, value) if value else None
        return brand.name if brand is not None else "-"
    if name == "claims_halal":
        return bool(value)
    return value if value not in (None, "") else "-"


def diff(session: Session, product: Product, revision: ProductRevision) -> list[DiffRow]:
    """Field by field: the approved value beside the proposed one (names, not ids)."""
    live = live_content(product)
    return [DiffRow(name, FIELD_LABELS[name], _shown(session, name, live.get(name)),
                    _shown(session, name, revision.content.get(name))) for name in FIELDS]


@dataclass
class RevisionInput:
    decision: str = ""
    notes: dict[str, str] | None = None
    reason: str = ""


DECISIONS = {
    "approve": RevisionDecision.APPROVED,
    "changes": RevisionDecision.CHANGES_REQUESTED,
    "reject": RevisionDecision.REJECTED,
}


def _text(raw: str | None) -> str:
    return (raw or "").replace("\r\n", "\n").strip()


def unmet_requirements(session: Session, product: Product, category_id: int,
                       claims_halal: bool) -> list[str]:
    """The certificate requirements a product would fail under another category or halal
    claim, counting its verified, well-formed, unexpired certificates only. A revision
    cannot bring an override: what the category demands must already be there."""
    from ..catalogue.certificates import check_certificate
    from ..catalogue.requirements import required_groups, satisfies
    from ..core.timeutil import today_jakarta
    from .services import token_label

    day = today_jakarta()
    usable = [c for c in product.certifications
              if c.verified and c.is_valid_on(day) and check_certificate(c.type, c.number, c.expires_on).ok]
    return [" / ".join(token_label(t) for t in group)
            for group in required_groups(session, category_id, claims_halal)
            if not any(satisfies(t, c) for t in group for c in usable)]


def decide_revision(session: Session, *, revision: ProductRevision, curator_id: int,
                    data: RevisionInput) -> list[str]:
    """Approve, request changes on, or reject a pending revision.

    Returns the files to delete after the commit (photos no row uses any more)."""
    decision = DECISIONS.get(data.decision or "")
    if decision is None:
        raise RevisionError({"": [_l("Pilih keputusan: setujui, minta perbaikan, atau tolak.")]})
    if revision.decision is not None:
        raise RevisionNotPending()  # the UPDATE below would refuse it too; say so first
    errors: dict[str, list] = {}
    notes: dict[str, str] = {}
    for key in ASPECTS:
        note = _text((data.notes or {}).get(key))
        if len(note) > MAX_NOTE:
            errors.setdefault(f"note_{key}", []).append(_l("Paling banyak %(n)s karakter.", n=MAX_NOTE))
        elif note:
            notes[key] = note
    reason = _text(data.reason)
    if len(reason) > MAX_REASON:
        errors.setdefault("reason", []).append(_l("Paling banyak %(n)s karakter.", n=MAX_REASON))
    if decision is RevisionDecision.CHANGES_REQUESTED and not notes and not errors:
        errors[""] = [_l("Tulis catatan untuk paling sedikit satu aspek yang perlu diperbaiki.")]
    if decision is RevisionDecision.REJECTED and not reason and "reason" not in errors:
        errors["reason"] = [_l("Tulis alasan penolakan.")]
    product = session.get(Product, revision.product_id)
    content = revision.content
    if decision is RevisionDecision.APPROVED:
        if product.status is not ProductStatus.PUBLISHED:
            errors.setdefault("", []).append(NOT_PUBLISHED)
        category_id = content.get("category_id")
        if not category_id or session.get(Category, category_id) is None:
            errors.setdefault("", []).append(_l("Kategori pada revisi ini sudah tidak ada."))
        brand_id = content.get("brand_id")
        if brand_id and (session.get(Brand, brand_id) is None
                         or session.get(Brand, brand_id).producer_id != product.producer_id):
            errors.setdefault("", []).append(_l("Merek pada revisi ini sudah dihapus penjual."))
        if category_id and (category_id != product.category_id
                            or bool(content.get("claims_halal")) != product.claims_halal):
            missing = unmet_requirements(session, product, category_id, bool(content.get("claims_halal")))
            if missing:
                errors.setdefault("", []).append(_l(
                    "Kategori atau klaim halal yang baru mensyaratkan sertifikat yang belum dimiliki "
                    "produk ini: %(missing)s. Minta perbaikan atau tolak revisi ini.",
                    missing=", ".join(missing)))
    if errors:
        raise RevisionError(errors)

    session.flush()
    claimed = session.execute(
        update(ProductRevision)
        .where(and_(ProductRevision.id == revision.id, ProductRevision.decision.is_(None)))
        .values(decision=decision, decided_at=utcnow(), curator_id=curator_id,
                notes=notes if decision is RevisionDecision.CHANGES_REQUESTED else {},
                reason=reason if decision is RevisionDecision.REJECTED else "")
        .returning(ProductRevision.id).execution_options(synchronize_session=False)
    ).scalars().all()
    if len(claimed) != 1:
        raise RevisionNotPending()
    session.refresh(revision)

    from ..notifications.services import notify_producer

    link = f"/studio/produk/{product.id}"
    files: list[str] = []
    if decision is RevisionDecision.APPROVED:
        files = _apply(session, product, content)
        notify_producer(session, producer_id=product.producer_id, kind="revision_approved",
                        params={"product_name": product.name}, link=link)
    elif decision is RevisionDecision.CHANGES_REQUESTED:
        note = "\n".join(f"{ASPECTS[key]}: {notes[key]}" for key in ASPECTS if key in notes)
        notify_producer(session, producer_id=product.producer_id, kind="revision_changes_requested",
                        params={"product_name": product.name, "note": note}, link=link)
    else:
        files = unused_files(session, [i["key"] for i in content.get("images", [])])
        notify_producer(session, producer_id=product.producer_id, kind="revision_rejected",
                        params={"product_name": product.name, "reason": reason}, link=link)
    return files


def _apply(session: Session, product: Product, content: dict) -> list[str]:
    """Copy an approved revision onto the product: fields, and photo rows replaced per the
    list (rows whose key is gone deleted, new ones inserted, order = position)."""
    for name in FIELDS:
        setattr(product, name, content.get(name))
    wanted = content.get("images", [])
    by_key = {i.key: i for i in product.images}
    gone = [key for key in by_key if key not in {w["key"] for w in wanted}]
    for key in gone:
        session.delete(by_key[key])
    session.flush()
    for position, item in enumerate(wanted):
        row = by_key.get(item["key"])
        if row is None:
            session.add(ProductImage(product_id=product.id, key=item["key"], width=item["width"],
                                     height=item["height"], alt=item.get("alt", ""), position=position))
        else:
            row.position, row.alt = position, item.get("alt", "")
    product.updated_at = utcnow()
    session.flush()
    session.expire(product, ["images"])
    refresh_products(session, product_ids=[product.id])
    return unused_files(session, gone)
