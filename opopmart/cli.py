"""``flask --app opopmart ...`` commands."""

from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from .extensions import db

demo_cli = AppGroup("demo", help="The demo catalogue.")


@demo_cli.command("load")
@click.option("--products", "products", type=click.IntRange(0, 2_000_000), default=0,
              help="Grow the catalogue to at least this many demo products (for benchmarks).")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has products.")
def demo_load(products: int, if_empty: bool) -> None:
    """Load the demo catalogue (safe to run again: nothing is duplicated)."""
    from .catalogue.models import Product
    from .demo.loader import load_demo

    if if_empty and db.session.query(Product.id).first() is not None:
        click.echo("Catalogue not empty; demo not loaded.")
        return
    summary = load_demo(
        db.session,
        media_root=current_app.config["MEDIA_ROOT"],
        picture_cache=current_app.config.get("DEMO_PICTURE_CACHE"),
        at_least=products,
        progress=lambda msg: click.echo(msg),
    )
    db.session.commit()
    click.echo(summary)


users_cli = AppGroup("users", help="People who sign in.")


@users_cli.command("create-admin")
@click.option("--email", required=True, help="The admin's email (an existing user is made admin).")
@click.option("--name", required=True, help="The admin's name.")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from the first line of standard input (for scripts).")
def create_admin(email: str, name: str, password_stdin: bool) -> None:
    """Create a programme admin, or make an existing user admin (password unchanged)."""
    from .accounts.services import AccountError, check_email, find_by_email, make_admin

    try:
        existing = find_by_email(db.session, check_email(email))
        password = None
        if existing is None:
            if password_stdin:
                password = sys.stdin.readline().rstrip("\r\n")
            else:
                password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        user, created = make_admin(db.session, email=email, name=name, password=password)
    except AccountError as exc:
        db.session.rollback()
        raise click.UsageError(f"{exc.field}: {exc.message}") from None
    db.session.commit()
    if created:
        click.echo(f"Admin {user.email} created.")
    else:
        click.echo(f"{user.email} already existed; it is now an admin (password unchanged).")


maintenance_cli = AppGroup("maintenance", help="Housekeeping.")


@maintenance_cli.command("purge-rate-limits")
def purge_rate_limits() -> None:
    """Delete the rate-limit counters of windows that have ended."""
    from .core.ratelimit import purge_expired

    removed = purge_expired(db.session)
    db.session.commit()
    click.echo(f"{removed} expired rate-limit rows deleted.")


curation_cli = AppGroup("curation", help="Curation housekeeping.")


@curation_cli.command("check-expiry")
def check_expiry() -> None:
    """Hide products whose required certificate expired and tell their sellers (daily cron)."""
    from .core.timeutil import today_jakarta
    from .curation.lapse import check_expiry as run

    report = run(db.session, today=today_jakarta())
    db.session.commit()
    click.echo(f"{report.checked} published products checked, {report.hidden} hidden, "
               f"{report.notified} sellers notified.")


def register_cli(app: Flask) -> None:
    app.cli.add_command(demo_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(maintenance_cli)
    app.cli.add_command(curation_cli)
