"""W3C Bitstring Status List v1.0 (https://www.w3.org/TR/vc-bitstring-status-list/): the pure part.

Every certificate has a ``statusListIndex``; list ``n`` covers the indexes
``n * LIST_SIZE .. (n + 1) * LIST_SIZE - 1``, and its bit for a revoked certificate is 1.
The list is a ``BitstringStatusListCredential`` whose ``encodedList`` is multibase base64url
(``u...``) of the GZIP-compressed bitstring; bit 0 is the most significant bit of the first
byte (the spec's left-to-right order). A list holds :data:`LIST_SIZE` = 131,072 entries, the
spec's minimum of 16 KB, so a list tells nothing about how many certificates exist (herd
privacy); with few revocations GZIP makes it a few hundred bytes.

The credential of each certificate names its entry with :func:`status_entry`.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterable
from datetime import UTC, datetime

from .multibase import base64url, from_base64url

LIST_SIZE = 131_072  # bits: the spec's minimum (16 KB), for herd privacy
PURPOSE = "revocation"
#: how long a wallet may keep a list before fetching it again (the spec's ``ttl``, milliseconds)
TTL_MS = 300_000
#: a list this large when unpacked is not ours (a gzip bomb is refused)
_MAX_BYTES = 16 * 1024 * 1024


def list_number(index: int) -> int:
    return index // LIST_SIZE


def position(index: int) -> int:
    return index % LIST_SIZE


def encode_list(positions: Iterable[int], size: int = LIST_SIZE) -> str:
    """``u...``: the bitstring with these positions set, GZIP-compressed, multibase base64url."""
    bits = bytearray(size // 8)
    for pos in positions:
        if not 0 <= pos < size:
            raise ValueError(f"position {pos} outside the list")
        bits[pos // 8] |= 0x80 >> (pos % 8)
    return base64url(gzip.compress(bytes(bits), mtime=0))  # mtime 0: same bits, same bytes


def decode_list(encoded: str) -> bytes:
    """The uncompressed bitstring of an ``encodedList``; ValueError if it is not one."""
    packed = from_base64url(encoded)
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(packed)) as stream:
            bits = stream.read(_MAX_BYTES + 1)
    except (OSError, EOFError) as error:
        raise ValueError("not a GZIP bitstring") from error
    if len(bits) > _MAX_BYTES:
        raise ValueError("bitstring too large")
    return bits


def bit(bits: bytes, pos: int) -> bool:
    """Whether position ``pos`` is set (left to right: bit 0 is the first byte's top bit)."""
    return bool(bits[pos // 8] & (0x80 >> (pos % 8)))


def status_entry(list_url: str, index: int) -> dict:
    """A credential's ``credentialStatus``: its bit in the revocation list at ``list_url``."""
    return {
        "id": f"{list_url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": PURPOSE,
        "statusListIndex": str(index),  # a string, as the spec says
        "statusListCredential": list_url,
    }


def status_list_credential(list_url: str, issuer: str, revoked_positions: Iterable[int],
                           valid_from: datetime | None = None) -> dict:
    """The unsigned ``BitstringStatusListCredential`` for one list (sign it like any credential)."""
    when = (valid_from or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": when,
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": PURPOSE,
            "encodedList": encode_list(revoked_positions),
            "ttl": TTL_MS,
        },
    }
