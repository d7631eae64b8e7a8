"""opopmart.core.text: ASCII slugs and sort keys."""

from __future__ import annotations

import pytest

from opopmart.core.text import ascii_fold, slugify, sort_key


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kopi Arabika Ijen 250 g", "kopi-arabika-ijen-250-g"),
        ("Café Ñusantara", "cafe-nusantara"),
        ("  Sambal -- Bawang!!  ", "sambal-bawang"),
        ("Batik_Tulis/Madura", "batik-tulis-madura"),
        ("ÀÉÎÕÜ", "aeiou"),
        ("already-a-slug", "already-a-slug"),
        ("Kripik Tempe (Pedas) 100g", "kripik-tempe-pedas-100g"),
    ],
)
def test_given_a_name_when_slugified_then_lower_ascii_words_joined_by_hyphens(text, expected):
    assert slugify(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "!!!", "---", "…", "كوبي", "咖啡"])
def test_given_nothing_sluggable_when_slugified_then_item(text):
    assert slugify(text) == "item"


def test_given_long_text_when_slugified_then_default_max_length_is_120():
    slug = slugify("a" * 300)
    assert slug == "a" * 120


@pytest.mark.parametrize(
    ("text", "max_length", "expected"),
    [
        ("kopi arabika ijen", 4, "kopi"),  # cut lands right after a word
        ("kopi arabika ijen", 5, "kopi"),  # cut lands on the hyphen: it is dropped
        ("kopi arabika ijen", 6, "kopi-a"),
        ("kopi arabika ijen", 100, "kopi-arabika-ijen"),
    ],
)
def test_given_max_length_when_slugified_then_trimmed_without_trailing_hyphen(text, max_length, expected):
    slug = slugify(text, max_length=max_length)
    assert slug == expected
    assert len(slug) <= max_length
    assert not slug.endswith("-")


def test_given_cut_leaves_only_hyphens_when_slugified_then_item():
    # "-" cannot lead a slug (strip), so an empty cut only happens with max_length 0.
    assert slugify("kopi", max_length=0) == "item"


def test_ascii_fold_drops_accents_and_non_latin():
    assert ascii_fold("Café Ñusantara") == "Cafe Nusantara"
    assert ascii_fold("咖啡 kopi") == " kopi"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kopi Arabika Ijen", "kopi arabika ijen"),
        ("  Kopi   Arabika\tIjen  ", "kopi arabika ijen"),
        ("Café Ñusantara", "cafe nusantara"),
        ("Sambal-Bawang, Pedas!", "sambal bawang pedas"),
        ("Kopi 250 g", "kopi 250 g"),
        ("!!!", ""),
        ("", ""),
    ],
)
def test_given_a_name_when_sort_keyed_then_lower_ascii_single_spaced(text, expected):
    assert sort_key(text) == expected


def test_given_long_text_when_sort_keyed_then_default_max_length_is_160():
    assert sort_key("b" * 300) == "b" * 160


def test_given_max_length_when_sort_keyed_then_trimmed():
    assert sort_key("Kopi Arabika Ijen", max_length=7) == "kopi ar"


def test_given_accented_and_plain_spellings_then_same_sort_key():
    assert sort_key("Éclair Kopi") == sort_key("eclair  KOPI")


def test_given_names_when_sorted_by_key_then_reading_order_ignores_case_and_accents():
    names = ["zaitun", "Ábon Sapi", "Kopi", "abon ayam", "kacang"]
    assert sorted(names, key=sort_key) == ["abon ayam", "Ábon Sapi", "kacang", "Kopi", "zaitun"]
