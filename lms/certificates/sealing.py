"""Private signing keys sealed for the database: AES-256-GCM under a key-encryption key (KEK).

Pure (no database): :mod:`lms.certificates.keyring` stores what :func:`seal` returns.

* The KEK is 32 random bytes written in base64 (standard or URL-safe alphabet, padding
  optional), so a Fernet key (``Fernet.generate_key()``) works as is. ``LMS_KEY_ENCRYPTION_KEY``
  may hold several, separated by commas: the first seals, all of them unseal (how the KEK itself
  is changed: put the new one first, run ``lms certs reseal``, then drop the old one).
* A sealed key is ``0x01 || nonce (12 B) || AES-GCM(raw 32-byte private key)`` with the kid
  as associated data: a sealed blob copied onto another kid's row does not open.
* The KEK's *fingerprint* (first 8 bytes of SHA-256 over a label and the KEK, in hex) is
  stored beside each sealed key, so a server holding another KEK says which one it lacks
  instead of failing with a bare "invalid tag".
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

ENV_KEK = "LMS_KEY_ENCRYPTION_KEY"
_FORMAT = b"\x01"
_NONCE = 12


class SealError(Exception):
    """A KEK that cannot be read, or a sealed key that does not open with the KEKs given."""


def parse_keks(text: str, name: str = ENV_KEK) -> list[bytes]:
    """The KEKs in ``text`` (comma-separated base64), first one first; raises :class:`SealError`
    naming ``name`` when one is not 32 bytes of base64."""
    keks = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        try:
            padded = item.replace("-", "+").replace("_", "/") + "=" * (-len(item) % 4)
            raw = base64.b64decode(padded, validate=True)
        except binascii.Error:
            raw = b""
        if len(raw) != 32:
            raise SealError(f"{name} must be 32 random bytes in base64 (e.g. the output of "
                            f"`lms certs encryption-key`); one of its entries is not")
        keks.append(raw)
    if not keks:
        raise SealError(f"{name} is empty")
    return keks


def new_kek() -> str:
    """A fresh KEK, as text for ``LMS_KEY_ENCRYPTION_KEY``."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def fingerprint(kek: bytes) -> str:
    return hashlib.sha256(b"bdhvs-lms key-encryption key\x00" + kek).hexdigest()[:16]


def _aad(kid: str) -> bytes:
    return b"bdhvs-lms signing key\x00" + kid.encode()


def seal(key: Ed25519PrivateKey, kid: str, kek: bytes) -> bytes:
    raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                            serialization.NoEncryption())
    nonce = os.urandom(_NONCE)
    return _FORMAT + nonce + AESGCM(kek).encrypt(nonce, raw, _aad(kid))


def unseal(blob: bytes, kid: str, kek: bytes) -> Ed25519PrivateKey:
    blob = bytes(blob)
    if blob[:1] != _FORMAT or len(blob) < 1 + _NONCE + 16:
        raise SealError(f"signing key {kid}: unknown sealed format")
    try:
        raw = AESGCM(kek).decrypt(blob[1:1 + _NONCE], blob[1 + _NONCE:], _aad(kid))
    except InvalidTag:
        raise SealError(f"signing key {kid} does not open with this key-encryption key") from None
    return Ed25519PrivateKey.from_private_bytes(raw)
