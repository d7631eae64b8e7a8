"""The demo catalogue that `make run` loads into an empty database."""

from __future__ import annotations

from sqlalchemy import distinct, func, select

from opopmart.catalogue.models import Category, Producer, Product, ProductImage
from opopmart.cli import demo_load


def counts(session) -> dict[str, int]:
    return {
        "producers": session.scalar(select(func.count(Producer.id))),
        "products": session.scalar(select(func.count(Product.id))),
        "listed": session.scalar(select(func.count(Product.id)).where(Product.is_listed.is_(True))),
        "images": session.scalar(select(func.count(ProductImage.id))),
        "categories": session.scalar(select(func.count(Category.id))),
    }


def test_demo_load_is_believable_and_idempotent(app, session, client):
    runner = app.test_cli_runner()
    # Given an empty catalogue, when the demo is loaded
    result = runner.invoke(demo_load, [])
    assert result.exit_code == 0, result.output
    session.expire_all()
    first = counts(session)
    # Then it has what the issue asks for
    assert first["listed"] >= 300
    verified = session.scalar(select(func.count(Producer.id)).where(Producer.verified.is_(True)))
    assert verified >= 40
    regions = session.scalar(
        select(func.count(distinct(Producer.region_code))).where(Producer.verified.is_(True))
    )
    assert regions >= 30
    namira = session.execute(select(Producer).where(Producer.slug == "namira-ecoprint")).scalar_one()
    assert (namira.name, namira.region_code, namira.verified) == ("Namira Ecoprint", "35.78", True)
    # And the storefront shows it
    home = client.get("/").get_data(as_text=True)
    assert f"<dd>{first['listed']}</dd>" in home  # under 1.000: no separator
    assert client.get("/produsen/namira-ecoprint").status_code == 200

    # When it is loaded again, nothing is added
    result = runner.invoke(demo_load, [])
    assert result.exit_code == 0, result.output
    session.expire_all()
    assert counts(session) == first

    # And --if-empty leaves a non-empty catalogue alone
    result = runner.invoke(demo_load, ["--if-empty"])
    assert result.exit_code == 0
    assert "not loaded" in result.output
