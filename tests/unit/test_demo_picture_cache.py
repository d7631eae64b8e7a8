"""`demo load` keeps the pictures it draws in DEMO_PICTURE_CACHE and copies them next time."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from opopmart.core.media import media_files
from opopmart.demo.data import build_plan
from opopmart.demo.loader import _draw_all

PLAN = build_plan(today=date(2026, 11, 23))
JOBS = [(p.slug, image) for p in PLAN.products()[:2] for image in p.images[:1]]


def _bytes(media_root, stored) -> list[bytes]:
    return [(media_root / name).read_bytes() for name in media_files(stored.key)]


def test_a_second_load_copies_the_same_pictures_under_new_names(tmp_path):
    cache = tmp_path / "cache"
    said: list[str] = []
    # Given a first load that drew its pictures into the cache
    first = _draw_all(JOBS, str(tmp_path / "one"), said.append, str(cache))
    assert said[0].startswith("  drawing 2 product images on ")
    # When another load asks for the same pictures
    said.clear()
    second = _draw_all(JOBS, str(tmp_path / "two"), said.append, str(cache))
    # Then it copies them: the same bytes in every size, each under a new random key
    assert said == [f"  copying 2 product images from {cache}..."]
    assert second.keys() == first.keys()
    for where in first:
        assert second[where].key != first[where].key
        assert (second[where].width, second[where].height) == (first[where].width, first[where].height)
        assert _bytes(tmp_path / "two", second[where]) == _bytes(tmp_path / "one", first[where])


def test_a_changed_plan_is_drawn_again(tmp_path):
    cache = tmp_path / "cache"
    _draw_all(JOBS, str(tmp_path / "one"), lambda _m: None, str(cache))
    slug, image = JOBS[0]
    said: list[str] = []
    # When one picture's title changes
    _draw_all([(slug, replace(image, title=image.title + " Baru"))], str(tmp_path / "two"), said.append,
              str(cache))
    # Then it is drawn, not copied from the old one
    assert said[0].startswith("  drawing 1 product images")


def test_without_a_cache_every_load_draws(tmp_path):
    said: list[str] = []
    _draw_all(JOBS, str(tmp_path / "one"), said.append)
    _draw_all(JOBS, str(tmp_path / "two"), said.append)
    assert len(said) == 2 and all(m.startswith("  drawing 2 product images on ") for m in said)
