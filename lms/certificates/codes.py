"""Certificate codes: short, unguessable, easy to read aloud and type.

A code is 80 random bits written as 16 Crockford base32 symbols in four groups of four,
e.g. ``7KQ4-M2XD-9RTE-H3AB``. Crockford's alphabet leaves out I, L, O and U, so a code
read aloud over the phone cannot be confused (I/L sound and look like 1, O like 0) and
cannot spell most rude words (U). The same base32 functions encode the signed token.
"""

from __future__ import annotations

import re
import secrets
import unicodedata

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_SYMBOLS = re.compile("[0-9A-HJKMNP-TV-Z]*")
_TO_DIGITS = str.maketrans(ALPHABET, "0123456789ABCDEFGHIJKLMNOPQRSTUV")
# Crockford's decoding aliases: what people type when they misread a symbol.
_ALIASES = {"I": "1", "L": "1", "O": "0"}

#: 80 bits: above the 64-bit minimum, and a whole number of base32 symbols (16) and bytes (10).
CODE_BYTES = 10
CODE_SYMBOLS = 16
GROUP = 4

# Everything a person might put between groups: spaces (incl. NBSP), dashes of any kind, dots.
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212._·]+")


def crockford_encode(data: bytes) -> str:
    """Base32 (Crockford alphabet, upper case, no padding); the last symbol is zero-padded."""
    bits = int.from_bytes(data, "big") if data else 0
    nbits = len(data) * 8
    nsym = -(-nbits // 5)
    bits <<= nsym * 5 - nbits
    return "".join(ALPHABET[(bits >> (5 * (nsym - 1 - i))) & 31] for i in range(nsym))


def crockford_decode(text: str) -> bytes:
    """Strict inverse of :func:`crockford_encode` (upper or lower case accepted).

    Raises ValueError on any other symbol, on an impossible length, or when the unused
    low bits of the last symbol are not zero: exactly one string maps to each byte string,
    so a token cannot be re-spelled into a different URL with the same signature.
    """
    text = text.upper()
    nsym = len(text)
    nbytes = nsym * 5 // 8
    if -(-nbytes * 8 // 5) != nsym:
        raise ValueError("impossible base32 length")
    if not _SYMBOLS.fullmatch(text):
        raise ValueError("not a base32 symbol")
    # int() in C instead of a loop a symbol: Crockford's symbols renamed to base-32 digits
    bits = int(text.translate(_TO_DIGITS), 32) if text else 0
    spare = nsym * 5 - nbytes * 8
    if bits & ((1 << spare) - 1):
        raise ValueError("non-canonical base32")
    return (bits >> spare).to_bytes(nbytes, "big")


def format_code(raw: bytes) -> str:
    """The grouped text form of a 10-byte code."""
    if len(raw) != CODE_BYTES:
        raise ValueError("a code is 10 bytes")
    flat = crockford_encode(raw)
    return "-".join(flat[i : i + GROUP] for i in range(0, CODE_SYMBOLS, GROUP))


def generate_code() -> str:
    """A new random code, e.g. ``7KQ4-M2XD-9RTE-H3AB`` (80 bits from :mod:`secrets`)."""
    return format_code(secrets.token_bytes(CODE_BYTES))


def normalize_code(text: str) -> str | None:
    """The canonical grouped code for what a person typed, or None if it cannot be one.

    Accepts lower case, spaces or no separators at all, full-width characters (NFKC),
    and Crockford's aliases I/L -> 1 and O -> 0. U is not a code symbol and is refused.
    """
    if not isinstance(text, str):
        return None
    flat = _SEPARATORS.sub("", unicodedata.normalize("NFKC", text)).upper()
    flat = "".join(_ALIASES.get(ch, ch) for ch in flat)
    if len(flat) != CODE_SYMBOLS or any(ch not in _VALUE for ch in flat):
        return None
    return "-".join(flat[i : i + GROUP] for i in range(0, CODE_SYMBOLS, GROUP))


def is_well_formed(code: str) -> bool:
    """True only for the canonical form ``XXXX-XXXX-XXXX-XXXX`` (what the database stores)."""
    return isinstance(code, str) and normalize_code(code) == code


def code_to_bytes(code: str) -> bytes:
    """The 10 bytes behind a code (any spelling :func:`normalize_code` accepts)."""
    canonical = normalize_code(code)
    if canonical is None:
        raise ValueError("not a certificate code")
    return crockford_decode(canonical.replace("-", ""))
