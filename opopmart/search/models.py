"""The search queue: products whose public state changed and the index has not caught up."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Mapped, mapped_column

from ..core.timeutil import utcnow
from ..extensions import db


class SearchQueueEntry(db.Model):
    """One row per change: written in the transaction of the change
    (``catalogue.services.refresh_products``), deleted once the index has it.

    Rows are deleted by their own id, never by product: a change committed while a
    writer was applying an earlier one keeps its row and is applied next. No foreign
    key: a deleted product must still leave the index.
    """

    __tablename__ = "search_queue"
    # Ids are never reused (SQLite would reuse them once the table is empty), so a row
    # id always means the same change.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column()
    enqueued_at: Mapped[datetime] = mapped_column(default=utcnow)
