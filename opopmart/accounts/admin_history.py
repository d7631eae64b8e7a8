"""The status history for admins: every product and producer status change in one log.

Both event tables are read as one ``UNION ALL`` (newest first; ties broken by kind, then
id, so the order is total and pages never overlap). Filters are applied inside each
branch, where each table's own enum columns bind the values; a filter on a product
status simply leaves the producer branch out, and the other way round.

Who acted is read from the actor at query time:

- ``system``: no actor (the daily certificate check, fixtures, the demo loader);
- ``curator``: an actor with the curator role who is not a member of the shop concerned;
- ``seller``: any other actor (a member of the shop, or someone who no longer is a
  curator and acted as a seller).

Pages use a bounded offset: at most ``MAX_PAGES`` pages of ``PER_PAGE``; older rows are
reached by narrowing the dates (the log has no index on time, so a deep offset would read
the whole log anyway). The CSV export takes the same filter and at most ``MAX_CSV_ROWS``.

Dates are calendar days in Western Indonesia Time (the programme's), turned into naive
UTC bounds like every stored time.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, and_, case, exists, func, literal, select, true, type_coerce, union_all
from sqlalchemy.orm import Session

from ..catalogue.models import Producer, ProducerEvent, ProducerStatus, Product, ProductEvent, ProductStatus
from ..core.timeutil import JAKARTA
from .models import ProducerMember, User

PER_PAGE = 50
MAX_PAGES = 200
MAX_CSV_ROWS = 50_000
MAX_QUERY = 120

PRODUCT = "product"
PRODUCER = "producer"
# URL value -> kind; the URL speaks Indonesian like the page.
KIND_PARAMS = {"produk": PRODUCT, "produsen": PRODUCER}
CURATOR, SELLER, SYSTEM = "curator", "seller", "system"
ACTOR_PARAMS = {"kurator": CURATOR, "penjual": SELLER, "sistem": SYSTEM}

PRODUCT_STATUSES = {s.value for s in ProductStatus}
PRODUCER_STATUSES = {s.value for s in ProducerStatus}

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
BAD_DATE = _l("Tulis tanggal seperti 2025-01-31.")
OUT_OF_RANGE = _l("Tanggal harus antara tahun 2000 dan 2100.")
REVERSED = _l("Tanggal akhir tidak boleh sebelum tanggal awal.")


@dataclass(frozen=True)
class HistoryFilter:
    kind: str | None = None  # PRODUCT / PRODUCER
    status: str | None = None  # a ProductStatus or ProducerStatus value (they do not overlap)
    actor: str | None = None  # CURATOR / SELLER / SYSTEM
    start: date | None = None  # first day, inclusive (WIB)
    end: date | None = None  # last day, inclusive (WIB)
    query: str = ""  # part of the product's or producer's name


def _parse_day(raw: str) -> tuple[date | None, object | None]:
    raw = raw.strip()
    if not raw:
        return None, None
    if not _DAY.match(raw):
        return None, BAD_DATE
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        return None, BAD_DATE
    if not 2000 <= day.year <= 2100:
        return None, OUT_OF_RANGE
    return day, None


def parse_filter(args) -> tuple[HistoryFilter, dict[str, str], dict[str, list]]:
    """The filter from query-string ``args``, the cleaned values to put back into links,
    and messages per field for what could not be read (that part of the filter is left
    out, so a bad date never hides or breaks the rest of the page)."""
    chosen: dict[str, str] = {}
    errors: dict[str, list] = {}
    kind = KIND_PARAMS.get(args.get("jenis") or "")
    if kind:
        chosen["jenis"] = args["jenis"]
    status = args.get("status") or ""
    if status in PRODUCT_STATUSES | PRODUCER_STATUSES:
        chosen["status"] = status
    else:
        status = None
    actor = ACTOR_PARAMS.get(args.get("pelaku") or "")
    if actor:
        chosen["pelaku"] = args["pelaku"]
    days = {}
    for name in ("dari", "sampai"):
        raw = (args.get(name) or "")[:40]
        day, error = _parse_day(raw)
        if error is not None:
            errors[name] = [error]
        elif day is not None:
            days[name] = day
            chosen[name] = day.isoformat()
    if "dari" in days and "sampai" in days and days["sampai"] < days["dari"]:
        errors["sampai"] = [REVERSED]
        del days["sampai"], chosen["sampai"]
    query = " ".join((args.get("q") or "").split())[:MAX_QUERY]
    if query:
        chosen["q"] = query
    return (HistoryFilter(kind, status, actor, days.get("dari"), days.get("sampai"), query),
            chosen, errors)


def utc_bounds(f: HistoryFilter) -> tuple[datetime | None, datetime | None]:
    """The filter's days as naive UTC [start, end): a WIB day starts at 17:00 UTC the day before."""
    def midnight(day: date) -> datetime:
        return datetime.combine(day, time(0), JAKARTA).astimezone(UTC).replace(tzinfo=None)

    return (midnight(f.start) if f.start else None,
            midnight(f.end + timedelta(days=1)) if f.end else None)


def _like(query: str) -> str:
    escaped = query.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _actor_kind(actor_id, producer_id):
    """``system`` / ``curator`` / ``seller`` for an event row (see module docstring)."""
    member = exists().where(ProducerMember.user_id == actor_id, ProducerMember.producer_id == producer_id)
    return case(
        (actor_id.is_(None), SYSTEM),
        (and_(User.is_curator == true(), ~member), CURATOR),
        else_=SELLER,
    )


def _actor_condition(kind: str, actor_id, producer_id):
    member = exists().where(ProducerMember.user_id == actor_id, ProducerMember.producer_id == producer_id)
    if kind == SYSTEM:
        return actor_id.is_(None)
    curator = and_(User.is_curator == true(), ~member)
    if kind == CURATOR:
        return and_(actor_id.is_not(None), curator)
    return and_(actor_id.is_not(None), ~curator)


def _branch(f: HistoryFilter, kind: str):
    """One table's rows as the log's common columns, filtered; None when the filter
    leaves this table out altogether."""
    if kind == PRODUCT:
        event, subject, statuses, enum = ProductEvent, Product, PRODUCT_STATUSES, ProductStatus
        subject_id, note, producer_id = ProductEvent.product_id, ProductEvent.note, Product.producer_id
    else:
        event, subject, statuses, enum = ProducerEvent, Producer, PRODUCER_STATUSES, ProducerStatus
        subject_id, note, producer_id = ProducerEvent.producer_id, ProducerEvent.reason, Producer.id
    if f.kind not in (None, kind) or (f.status is not None and f.status not in statuses):
        return None
    conditions = []
    if f.status is not None:
        conditions.append(event.to_status == enum(f.status))
    if f.actor is not None:
        conditions.append(_actor_condition(f.actor, event.actor_id, producer_id))
    start, end = utc_bounds(f)
    if start is not None:
        conditions.append(event.created_at >= start)
    if end is not None:
        conditions.append(event.created_at < end)
    if f.query:
        conditions.append(func.lower(subject.name).like(_like(f.query), escape="\\"))
    return (
        select(
            literal(kind, String(16)).label("kind"),
            event.id.label("id"),
            subject_id.label("subject_id"),
            subject.name.label("subject_name"),
            # Plain strings: the two tables' enums differ, and a UNION has one type per column.
            type_coerce(event.from_status, String(32)).label("from_status"),
            type_coerce(event.to_status, String(32)).label("to_status"),
            note.label("note"),
            event.created_at.label("created_at"),
            event.actor_id.label("actor_id"),
            User.name.label("actor_name"),
            _actor_kind(event.actor_id, producer_id).label("actor_kind"),
        )
        .select_from(event)
        .join(subject, subject.id == subject_id)
        .outerjoin(User, User.id == event.actor_id)
        .where(*conditions)
    )


def _log(f: HistoryFilter):
    """The filtered log as a subquery, or None when the filter matches no table."""
    branches = [b for b in (_branch(f, PRODUCT), _branch(f, PRODUCER)) if b is not None]
    if not branches:
        return None
    return (union_all(*branches) if len(branches) > 1 else branches[0]).subquery("log")


def _ordered(log):
    return select(log).order_by(log.c.created_at.desc(), log.c.kind.desc(), log.c.id.desc())


@dataclass(frozen=True)
class Entry:
    kind: str
    id: int
    subject_id: int
    subject_name: str
    from_status: str | None
    to_status: str
    note: str
    created_at: datetime  # naive UTC
    actor_id: int | None
    actor_name: str | None
    actor_kind: str

    @property
    def created_local(self) -> datetime:
        """The time in WIB (aware), as the log shows and exports it."""
        return self.created_at.replace(tzinfo=UTC).astimezone(JAKARTA)


def _entries(rows) -> list[Entry]:
    return [Entry(r.kind, r.id, r.subject_id, r.subject_name, r.from_status, r.to_status,
                  r.note or "", r.created_at, r.actor_id, r.actor_name, r.actor_kind) for r in rows]


def count(session: Session, f: HistoryFilter) -> int:
    log = _log(f)
    if log is None:
        return 0
    return session.execute(select(func.count()).select_from(log)).scalar_one()


@dataclass
class Page:
    """One page of the log; reads like Flask-SQLAlchemy's Pagination for ``numbered_pager``."""

    items: list[Entry]
    page: int
    per_page: int
    total: int
    capped: bool  # more rows match than the pages reach

    @property
    def pages(self) -> int:
        return min(MAX_PAGES, math.ceil(self.total / self.per_page)) if self.total else 0

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None


def page(session: Session, f: HistoryFilter, number: int = 1, per_page: int = PER_PAGE) -> Page:
    """Page ``number`` (1-based, clamped to 1..MAX_PAGES) of the filtered log, newest first."""
    number = min(max(number, 1), MAX_PAGES)
    total = count(session, f)
    log = _log(f)
    items = [] if log is None else _entries(session.execute(
        _ordered(log).limit(per_page).offset((number - 1) * per_page)).all())
    return Page(items, number, per_page, total, capped=total > MAX_PAGES * per_page)


def export(session: Session, f: HistoryFilter, limit: int = MAX_CSV_ROWS) -> list[Entry]:
    """The whole filtered log, newest first, at most ``limit`` rows (the caller checks
    ``count`` first so that nothing is cut off silently)."""
    log = _log(f)
    if log is None:
        return []
    return _entries(session.execute(_ordered(log).limit(limit)).all())
