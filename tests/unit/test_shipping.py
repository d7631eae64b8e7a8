"""Shipping arithmetic: billable kilograms and zones (no database)."""

from __future__ import annotations

import pytest

from opopmart.checkout.models import Zone
from opopmart.checkout.shipping import JAVA_PROVINCES, billable_kg, province_of, zone_for

SURABAYA = "35.78"
PASURUAN = "35.14"  # Kab. Pasuruan, Jawa Timur
SEMARANG = "33.74"  # Kota Semarang, Jawa Tengah
BANDUNG = "32.73"  # Kota Bandung, Jawa Barat
DENPASAR = "51.71"  # Bali
MAKASSAR = "73.71"  # Sulawesi Selatan


@pytest.mark.parametrize("grams, kg", [
    (0, 1), (1, 1), (999, 1), (1000, 1), (1001, 2), (1999, 2), (2000, 2), (2001, 3),
    (2300, 3), (10_000, 10), (10_001, 11),
])
def test_billable_kg_rounds_every_started_kilogram_up_and_is_at_least_one(grams, kg):
    assert billable_kg(grams) == kg


@pytest.mark.parametrize("bad, error", [(-1, ValueError), (1.5, TypeError), ("1000", TypeError),
                                        (True, TypeError), (None, TypeError)])
def test_billable_kg_refuses_what_is_not_a_whole_non_negative_gram_count(bad, error):
    with pytest.raises(error):
        billable_kg(bad)


def test_java_is_its_six_provinces():
    assert JAVA_PROVINCES == {"31", "32", "33", "34", "35", "36"}
    assert province_of("35.78") == "35" and province_of("35") == "35"


def test_same_kabupaten_kota_is_same_city():
    assert zone_for(SURABAYA, SURABAYA, "35") is Zone.SAME_CITY


def test_same_city_outside_jawa_timur_is_same_city_too():
    assert zone_for(MAKASSAR, MAKASSAR, "73") is Zone.SAME_CITY


def test_another_city_of_jawa_timur_is_jawa_timur():
    assert zone_for(SURABAYA, PASURUAN, "35") is Zone.JAWA_TIMUR
    assert zone_for(PASURUAN, SURABAYA, "35") is Zone.JAWA_TIMUR


def test_jawa_timur_to_jawa_tengah_or_jawa_barat_is_java():
    assert zone_for(SURABAYA, SEMARANG, "33") is Zone.JAVA
    assert zone_for(SURABAYA, BANDUNG, "32") is Zone.JAVA
    # A city the regions table does not know (region None) is judged by its province.
    assert zone_for(SURABAYA, None, "36") is Zone.JAVA


def test_two_provinces_of_java_other_than_jawa_timur_are_java():
    assert zone_for(BANDUNG, SEMARANG, "33") is Zone.JAVA
    assert zone_for(BANDUNG, None, "32") is Zone.JAVA  # Bekasi, typed: not Bandung itself


def test_jawa_timur_to_bali_or_sulawesi_is_outside_java():
    assert zone_for(SURABAYA, DENPASAR, "51") is Zone.OUTSIDE_JAVA
    assert zone_for(SURABAYA, MAKASSAR, "73") is Zone.OUTSIDE_JAVA
    assert zone_for(SURABAYA, None, "73") is Zone.OUTSIDE_JAVA


def test_a_producer_outside_java_ships_to_jawa_timur_outside_java():
    assert zone_for(MAKASSAR, SURABAYA, "35") is Zone.OUTSIDE_JAVA


def test_an_unknown_city_in_jawa_timur_is_never_the_same_city():
    assert zone_for(SURABAYA, None, "35") is Zone.JAWA_TIMUR


def test_a_region_from_another_province_than_the_destination_is_a_bug():
    with pytest.raises(ValueError):
        zone_for(SURABAYA, SEMARANG, "35")
    with pytest.raises(ValueError):
        zone_for("", SURABAYA, "35")
