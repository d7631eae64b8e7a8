"""Price and stock changes of a published product go live at once and are logged."""

from __future__ import annotations

from sqlalchemy import select

from opopmart.catalogue.models import Product, ProductVariant
from opopmart.seller.changelog import VariantChange
from tests import factories as f
from tests.functional.seller_support import category, edit_data, post, seller
from tests.functional.test_accounts import text


def changes(session, product_id):
    session.expire_all()
    return [(c.field, c.old_value, c.new_value, c.actor_id) for c in session.execute(
        select(VariantChange).where(VariantChange.product_id == product_id)
        .order_by(VariantChange.id)).scalars()]


def test_quick_price_change_of_a_published_product_applies_at_once_and_is_logged(client, session):
    # Given a published product with one variant at Rp 25.000, stock 10
    user, shop = seller(session, client)
    item = f.product(session, shop, category(session), "Kopi Tubruk Santri", prices=[25_000],
                     description="Kopi tubruk.")
    session.commit()
    variant_id = item.variants[0].id
    # When its owner changes the price to 27.500 and the stock to 12 from the list
    response = post(client, f"/studio/produk/{item.id}/varian/{variant_id}",
                    {"price": "27.500", "stock": "12"})
    # Then both apply at once, the listing follows, and each change is logged with the actor
    assert response.status_code == 303
    session.expire_all()
    assert (session.get(ProductVariant, variant_id).price, session.get(Product, item.id).min_price) == (
        27_500, 27_500)
    assert changes(session, item.id) == [("price", 25_000, 27_500, user.id), ("stock", 10, 12, user.id)]
    # And the studio page shows the history line
    page = text(client.get(f"/studio/produk/{item.id}"))
    assert f"Harga SKU-{item.id}-0 25.000 → 27.500 oleh Ani Rahma" in page
    assert f"Stok SKU-{item.id}-0 10 → 12 oleh Ani Rahma" in page


def test_form_price_change_is_logged_and_an_unchanged_save_logs_nothing(client, session):
    user, shop = seller(session, client)
    item = f.product(session, shop, category(session), "Kopi Tubruk Santri", prices=[30_000],
                     description="Kopi tubruk.")
    session.commit()
    # When the full form is saved unchanged
    assert post(client, f"/studio/produk/{item.id}", edit_data(item)).status_code == 303
    # Then nothing is logged
    assert changes(session, item.id) == []
    # When only the price changes through the form
    data = edit_data(item)
    data["variants-0-price"] = "31.000"
    assert post(client, f"/studio/produk/{item.id}", data).status_code == 303
    # Then the price is live and logged, and no revision was opened
    session.expire_all()
    assert session.get(Product, item.id).min_price == 31_000
    assert changes(session, item.id) == [("price", 30_000, 31_000, user.id)]
    from opopmart.curation.revision_models import ProductRevision
    assert session.execute(select(ProductRevision)).scalars().all() == []


def test_refused_price_change_logs_nothing(client, session):
    user, shop = seller(session, client)
    item = f.product(session, shop, category(session), "Kopi Tubruk Santri", prices=[30_000],
                     description="Kopi tubruk.")
    session.commit()
    response = post(client, f"/studio/produk/{item.id}/varian/{item.variants[0].id}",
                    {"price": "0", "stock": "5"})
    assert response.status_code == 303
    assert changes(session, item.id) == []
    assert session.get(ProductVariant, item.variants[0].id).stock == 10
