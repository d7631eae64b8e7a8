"""Times are stored as naive UTC so SQLite and PostgreSQL hold the same values."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

JAKARTA = ZoneInfo("Asia/Jakarta")


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def today_jakarta() -> date:
    """Certificate validity follows the calendar day in Western Indonesia Time."""
    return datetime.now(JAKARTA).date()
