"""Fixed-window rate limits kept in the database, so that every gunicorn worker (and every
server sharing the database) counts the same attempts.

One row per key and window; a hit is one atomic ``INSERT ... ON CONFLICT DO UPDATE SET
count = count + 1 RETURNING count`` on SQLite (3.35+) and PostgreSQL, so two workers
counting at the same moment both see the right number. The service takes explicit
arguments (never the request): views pass ``request.remote_addr`` or the email typed.

Keys are hashed: the table never holds an email address or an IP in clear.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from sqlalchemy import BigInteger, Integer, String, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..extensions import db


class RateLimitHit(db.Model):
    __tablename__ = "rate_limit_hits"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    # Unix seconds, a multiple of the window's length.
    window_start: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    # When the row stops mattering (window_start + window length): what purging reads.
    expires_at: Mapped[int] = mapped_column(BigInteger, index=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


@dataclass(frozen=True)
class Limit:
    """``limit`` hits per ``window_seconds``."""

    limit: int
    window_seconds: int

    @classmethod
    def parse(cls, value: Limit | tuple[int, int] | list[int]) -> Limit:
        if isinstance(value, Limit):
            return value
        limit, window = value
        return cls(int(limit), int(window))


@dataclass(frozen=True)
class Decision:
    allowed: bool
    count: int
    limit: int
    retry_after: int  # seconds until the window ends


def make_key(scope: str, identifier: str) -> str:
    digest = hashlib.sha256(identifier.encode("utf-8", "surrogatepass")).hexdigest()[:40]
    return f"{scope[:38]}:{digest}"


def hit(session: Session, scope: str, identifier: str, limit: Limit | tuple[int, int],
        now: float | None = None) -> Decision:
    """Count one attempt for ``identifier`` in ``scope``; flushes, the caller commits.

    The attempt is counted even when it is refused, so hammering never resets the window.
    """
    rule = Limit.parse(limit)
    now_s = int(time.time() if now is None else now)
    window = max(1, rule.window_seconds)
    start = now_s - now_s % window
    key = make_key(scope, identifier)
    count = _increment(session, key, start, start + window)
    return Decision(allowed=count <= rule.limit, count=count, limit=rule.limit,
                    retry_after=max(1, start + window - now_s))


def _increment(session: Session, key: str, start: int, expires_at: int) -> int:
    dialect = session.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        if dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:
            from sqlalchemy.dialects.postgresql import insert
        stmt = insert(RateLimitHit).values(key=key, window_start=start, expires_at=expires_at, count=1)
        stmt = stmt.on_conflict_do_update(
            index_elements=[RateLimitHit.key, RateLimitHit.window_start],
            set_={"count": RateLimitHit.count + 1},
        ).returning(RateLimitHit.count)
        return int(session.execute(stmt).scalar_one())
    # Any other database: UPDATE, INSERT when there was no row, UPDATE again if another
    # worker inserted it in between.
    step = (update(RateLimitHit)
            .where(RateLimitHit.key == key, RateLimitHit.window_start == start)
            .values(count=RateLimitHit.count + 1))
    if session.execute(step).rowcount == 0:
        try:
            with session.begin_nested():
                session.add(RateLimitHit(key=key, window_start=start, expires_at=expires_at, count=1))
            return 1
        except IntegrityError:
            session.execute(step)
    return int(session.execute(
        select(RateLimitHit.count).where(RateLimitHit.key == key, RateLimitHit.window_start == start)
    ).scalar_one())


def purge_expired(session: Session, now: float | None = None) -> int:
    """Delete the rows of windows that have ended; returns how many. The caller commits."""
    now_s = int(time.time() if now is None else now)
    result = session.execute(delete(RateLimitHit).where(RateLimitHit.expires_at <= now_s))
    return result.rowcount or 0
