"""Certificates in the studio: private scans, and one certificate carried by several products."""

from __future__ import annotations

import os
from datetime import date

import pytest
from sqlalchemy import select

from opopmart.accounts.models import MemberRole, ProducerMember, User
from opopmart.accounts.services import hash_password
from opopmart.catalogue.models import CertType, HalalScheme, ProductStatus, product_certifications
from tests import factories as f
from tests.functional.test_seller_photos import MINIMAL_PDF, PASSWORD, log_in

SCAN = "0123456789abcdef0123456789abcdef.pdf"


def make_user(session, email, **roles) -> User:
    user = User(email=email, name=email.split("@")[0], phone="+6281234567890",
                password_hash=hash_password(PASSWORD), **roles)
    session.add(user)
    session.flush()
    return user


@pytest.fixture
def shop(app, session):
    """Given a shop with an owner and a staff member, another shop's owner, a curator, an
    admin and a shopper; the shop holds a halal certificate whose scan is on disk."""
    food = f.category(session, "Makanan & Minuman")
    mine = f.producer(session, "Kopontren Sertifikat")
    theirs = f.producer(session, "Kopontren Tetangga", region_code="35.07")
    users = {
        "owner": make_user(session, "pemilik@contoh.id"),
        "staff": make_user(session, "staf@contoh.id"),
        "other": make_user(session, "tetangga@contoh.id"),
        "curator": make_user(session, "kurator@contoh.id", is_curator=True),
        "admin": make_user(session, "admin@contoh.id", is_admin=True),
        "shopper": make_user(session, "pembeli@contoh.id"),
    }
    session.add_all([
        ProducerMember(user_id=users["owner"].id, producer_id=mine.id, role=MemberRole.OWNER),
        ProducerMember(user_id=users["staff"].id, producer_id=mine.id, role=MemberRole.STAFF),
        ProducerMember(user_id=users["other"].id, producer_id=theirs.id, role=MemberRole.OWNER),
    ])
    draft = f.product(session, mine, food, "Keripik Tempe", status=ProductStatus.DRAFT)
    second = f.product(session, mine, food, "Keripik Singkong", status=ProductStatus.DRAFT)
    published = f.product(session, mine, food, "Sambal Pecel", status=ProductStatus.PUBLISHED)
    foreign = f.product(session, theirs, food, "Kerupuk Udang", status=ProductStatus.DRAFT)
    halal = f.certificate(session, mine, CertType.HALAL, "ID35110000123450123",
                          products=[draft, published], halal_scheme=HalalScheme.SELF_DECLARE,
                          expires_on=date(2029, 5, 1))
    halal.document_path = SCAN
    their_cert = f.certificate(session, theirs, CertType.PIRT, "2063578010123-28")
    session.commit()
    root = app.config["DOCUMENT_ROOT"]
    os.makedirs(root, exist_ok=True)
    with open(os.path.join(root, SCAN), "wb") as out:
        out.write(MINIMAL_PDF)
    return {"users": users, "draft": draft.id, "second": second.id, "published": published.id,
            "foreign": foreign.id, "halal": halal.id, "their_cert": their_cert.id}


def attached(session, product_id) -> set[int]:
    return set(session.execute(select(product_certifications.c.certification_id).where(
        product_certifications.c.product_id == product_id)).scalars())


@pytest.mark.parametrize("who, status", [
    ("owner", 200), ("staff", 200), ("curator", 200), ("admin", 200), ("other", 404), ("shopper", 404)])
def test_certificate_scan_is_served_only_to_members_curators_and_admins(client, shop, who, status):
    # Given a signed-in user
    log_in(client, f"{shop['users'][who].email}")
    # When they open the scan
    with client.get(f"/dokumen/sertifikat/{shop['halal']}") as response:
        # Then only those who may read it get the file; everyone else the plain 404
        assert response.status_code == status
        if status == 200:
            assert response.get_data() == MINIMAL_PDF
            assert response.headers["Cache-Control"] == "private, no-store"


def test_anonymous_visitor_is_sent_to_log_in_for_a_scan(client, shop):
    with client.get(f"/dokumen/sertifikat/{shop['halal']}") as response:
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/masuk?next=")


def test_scan_is_not_reachable_through_public_media(client, shop):
    with client.get(f"/media/{SCAN}") as response:
        assert response.status_code == 404


def test_certificate_without_scan_or_unknown_id_is_404_even_for_a_curator(client, shop):
    log_in(client, "kurator@contoh.id")
    assert client.get(f"/dokumen/sertifikat/{shop['their_cert']}").status_code == 404
    assert client.get("/dokumen/sertifikat/999999").status_code == 404


def test_owner_attaches_an_existing_certificate_to_another_product(client, session, shop):
    # Given the halal certificate covers the draft but not the second product
    token = log_in(client, "pemilik@contoh.id")
    page = client.get(f"/studio/produk/{shop['second']}").get_data(as_text=True)
    assert f'<option value="{shop["halal"]}">Halal ID35110000123450123' in page
    # When the owner attaches it
    response = client.post(f"/studio/produk/{shop['second']}/sertifikat/pasang",
                           data={"csrf_token": token, "certification_id": str(shop["halal"])})
    # Then the second product carries it too, and it is no longer offered there
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/studio/produk/{shop['second']}#sertifikat")
    session.expire_all()
    assert attached(session, shop["second"]) == {shop["halal"]}
    page = client.get(f"/studio/produk/{shop['second']}").get_data(as_text=True)
    assert "Pasang sertifikat toko yang sudah ada" not in page


def test_attaching_another_shops_certificate_is_refused_and_writes_nothing(client, session, shop):
    token = log_in(client, "pemilik@contoh.id")
    response = client.post(f"/studio/produk/{shop['second']}/sertifikat/pasang",
                           data={"csrf_token": token, "certification_id": str(shop["their_cert"])},
                           follow_redirects=True)
    assert "Pilih sertifikat toko Anda dari daftar." in response.get_data(as_text=True)
    session.expire_all()
    assert attached(session, shop["second"]) == set()


@pytest.mark.parametrize("value", ["", "abc", "-1", "99999999999999", "1 OR 1=1"])
def test_attaching_a_nonsense_id_gives_a_message(client, session, shop, value):
    token = log_in(client, "pemilik@contoh.id")
    response = client.post(f"/studio/produk/{shop['second']}/sertifikat/pasang",
                           data={"csrf_token": token, "certification_id": value}, follow_redirects=True)
    assert response.status_code == 200
    assert "Pilih sertifikat toko Anda dari daftar." in response.get_data(as_text=True)
    session.expire_all()
    assert attached(session, shop["second"]) == set()


def test_attaching_twice_is_refused_with_a_message(client, session, shop):
    token = log_in(client, "pemilik@contoh.id")
    response = client.post(f"/studio/produk/{shop['draft']}/sertifikat/pasang",
                           data={"csrf_token": token, "certification_id": str(shop["halal"])},
                           follow_redirects=True)
    assert "Produk ini sudah memakai sertifikat tersebut." in response.get_data(as_text=True)
    assert attached(session, shop["draft"]) == {shop["halal"]}


def test_owner_detaches_a_certificate_from_a_draft_and_the_certificate_stays(client, session, shop):
    token = log_in(client, "pemilik@contoh.id")
    response = client.post(f"/studio/produk/{shop['draft']}/sertifikat/{shop['halal']}/lepas",
                           data={"csrf_token": token})
    assert response.status_code == 303
    session.expire_all()
    assert attached(session, shop["draft"]) == set()
    assert attached(session, shop["published"]) == {shop["halal"]}


def test_published_products_certificates_cannot_be_detached(client, session, shop):
    token = log_in(client, "pemilik@contoh.id")
    response = client.post(f"/studio/produk/{shop['published']}/sertifikat/{shop['halal']}/lepas",
                           data={"csrf_token": token}, follow_redirects=True)
    assert "Produk yang sudah tayang" in response.get_data(as_text=True)
    session.expire_all()
    assert attached(session, shop["published"]) == {shop["halal"]}


def test_detaching_a_certificate_the_product_does_not_carry_is_404(client, shop):
    token = log_in(client, "pemilik@contoh.id")
    response = client.post(f"/studio/produk/{shop['second']}/sertifikat/{shop['halal']}/lepas",
                           data={"csrf_token": token})
    assert response.status_code == 404


def test_another_seller_cannot_attach_or_detach_on_my_products(client, session, shop):
    token = log_in(client, "tetangga@contoh.id")
    assert client.post(f"/studio/produk/{shop['second']}/sertifikat/pasang",
                       data={"csrf_token": token, "certification_id": str(shop["halal"])}).status_code == 404
    assert client.post(f"/studio/produk/{shop['draft']}/sertifikat/{shop['halal']}/lepas",
                       data={"csrf_token": token}).status_code == 404
    session.expire_all()
    assert attached(session, shop["draft"]) == {shop["halal"]}
    assert attached(session, shop["second"]) == set()


def test_staff_member_can_attach(client, session, shop):
    token = log_in(client, "staf@contoh.id")
    response = client.post(f"/studio/produk/{shop['second']}/sertifikat/pasang",
                           data={"csrf_token": token, "certification_id": str(shop["halal"])})
    assert response.status_code == 303
    session.expire_all()
    assert attached(session, shop["second"]) == {shop["halal"]}
