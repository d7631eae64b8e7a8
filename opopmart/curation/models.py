"""A product review: one submission of a product and the curator's decision on it.

A review is opened when the seller submits (``decision`` NULL: pending) and closed by a
curator's decision. The database allows at most one pending review per product (a
partial unique index), and a decision is a conditional UPDATE of the pending row, so two
submissions or two curators racing each other leave one consistent outcome.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, Enum, ForeignKey, Index, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from ..core.timeutil import utcnow
from ..extensions import db


class ReviewDecision(StrEnum):
    APPROVED = "approved"
    CHANGES_REQUESTED = "changes_requested"
    REJECTED = "rejected"


# OPOP's curation aspects, in the order the checklist shows them.
ASPECTS: dict[str, object] = {
    "quality": _l("Standar & mutu produk"),
    "brand": _l("Merek"),
    "certification": _l("Sertifikasi"),
    "presentation": _l("Foto & deskripsi"),
    "price_stock": _l("Harga & stok"),
}
PASS = "pass"
FAIL = "fail"


class ProductReview(db.Model):
    __tablename__ = "product_reviews"
    __table_args__ = (
        # At most one pending review per product, whatever races happen above it.
        Index(
            "uq_product_reviews_pending", "product_id", unique=True,
            sqlite_where=text("decision IS NULL"), postgresql_where=text("decision IS NULL"),
        ),
        Index("ix_product_reviews_product_id_submitted_at", "product_id", "submitted_at"),
        CheckConstraint("(decision IS NULL) = (decided_at IS NULL)", name="decided_with_time"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column()
    curator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    decision: Mapped[ReviewDecision | None] = mapped_column(
        Enum(ReviewDecision, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e])
    )
    # Aspect key (ASPECTS) -> "pass" / "fail"; aspect key -> the curator's note.
    checklist: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    notes: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    reason: Mapped[str] = mapped_column(Text, default="")  # why it was rejected
    # Written when a curator approves without the category's required certificates.
    override_reason: Mapped[str] = mapped_column(Text, default="")
    # Certificates the curator checked and confirmed (marked verified) with an approval.
    confirmed_certificates: Mapped[list[int]] = mapped_column(JSON, default=list)

    @property
    def pending(self) -> bool:
        return self.decision is None

    def failed_aspects(self) -> list[str]:
        return [key for key in ASPECTS if self.checklist.get(key) == FAIL]
