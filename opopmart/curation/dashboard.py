"""Figures for the curators' dashboard: the queue, how long decisions take, how they go.

Everything is read, nothing written. The caller passes the session and ``now`` (naive
UTC, like every stored time) so that tests can pin time and a page shows one consistent
instant. Counts are done in SQL; the medians are computed in Python over the period's
decided reviews (``submitted_at`` -> ``decided_at``), because SQLite has no median and a
period bounds the rows read, so SQLite and PostgreSQL give the same answer to the second.

Only product reviews carry a submission time and a decision time; producer verification
is counted per curator (its events) but not timed.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..catalogue.models import Producer, ProducerEvent, ProducerStatus, Product, ProductStatus
from .models import ProductReview, ReviewDecision
from .services import _pending_join, waiting_since_producer, waiting_since_product

PERIODS = (7, 30, 90, 365)  # days a curator may choose; the first page shows DEFAULT_PERIOD
DEFAULT_PERIOD = 30


@dataclass(frozen=True)
class Oldest:
    """The longest-waiting item of a queue and how long it has waited."""

    id: int
    name: str
    since: datetime
    waited: timedelta


@dataclass
class Figures:
    """Decisions in a period: counts per decision, approval rate, median time to decision."""

    decided: int = 0
    by_decision: dict[ReviewDecision, int] = field(
        default_factory=lambda: {d: 0 for d in ReviewDecision})
    median: timedelta | None = None  # None when nothing was decided

    @property
    def approved(self) -> int:
        return self.by_decision[ReviewDecision.APPROVED]

    @property
    def approval_rate(self) -> float | None:
        """Approved / decided, 0..1; None (shown as "-") when nothing was decided."""
        return self.approved / self.decided if self.decided else None


@dataclass
class CuratorRow:
    user_id: int
    name: str
    figures: Figures
    producer_decisions: int = 0  # producers verified, refused or suspended in the period


@dataclass
class Dashboard:
    now: datetime
    days: int
    since: datetime
    products_waiting: int
    producers_waiting: int
    oldest_product: Oldest | None
    oldest_producer: Oldest | None
    overall: Figures
    producer_decisions: int
    curators: list[CuratorRow]


def period_start(now: datetime, days: int) -> datetime:
    return now - timedelta(days=days)


def _median(durations: list[timedelta]) -> timedelta | None:
    """The median duration, to the whole second (of an even count: the mean of the middle
    two, floored), so the figure does not depend on sub-second storage."""
    if not durations:
        return None
    seconds = statistics.median(int(d.total_seconds()) for d in durations)
    return timedelta(seconds=int(seconds))


def _oldest_product(session: Session, now: datetime) -> Oldest | None:
    since = waiting_since_product()
    row = session.execute(
        select(Product.id, Product.name, since)
        .outerjoin(ProductReview, _pending_join())
        .where(Product.status == ProductStatus.SUBMITTED)
        .order_by(since, Product.id)
        .limit(1)
    ).first()
    return Oldest(row[0], row[1], row[2], max(now - row[2], timedelta(0))) if row else None


def _oldest_producer(session: Session, now: datetime) -> Oldest | None:
    since = waiting_since_producer()
    row = session.execute(
        select(Producer.id, Producer.name, since)
        .where(Producer.status == ProducerStatus.PENDING)
        .order_by(since, Producer.id)
        .limit(1)
    ).first()
    return Oldest(row[0], row[1], row[2], max(now - row[2], timedelta(0))) if row else None


def _in_period(start: datetime, now: datetime):
    return (ProductReview.decision.is_not(None), ProductReview.decided_at >= start,
            ProductReview.decided_at <= now)


def dashboard(session: Session, *, now: datetime, days: int = DEFAULT_PERIOD) -> Dashboard:
    """Every figure of the dashboard for decisions taken in the ``days`` up to ``now``."""
    if days not in PERIODS:
        raise ValueError(f"period must be one of {PERIODS}")
    start = period_start(now, days)
    in_period = _in_period(start, now)

    products_waiting = session.execute(
        select(func.count()).select_from(Product).where(Product.status == ProductStatus.SUBMITTED)
    ).scalar_one()
    producers_waiting = session.execute(
        select(func.count()).select_from(Producer).where(Producer.status == ProducerStatus.PENDING)
    ).scalar_one()

    overall = Figures()
    per_curator: dict[int | None, Figures] = {}
    for curator_id, decision, n in session.execute(
        select(ProductReview.curator_id, ProductReview.decision, func.count())
        .where(*in_period)
        .group_by(ProductReview.curator_id, ProductReview.decision)
    ).all():
        decision = ReviewDecision(decision)
        for figures in (overall, per_curator.setdefault(curator_id, Figures())):
            figures.by_decision[decision] += n
            figures.decided += n

    # The medians: one row per decided review of the period (bounded by the period).
    durations: dict[int | None, list[timedelta]] = {}
    everyone: list[timedelta] = []
    for curator_id, submitted_at, decided_at in session.execute(
        select(ProductReview.curator_id, ProductReview.submitted_at, ProductReview.decided_at)
        .where(*in_period)
    ).all():
        took = max(decided_at - submitted_at, timedelta(0))
        durations.setdefault(curator_id, []).append(took)
        everyone.append(took)
    overall.median = _median(everyone)
    for curator_id, figures in per_curator.items():
        figures.median = _median(durations.get(curator_id, []))

    # Producer decisions by a person (verify, refuse, suspend); re-applications go to
    # pending and system moves have no actor, so neither counts.
    producer_counts = dict(session.execute(
        select(ProducerEvent.actor_id, func.count())
        .where(ProducerEvent.actor_id.is_not(None),
               ProducerEvent.to_status.in_([ProducerStatus.VERIFIED, ProducerStatus.REFUSED]),
               ProducerEvent.created_at >= start, ProducerEvent.created_at <= now)
        .group_by(ProducerEvent.actor_id)
    ).all())

    # Every current curator gets a row (zero decisions shows as such), and so does anyone
    # who decided in the period even if the role has since been taken away.
    ids = {i for i in per_curator if i is not None} | set(producer_counts)
    users = session.execute(
        select(User.id, User.name).where((User.is_curator.is_(True)) | (User.id.in_(ids)))
    ).all()
    rows = [CuratorRow(uid, name, per_curator.get(uid, Figures()), producer_counts.get(uid, 0))
            for uid, name in users]
    rows.sort(key=lambda r: (-r.figures.decided, -r.producer_decisions, r.name.casefold(), r.user_id))

    return Dashboard(
        now=now, days=days, since=start,
        products_waiting=products_waiting, producers_waiting=producers_waiting,
        oldest_product=_oldest_product(session, now), oldest_producer=_oldest_producer(session, now),
        overall=overall, producer_decisions=sum(producer_counts.values()), curators=rows,
    )
