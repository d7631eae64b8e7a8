"""One row per message to one user. Only the kind and its parameters are stored: the text
is rendered when it is read, in the reader's language (notifications.kinds)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..core.timeutil import utcnow
from ..extensions import db

LINK_MAX_LENGTH = 500


class Notification(db.Model):
    __tablename__ = "notifications"
    # Serves the header's unread count (user_id = ? AND read_at IS NULL) on every
    # logged-in page view, the user's list, and the cascade when a user is deleted.
    __table_args__ = (Index("ix_notifications_user_id_read_at", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # A key of notifications.kinds.KINDS; an unknown one (a kind since removed) still renders.
    kind: Mapped[str] = mapped_column(String(40))
    # The kind's parameters (user data: escaped where shown).
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    # A path on this site (checked by services.notify), or None.
    link: Mapped[str | None] = mapped_column(String(LINK_MAX_LENGTH))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column()
