"""``flask --app opopmart ...`` commands."""

from __future__ import annotations

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
        at_least=products,
        progress=lambda msg: click.echo(msg),
    )
    db.session.commit()
    click.echo(summary)


def register_cli(app: Flask) -> None:
    app.cli.add_command(demo_cli)
