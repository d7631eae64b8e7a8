"""The Indonesian analyzer: what text becomes which search terms."""

from __future__ import annotations

import pickle

import pytest

from opopmart.search.analysis import (
    IndonesianAnalyzer,
    STOP_WORDS,
    analyze,
    fold,
    stem,
    surface_words,
    term_set,
)
from opopmart.search.whoosh_index import make_schema


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("pengrajin", "rajin"),
        ("kerajinan", "rajin"),
        ("rajin", "rajin"),
        ("perajin", "rajin"),
        ("anyaman", "anyam"),
        ("dianyam", "anyam"),
        ("minuman", "minum"),
        ("kesehatan", "sehat"),
        ("berkualitas", "kualitas"),
    ],
)
def test_affixed_words_share_their_root(word, expected):
    # Given an Indonesian word with prefixes/suffixes, when it is stemmed
    # Then it meets its root word in the index
    assert analyze(word) == [expected]


@pytest.mark.parametrize("place", ["Kediri", "Bangkalan", "Pamekasan", "Banyuwangi", "Ponorogo", "Batu"])
def test_place_names_are_not_stemmed(place):
    # Sastrawi would read Kediri as ke+diri and Bangkalan as bangkal+an
    assert analyze(place) == [place.lower()]


def test_stop_words_are_dropped_and_boolean_words_are_plain_words():
    assert analyze("kopi dan madu yang di Malang") == ["kopi", "madu", "malang"]
    # AND/OR/NOT are English stop words here, never operators
    assert analyze("kopi AND madu OR NOT gula") == ["kopi", "madu", "gula"]
    assert {"dan", "yang", "untuk", "and", "or", "not"} <= STOP_WORDS
    # Content words shoppers type are not stop words
    assert not {"baru", "besar", "hutan", "madu", "bambu"} & STOP_WORDS


def test_lower_casing_and_accent_folding():
    assert fold("Café ÉCOPRINT Kaçang") == "cafe ecoprint kacang"
    assert analyze("KOPI Arabika") == ["kopi", "arabika"]
    assert analyze("Kafé") == analyze("kafe")


def test_apostrophes_stay_inside_words_and_syntax_separates_words():
    assert analyze("Rehal Al-Qur'an") == ["rehal", "al", "quran"]
    assert analyze("Syafi’iyah") == ["syafiiyah"]
    assert analyze('"kopi"* madu:(hutan) [bambu] {jati}') == ["kopi", "madu", "hutan", "bambu", "jati"]


def test_emoji_control_characters_and_long_runs_make_no_terms():
    assert analyze("😀🔥 kopi\x00\x07madu \ufffd") == ["kopi", "madu"]
    assert analyze("x" * 2000) == []  # longer than any word
    assert analyze("a b c") == []  # single letters say nothing
    assert analyze("250 g 25 kg") == ["250", "25", "kg"]


def test_surface_words_are_folded_but_not_stemmed():
    assert surface_words("Kerajinan Bambu dan Pengrajin") == ["kerajinan", "bambu", "pengrajin"]


def test_term_set_matches_the_whoosh_analyzer():
    text = "Kopi Arabika Ijen, disangrai oleh pengrajin kopi di Kab. Bondowoso"
    tokens = [t.text for t in IndonesianAnalyzer()(text)]
    assert tokens == analyze(text)
    assert term_set(text) == set(tokens)


def test_highlighting_offsets_point_into_the_original_text():
    text = "Kopi Arabika Ijen — Kerajinan"
    tokens = [(t.text, text[t.startchar:t.endchar]) for t in IndonesianAnalyzer()(text, chars=True)]
    assert tokens == [("kopi", "Kopi"), ("arabika", "Arabika"), ("ijen", "Ijen"), ("rajin", "Kerajinan")]


def test_stems_are_cached_by_a_module_function_not_kept_on_the_schema():
    # Given the index schema, when it is pickled (into every Whoosh table of contents)
    schema = make_schema()
    size = len(pickle.dumps(schema, 2))
    # Then no stemmer or dictionary travels with it
    assert size < 4000
    analyzer = pickle.loads(pickle.dumps(schema["name"].analyzer, 2))
    assert [t.text for t in analyzer("kerajinan")] == ["rajin"]
    assert stem.cache_info().maxsize == 100_000
