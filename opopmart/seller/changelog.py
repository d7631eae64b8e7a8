"""The price and stock log: one row per change of a variant's price or stock.

Price and stock of a published product go live at once (no curation), so the log is how
a shop sees who changed what and when ("Harga 25.000 → 27.500 oleh Ani"). Every writer
of ``ProductVariant.price`` / ``.stock`` on an existing variant calls ``log_variant``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..core.timeutil import utcnow
from ..extensions import db

FIELDS = ("price", "stock")


class VariantChange(db.Model):
    __tablename__ = "variant_changes"
    __table_args__ = (Index("ix_variant_changes_product_id_created_at", "product_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    variant_id: Mapped[int] = mapped_column(ForeignKey("product_variants.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    field: Mapped[str] = mapped_column(String(16))  # "price" or "stock"
    old_value: Mapped[int] = mapped_column(BigInteger)
    new_value: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def log_variant(session: Session, variant, *, price: int, stock: int, actor_id: int | None,
                now: datetime | None = None) -> None:
    """Log the price and stock ``variant`` is about to take, where they differ from its
    current ones (call before assigning). New variants (no id yet) have nothing to log."""
    if variant.id is None:
        return
    now = now or utcnow()
    for name, new in (("price", price), ("stock", stock)):
        old = getattr(variant, name)
        if old is not None and new is not None and old != new:
            session.add(VariantChange(variant_id=variant.id, product_id=variant.product_id,
                                      actor_id=actor_id, field=name, old_value=old, new_value=new,
                                      created_at=now))


@dataclass
class ChangeLine:
    change: VariantChange
    sku: str
    actor_name: str | None


def variant_changes(session: Session, product_id: int, limit: int = 50) -> list[ChangeLine]:
    """The product's latest price and stock changes, newest first, with SKU and actor."""
    from ..accounts.models import User
    from ..catalogue.models import ProductVariant

    rows = session.execute(
        select(VariantChange, ProductVariant.sku, User.name)
        .join(ProductVariant, ProductVariant.id == VariantChange.variant_id)
        .outerjoin(User, User.id == VariantChange.actor_id)
        .where(VariantChange.product_id == product_id)
        .order_by(VariantChange.created_at.desc(), VariantChange.id.desc())
        .limit(limit)
    ).all()
    return [ChangeLine(change, sku, name) for change, sku, name in rows]
