"""The curators' dashboard: queue size, oldest waiting, median time to decision, approval
rate, per curator; over a chosen period; on a hand-built history with known durations."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import unescape

import pytest

from opopmart.accounts.models import User
from opopmart.catalogue.models import Category, Producer, ProducerEvent, ProducerStatus, ProductStatus
from opopmart.core.timeutil import utcnow
from opopmart.curation import dashboard as figures
from opopmart.curation.models import ProductReview, ReviewDecision
from tests import factories as f
from tests.functional.test_accounts import login, make_user

NOW = datetime(2025, 6, 30, 12, 0, 0)
D = ReviewDecision


@dataclass
class World:
    kurnia: User  # curator
    bagus: User  # curator
    citra: User  # curator who decided nothing
    shop: Producer
    food: Category


@pytest.fixture
def w(app, session) -> World:
    kurnia = make_user(session, email="kurnia@contoh.id", name="Kurnia Kurator", is_curator=True)
    bagus = make_user(session, email="bagus@contoh.id", name="Bagus Kurator", is_curator=True)
    citra = make_user(session, email="citra@contoh.id", name="Citra Kurator", is_curator=True)
    shop = f.producer(session, "Kopontren Al Amin")
    food = f.category(session, "Makanan & Minuman")
    session.commit()
    return World(kurnia, bagus, citra, shop, food)


_names = iter(range(1, 10_000))


def review(session, w: World, *, submitted: datetime, took: timedelta | None = None,
           decision: ReviewDecision | None = None, curator: User | None = None,
           status: ProductStatus = ProductStatus.PUBLISHED) -> ProductReview:
    """A product with one review submitted at ``submitted``; decided ``took`` later, or
    still pending (``decision`` None)."""
    product = f.product(session, w.shop, w.food, f"Produk {next(_names)}", status=status)
    row = ProductReview(product_id=product.id, submitted_at=submitted, checklist={}, notes={},
                        confirmed_certificates=[])
    if decision is not None:
        row.decision, row.decided_at, row.curator_id = decision, submitted + took, curator.id
    session.add(row)
    session.flush()
    return row


def history(session, w: World, now: datetime) -> None:
    """Three decisions in the last 30 days (1 day, 3 hours, 30 minutes; 2 approved),
    one 40 days ago, one pending, and one decided after ``now``."""
    review(session, w, submitted=now - timedelta(days=10), took=timedelta(days=1),
           decision=D.APPROVED, curator=w.kurnia)
    review(session, w, submitted=now - timedelta(days=5), took=timedelta(hours=3),
           decision=D.REJECTED, curator=w.kurnia, status=ProductStatus.REJECTED)
    review(session, w, submitted=now - timedelta(days=2), took=timedelta(minutes=30),
           decision=D.APPROVED, curator=w.bagus)
    review(session, w, submitted=now - timedelta(days=42), took=timedelta(days=2),
           decision=D.CHANGES_REQUESTED, curator=w.bagus, status=ProductStatus.CHANGES_REQUESTED)
    review(session, w, submitted=now - timedelta(days=3, hours=4), status=ProductStatus.SUBMITTED)
    review(session, w, submitted=now - timedelta(minutes=10), took=timedelta(hours=1),
           decision=D.APPROVED, curator=w.bagus)
    session.commit()


def by_name(board: figures.Dashboard) -> dict[str, figures.CuratorRow]:
    return {row.name: row for row in board.curators}


# --------------------------------------------------------------------------------------
# The figures (services, time pinned)


def test_figures_over_the_default_period(session, w):
    # Given a hand-built history around a pinned "now"
    history(session, w, NOW)
    # When the dashboard is read for the last 30 days
    board = figures.dashboard(session, now=NOW)
    # Then three decisions count: the one 40 days ago, the pending one and the one
    # decided after "now" do not
    assert board.days == 30 and board.since == NOW - timedelta(days=30)
    assert board.overall.decided == 3
    assert board.overall.by_decision == {D.APPROVED: 2, D.CHANGES_REQUESTED: 0, D.REJECTED: 1}
    assert board.overall.approval_rate == pytest.approx(2 / 3)
    # And the median of 1 day, 3 hours and 30 minutes is 3 hours
    assert board.overall.median == timedelta(hours=3)
    # And per curator: Kurnia 2 decisions (1 approved), median of 1 day and 3 hours
    rows = by_name(board)
    assert [r.name for r in board.curators] == ["Kurnia Kurator", "Bagus Kurator", "Citra Kurator"]
    kurnia = rows["Kurnia Kurator"].figures
    assert (kurnia.decided, kurnia.approved, kurnia.approval_rate) == (2, 1, 0.5)
    assert kurnia.median == timedelta(hours=13, minutes=30)
    bagus = rows["Bagus Kurator"].figures
    assert (bagus.decided, bagus.approval_rate, bagus.median) == (1, 1.0, timedelta(minutes=30))
    # And a curator with no decisions has a row with nothing to divide
    citra = rows["Citra Kurator"].figures
    assert (citra.decided, citra.approval_rate, citra.median) == (0, None, None)


def test_a_longer_period_takes_older_decisions_and_an_even_count_has_a_middle_median(session, w):
    # Given the same history
    history(session, w, NOW)
    # When the last 90 days are read
    board = figures.dashboard(session, now=NOW, days=90)
    # Then the changes request from 40 days ago counts too
    assert board.overall.decided == 4
    assert board.overall.by_decision == {D.APPROVED: 2, D.CHANGES_REQUESTED: 1, D.REJECTED: 1}
    assert board.overall.approval_rate == 0.5
    # And the median of 30 min, 3 h, 1 day, 2 days is the mean of 3 h and 1 day
    assert board.overall.median == timedelta(hours=13, minutes=30)
    bagus = by_name(board)["Bagus Kurator"].figures
    assert (bagus.decided, bagus.approval_rate) == (2, 0.5)
    assert bagus.median == timedelta(days=1, minutes=15)


def test_a_short_period_excludes_old_decisions(session, w):
    # Given the same history
    history(session, w, NOW)
    # When the last 7 days are read
    board = figures.dashboard(session, now=NOW, days=7)
    # Then only the rejection (5 days ago) and Bagus's approval (2 days ago) count
    assert board.overall.decided == 2
    assert board.overall.by_decision == {D.APPROVED: 1, D.CHANGES_REQUESTED: 0, D.REJECTED: 1}
    assert board.overall.median == timedelta(minutes=105)
    kurnia = by_name(board)["Kurnia Kurator"].figures
    assert (kurnia.decided, kurnia.approval_rate, kurnia.median) == (1, 0.0, timedelta(hours=3))


def test_an_unknown_period_is_refused_by_the_service(session, w):
    with pytest.raises(ValueError):
        figures.dashboard(session, now=NOW, days=12)


def test_queue_size_and_the_oldest_waiting(session, w):
    # Given two submitted products (waiting 3 days 4 hours and 1 hour) and two shops
    # waiting for verification (one since it was created, one since it re-applied)
    history(session, w, NOW)
    newer = review(session, w, submitted=NOW - timedelta(hours=1), status=ProductStatus.SUBMITTED)
    new_shop = f.producer(session, "Kopontren Baru", verified=False, created_at=NOW - timedelta(days=2))
    again = f.producer(session, "Kopontren Lagi", verified=False, created_at=NOW - timedelta(days=90))
    session.add(ProducerEvent(producer_id=again.id, from_status=ProducerStatus.REFUSED,
                              to_status=ProducerStatus.PENDING, created_at=NOW - timedelta(hours=5)))
    session.commit()
    # When the dashboard is read
    board = figures.dashboard(session, now=NOW)
    # Then it counts what waits and names the longest waiting of each queue
    assert (board.products_waiting, board.producers_waiting) == (2, 2)
    assert board.oldest_product.waited == timedelta(days=3, hours=4)
    assert board.oldest_product.id != newer.product_id
    assert (board.oldest_producer.id, board.oldest_producer.name) == (new_shop.id, "Kopontren Baru")
    assert board.oldest_producer.waited == timedelta(days=2)


def test_producer_decisions_are_counted_per_curator(session, w):
    # Given in the period: Kurnia verified one shop and refused another, a shop
    # re-applied (to pending), and the system verified one; Bagus suspended one long ago
    shop = w.shop
    rows = [
        (w.kurnia.id, ProducerStatus.PENDING, ProducerStatus.VERIFIED, NOW - timedelta(days=1)),
        (w.kurnia.id, ProducerStatus.PENDING, ProducerStatus.REFUSED, NOW - timedelta(days=2)),
        (w.citra.id, ProducerStatus.REFUSED, ProducerStatus.PENDING, NOW - timedelta(days=3)),
        (None, ProducerStatus.PENDING, ProducerStatus.VERIFIED, NOW - timedelta(days=4)),
        (w.bagus.id, ProducerStatus.VERIFIED, ProducerStatus.REFUSED, NOW - timedelta(days=31)),
    ]
    for actor, before, after, at in rows:
        session.add(ProducerEvent(producer_id=shop.id, actor_id=actor, from_status=before,
                                  to_status=after, created_at=at))
    session.commit()
    # When the dashboard is read for 30 days
    board = figures.dashboard(session, now=NOW)
    # Then Kurnia decided two shops; nobody else decided any in the period
    assert board.producer_decisions == 2
    assert {r.name: r.producer_decisions for r in board.curators} == {
        "Kurnia Kurator": 2, "Bagus Kurator": 0, "Citra Kurator": 0}
    assert board.overall.decided == 0


def test_a_former_curator_keeps_a_row_for_decisions_in_the_period(session, w):
    # Given Bagus approved a product 2 days ago and then lost the curator role
    review(session, w, submitted=NOW - timedelta(days=2), took=timedelta(hours=2),
           decision=D.APPROVED, curator=w.bagus)
    w.bagus.is_curator = False
    session.commit()
    # When the dashboard is read
    rows = by_name(figures.dashboard(session, now=NOW))
    # Then his decision is still attributed to him
    assert rows["Bagus Kurator"].figures.decided == 1
    assert rows["Bagus Kurator"].figures.median == timedelta(hours=2)


def test_nothing_decided_gives_dashes_not_errors(session, w):
    # Given no reviews and no waiting shop at all
    # When the dashboard is read
    board = figures.dashboard(session, now=NOW)
    # Then the figures are empty
    assert (board.products_waiting, board.producers_waiting) == (0, 0)
    assert (board.oldest_product, board.oldest_producer) == (None, None)
    assert (board.overall.decided, board.overall.approval_rate, board.overall.median) == (0, None, None)


# --------------------------------------------------------------------------------------
# The page


def shown(html: str, name: str) -> str:
    match = re.search(rf'data-testid="{name}">(.*?)</(?:dd|td|p)>', html, re.S)
    assert match, name
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", match.group(1))).split())


def curator_cells(html: str, user_id: int) -> list[str]:
    row = re.search(rf'<tr data-curator="{user_id}">(.*?)</tr>', html, re.S).group(1)
    return [" ".join(unescape(re.sub(r"<[^>]+>", " ", c)).split())
            for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def test_the_page_shows_the_figures(client, session, w):
    # Given the hand-built history around the real clock
    history(session, w, utcnow())
    login(client, email="kurnia@contoh.id")
    # When the curator opens the dashboard
    response = client.get("/kurasi/dasbor")
    # Then the queue, the oldest waiting product (linked) and the period's figures show
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert shown(html, "products-waiting") == "1"
    assert shown(html, "producers-waiting") == "0"
    oldest = re.search(r'data-testid="oldest-product"><a href="/kurasi/produk/(\d+)">', html)
    assert oldest
    assert shown(html, "oldest-product").endswith("3 hari 4 jam")
    assert shown(html, "oldest-producer") == "-"
    assert shown(html, "decided") == "3"
    assert shown(html, "approval-rate") == "67%"
    assert shown(html, "median") == "3 jam"
    assert (shown(html, "count-approved"), shown(html, "count-changes_requested"),
            shown(html, "count-rejected")) == ("2", "0", "1")
    # And one row per curator: name, decisions, rate, median, per decision, shops
    assert curator_cells(html, w.kurnia.id) == ["Kurnia Kurator", "2", "50%", "13 jam 30 menit",
                                                "1", "0", "1", "0"]
    assert curator_cells(html, w.bagus.id) == ["Bagus Kurator", "1", "100%", "30 menit",
                                               "1", "0", "0", "0"]
    assert curator_cells(html, w.citra.id) == ["Citra Kurator", "0", "-", "-", "0", "0", "0", "0"]
    # And the 30-day period is the one chosen
    assert '<option value="30" selected>' in html


def test_the_page_takes_a_period_and_ignores_a_bad_one(client, session, w):
    history(session, w, utcnow())
    login(client, email="kurnia@contoh.id")
    # When the last 7 days are asked for
    html = client.get("/kurasi/dasbor?hari=7").get_data(as_text=True)
    # Then the decision 9 days ago drops out
    assert (shown(html, "decided"), shown(html, "approval-rate"), shown(html, "median")) == (
        "2", "50%", "1 jam 45 menit")
    assert '<option value="7" selected>' in html
    # And with 90 days the one 40 days ago counts
    html = client.get("/kurasi/dasbor?hari=90").get_data(as_text=True)
    assert (shown(html, "decided"), shown(html, "approval-rate")) == ("4", "50%")
    # And a period that is not offered falls back to 30 days
    for bad in ("12", "abc", "-7", "9" * 40, "²"):  # "²".isdigit(), but int("²") raised: a 500
        html = client.get(f"/kurasi/dasbor?hari={bad}").get_data(as_text=True)
        assert shown(html, "decided") == "3", bad
        assert '<option value="30" selected>' in html


def test_the_empty_page_shows_dashes(client, session, w):
    # Given nothing submitted and nothing decided
    login(client, email="citra@contoh.id")
    # When the dashboard is opened
    response = client.get("/kurasi/dasbor")
    # Then it answers with zeros and dashes
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert (shown(html, "products-waiting"), shown(html, "oldest-product"),
            shown(html, "decided"), shown(html, "approval-rate"), shown(html, "median")) == (
        "0", "-", "0", "-", "-")


def test_the_queues_link_to_the_dashboard_and_only_curators_may_open_it(client, session, w):
    # Given a curator on the product queue
    login(client, email="kurnia@contoh.id")
    html = client.get("/kurasi/produk").get_data(as_text=True)
    # Then the tabs link to the dashboard
    assert 'href="/kurasi/dasbor"' in html and 'data-testid="dashboard-link"' in html
    # And an admin without the curator role, or a shopper, gets 403
    make_user(session, email="admin@contoh.id", name="Admin", is_admin=True)
    make_user(session, email="pembeli@contoh.id", name="Pembeli")
    for email in ("admin@contoh.id", "pembeli@contoh.id"):
        other = client.application.test_client()
        login(other, email=email)
        assert other.get("/kurasi/dasbor").status_code == 403
    # And a visitor is sent to log in
    visitor = client.application.test_client()
    response = visitor.get("/kurasi/dasbor")
    assert response.status_code == 302 and response.headers["Location"].startswith("/masuk")
