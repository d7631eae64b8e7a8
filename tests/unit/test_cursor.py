"""Keyset cursors for catalogue pages: queries.encode_cursor / decode_cursor."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta, timezone

import pytest

from opopmart.catalogue.queries import Sort, decode_cursor, encode_cursor
from opopmart.core.text import sort_key

WIB = timezone(timedelta(hours=7))


def _token(payload) -> str:
    """A cursor built by hand the way encode_cursor builds one (unpadded urlsafe base64)."""
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _raw_token(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


@pytest.mark.parametrize(
    ("sort", "value", "row_id"),
    [
        (Sort.NEWEST, datetime(2024, 5, 1, 10, 30, 15, 123456), 42),
        (Sort.NEWEST, datetime(2024, 5, 1, 10, 30, tzinfo=WIB), 1),
        (Sort.NEWEST, datetime(2024, 5, 1, 3, 30, tzinfo=timezone.utc), 7),
        (Sort.PRICE_ASC, 25000, 3),
        (Sort.PRICE_ASC, 0, 1),
        (Sort.PRICE_DESC, 147321766000, 99999),
        (Sort.NAME, "kopi arabika ijen", 5),
        (Sort.NAME, "", 6),
        (Sort.NAME, "a", 2**40),
    ],
)
def test_given_a_cursor_we_encoded_when_decoded_with_its_sort_then_same_value_and_id(sort, value, row_id):
    token = encode_cursor(sort, value, row_id)
    decoded = decode_cursor(sort, token)
    assert decoded == (value, row_id)
    assert type(decoded[0]) is type(value)
    assert type(decoded[1]) is int


def test_given_an_aware_datetime_then_its_offset_survives():
    value = datetime(2024, 5, 1, 10, 30, tzinfo=WIB)
    decoded_value, _ = decode_cursor(Sort.NEWEST, encode_cursor(Sort.NEWEST, value, 1))
    assert decoded_value.utcoffset() == timedelta(hours=7)


def test_cursor_is_url_safe_and_unpadded():
    token = encode_cursor(Sort.NAME, "???>>>~~~", 123)
    assert "=" not in token
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_cursor_payload_is_sort_value_id():
    token = encode_cursor(Sort.PRICE_ASC, 25000, 3)
    padded = token + "=" * (-len(token) % 4)
    assert json.loads(base64.urlsafe_b64decode(padded)) == ["termurah", 25000, 3]


def test_given_the_longest_product_name_when_paging_by_name_then_cursor_round_trips():
    # Product.name is String(160) and sort_name = sort_key(name), up to 160 characters;
    # the "next page" link of such a product must lead to page 2, not back to page 1.
    name = "Keripik Tempe Sagu Khas Pondok Pesantren " * 4
    value = sort_key(name[:160])
    assert len(value) == 160
    token = encode_cursor(Sort.NAME, value, 123456)
    assert decode_cursor(Sort.NAME, token) == (value, 123456)


ALL_SORTS = list(Sort)
SAMPLE = {
    Sort.NEWEST: datetime(2024, 5, 1, 10, 30),
    Sort.PRICE_ASC: 25000,
    Sort.PRICE_DESC: 25000,
    Sort.NAME: "kopi",
}
CROSS = [(a, b) for a in ALL_SORTS for b in ALL_SORTS if a is not b]


@pytest.mark.parametrize(("made_for", "read_as"), CROSS, ids=[f"{a.name}-as-{b.name}" for a, b in CROSS])
def test_given_a_cursor_of_one_sort_when_decoded_as_another_then_none(made_for, read_as):
    token = encode_cursor(made_for, SAMPLE[made_for], 10)
    assert decode_cursor(read_as, token) is None


@pytest.mark.parametrize(
    "token",
    [
        None,
        "",
        "abc",
        "!!!!",
        "A" * 300,
        _token(["nama", "kopi", 1])[:-3],  # truncated
        _raw_token(b"hello, world"),  # base64 of something that is not JSON
        _raw_token(b"\xff\xfe\xfd\xfc"),  # base64 of bytes that are not text
        _token({"kind": "nama", "value": "kopi", "id": 1}),  # an object, not a list
        _token(["nama", "kopi"]),  # too short
        _token(["nama", "kopi", 1, 2]),  # too long
        _token(5),
        _token(None),
        _token(["nama", "kopi", True]),  # bool id
        _token(["nama", "kopi", 1.0]),  # float id
        _token(["nama", "kopi", "1"]),  # string id
        _token(["nama", "kopi", None]),
        _token(["nama", 5, 1]),  # NAME needs a string value
        _token(["nama", None, 1]),
        _token(["nama", ["kopi"], 1]),
    ],
)
def test_given_garbage_when_decoded_as_name_then_none(token):
    assert decode_cursor(Sort.NAME, token) is None


@pytest.mark.parametrize("sort", [Sort.PRICE_ASC, Sort.PRICE_DESC])
@pytest.mark.parametrize("value", [25000.5, 25000.0, True, False, "25000", None, [25000]])
def test_given_a_non_integer_price_when_decoded_then_none(sort, value):
    assert decode_cursor(sort, _token([sort.value, value, 1])) is None


@pytest.mark.parametrize("value", ["not-a-date", "", "2024-13-01T00:00:00", 1714550400, None, True, ["2024-05-01"]])
def test_given_a_non_datetime_when_decoded_as_newest_then_none(value):
    assert decode_cursor(Sort.NEWEST, _token(["terbaru", value, 1])) is None


def test_given_a_hand_built_valid_token_then_accepted():
    assert decode_cursor(Sort.PRICE_DESC, _token(["termahal", 9000, 12])) == (9000, 12)


@pytest.mark.parametrize(("length", "accepted"), [(600, True), (602, False)])
def test_given_token_length_then_600_characters_is_the_limit(length, accepted):
    # Unpadded base64 is never 4n+1 long, so 602 is the shortest token over the limit.
    # JSON padded with spaces after the id keeps the payload valid at any length.
    prefix = b'["nama","kopi",1'
    lengths = {len(_raw_token(prefix + b" " * pad + b"]")): pad for pad in range(500)}
    token = _raw_token(prefix + b" " * lengths[length] + b"]")
    assert len(token) == length
    assert (decode_cursor(Sort.NAME, token) == ("kopi", 1)) is accepted
