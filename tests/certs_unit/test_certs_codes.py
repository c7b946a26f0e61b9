import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lms.certificates.codes import (
    ALPHABET,
    code_to_bytes,
    crockford_decode,
    crockford_encode,
    format_code,
    generate_code,
    is_well_formed,
    normalize_code,
)

CANONICAL = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$")


def test_codes_are_unique_and_well_formed():
    codes = {generate_code() for _ in range(10_000)}
    assert len(codes) == 10_000
    assert all(CANONICAL.match(code) and is_well_formed(code) for code in codes)


def test_code_carries_80_random_bits():
    code = generate_code()
    assert len(code_to_bytes(code)) == 10  # >= 64 bits required
    # every symbol position takes many values: nothing fixed or sequential
    samples = [generate_code().replace("-", "") for _ in range(2000)]
    for position in range(16):
        assert len({s[position] for s in samples}) == 32


@pytest.mark.parametrize(
    "typed",
    [
        "7kq4-m2xd-9rte-h3ab",
        "7KQ4 M2XD 9RTE H3AB",
        "7KQ4M2XD9RTEH3AB",
        " 7kq4m2xd 9rte-h3ab ",
        "7KQ4\u2013M2XD\u2014 9RTE.H3AB",  # en/em dashes from a word processor, a dot
        "７ＫＱ４－Ｍ２ＸＤ－９ＲＴＥ－Ｈ３ＡＢ",  # full-width, from a phone keyboard
    ],
)
def test_normalize_accepts_what_people_type(typed):
    assert normalize_code(typed) == "7KQ4-M2XD-9RTE-H3AB"


def test_normalize_maps_crockford_aliases():
    assert normalize_code("IL0O-iloo-1100-ABCD") == "1100-1100-1100-ABCD"


@pytest.mark.parametrize(
    "bad", ["", "7KQ4-M2XD-9RTE", "7KQ4-M2XD-9RTE-H3ABC", "UKQ4-M2XD-9RTE-H3AB", "7KQ4-M2XD-9RTE-H3A!", None]
)
def test_normalize_refuses(bad):
    assert normalize_code(bad) is None


def test_is_well_formed_only_for_canonical_form():
    assert is_well_formed("7KQ4-M2XD-9RTE-H3AB")
    assert not is_well_formed("7kq4-m2xd-9rte-h3ab")
    assert not is_well_formed("7KQ4M2XD9RTEH3AB")


@given(st.binary(max_size=200))
def test_base32_round_trip(data):
    text = crockford_encode(data)
    assert set(text) <= set(ALPHABET)
    assert crockford_decode(text) == data
    assert crockford_decode(text.lower()) == data


def test_base32_is_canonical():
    text = crockford_encode(b"\x01")  # 8 bits in 2 symbols: 2 spare bits must be zero
    assert crockford_decode(text) == b"\x01"
    bumped = text[0] + ALPHABET[ALPHABET.index(text[1]) + 1]
    with pytest.raises(ValueError):
        crockford_decode(bumped)
    for bad in ("0", "000", "00=", "0U"):
        with pytest.raises(ValueError):
            crockford_decode(bad)


def test_format_code_round_trip():
    raw = bytes(range(10))
    assert code_to_bytes(format_code(raw)) == raw
