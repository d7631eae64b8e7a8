"""Periods in Jakarta days, their UTC edges, time buckets, shares and averages."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from opopmart.insight.queries import Bucket, Period, bucket_size, buckets, rounded_div, share


def test_a_period_runs_from_midnight_wib_to_the_next_midnight_after_its_last_day():
    period = Period(date(2025, 6, 1), date(2025, 6, 30))

    assert period.days == 30
    assert period.utc_start == datetime(2025, 5, 31, 17, 0)
    assert period.utc_end == datetime(2025, 6, 30, 17, 0)  # exclusive


def test_a_period_cannot_end_before_it_starts():
    with pytest.raises(ValueError):
        Period(date(2025, 6, 2), date(2025, 6, 1))


def test_up_to_62_days_the_buckets_are_days():
    period = Period(date(2025, 1, 1), date(2025, 3, 3))

    spans = buckets(period)
    assert (bucket_size(period), len(spans)) == ("day", 62)
    assert spans[0] == Bucket(date(2025, 1, 1), date(2025, 1, 1))
    assert spans[-1] == Bucket(date(2025, 3, 3), date(2025, 3, 3))


def test_up_to_a_year_the_buckets_are_iso_weeks_cut_to_the_period():
    period = Period(date(2025, 1, 1), date(2025, 12, 31))  # a Wednesday to a Wednesday

    spans = buckets(period)
    assert bucket_size(period) == "week"
    assert spans[0] == Bucket(date(2025, 1, 1), date(2025, 1, 5))  # Wed-Sun
    assert spans[1] == Bucket(date(2025, 1, 6), date(2025, 1, 12))  # Mon-Sun
    assert spans[-1] == Bucket(date(2025, 12, 29), date(2025, 12, 31))
    assert len(spans) == 53
    assert sum((b.end - b.start).days + 1 for b in spans) == 365


def test_beyond_a_year_the_buckets_are_calendar_months():
    period = Period(date(2024, 2, 15), date(2025, 3, 10))

    spans = buckets(period)
    assert bucket_size(period) == "month"
    assert spans[0] == Bucket(date(2024, 2, 15), date(2024, 2, 29))  # a leap February
    assert spans[1] == Bucket(date(2024, 3, 1), date(2024, 3, 31))
    assert spans[10] == Bucket(date(2024, 12, 1), date(2024, 12, 31))
    assert spans[-1] == Bucket(date(2025, 3, 1), date(2025, 3, 10))
    assert len(spans) == 14


@pytest.mark.parametrize(("part", "whole", "expected"), [
    (450_000, 850_000, Decimal("52.9")),
    (200_000, 850_000, Decimal("23.5")),
    (1, 8, Decimal("12.5")),
    (1, 16, Decimal("6.3")),  # 6.25: halves go up
    (0, 10, Decimal("0.0")),
    (5, 0, None),
])
def test_shares_are_percentages_with_one_decimal_halves_up(part, whole, expected):
    assert share(part, whole) == expected


def test_averages_round_to_the_rupiah_halves_up():
    assert rounded_div(850_000, 5) == 170_000
    assert rounded_div(10, 4) == 3  # 2.5
    assert rounded_div(10, 3) == 3
    assert rounded_div(5, 0) is None
