"""Whole numbers read from what a visitor sends (opopmart.core.params)."""

from __future__ import annotations

import pytest

from opopmart.core.params import page_number, whole_number


@pytest.mark.parametrize(("raw", "expected"), [
    ("7", 7), (" 42 ", 42), ("000123", 123), ("999999999", 999_999_999),
    ("1234567890", None),  # ten digits may not fit an INTEGER column
    ("²", None), ("١٢", None),  # digits to str.isdigit(), not ASCII ones
    ("-1", None), ("3.5", None), ("1e3", None), ("", None), (None, None), ("abc", None),
])
def test_whole_number_takes_ascii_digits_that_fit_an_integer_column(raw, expected):
    assert whole_number(raw) == expected


def test_whole_number_takes_more_digits_when_asked():
    assert whole_number("123456789012", max_digits=12) == 123_456_789_012


@pytest.mark.parametrize(("raw", "expected"), [
    ("3", 3), ("99999", 99_999), ("100000", 1), ("0", 1), ("²", 1), ("", 1), (None, 1), ("x", 1),
])
def test_page_number_is_one_unless_a_page_is_named(raw, expected):
    assert page_number(raw) == expected
