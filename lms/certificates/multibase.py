"""Multibase text forms used by Data Integrity proofs and Bitstring Status Lists.

``z`` + base58btc (Bitcoin alphabet) for signatures and Multikeys; ``u`` + base64url without
padding for a status list's ``encodedList``. Pure functions, no dependencies.
"""

from __future__ import annotations

import base64
import re

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def b58encode(data: bytes) -> str:
    n = int.from_bytes(data, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = _B58[r] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def b58decode(text: str) -> bytes:
    n = 0
    for ch in text:
        n = n * 58 + _B58.index(ch)  # ValueError on a foreign symbol
    body = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def base58btc(data: bytes) -> str:
    """``z...``: multibase base58btc."""
    return "z" + b58encode(data)


def from_base58btc(text: str) -> bytes:
    """The bytes of a ``z...`` value; ValueError for anything else."""
    if not isinstance(text, str) or not text.startswith("z"):
        raise ValueError("not multibase base58btc")
    return b58decode(text[1:])


def base64url(data: bytes) -> str:
    """``u...``: multibase base64url, no padding."""
    return "u" + base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def from_base64url(text: str) -> bytes:
    """The bytes of a ``u...`` value; ValueError for anything else."""
    if not isinstance(text, str) or not text.startswith("u"):
        raise ValueError("not multibase base64url")
    body = text[1:]
    if not re.fullmatch(r"[A-Za-z0-9_-]*", body):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
