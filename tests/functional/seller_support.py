"""Shared steps for the seller studio tests: users, shops, form posts, row snapshots."""

from __future__ import annotations

from sqlalchemy import select

from opopmart.accounts.models import MemberRole, ProducerMember
from opopmart.catalogue.models import (Brand, Certification, Producer, Product, ProductEvent,
                                       ProductVariant, WholesaleTier, product_certifications)
from opopmart.catalogue.services import set_producer_verified
from opopmart.extensions import db
from opopmart.seller import services
from opopmart.seller.models import ProducerInvite
from tests import factories as f
from tests.functional.test_accounts import csrf_token, login, make_user  # noqa: F401

TOKEN_PAGE = "/studio/buka-toko"


def post(client, path: str, data: dict, token: bool = True):
    payload = dict(data)
    if token:
        payload["csrf_token"] = csrf_token(client, TOKEN_PAGE)
    return client.post(path, data=payload)


def seller(session, client=None, email="ani@contoh.id", name="Ani Rahma", shop="Kopontren Al Amin",
           verified=True):
    """A user who owns a shop (verified unless asked), logged in on ``client`` if given."""
    user = make_user(session, email=email, name=name)
    producer = services.open_shop(session, user_id=user.id, application=services.ShopApplication(
        kind="kopontren", name=shop, pesantren_name="Pondok Pesantren Al Amin",
        koperasi_name="Koperasi Al Amin", nib="1234567890123", region_code="35.09",
        address="Jl. Pesantren 1", description=""))
    if verified:
        set_producer_verified(session, producer, True)
    session.commit()
    if client is not None:
        login(client, email=email)
    return user, producer


def category(session, name="Kopi"):
    cat = f.category(session, name)
    session.commit()
    return cat


def product_data(category_id, producer_id=None, **overrides) -> dict:
    """A product with two variants (250 g, 500 g) and a wholesale tier on the first."""
    data = {
        "producer_id": str(producer_id or db.session.execute(select(Producer.id)).scalars().first()),
        "name": "Kopi Robusta Al Amin", "category_id": str(category_id), "brand_id": "",
        "new_brand": "Santri Kopi", "description": "Robusta dari lereng Argopuro.",
        "claims_halal": "y", "option1_name": "Berat", "option2_name": "",
        "variants-0-sku": "rob-250", "variants-0-option1": "250 g", "variants-0-price": "25.000",
        "variants-0-stock": "40", "variants-0-weight_grams": "260", "variants-0-min_order_qty": "1",
        "variants-0-tiers-0-min_qty": "10", "variants-0-tiers-0-unit_price": "22.500",
        "variants-1-sku": "ROB-500", "variants-1-option1": "500 g", "variants-1-price": "Rp 47.000",
        "variants-1-stock": "15", "variants-1-weight_grams": "510", "variants-1-min_order_qty": "2",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def edit_data(product: Product) -> dict:
    """What the edit form posts back unchanged for ``product``."""
    db.session.refresh(product)
    data = {
        "name": product.name, "category_id": str(product.category_id),
        "brand_id": str(product.brand_id or ""), "new_brand": "", "description": product.description,
        "option1_name": product.option1_name or "", "option2_name": product.option2_name or "",
    }
    if product.claims_halal:
        data["claims_halal"] = "y"
    for i, v in enumerate(product.variants):
        p = f"variants-{i}-"
        data.update({p + "id": str(v.id), p + "sku": v.sku, p + "option1": v.option1 or "",
                     p + "option2": v.option2 or "", p + "price": str(v.price), p + "stock": str(v.stock),
                     p + "weight_grams": str(v.weight_grams), p + "min_order_qty": str(v.min_order_qty)})
        if v.is_active:
            data[p + "is_active"] = "y"
        for j, t in enumerate(v.wholesale_tiers):
            data[f"{p}tiers-{j}-min_qty"] = str(t.min_qty)
            data[f"{p}tiers-{j}-unit_price"] = str(t.unit_price)
    return data


TABLES = (Producer, ProducerMember, ProducerInvite, Brand, Product, ProductVariant, WholesaleTier,
          ProductEvent, Certification)


def snapshot() -> dict:
    """Every row of the tables the studio writes, as plain tuples (for before/after)."""
    db.session.expire_all()
    rows = {}
    for model in TABLES:
        cols = [c for c in model.__table__.columns]
        rows[model.__tablename__] = sorted(
            tuple(r) for r in db.session.execute(select(*cols)).all())
    rows["product_certifications"] = sorted(
        tuple(r) for r in db.session.execute(select(product_certifications)).all())
    return rows


def own(session, user_id, product_id):
    session.expire_all()
    return services.get_own_product(session, user_id, product_id)


def owner_role(session, user_id, producer_id):
    return services.member_role(session, user_id, producer_id)


__all__ = ["MemberRole"]
