"""Certificate lapse: a product sells only while the certificates it was approved on hold."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from opopmart.catalogue.models import CertType, HalalScheme, Product, ProductEvent, ProductStatus
from opopmart.catalogue.services import refresh_products
from opopmart.core.timeutil import today_jakarta
from opopmart.curation.lapse import check_expiry, run_due_check
from opopmart.curation.models import ProductReview
from opopmart.curation.services import DecisionInput, decide
from opopmart.notifications.models import Notification
from tests import factories as f
from tests.functional.seller_support import make_user, post, seller

TODAY = today_jakarta()
PIRT = "2063578010123-28"


@pytest.fixture
def shop(session, client):
    """Given a verified shop (its owner signed in on ``client``) selling a published snack
    whose category requires a P-IRT, covered by a verified P-IRT valid for 10 more days."""
    owner, producer = seller(session, client)
    food = f.category(session, "Makanan Ringan", required=[["pirt", "bpom:MD"]])
    item = f.product(session, producer, food, "Keripik Tempe", status=ProductStatus.PUBLISHED)
    cert = f.certificate(session, producer, CertType.PIRT, PIRT, products=[item],
                         expires_on=TODAY + timedelta(days=10))
    refresh_products(session, product_ids=[item.id])
    session.commit()
    return {"owner": owner, "producer": producer, "product": item, "cert": cert, "category": food}


def expire(session, cert, days_ago=1):
    """The calendar moves on: the certificate's last day is now behind us."""
    cert.expires_on = TODAY - timedelta(days=days_ago)
    session.flush()


def listed(session, product_id) -> bool:
    session.expire_all()
    return session.get(Product, product_id).is_listed


def test_lapse_date_is_the_last_day_of_the_required_certificate(session, shop):
    assert shop["product"].lapses_on == TODAY + timedelta(days=10)
    assert listed(session, shop["product"].id) is True


def test_the_longest_lived_alternative_in_a_group_counts(session, shop):
    # Given a BPOM MD registration without expiry also meets the same requirement
    bpom = f.certificate(session, shop["producer"], CertType.BPOM, "MD 224510001234",
                         products=[shop["product"]])
    # When the product is refreshed
    refresh_products(session, product_ids=[shop["product"].id])
    # Then nothing lapses any more
    assert session.get(Product, shop["product"].id).lapses_on is None
    assert bpom.expires_on is None


def test_unverified_or_unrelated_certificates_set_no_lapse(session, client):
    _owner, producer = seller(session)
    plain = f.category(session, "Kerajinan")
    item = f.product(session, producer, plain, "Tas Anyaman", status=ProductStatus.PUBLISHED)
    f.certificate(session, producer, CertType.PIRT, PIRT, products=[item],
                  expires_on=TODAY - timedelta(days=30))
    refresh_products(session, product_ids=[item.id])
    # A craft category requires nothing: an old P-IRT attached to it hides nothing.
    assert (item.lapses_on, listed(session, item.id)) == (None, True)


def test_halal_claim_lapses_with_the_halal_certificate(session, client):
    _owner, producer = seller(session)
    plain = f.category(session, "Bumbu")
    item = f.product(session, producer, plain, "Sambal Pecel", status=ProductStatus.PUBLISHED)
    item.claims_halal = True
    f.certificate(session, producer, CertType.HALAL, "ID35110000123450123", products=[item],
                  halal_scheme=HalalScheme.SELF_DECLARE, expires_on=TODAY - timedelta(days=1))
    refresh_products(session, product_ids=[item.id])
    assert item.lapses_on == TODAY - timedelta(days=1)
    assert listed(session, item.id) is False


def test_check_expiry_hides_the_product_and_notifies_every_member_once(app, session, shop):
    # Given the P-IRT expired yesterday, but nothing refreshed the product since
    expire(session, shop["cert"])
    session.commit()
    assert listed(session, shop["product"].id) is True
    # When the daily job runs (through the CLI, as cron does)
    result = app.test_cli_runner().invoke(args=["curation", "check-expiry"])
    # Then the product is hidden and its seller told
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "1 published products checked, 1 hidden, 1 sellers notified."
    assert listed(session, shop["product"].id) is False
    notes = session.execute(select(Notification)).scalars().all()
    assert [(n.user_id, n.kind, n.params["product_name"], n.params["certificate"], n.link) for n in notes] == [
        (shop["owner"].id, "certificate_expired", "Keripik Tempe", f"P-IRT {PIRT}",
         f"/studio/produk/{shop['product'].id}")]
    # And a second run tells nobody again
    again = app.test_cli_runner().invoke(args=["curation", "check-expiry"])
    assert again.output.strip() == "1 published products checked, 0 hidden, 0 sellers notified."
    assert session.execute(select(Notification)).scalars().all() == notes


def test_the_catalogue_hides_lapsed_products_without_cron(app, client, session, shop):
    # Given the lapse date passed while the product was still listed (no cron ran)
    expire(session, shop["cert"])
    session.execute(update(Product).where(Product.id == shop["product"].id)
                    .values(lapses_on=TODAY - timedelta(days=1)))
    session.commit()
    assert client.get("/katalog").get_data(as_text=True).count("Keripik Tempe") >= 1
    # When a worker with the periodic check serves its next request
    app.config["LAPSE_CHECK_INTERVAL_SECONDS"] = 3600
    page = client.get("/katalog").get_data(as_text=True)
    # Then the product is gone from the catalogue and the seller was told
    assert "Keripik Tempe" not in page
    assert listed(session, shop["product"].id) is False
    assert session.execute(select(Notification.kind)).scalars().all() == ["certificate_expired"]
    # And with nothing due, the check writes nothing
    assert run_due_check() is None


def test_lapsed_product_page_says_why(client, session, shop):
    expire(session, shop["cert"], days_ago=3)
    check_expiry(session, today=TODAY)
    session.commit()
    response = client.get(f"/produk/{shop['product'].slug}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "sementara tidak dijual" in page
    assert f"<b>{PIRT}</b>" in page
    assert '<meta name="robots" content="noindex">' in page


def test_unlisted_products_that_did_not_lapse_stay_404(client, session, shop):
    draft = f.product(session, shop["producer"], shop["category"], "Keripik Draf",
                      status=ProductStatus.DRAFT)
    session.commit()
    assert client.get(f"/produk/{draft.slug}").status_code == 404
    assert client.get("/produk/tidak-ada").status_code == 404


def test_studio_warns_the_seller(client, session, shop):
    expire(session, shop["cert"])
    check_expiry(session, today=TODAY)
    session.commit()
    page = client.get(f"/studio/produk/{shop['product'].id}").get_data(as_text=True)
    assert 'data-testid="lapsed"' in page


def test_renewing_the_certificate_sends_the_product_back_to_review(client, session, shop):
    # Given a lapsed product
    expire(session, shop["cert"])
    check_expiry(session, today=TODAY)
    session.commit()
    product_id = shop["product"].id
    # When the seller adds the renewed P-IRT
    response = post(client, f"/studio/produk/{product_id}/sertifikat", {
        "type": "pirt", "number": "2063578010123-31", "issuer": "Dinkes Lamongan",
        "issued_on": TODAY.isoformat(), "expires_on": (TODAY + timedelta(days=365 * 3)).isoformat()})
    assert response.status_code == 303
    # Then the product waits for a curator, with one pending review and the reason noted
    session.expire_all()
    product = session.get(Product, product_id)
    assert product.status is ProductStatus.SUBMITTED
    reviews = session.execute(select(ProductReview).where(ProductReview.product_id == product_id)).scalars().all()
    assert [r.decision for r in reviews] == [None]
    last = session.execute(select(ProductEvent).where(ProductEvent.product_id == product_id)
                           .order_by(ProductEvent.id.desc())).scalars().first()
    assert (last.from_status, last.to_status, last.note, last.actor_id) == (
        ProductStatus.PUBLISHED, ProductStatus.SUBMITTED, "Sertifikat diperbarui setelah kedaluwarsa.",
        shop["owner"].id)
    # And when a curator approves it with the new certificate confirmed, it sells again
    curator = make_user(session, email="kurator@contoh.id", name="Kurator", is_curator=True)
    renewed = [c for c in product.certifications if c.number == "2063578010123-31"][0]
    decide(session, product=product, curator_id=curator.id, data=DecisionInput(
        decision="approve", checklist={k: "pass" for k in ("quality", "brand", "certification",
                                                           "presentation", "price_stock")},
        certificate_ids=[renewed.id], review_id=reviews[0].id))
    session.commit()
    product = session.get(Product, product_id)
    assert (product.status, product.lapses_on, product.is_listed) == (
        ProductStatus.PUBLISHED, TODAY + timedelta(days=365 * 3), True)


def test_a_published_product_that_did_not_lapse_cannot_be_resubmitted_by_its_seller(client, session, shop):
    response = post(client, f"/studio/produk/{shop['product'].id}/ajukan", {})
    assert response.status_code == 303
    session.expire_all()
    assert session.get(Product, shop["product"].id).status is ProductStatus.PUBLISHED
