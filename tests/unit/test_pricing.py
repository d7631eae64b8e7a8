"""opopmart.catalogue.pricing: harga grosir (quantity tiers)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from opopmart.catalogue.pricing import tier_errors, unit_price_for


@dataclass(frozen=True)
class T:
    min_qty: int
    unit_price: int


BASE = 10_000
TIERS = [T(10, 9_000), T(50, 8_000), T(100, 7_500)]


@pytest.mark.parametrize("quantity", [0, 1, 5, 1000])
def test_given_no_tiers_when_priced_then_base_price(quantity):
    assert unit_price_for(BASE, [], quantity) == BASE


@pytest.mark.parametrize(
    ("quantity", "expected"),
    [
        (1, 10_000),  # below the first tier
        (9, 10_000),
        (10, 9_000),  # exactly at the first tier
        (11, 9_000),
        (49, 9_000),
        (50, 8_000),  # exactly at the second tier
        (99, 8_000),
        (100, 7_500),  # exactly at the last tier
        (101, 7_500),  # above the last tier
        (10_000, 7_500),
    ],
)
def test_given_tiers_when_priced_then_largest_threshold_at_or_below_quantity_wins(quantity, expected):
    assert unit_price_for(BASE, TIERS, quantity) == expected


@pytest.mark.parametrize(("quantity", "expected"), [(9, 10_000), (10, 9_000), (60, 8_000), (150, 7_500)])
def test_given_unsorted_tiers_when_priced_then_same_as_sorted(quantity, expected):
    shuffled = [T(50, 8_000), T(100, 7_500), T(10, 9_000)]
    assert unit_price_for(BASE, shuffled, quantity) == expected
    assert unit_price_for(BASE, list(reversed(TIERS)), quantity) == expected


def test_given_tiers_as_a_generator_when_priced_then_read_once():
    assert unit_price_for(BASE, (t for t in TIERS), 75) == 8_000


def test_given_zero_or_negative_quantity_when_priced_then_base_price():
    assert unit_price_for(BASE, TIERS, 0) == BASE
    assert unit_price_for(BASE, TIERS, -5) == BASE


# --- tier_errors ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "tiers",
    [
        [],
        [(2, 9_999)],
        [(10, 9_000)],
        [(10, 9_000), (50, 8_000), (100, 7_500)],
        [(100, 7_500), (10, 9_000), (50, 8_000)],  # order of input does not matter
    ],
)
def test_given_valid_tiers_then_no_errors(tiers):
    assert tier_errors(BASE, tiers) == []


def test_given_min_qty_zero_then_below_two_error():
    assert tier_errors(BASE, [(0, 9_000)]) == ["min_qty 0 < 2"]


def test_given_min_qty_one_then_below_two_error_and_clash_with_base_quantity():
    # The base price is the quantity-1 price, so a tier at 1 also repeats that quantity.
    assert tier_errors(BASE, [(1, 9_000)]) == ["min_qty 1 < 2", "duplicate min_qty 1"]


def test_given_duplicate_min_qty_then_duplicate_error():
    # Sorted: (10, 8000) then (10, 9000); the second repeats 10 and does not fall in price.
    assert tier_errors(BASE, [(10, 9_000), (10, 8_000)]) == [
        "duplicate min_qty 10",
        "unit_price 9000 at 10 must be below 8000",
    ]


def test_given_duplicate_min_qty_and_same_price_then_both_errors():
    assert tier_errors(BASE, [(10, 9_000), (10, 9_000)]) == [
        "duplicate min_qty 10",
        "unit_price 9000 at 10 must be below 9000",
    ]


@pytest.mark.parametrize(
    ("tiers", "expected"),
    [
        ([(10, 9_000), (20, 9_000)], ["unit_price 9000 at 20 must be below 9000"]),
        ([(10, 9_000), (20, 9_500)], ["unit_price 9500 at 20 must be below 9000"]),
        (
            [(10, 9_000), (20, 8_000), (30, 8_500)],
            ["unit_price 8500 at 30 must be below 8000"],
        ),
    ],
)
def test_given_price_not_falling_with_quantity_then_error(tiers, expected):
    assert tier_errors(BASE, tiers) == expected


@pytest.mark.parametrize(
    ("tiers", "expected"),
    [
        ([(10, 10_000)], ["unit_price 10000 at 10 must be below 10000"]),
        ([(10, 12_000)], ["unit_price 12000 at 10 must be below 10000"]),
    ],
)
def test_given_tier_price_at_or_above_base_then_error(tiers, expected):
    assert tier_errors(BASE, tiers) == expected


@pytest.mark.parametrize("price", [0, -1])
def test_given_non_positive_tier_price_then_error(price):
    assert tier_errors(BASE, [(10, price)]) == [f"unit_price {price} at 10 must be below 10000"]


def test_given_several_problems_then_each_reported_in_quantity_order():
    assert tier_errors(BASE, [(20, 11_000), (1, 11_000)]) == [
        "min_qty 1 < 2",
        "duplicate min_qty 1",
        "unit_price 11000 at 1 must be below 10000",
        # Each tier is compared with the one before it, even when that one was wrong.
        "unit_price 11000 at 20 must be below 11000",
    ]
