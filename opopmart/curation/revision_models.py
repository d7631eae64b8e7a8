"""A product revision: changes to a published product's curated content, held for a curator.

Price and stock go live at once; name, description, category, brand, halal claim, option
names and photos of a published product do not. They are kept here (``content``) while
the public keeps reading the product's own columns and image rows, which are the last
approved content. A curator's approval copies ``content`` onto the product.

At most one pending revision per product (a partial unique index, as for reviews), and a
decision is a conditional UPDATE of the pending row, so races leave one outcome.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, Enum, ForeignKey, Index, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from ..core.timeutil import utcnow
from ..extensions import db


class RevisionDecision(StrEnum):
    APPROVED = "approved"
    CHANGES_REQUESTED = "changes_requested"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"  # by the seller


class ProductRevision(db.Model):
    __tablename__ = "product_revisions"
    __table_args__ = (
        Index(
            "uq_product_revisions_pending", "product_id", unique=True,
            sqlite_where=text("decision IS NULL"), postgresql_where=text("decision IS NULL"),
        ),
        Index("ix_product_revisions_product_id_submitted_at", "product_id", "submitted_at"),
        CheckConstraint("(decision IS NULL) = (decided_at IS NULL)", name="decided_with_time"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # name, description, category_id, brand_id, claims_halal, option1_name, option2_name,
    # images: [{key, width, height, alt}] in display order.
    content: Mapped[dict] = mapped_column(JSON, default=dict)
    decision: Mapped[RevisionDecision | None] = mapped_column(
        Enum(RevisionDecision, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e])
    )
    decided_at: Mapped[datetime | None] = mapped_column()
    curator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    notes: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # aspect key -> note
    reason: Mapped[str] = mapped_column(Text, default="")

    @property
    def pending(self) -> bool:
        return self.decision is None
