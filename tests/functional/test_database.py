"""The database as the app configures it, and the migrations that build it."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError

from opopmart.catalogue.models import Producer, Product, ProductStatus, ProductVariant
from opopmart.catalogue.services import refresh_products
from opopmart.extensions import db
from opopmart.regions.models import Region


def test_connections_are_configured_for_concurrent_workers(app, session):
    if db.engine.dialect.name == "sqlite":
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(text("PRAGMA busy_timeout")).scalar() == 5000
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
    else:
        assert db.engine.dialect.name == "postgresql"
        assert session.execute(text("SHOW default_transaction_isolation")).scalar() == "read committed"


def test_foreign_keys_are_enforced(app, session):
    session.add(Producer(name="Tanpa Wilayah", slug="tanpa-wilayah", kind="umkm", region_code="99.99"))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_reference_regions_are_migrated(session):
    jatim = session.execute(
        select(Region.code, Region.name, Region.kind).where(Region.province_code == "35",
                                                            Region.kind != "provinsi")
    ).all()
    assert len(jatim) == 38
    assert ("35.78", "Surabaya", "kota") in [(c, n, k.value) for c, n, k in jatim]
    assert ("35.07", "Malang", "kabupaten") in [(c, n, k.value) for c, n, k in jatim]
    assert session.get(Region, "63.71").name == "Banjarmasin"


def test_migrations_downgrade_to_nothing_and_back(app, session):
    session.remove()
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade()
    tables = set(inspect(db.engine).get_table_names())
    assert {"products", "product_variants", "producers", "regions", "certifications"} <= tables
    assert db.session.execute(select(Region).where(Region.code == "35.78")).scalar_one().name == "Surabaya"


def test_stock_can_never_go_below_zero(world, session):
    variant = world.dampit.variants[0]
    with pytest.raises(IntegrityError):
        session.execute(
            ProductVariant.__table__.update()
            .where(ProductVariant.id == variant.id)
            .values(stock=-1)
        )
    session.rollback()


def test_listing_projection_matches_the_rules(world, session):
    # Given the fixture catalogue, the stored projection equals what the rules say
    refresh_products(session)
    rows = session.execute(
        select(Product.name, Product.is_listed, Product.status, Producer.verified, Product.min_price)
        .join(Producer)
    ).all()
    for name, listed, status, verified, min_price in rows:
        assert listed == (status is ProductStatus.PUBLISHED and verified and min_price is not None), name
    assert sum(1 for r in rows if r.is_listed) == 5
