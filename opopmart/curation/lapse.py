"""Certificate lapse: a published product stops selling the day after a certificate its
approval rested on expires, and its seller is told once.

``products.lapses_on`` (kept by ``catalogue.services.refresh_products``) says when; the
listing projection compares it with today whenever a product is refreshed. Dates move on
without anyone writing, so something must refresh the products whose day has come:
``flask --app opopmart curation check-expiry`` from cron, and, so that the catalogue is
right even where nobody set up cron, every worker at most once per interval
(``LAPSE_CHECK_INTERVAL_SECONDS``) before a request.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import date

from flask import Flask, current_app
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from ..catalogue.certificates import CERT_LABELS
from ..catalogue.models import Certification, Product, ProductStatus, product_certifications
from ..catalogue.services import refresh_products
from ..core.timeutil import today_jakarta

log = logging.getLogger(__name__)

CHUNK = 1000


@dataclass
class LapseReport:
    checked: int = 0  # published products whose lapse date was recomputed
    hidden: int = 0  # taken out of the catalogue by this run
    notified: int = 0  # sellers told (one notification per product and lapse)


def _chunks(ids: list[int]):
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def hide_lapsed(session: Session, *, today: date) -> LapseReport:
    """Refresh the listed products whose lapse date has passed, then tell their sellers."""
    report = LapseReport()
    overdue = list(session.execute(
        select(Product.id).where(Product.is_listed.is_(True), Product.lapses_on < today)
    ).scalars())
    for chunk in _chunks(overdue):
        refresh_products(session, product_ids=chunk)
    report.hidden = len(overdue)
    report.notified = notify_lapsed(session, today=today)
    return report


def check_expiry(session: Session, *, today: date) -> LapseReport:
    """The daily job: recompute every published product's lapse date (a certificate may
    have been verified or corrected through another product), hide what lapsed, notify."""
    ids = list(session.execute(
        select(Product.id).where(Product.status == ProductStatus.PUBLISHED).order_by(Product.id)
    ).scalars())
    listed_before = set(session.execute(
        select(Product.id).where(Product.is_listed.is_(True))).scalars())
    for chunk in _chunks(ids):
        refresh_products(session, product_ids=chunk)
    listed_after = set(session.execute(
        select(Product.id).where(Product.is_listed.is_(True))).scalars())
    report = LapseReport(checked=len(ids), hidden=len(listed_before - listed_after))
    report.notified = notify_lapsed(session, today=today)
    return report


def notify_lapsed(session: Session, *, today: date) -> int:
    """One notification per product and lapse date, however often or concurrently this
    runs: the claim is a conditional UPDATE of ``lapse_notified_on``."""
    from ..notifications.services import notify_producer

    rows = session.execute(
        select(Product.id, Product.name, Product.producer_id, Product.lapses_on).where(
            Product.status == ProductStatus.PUBLISHED, Product.lapses_on < today,
            or_(Product.lapse_notified_on.is_(None), Product.lapse_notified_on != Product.lapses_on))
        .order_by(Product.id)
    ).all()
    sent = 0
    for product_id, name, producer_id, lapses_on in rows:
        claimed = session.execute(
            update(Product)
            .where(Product.id == product_id, Product.lapses_on == lapses_on,
                   or_(Product.lapse_notified_on.is_(None), Product.lapse_notified_on != lapses_on))
            .values(lapse_notified_on=lapses_on)
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed != 1:
            continue
        notify_producer(session, producer_id=producer_id, kind="certificate_expired",
                        params={"product_name": name, "certificate": lapsed_label(session, product_id, lapses_on)},
                        link=f"/studio/produk/{product_id}")
        sent += 1
    return sent


def lapsed_certificates(session: Session, product_id: int, lapses_on: date) -> list[Certification]:
    """The product's verified certificates that ran out on its lapse date."""
    return list(session.execute(
        select(Certification)
        .join(product_certifications, product_certifications.c.certification_id == Certification.id)
        .where(product_certifications.c.product_id == product_id,
               Certification.verified.is_(True), Certification.expires_on == lapses_on)
        .order_by(Certification.id)
    ).scalars())


def lapsed_label(session: Session, product_id: int, lapses_on: date) -> str:
    return ", ".join(f"{CERT_LABELS[c.type]} {c.number}"
                     for c in lapsed_certificates(session, product_id, lapses_on)) or "-"


def register_lapse_check(app: Flask) -> None:
    """Hide lapsed products even without cron: each worker looks at most once per
    interval, with one indexed query when nothing is due."""
    state = {"next": 0.0}

    @app.before_request
    def _lapse_check() -> None:
        interval = current_app.config.get("LAPSE_CHECK_INTERVAL_SECONDS")
        if not interval or time.monotonic() < state["next"]:
            return
        state["next"] = time.monotonic() + interval
        run_due_check()


def run_due_check() -> LapseReport | None:
    """Hide and notify what is due, in its own commit; failures are logged, never raised."""
    from ..extensions import db

    today = today_jakarta()
    try:
        due = db.session.execute(
            select(Product.id).where(Product.is_listed.is_(True), Product.lapses_on < today).limit(1)
        ).first()
        if due is None:
            db.session.rollback()
            return None
        report = hide_lapsed(db.session, today=today)
        db.session.commit()
        log.info("lapse check: %s products hidden, %s sellers notified", report.hidden, report.notified)
        return report
    except Exception:  # noqa: BLE001 - a side job must never break the visitor's request
        db.session.rollback()
        log.exception("lapse check failed; the next interval retries")
        return None
