"""opopmart.core.urls.safe_next: only paths on this site are redirect targets."""

from __future__ import annotations

import pytest

from opopmart.core.urls import safe_next


@pytest.mark.parametrize(
    "target",
    [
        "/",
        "/katalog",
        "/katalog?x=1",
        "/katalog?x=1&sort=termurah#hasil",
        "/produk/kopi-arabika-ijen",
        "/cari?q=kopi%20ijen",
        "/a/b/../c",
    ],
)
def test_given_a_local_path_when_checked_then_returned_unchanged(target):
    assert safe_next(target) == target


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "//evil.example",
        "//evil.example/katalog",
        "///evil.example",
        "/\\evil",
        "\\\\evil.example",
        "https://evil.example/",
        "http://evil.example",
        "HTTPS://evil.example/",
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,hi",
        "mailto:x@evil.example",
        "katalog",
        "katalog/produk",
        " /katalog",
        "?next=/",
        "/katalog\r\nSet-Cookie: x=1",
        "/katalog\rx",
        "/katalog\nx",
        "/\t/evil.example",
        "/katalog\x00",
        "/katalog\x1b",
        "/" + "a" * 2999,  # 3000 characters
    ],
)
def test_given_an_unsafe_target_when_checked_then_default(target):
    assert safe_next(target) == "/"


def test_given_an_unsafe_target_and_a_default_when_checked_then_that_default():
    assert safe_next("https://evil.example/", default="/akun") == "/akun"
    assert safe_next(None, default="/akun") == "/akun"


def test_given_a_safe_target_and_a_default_when_checked_then_target_wins():
    assert safe_next("/keranjang", default="/akun") == "/keranjang"


@pytest.mark.parametrize(("length", "accepted"), [(2000, True), (2001, False)])
def test_given_a_long_path_when_checked_then_2000_characters_is_the_limit(length, accepted):
    target = "/" + "a" * (length - 1)
    assert len(target) == length
    assert safe_next(target) == (target if accepted else "/")
