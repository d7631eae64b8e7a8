from __future__ import annotations

from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import Enum, ForeignKey, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from ..core.models import TimestampMixin
from ..extensions import db

ROLES = ("curator", "admin")


class User(UserMixin, TimestampMixin, db.Model):
    """Everyone who signs in. Roles and shop membership hang off this row."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored stripped and lower-case (accounts.services.normalize_email): unique regardless of case.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(20))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_active_account: Mapped[bool] = mapped_column(default=True)
    # Bumped on logout and password change so that every other session stops working.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    # Every user is a shopper; a seller is a member of a producer (ProducerMember).
    is_curator: Mapped[bool] = mapped_column(default=False, server_default=false())
    is_admin: Mapped[bool] = mapped_column(default=False, server_default=false())

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.is_active_account

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def first_name(self) -> str:
        parts = (self.name or "").split()
        return (parts[0] if parts else self.email.split("@")[0])[:30]

    def has_role(self, role: str) -> bool:
        if role == "admin":
            return bool(self.is_admin)
        if role == "curator":
            return bool(self.is_curator)
        if role == "shopper":
            return True
        return False


class MemberRole(StrEnum):
    OWNER = "owner"
    STAFF = "staff"


class ProducerMember(TimestampMixin, db.Model):
    """A seller: a user who manages a producer's shop, as its owner or as staff."""

    __tablename__ = "producer_members"
    __table_args__ = (UniqueConstraint("user_id", "producer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # No index of its own: the unique (user_id, producer_id) index leads with it.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id", ondelete="CASCADE"), index=True)
    role: Mapped[MemberRole] = mapped_column(
        Enum(MemberRole, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])
    )
