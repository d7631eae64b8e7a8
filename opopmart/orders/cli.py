"""``flask --app opopmart orders ...``: housekeeping for orders (run from cron)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from ..extensions import db

orders_cli = AppGroup("orders", help="Orders housekeeping.")


@orders_cli.command("expire")
def expire() -> None:
    """Cancel orders left unpaid past their time (ORDER_PAYMENT_TIMEOUT_MINUTES) and
    put their stock back. An order whose payment Stripe already took is left for the
    webhook. One commit per order: an error with one leaves the others done."""
    from ..checkout.payments import Expiry, due_for_expiry, expire_order
    from ..checkout.stripe_gateway import gateway
    from ..core.timeutil import utcnow

    gw = gateway(current_app)
    now = utcnow()
    counts = {outcome: 0 for outcome in Expiry}
    for order_id in due_for_expiry(db.session, now=now):
        try:
            outcome = expire_order(db.session, order_id, gw, now=now)
        except Exception:
            db.session.rollback()
            raise
        if outcome is Expiry.EXPIRED:
            db.session.commit()
        else:
            db.session.rollback()
        counts[outcome] += 1
    click.echo(f"{counts[Expiry.EXPIRED]} orders expired, {counts[Expiry.PAYING]} left for their "
               f"payment's webhook, {counts[Expiry.UNREACHABLE]} to retry (Stripe unreachable).")
