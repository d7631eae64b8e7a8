"""Shared columns and the cache-version counters."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, String, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..extensions import db
from .timeutil import utcnow


class TimestampMixin:
    # Pass the callable, not utcnow(): a value would be frozen at import time.
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CacheVersion(db.Model):
    """A counter per cached view of the data.

    Writers bump it in the same transaction as their change; every worker compares
    it with the version its cached counts and menus were built from.
    """

    __tablename__ = "cache_versions"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


CATALOGUE = "catalogue"
VERSION_BUMPED = "opopmart.version_bumped"


def bump_version(session: Session, name: str = CATALOGUE) -> None:
    result = session.execute(
        update(CacheVersion).where(CacheVersion.name == name).values(value=CacheVersion.value + 1)
    )
    if result.rowcount == 0:
        session.add(CacheVersion(name=name, value=1))
        session.flush()
    session.info[VERSION_BUMPED] = True


def str_enum(cls: type, length: int = 32):
    """A StrEnum stored by value as a VARCHAR: the same column on SQLite and PostgreSQL."""
    from sqlalchemy import Enum

    return Enum(cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])
