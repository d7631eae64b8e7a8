"""opopmart.core.money: integer rupiah, its display, Stripe's minor units, and typed input."""

from __future__ import annotations

import pytest

from opopmart.core.money import (
    STRIPE_IDR_FACTOR,
    format_rupiah,
    format_rupiah_range,
    from_stripe_amount,
    parse_rupiah,
    to_stripe_amount,
)


# --- format_rupiah -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (0, "Rp 0"),
        (1, "Rp 1"),
        (999, "Rp 999"),
        (1000, "Rp 1.000"),
        (25000, "Rp 25.000"),
        (1_000_000, "Rp 1.000.000"),
        (147321766, "Rp 147.321.766"),
        (147321766000, "Rp 147.321.766.000"),
    ],
)
def test_given_whole_rupiah_when_formatted_then_dots_separate_thousands(amount, expected):
    assert format_rupiah(amount) == expected


@pytest.mark.parametrize(
    ("amount", "expected"),
    [(-1, "-Rp 1"), (-5000, "-Rp 5.000"), (-147321766, "-Rp 147.321.766")],
)
def test_given_negative_amount_when_formatted_then_sign_precedes_rp(amount, expected):
    assert format_rupiah(amount) == expected


def test_given_none_when_formatted_then_dash():
    assert format_rupiah(None) == "-"


@pytest.mark.parametrize("amount", [25000.0, 0.5, True, False, "25000"])
def test_given_non_integer_when_formatted_then_type_error(amount):
    with pytest.raises(TypeError, match="rupiah amounts are integers"):
        format_rupiah(amount)


def test_given_float_when_formatted_then_error_names_the_type():
    with pytest.raises(TypeError, match="got float"):
        format_rupiah(1.0)


# --- format_rupiah_range -------------------------------------------------------------


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (None, None, "-"),
        (None, 150000, "-"),  # no low price: nothing to show
        (45000, None, "Rp 45.000"),
        (45000, 45000, "Rp 45.000"),
        (45000, 150000, "Rp 45.000 – Rp 150.000"),
        (0, 1000, "Rp 0 – Rp 1.000"),
    ],
)
def test_given_low_and_high_when_range_formatted_then_one_or_two_prices(low, high, expected):
    assert format_rupiah_range(low, high) == expected


def test_given_range_then_separator_is_spaced_en_dash():
    assert " \u2013 " in format_rupiah_range(1, 2)


# --- Stripe conversions --------------------------------------------------------------


def test_stripe_counts_idr_in_hundredths():
    assert STRIPE_IDR_FACTOR == 100


@pytest.mark.parametrize(("rupiah", "minor"), [(0, 0), (1, 100), (25000, 2_500_000), (147321766, 14_732_176_600)])
def test_given_rupiah_when_sent_to_stripe_then_multiplied_by_100(rupiah, minor):
    assert to_stripe_amount(rupiah) == minor


def test_given_negative_rupiah_when_sent_to_stripe_then_value_error():
    with pytest.raises(ValueError, match="cannot be negative"):
        to_stripe_amount(-1)


@pytest.mark.parametrize("rupiah", [25000.0, True, "25000", None])
def test_given_non_integer_when_sent_to_stripe_then_type_error(rupiah):
    with pytest.raises(TypeError):
        to_stripe_amount(rupiah)


@pytest.mark.parametrize(("minor", "rupiah"), [(0, 0), (100, 1), (2_500_000, 25000)])
def test_given_whole_minor_units_when_read_from_stripe_then_rupiah(minor, rupiah):
    result = from_stripe_amount(minor)
    assert result == rupiah
    assert type(result) is int


@pytest.mark.parametrize("minor", [1, 99, 2_500_050, 2_500_001])
def test_given_non_whole_minor_units_when_read_from_stripe_then_value_error(minor):
    with pytest.raises(ValueError, match=f"^{minor} IDR minor units is not a whole rupiah amount$"):
        from_stripe_amount(minor)


@pytest.mark.parametrize("rupiah", [0, 1, 999, 25000, 147321766000])
def test_given_rupiah_when_round_tripped_through_stripe_then_unchanged(rupiah):
    assert from_stripe_amount(to_stripe_amount(rupiah)) == rupiah


# --- parse_rupiah --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("25000", 25000),
        ("25.000", 25000),
        ("Rp 25.000", 25000),
        ("Rp25.000", 25000),
        ("RP 25.000", 25000),
        ("rp25000", 25000),
        (" 25000 ", 25000),
        ("  Rp  1.250.000  ", 1250000),
        ("25 000", 25000),
        ("0", 0),
        ("007", 7),
        ("999999999999999", 999_999_999_999_999),  # 15 digits: the longest accepted
        ("999.999.999.999.999", 999_999_999_999_999),  # dots do not count toward the limit
    ],
)
def test_given_what_a_person_types_when_parsed_then_integer_rupiah(text, expected):
    result = parse_rupiah(text)
    assert result == expected
    assert type(result) is int


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "   ",
        "Rp",
        "Rp ",
        "abc",
        "Rp abc",
        "12,5",  # a decimal comma is not a whole rupiah
        "25.000,00",
        "-5",
        "+5",
        "5e3",
        "25000rp",
        "１２",  # full-width digits are digits to str.isdigit, but not to us
        "２５.０００",
        "٣",  # Arabic-Indic digit
        "²",  # superscript digit: isdigit() is True
        "1234567890123456",  # 16 digits
        "12345678901234567890",
        "1.234.567.890.123.456",  # 16 digits once the dots are gone
    ],
)
def test_given_unreadable_text_when_parsed_then_none(text):
    assert parse_rupiah(text) is None
