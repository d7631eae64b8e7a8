"""Studio access: deny by default, owner-scoped ids, allow-listed fields, CSRF, staff invites."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

from sqlalchemy import select

from opopmart.accounts.models import MemberRole, ProducerMember
from opopmart.catalogue.models import Producer, Product, ProductStatus
from opopmart.seller.models import ProducerInvite
from tests import factories as f
from tests.functional.seller_support import (category, edit_data, own, post, product_data, seller,
                                             snapshot)
from tests.functional.test_accounts import login, make_user, text


def _two_sellers(app, session):
    """Seller A (ani) with a published product; seller B (budi) logged in on a client."""
    user_a, shop_a = seller(session, email="ani@contoh.id")
    cat = category(session)
    item = f.product(session, shop_a, cat, "Kopi Milik Ani", prices=[30_000])
    session.commit()
    client_b = app.test_client()
    user_b, shop_b = seller(session, client_b, email="budi@contoh.id", name="Budi", shop="Toko Budi")
    return user_a, shop_a, item, user_b, shop_b, client_b, cat


def test_another_sellers_product_is_404_and_nothing_changes(app, session):
    user_a, shop_a, item, user_b, shop_b, client_b, cat = _two_sellers(app, session)
    variant_id = item.variants[0].id
    assert client_b.get(f"/studio/produk/{item.id}").status_code == 404
    assert client_b.get(f"/studio/toko/{shop_a.id}").status_code == 404
    before = snapshot()
    attempts = [
        (f"/studio/produk/{item.id}", edit_data(item)),
        (f"/studio/produk/{item.id}/varian/{variant_id}", {"price": "1.000", "stock": "0"}),
        (f"/studio/produk/{item.id}/ajukan", {}),
        (f"/studio/produk/{item.id}/arsipkan", {}),
        (f"/studio/produk/{item.id}/sertifikat", {"type": "pirt", "number": "2063514010123-28"}),
        (f"/studio/toko/{shop_a.id}/undang", {"email": "budi@contoh.id"}),
        ("/studio/produk/baru", product_data(cat.id, producer_id=shop_a.id)),
    ]
    for path, data in attempts:
        response = post(client_b, path, data)
        expected = 200 if path == "/studio/produk/baru" else 404
        assert response.status_code == expected, path
        assert snapshot() == before, path
    # B's own variant id under A's product (and A's under B's) is not found either
    own_item = f.product(session, shop_b, cat, "Kopi Milik Budi", prices=[20_000])
    session.commit()
    assert post(client_b, f"/studio/produk/{own_item.id}/varian/{variant_id}",
                {"price": "1.000", "stock": "0"}).status_code == 404
    # and A's products are not in B's list
    assert "Kopi Milik Ani" not in text(client_b.get("/studio"))


def test_smuggled_fields_have_no_effect(app, session):
    user_a, shop_a, item, user_b, shop_b, client_b, cat = _two_sellers(app, session)
    smuggled = {"status": "published", "verified": "1", "is_listed": "1",
                "published_at": "2020-01-01 00:00:00"}
    response = post(client_b, "/studio/produk/baru", {**product_data(cat.id, producer_id=shop_b.id),
                                                      **smuggled})
    assert response.status_code == 303
    created = session.execute(select(Product).where(Product.producer_id == shop_b.id)).scalar_one()
    assert (created.status, created.is_listed, created.published_at) == (ProductStatus.DRAFT, False, None)
    data = {**edit_data(created), **smuggled, "producer_id": str(shop_a.id), "name": "Kopi Budi Baru"}
    assert post(client_b, f"/studio/produk/{created.id}", data).status_code == 303
    created = own(session, user_b.id, created.id)
    assert (created.name, created.status, created.producer_id, created.is_listed, created.published_at) == (
        "Kopi Budi Baru", ProductStatus.DRAFT, shop_b.id, False, None)
    assert {v.producer_id for v in created.variants} == {shop_b.id}
    # a shop application cannot verify itself
    post(client_b, "/studio/buka-toko", {"kind": "umkm", "name": "Toko Ketiga", "nib": "1234567890123",
                                         "region_code": "35.78", "address": "Jl. Tiga",
                                         "verified": "1"})
    third = session.execute(select(Producer).where(Producer.name == "Toko Ketiga")).scalar_one()
    assert third.verified is False


def test_post_without_csrf_token_is_400_and_writes_nothing(app, session):
    user_a, shop_a, item, user_b, shop_b, client_b, cat = _two_sellers(app, session)
    before = snapshot()
    for path, data in [
        ("/studio/produk/baru", product_data(cat.id, producer_id=shop_b.id)),
        ("/studio/buka-toko", {"kind": "umkm", "name": "Tanpa Token", "nib": "1234567890123",
                               "region_code": "35.78", "address": "Jl. A"}),
        (f"/studio/toko/{shop_b.id}/undang", {"email": "x@contoh.id"}),
    ]:
        assert post(client_b, path, data, token=False).status_code == 400, path
    assert snapshot() == before


def _invite(client, producer_id, email) -> str:
    response = post(client, f"/studio/toko/{producer_id}/undang", {"email": email})
    assert response.status_code == 200
    link = re.search(r'value="(http://localhost/studio/undangan/[^"]+)" data-testid="invite-link"',
                     response.get_data(as_text=True))
    assert link, "no invite link on the page"
    return link.group(1).removeprefix("http://localhost")


def test_staff_invite_accept_and_limits(app, session, caplog):
    owner, shop = seller(session, email="ani@contoh.id")
    cat = category(session)
    item = f.product(session, shop, cat, "Kopi Draf", prices=[30_000], status=ProductStatus.DRAFT,
                     description="Kopi draf.")
    session.commit()
    owner_client = app.test_client()
    login(owner_client, email="ani@contoh.id")
    # When the owner invites a staff member, the link is logged and shown once; only its hash is stored
    with caplog.at_level(logging.INFO, logger="opopmart.seller.views"):
        path = _invite(owner_client, shop.id, "Citra@Contoh.id")
    token = path.rsplit("/", 1)[1]
    assert any(path in record.getMessage() for record in caplog.records)
    invite = session.execute(select(ProducerInvite)).scalar_one()
    assert (invite.email, invite.producer_id, invite.invited_by_id, invite.accepted_at) == (
        "citra@contoh.id", shop.id, owner.id, None)
    assert token not in invite.token_hash and len(invite.token_hash) == 64
    assert invite.expires_at - invite.created_at == timedelta(days=7)
    assert path not in text(owner_client.get(f"/studio/toko/{shop.id}"))
    # Someone else logged in cannot use it
    other = app.test_client()
    make_user(session, email="dodi@contoh.id")
    login(other, email="dodi@contoh.id")
    before = snapshot()
    response = post(other, path, {})
    assert response.status_code == 400
    assert "Undangan ini untuk email lain. Masuk dengan akun citra@contoh.id." in text(response)
    assert snapshot() == before
    # An anonymous visitor is sent to log in first; GET changes nothing
    assert app.test_client().get(path).status_code == 302
    staff_client = app.test_client()
    staff = make_user(session, email="citra@contoh.id", name="Citra")
    login(staff_client, email="citra@contoh.id")
    assert staff_client.get(path).status_code == 200
    assert snapshot() == before
    # The invited account accepts and becomes staff
    response = post(staff_client, path, {})
    assert response.status_code == 303
    member = session.execute(select(ProducerMember).where(ProducerMember.user_id == staff.id)).scalar_one()
    assert (member.producer_id, member.role) == (shop.id, MemberRole.STAFF)
    # A reused token is refused
    before = snapshot()
    response = post(staff_client, path, {})
    assert response.status_code == 400 and "Undangan ini sudah dipakai." in text(response)
    assert snapshot() == before
    # Staff can edit products...
    data = edit_data(item)
    data["name"] = "Kopi Draf Staf"
    assert post(staff_client, f"/studio/produk/{item.id}", data).status_code == 303
    assert own(session, staff.id, item.id).name == "Kopi Draf Staf"
    # ...but cannot invite
    assert post(staff_client, f"/studio/toko/{shop.id}/undang", {"email": "eko@contoh.id"}).status_code == 403
    assert "Buat undangan" not in text(staff_client.get(f"/studio/toko/{shop.id}"))
    assert session.execute(select(ProducerInvite).where(ProducerInvite.email == "eko@contoh.id")).first() is None


def test_expired_invite_is_refused(app, session):
    owner, shop = seller(session, email="ani@contoh.id")
    owner_client = app.test_client()
    login(owner_client, email="ani@contoh.id")
    path = _invite(owner_client, shop.id, "citra@contoh.id")
    invite = session.execute(select(ProducerInvite)).scalar_one()
    invite.expires_at = invite.created_at - timedelta(seconds=1)
    session.commit()
    staff_client = app.test_client()
    make_user(session, email="citra@contoh.id")
    login(staff_client, email="citra@contoh.id")
    before = snapshot()
    response = post(staff_client, path, {})
    assert response.status_code == 400
    assert "Undangan ini sudah kedaluwarsa." in text(response)
    assert post(staff_client, "/studio/undangan/tidak-ada", {}).status_code == 400
    assert snapshot() == before
    # inviting an existing member or a bad email: errors next to the field
    response = post(owner_client, f"/studio/toko/{shop.id}/undang", {"email": "ani@contoh.id"})
    assert "Pengguna ini sudah anggota toko." in text(response)
    response = post(owner_client, f"/studio/toko/{shop.id}/undang", {"email": "bukan-email"})
    assert "Masukkan alamat email yang valid." in text(response)
