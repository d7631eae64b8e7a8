"""Curation rules: verifying producers, opening and deciding product reviews.

Services take explicit arguments, check everything before they write, flush and leave
the commit to the view. Bad input raises ``CurationError`` with messages per form field
(``result_brand``, ``note_brand``, ``reason``, ``override_reason``; ``""`` for the form);
a decision on something that is no longer waiting raises ``NotPending``.

Races are settled by the database, not by what a request read earlier: a review is
decided by ``UPDATE ... WHERE decision IS NULL`` (one curator wins, the other is told),
a second pending review of a product violates a partial unique index, and producer
statuses change through ``catalogue.services.change_producer_status``, which is
conditional on the status read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..accounts.models import ProducerMember, User
from ..catalogue.certificates import CERT_LABELS, FormatCheck, check_certificate
from ..catalogue.requirements import required_groups, satisfies
from ..catalogue.models import (
    Certification,
    CertType,
    Producer,
    ProducerEvent,
    ProducerStatus,
    Product,
    ProductEvent,
    ProductStatus,
    product_certifications,
)
from ..catalogue.services import StatusChanged, change_producer_status, change_product_status
from ..core.params import whole_number
from ..core.timeutil import today_jakarta, utcnow
from ..core.workflow import IllegalTransition
from ..regions.models import Region, region_label
from ..seller.services import SellerError
from .models import ASPECTS, FAIL, PASS, ProductReview, ReviewDecision

MAX_NOTE = 1000
MAX_REASON = 2000
REQUIRED = _l("Wajib diisi.")
NO_LONGER_PENDING = _l(
    "Produk ini tidak lagi menunggu kurasi: kurator lain sudah memutuskannya atau penjual "
    "menariknya. Keputusan Anda tidak disimpan."
)
ALREADY_PENDING = _l("Produk ini sudah diajukan dan sedang menunggu kurasi.")


class CurationError(SellerError):
    """Messages per form field name; nothing was written."""


class NotPending(CurationError):
    """The review or producer is no longer in the state the curator acted on."""

    def __init__(self, message=NO_LONGER_PENDING):
        super().__init__({"": [message]})
        self.message = message


class AlreadyPending(CurationError):
    def __init__(self):
        super().__init__({"": [ALREADY_PENDING]})


def _text(raw: str | None) -> str:
    return (raw or "").replace("\r\n", "\n").strip()


def _notify_producer(session: Session, producer_id: int, kind: str, params: dict, link: str) -> None:
    from ..notifications.services import notify_producer

    notify_producer(session, producer_id=producer_id, kind=kind, params=params, link=link)


def _studio_product_link(product_id: int) -> str:
    return f"/studio/produk/{product_id}"


def _studio_producer_link(producer_id: int) -> str:
    return f"/studio/toko/{producer_id}"


# --------------------------------------------------------------------------------------
# Producers

PRODUCER_STATUS_LABELS = {
    ProducerStatus.PENDING: _l("Menunggu verifikasi"),
    ProducerStatus.VERIFIED: _l("Terverifikasi"),
    ProducerStatus.REFUSED: _l("Ditolak"),
}


def waiting_since_producer():
    """When a producer entered the queue: its last re-application, else its creation."""
    last = (
        select(func.max(ProducerEvent.created_at))
        .where(ProducerEvent.producer_id == Producer.id,
               ProducerEvent.to_status == ProducerStatus.PENDING)
        .scalar_subquery()
    )
    return func.coalesce(last, Producer.created_at)


def producer_queue(status: ProducerStatus = ProducerStatus.PENDING):
    """Producers in ``status``, the longest waiting first (a select for db.paginate)."""
    return (select(Producer).where(Producer.status == status)
            .order_by(waiting_since_producer(), Producer.id))


def producer_counts(session: Session) -> dict[ProducerStatus, int]:
    counts = dict(session.execute(
        select(Producer.status, func.count()).group_by(Producer.status)).all())
    return {status: counts.get(status, 0) for status in ProducerStatus}


def waiting_since_of_producers(session: Session, ids: list[int]) -> dict[int, object]:
    if not ids:
        return {}
    return dict(session.execute(
        select(Producer.id, waiting_since_producer()).where(Producer.id.in_(ids))).all())


def members_of(session: Session, producer_ids: list[int]) -> dict[int, list[tuple[User, str]]]:
    out: dict[int, list[tuple[User, str]]] = {pid: [] for pid in producer_ids}
    if not producer_ids:
        return out
    for producer_id, user, role in session.execute(
        select(ProducerMember.producer_id, User, ProducerMember.role)
        .join(User, User.id == ProducerMember.user_id)
        .where(ProducerMember.producer_id.in_(producer_ids))
        .order_by(ProducerMember.role, User.name, User.id)
    ).all():
        out[producer_id].append((user, role))
    return out


def producer_events(session: Session, producer_id: int) -> list[tuple[ProducerEvent, str | None]]:
    """The producer's history, newest first, with each actor's name."""
    return [tuple(r) for r in session.execute(
        select(ProducerEvent, User.name)
        .outerjoin(User, User.id == ProducerEvent.actor_id)
        .where(ProducerEvent.producer_id == producer_id)
        .order_by(ProducerEvent.created_at.desc(), ProducerEvent.id.desc())
    ).all()]


def latest_refusal(session: Session, producer: Producer) -> ProducerEvent | None:
    """Why a refused (or suspended) producer is refused; None unless it is refused now."""
    if producer.status is not ProducerStatus.REFUSED:
        return None
    return session.execute(
        select(ProducerEvent)
        .where(ProducerEvent.producer_id == producer.id,
               ProducerEvent.to_status == ProducerStatus.REFUSED)
        .order_by(ProducerEvent.created_at.desc(), ProducerEvent.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def _move_producer(session: Session, producer: Producer, target: ProducerStatus, *,
                   actor_id: int, reason: str, refused_message) -> ProducerEvent:
    try:
        return change_producer_status(session, producer, target, actor_id=actor_id, reason=reason)
    except IllegalTransition:
        raise NotPending(refused_message) from None
    except StatusChanged:
        raise NotPending(_l("Status toko ini baru saja diubah orang lain. Periksa lagi.")) from None


def verify_producer(session: Session, *, producer: Producer, curator_id: int) -> ProducerEvent:
    """A pending producer is verified: its published products become public at once."""
    event = _move_producer(
        session, producer, ProducerStatus.VERIFIED, actor_id=curator_id, reason="",
        refused_message=_l("Hanya toko yang menunggu verifikasi yang bisa diverifikasi."))
    _notify_producer(session, producer.id, "producer_verified", {"producer_name": producer.name},
                     _studio_producer_link(producer.id))
    return event


def refuse_producer(session: Session, *, producer: Producer, curator_id: int,
                    reason: str | None) -> ProducerEvent:
    """Refuse a pending producer, or suspend a verified one (hiding all its products).

    The reason is required: the seller reads it and may re-apply.
    """
    reason = _text(reason)
    if not reason:
        raise CurationError({"reason": [REQUIRED]})
    if len(reason) > MAX_REASON:
        raise CurationError({"reason": [_l("Paling banyak %(n)s karakter.", n=MAX_REASON)]})
    event = _move_producer(
        session, producer, ProducerStatus.REFUSED, actor_id=curator_id, reason=reason,
        refused_message=_l("Toko ini sudah ditolak dan belum mengajukan ulang."))
    _notify_producer(session, producer.id, "producer_refused",
                     {"producer_name": producer.name, "reason": reason},
                     _studio_producer_link(producer.id))
    return event


def reapply_producer(session: Session, *, producer: Producer, user_id: int,
                     note: str | None = None) -> ProducerEvent:
    """A member of a refused producer asks for verification again (back in the queue)."""
    note = _text(note)
    if len(note) > MAX_NOTE:
        raise CurationError({"note": [_l("Paling banyak %(n)s karakter.", n=MAX_NOTE)]})
    return _move_producer(
        session, producer, ProducerStatus.PENDING, actor_id=user_id, reason=note,
        refused_message=_l("Hanya toko yang ditolak yang bisa mengajukan ulang."))


# --------------------------------------------------------------------------------------
# Reviews: opening


def pending_review(session: Session, product_id: int) -> ProductReview | None:
    return session.execute(
        select(ProductReview).where(ProductReview.product_id == product_id,
                                    ProductReview.decision.is_(None))
    ).scalar_one_or_none()


def open_review(session: Session, *, product: Product, submitted_by_id: int | None) -> ProductReview:
    """Open the pending review of a product just submitted, in the caller's transaction.

    A second pending review of the same product violates ``uq_product_reviews_pending``;
    the insert runs in a savepoint so that only it is undone, and AlreadyPending tells
    the caller (a double submit, or two tabs) in words.
    """
    review = ProductReview(product_id=product.id, submitted_by_id=submitted_by_id,
                           submitted_at=utcnow(), checklist={}, notes={}, confirmed_certificates=[])
    try:
        with session.begin_nested():
            session.add(review)
    except IntegrityError:
        raise AlreadyPending() from None
    return review


# --------------------------------------------------------------------------------------
# Reviews: what the curator checks


@dataclass
class CertCheck:
    cert: Certification
    check: FormatCheck
    expired: bool

    @property
    def usable(self) -> bool:
        """Counts towards a requirement once verified: a sound number, not expired."""
        return self.check.ok and not self.expired


@dataclass
class Requirement:
    tokens: list[str]
    label: str
    # Verified, usable certificates that meet it now; usable ones a curator may confirm.
    met_by: list[Certification] = field(default_factory=list)
    confirmable: list[Certification] = field(default_factory=list)

    @property
    def met(self) -> bool:
        return bool(self.met_by)


def token_label(token: str) -> str:
    kind, _sep, prefix = token.partition(":")
    try:
        label = str(CERT_LABELS[CertType(kind)])
    except ValueError:
        label = kind
    return f"{label} {prefix}" if prefix else label


def certificate_checks(product: Product, day: date) -> list[CertCheck]:
    return [CertCheck(c, check_certificate(c.type, c.number, c.expires_on), not c.is_valid_on(day))
            for c in product.certifications]


def requirements(session: Session, product: Product, checks: list[CertCheck],
                 confirmed_ids: set[int] = frozenset()) -> list[Requirement]:
    """The category's required certificates, plus a valid halal certificate when the
    product claims to be halal, and which of the product's certificates meet each.

    Only certificates linked to the product, with a sound number, not expired, and
    verified (before or by this decision: ``confirmed_ids``) count.
    """
    groups = required_groups(session, product.category_id, product.claims_halal)
    out = []
    for group in groups:
        label = " / ".join(token_label(t) for t in group)
        if group == ["halal"] and product.claims_halal:
            label = _("Halal (produk ini mengaku halal)")
        req = Requirement(tokens=group, label=label)
        for item in checks:
            if not item.usable or not any(satisfies(t, item.cert) for t in group):
                continue
            if item.cert.verified or item.cert.id in confirmed_ids:
                req.met_by.append(item.cert)
            else:
                req.confirmable.append(item.cert)
        out.append(req)
    return out


def reviews_of(session: Session, product_id: int) -> list[tuple[ProductReview, str | None]]:
    """Every review of a product, newest first, with the curator's name."""
    return [tuple(r) for r in session.execute(
        select(ProductReview, User.name)
        .outerjoin(User, User.id == ProductReview.curator_id)
        .where(ProductReview.product_id == product_id)
        .order_by(ProductReview.submitted_at.desc(), ProductReview.id.desc())
    ).all()]


def product_events(session: Session, product_id: int) -> list[tuple[ProductEvent, str | None]]:
    return [tuple(r) for r in session.execute(
        select(ProductEvent, User.name)
        .outerjoin(User, User.id == ProductEvent.actor_id)
        .where(ProductEvent.product_id == product_id)
        .order_by(ProductEvent.created_at.desc(), ProductEvent.id.desc())
    ).all()]


# --------------------------------------------------------------------------------------
# Reviews: deciding


DECISIONS = {
    "approve": ReviewDecision.APPROVED,
    "changes": ReviewDecision.CHANGES_REQUESTED,
    "reject": ReviewDecision.REJECTED,
}
TARGETS = {
    ReviewDecision.APPROVED: ProductStatus.PUBLISHED,
    ReviewDecision.CHANGES_REQUESTED: ProductStatus.CHANGES_REQUESTED,
    ReviewDecision.REJECTED: ProductStatus.REJECTED,
}


@dataclass
class DecisionInput:
    decision: str = ""
    # Aspect key -> "pass" / "fail" / "" (not marked); aspect key -> note.
    checklist: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    reason: str = ""
    override_reason: str = ""
    certificate_ids: list[str | int] = field(default_factory=list)
    # The pending review the curator was looking at (None: the product had none yet).
    review_id: int | None = None


def _changes_note(checklist: dict[str, str], notes: dict[str, str]) -> str:
    return "\n".join(f"{ASPECTS[key]}: {notes[key]}" for key in ASPECTS
                     if checklist.get(key) == FAIL and notes.get(key))


def decide(session: Session, *, product: Product, curator_id: int, data: DecisionInput,
           day: date | None = None) -> ProductReview:
    """Record a curator's decision on the product's pending review and move the product.

    approve -> published: every aspect passed, the producer verified, and the required
    certificates met (or an override reason, which is recorded); the certificates the
    curator ticked are marked verified. changes -> changes requested: at least one failed
    aspect, each failed aspect with a note. reject -> rejected: a reason.
    """
    day = day or today_jakarta()
    errors: dict[str, list] = {}

    def add(name: str, message) -> None:
        errors.setdefault(name, []).append(message)

    decision = DECISIONS.get(data.decision or "")
    if decision is None:
        raise CurationError({"": [_l("Pilih keputusan: setujui, minta perbaikan, atau tolak.")]})
    if product.status is not ProductStatus.SUBMITTED:
        raise NotPending()

    checklist: dict[str, str] = {}
    notes: dict[str, str] = {}
    for key in ASPECTS:
        value = (data.checklist.get(key) or "").strip()
        if value in (PASS, FAIL):
            checklist[key] = value
        elif value:
            add(f"result_{key}", _l("Pilih lolos atau belum lolos."))
        note = _text(data.notes.get(key))
        if len(note) > MAX_NOTE:
            add(f"note_{key}", _l("Paling banyak %(n)s karakter.", n=MAX_NOTE))
        elif note:
            notes[key] = note
    reason = _text(data.reason)
    if len(reason) > MAX_REASON:
        add("reason", _l("Paling banyak %(n)s karakter.", n=MAX_REASON))
    override = _text(data.override_reason)
    if len(override) > MAX_REASON:
        add("override_reason", _l("Paling banyak %(n)s karakter.", n=MAX_REASON))

    checks = certificate_checks(product, day)
    by_id = {item.cert.id: item for item in checks}
    confirmed: set[int] = set()
    note = ""
    if decision is ReviewDecision.APPROVED:
        for key in ASPECTS:
            if checklist.get(key) != PASS:
                add(f"result_{key}", _l("Untuk menyetujui, semua aspek harus lolos."))
        producer = session.get(Producer, product.producer_id)
        if producer.status is not ProducerStatus.VERIFIED:
            add("", _l("Toko %(name)s belum terverifikasi: verifikasi tokonya dulu sebelum "
                       "menyetujui produknya.", name=producer.name))
        for raw in data.certificate_ids or []:
            item = by_id.get(whole_number(str(raw)))
            if item is None:
                add("certificates", _l("Sertifikat tidak dikenal untuk produk ini."))
            elif not item.usable:
                add("certificates", _l("Sertifikat %(number)s kedaluwarsa atau nomornya tidak "
                                       "sah, jadi tidak bisa dikonfirmasi.", number=item.cert.number))
            elif not item.cert.verified:
                confirmed.add(item.cert.id)
        unmet = [r.label for r in requirements(session, product, checks, confirmed) if not r.met]
        if unmet and not override:
            add("override_reason", _l(
                "Sertifikat wajib belum terpenuhi: %(missing)s. Tulis alasan bila tetap "
                "menyetujui; alasan itu dicatat.", missing=", ".join(unmet)))
        if not unmet:
            override = ""  # nothing was overridden: an override reason would mislead
        note = _("Disetujui dengan pengecualian sertifikat: %(reason)s", reason=override) if override else ""
    elif decision is ReviewDecision.CHANGES_REQUESTED:
        failed = [key for key in ASPECTS if checklist.get(key) == FAIL]
        if not failed:
            add("", _l("Tandai paling sedikit satu aspek yang belum lolos, dengan catatannya."))
        for key in failed:
            if key not in notes:
                add(f"note_{key}", _l("Tulis catatan untuk aspek yang belum lolos."))
        note = _changes_note(checklist, notes)
    else:
        if not reason:
            add("reason", _l("Tulis alasan penolakan."))
        note = reason
    if errors:
        raise CurationError(errors)

    review = _claim(session, product, data.review_id, curator_id=curator_id, values={
        "decision": decision, "checklist": checklist, "notes": notes,
        "reason": reason if decision is ReviewDecision.REJECTED else "",
        "override_reason": override if decision is ReviewDecision.APPROVED else "",
        "confirmed_certificates": sorted(confirmed),
    })
    for cert_id in sorted(confirmed):
        by_id[cert_id].cert.verified = True
    try:
        change_product_status(session, product, TARGETS[decision], actor_id=curator_id, note=note)
    except IllegalTransition:
        raise NotPending() from None

    name = product.name
    link = _studio_product_link(product.id)
    if decision is ReviewDecision.APPROVED:
        _notify_producer(session, product.producer_id, "review_approved", {"product_name": name}, link)
    elif decision is ReviewDecision.CHANGES_REQUESTED:
        _notify_producer(session, product.producer_id, "review_changes_requested",
                         {"product_name": name, "note": note}, link)
    else:
        _notify_producer(session, product.producer_id, "review_rejected",
                         {"product_name": name, "reason": reason}, link)
    return review


def _claim(session: Session, product: Product, review_id: int | None, *, curator_id: int,
           values: dict) -> ProductReview:
    """Close the pending review with this decision, or raise NotPending.

    The conditional UPDATE is the arbiter: it matches only while the review is still
    pending, so of two curators deciding at once the second matches no row. Products
    submitted without a review (by fixtures or the demo loader) get theirs opened here;
    if another request opened one at the same moment, the unique index refuses this one.
    Either way the product is re-read under the claim: a request whose view of it is
    older than another curator's decision stops there.
    """
    if review_id is None:
        if pending_review(session, product.id) is None:
            session.add(ProductReview(product_id=product.id, submitted_at=utcnow(), checklist={},
                                      notes={}, confirmed_certificates=[]))
            try:
                session.flush()
            except IntegrityError:
                raise NotPending() from None
        target = and_(ProductReview.product_id == product.id, ProductReview.decision.is_(None))
    else:
        target = and_(ProductReview.id == review_id, ProductReview.product_id == product.id,
                      ProductReview.decision.is_(None))
    session.flush()
    now = utcnow()
    result = session.execute(
        update(ProductReview).where(target)
        .values(decided_at=now, curator_id=curator_id, **values)
        .returning(ProductReview.id)
        .execution_options(synchronize_session=False)
    )
    claimed = result.scalars().all()
    if len(claimed) != 1:
        raise NotPending()
    # Re-read the product under the claim: the status this request saw may be stale.
    session.refresh(product)
    if product.status is not ProductStatus.SUBMITTED:
        raise NotPending()
    review = session.get(ProductReview, claimed[0])
    session.refresh(review)
    return review


# --------------------------------------------------------------------------------------
# The product queue


@dataclass(frozen=True)
class QueueFilter:
    category_ids: tuple[int, ...] = ()
    region_code: str | None = None
    cert_type: CertType | None = None


def _pending_join():
    return and_(ProductReview.product_id == Product.id, ProductReview.decision.is_(None))


def waiting_since_product():
    """When a product entered the queue: its pending review's submission; for products
    submitted without one (fixtures, the demo), the last move to submitted."""
    last_submit = (
        select(func.max(ProductEvent.created_at))
        .where(ProductEvent.product_id == Product.id,
               ProductEvent.to_status == ProductStatus.SUBMITTED)
        .scalar_subquery()
    )
    return func.coalesce(ProductReview.submitted_at, last_submit, Product.created_at)


def _queue_conditions(f: QueueFilter, skip: str | None = None) -> list:
    conds = [Product.status == ProductStatus.SUBMITTED]
    if f.category_ids and skip != "category":
        conds.append(Product.category_id.in_(f.category_ids))
    if f.region_code and skip != "region":
        conds.append(Product.producer_id.in_(
            select(Producer.id).where(Producer.region_code == f.region_code)))
    if f.cert_type is not None and skip != "cert":
        conds.append(Product.id.in_(
            select(product_certifications.c.product_id)
            .join(Certification, Certification.id == product_certifications.c.certification_id)
            .where(Certification.type == f.cert_type)))
    return conds


def product_queue(f: QueueFilter):
    """Submitted products matching ``f``, the longest waiting first (for db.paginate)."""
    return (
        select(Product)
        .outerjoin(ProductReview, _pending_join())
        .where(*_queue_conditions(f))
        .order_by(waiting_since_product(), Product.id)
    )


@dataclass
class QueueFacets:
    total: int
    by_category: dict[int, int]
    by_region: list[tuple[str, str, int]]  # code, label, count
    by_cert: dict[CertType, int]


def queue_facets(session: Session, f: QueueFilter) -> QueueFacets:
    """The number of matching products, and per value of each filter the number that
    would match with that value chosen (the other filters kept)."""
    total = session.execute(
        select(func.count()).select_from(Product).where(*_queue_conditions(f))).scalar_one()
    by_category = dict(session.execute(
        select(Product.category_id, func.count())
        .where(*_queue_conditions(f, skip="category"))
        .group_by(Product.category_id)).all())
    by_region = [
        (code, region_label(kind, name), n) for code, kind, name, n in session.execute(
            select(Region.code, Region.kind, Region.name, func.count(Product.id))
            .join(Producer, Producer.region_code == Region.code)
            .join(Product, Product.producer_id == Producer.id)
            .where(*_queue_conditions(f, skip="region"))
            .group_by(Region.code, Region.kind, Region.name)
            .order_by(Region.name, Region.code)).all()
    ]
    by_cert = {CertType(t): n for t, n in session.execute(
        select(Certification.type, func.count(func.distinct(Product.id)))
        .join(product_certifications, product_certifications.c.product_id == Product.id)
        .join(Certification, Certification.id == product_certifications.c.certification_id)
        .where(*_queue_conditions(f, skip="cert"))
        .group_by(Certification.type)).all()}
    return QueueFacets(total, by_category, by_region, by_cert)


@dataclass
class QueueRow:
    product: Product
    producer: Producer
    waiting_since: object
    region: str
    cert_types: list[CertType]
    earlier_reviews: int


def queue_rows(session: Session, products: list[Product]) -> list[QueueRow]:
    """What the queue shows beside each product of one page, in a few batch queries."""
    ids = [p.id for p in products]
    if not ids:
        return []
    since = dict(session.execute(
        select(Product.id, waiting_since_product())
        .outerjoin(ProductReview, _pending_join())
        .where(Product.id.in_(ids))).all())
    producers = {p.id: p for p in session.execute(
        select(Producer).where(Producer.id.in_({p.producer_id for p in products}))).scalars()}
    certs: dict[int, list[CertType]] = {i: [] for i in ids}
    for product_id, cert_type in session.execute(
        select(product_certifications.c.product_id, Certification.type)
        .join(Certification, Certification.id == product_certifications.c.certification_id)
        .where(product_certifications.c.product_id.in_(ids))
        .distinct().order_by(product_certifications.c.product_id, Certification.type)
    ).all():
        certs[product_id].append(CertType(cert_type))
    earlier = dict(session.execute(
        select(ProductReview.product_id, func.count())
        .where(ProductReview.product_id.in_(ids), ProductReview.decision.is_not(None))
        .group_by(ProductReview.product_id)).all())
    rows = []
    for product in products:
        producer = producers[product.producer_id]
        rows.append(QueueRow(product, producer, since.get(product.id), producer.region.display_name,
                             certs[product.id], earlier.get(product.id, 0)))
    return rows
