"""core.ratelimit: fixed windows counted in the database (real DB: SQLite or PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import select

from opopmart.core.ratelimit import Limit, RateLimitHit, hit, make_key, purge_expired

T0 = 1_800_000_000  # a multiple of 900 and of 60


def test_counts_up_to_the_limit_then_refuses(session):
    decisions = [hit(session, "login:email", "siti@contoh.id", (3, 900), now=T0 + n) for n in range(5)]
    assert [(d.allowed, d.count) for d in decisions] == [(True, 1), (True, 2), (True, 3), (False, 4), (False, 5)]
    assert decisions[-1].retry_after == 900 - 4


def test_a_new_window_starts_from_zero(session):
    for _ in range(3):
        hit(session, "login:email", "siti@contoh.id", Limit(3, 60), now=T0 + 59)
    assert not hit(session, "login:email", "siti@contoh.id", Limit(3, 60), now=T0 + 59).allowed
    fresh = hit(session, "login:email", "siti@contoh.id", Limit(3, 60), now=T0 + 60)
    assert (fresh.allowed, fresh.count, fresh.retry_after) == (True, 1, 60)


def test_scopes_and_identifiers_are_counted_apart(session):
    hit(session, "login:email", "a@contoh.id", (1, 60), now=T0)
    assert hit(session, "login:email", "b@contoh.id", (1, 60), now=T0).allowed
    assert hit(session, "login:ip", "a@contoh.id", (1, 60), now=T0).allowed
    assert not hit(session, "login:email", "a@contoh.id", (1, 60), now=T0).allowed


def test_keys_hold_no_identifier_in_clear(session):
    hit(session, "login:email", "siti@contoh.id", (1, 60), now=T0)
    session.commit()
    [key] = session.execute(select(RateLimitHit.key)).scalars().all()
    assert key == make_key("login:email", "siti@contoh.id")
    assert "siti" not in key and len(key) <= 80


def test_purge_deletes_only_ended_windows(session):
    hit(session, "a", "x", (5, 60), now=T0)
    hit(session, "b", "x", (5, 3600), now=T0)
    session.commit()
    assert purge_expired(session, now=T0 + 60) == 1
    session.commit()
    assert session.execute(select(RateLimitHit.key)).scalars().all() == [make_key("b", "x")]
