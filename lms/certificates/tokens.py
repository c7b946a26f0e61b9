"""The compact signed certificate token carried by the QR code.

Token = Crockford base32 (upper case, no padding) of ``payload || signature``:

====== ======= ==============================================================
offset bytes   field
====== ======= ==============================================================
0      1       format version, 0x01
1      5       kid: the signing key id (its 8-symbol base32 form is the kid)
6      10      certificate code (its 16-symbol base32 form, grouped 4-4-4-4)
16     2       issue date: days since 1970-01-01, unsigned big-endian
18     1       bit 7: kind (0 course, 1 path); bits 0-6: audience (0 none,
               1 officials, 2 students, 3 workers, 4 citizens)
19     1+n     subject: course slug, or the audience code of a path (text)
.      1+n     unit code, e.g. "25920"; empty for none (text)
.      1+n     masked name, e.g. "Nguyễn V. A." (text)
end-64 64      Ed25519 signature over ASCII "BDHVS-CERT:" || payload
====== ======= ==============================================================

A text field is one header byte then n bytes. Header bit 7 = 0: each byte is an index
into :data:`TEXT_ALPHABET` (ASCII letters, digits, a few punctuation marks, and every
precomposed Vietnamese letter), so a Vietnamese name costs one byte per letter instead of
up to three in UTF-8; bit 7 = 1: the bytes are UTF-8, for any other character. Bits 0-6
are n. Text is NFC-normalised before encoding.

Titles are not in the token (they would double its size); an offline verifier shows the
slug, which is readable Vietnamese without diacritics ("ky-nang-so-co-ban"), and the
online page looks the title up. The context prefix keeps a token signature from ever
being valid for anything else the same key signs (the Open Badges export).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature

from .codes import code_to_bytes, crockford_decode, crockford_encode, format_code
from .keys import KID_BYTES, KeyStore, PublicKeys, lookup_public_key

VERSION = 1
SIGNING_CONTEXT = b"BDHVS-CERT:"
SIG_BYTES = 64
_EPOCH = date(1970, 1, 1)
#: the token's audience numbering; frozen: append only, since issued tokens carry the index
AUDIENCE_CODES: tuple[str, ...] = ("officials", "students", "workers", "citizens")
#: one byte per character; frozen: append only (verify-offline.js builds the same table)
TEXT_ALPHABET = (
    " .-'_,/()0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    "ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúýĂăĐđĨĩŨũƠơƯư"
    + "".join(chr(c) for c in range(0x1EA0, 0x1EFA))
)
_TEXT_INDEX = {ch: i for i, ch in enumerate(TEXT_ALPHABET)}
#: hard caps in characters; the QR budget is finer: issue.sign_for_qr keeps a URL inside version 10
MAX_NAME, MAX_SUBJECT, MAX_UNIT = 40, 64, 12
_MAX_TOKEN_CHARS = 400


class InvalidToken(ValueError):
    """A token that must not be trusted. ``reason``: "format", "unknown_key" or "signature"."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"invalid certificate token ({reason})")
        self.reason = reason


@dataclass(frozen=True)
class CertificateClaims:
    code: str
    masked_name: str
    kind: Literal["course", "path"]
    #: course slug for a course certificate, audience code for a path certificate
    subject: str
    audience: str | None
    unit_code: str | None
    issued_on: date
    #: the signing key; set by :func:`sign`, ignored on input
    kid: str = ""


def _encode_text(value: str, limit: int, field: str) -> bytes:
    value = unicodedata.normalize("NFC", value)
    if len(value) > limit:
        raise ValueError(f"{field} longer than {limit} characters")
    try:
        body, flag = bytes(_TEXT_INDEX[ch] for ch in value), 0
    except KeyError:
        body, flag = value.encode("utf-8"), 0x80
    if len(body) > 0x7F:
        raise ValueError(f"{field} too long")
    return bytes([flag | len(body)]) + body


def _decode_text(raw: bytes, pos: int) -> tuple[str, int]:
    header = raw[pos]
    end = pos + 1 + (header & 0x7F)
    if end > len(raw):
        raise ValueError("text runs past the payload")
    body = raw[pos + 1 : end]
    if header & 0x80:
        return body.decode("utf-8"), end
    return "".join(TEXT_ALPHABET[b] for b in body), end  # IndexError on a byte past the table


def encode_payload(claims: CertificateClaims, kid: str) -> bytes:
    """The signed bytes (without the signature) for ``claims`` under ``kid``."""
    days = (claims.issued_on - _EPOCH).days
    if not 0 <= days <= 0xFFFF:
        raise ValueError("issue date out of range")
    if claims.kind not in ("course", "path"):
        raise ValueError("kind must be 'course' or 'path'")
    audience = AUDIENCE_CODES.index(claims.audience) + 1 if claims.audience else 0
    kid_raw = crockford_decode(kid)
    if len(kid_raw) != KID_BYTES:
        raise ValueError("bad kid")
    return (
        bytes([VERSION])
        + kid_raw
        + code_to_bytes(claims.code)
        + days.to_bytes(2, "big")
        + bytes([(0x80 if claims.kind == "path" else 0) | audience])
        + _encode_text(claims.subject, MAX_SUBJECT, "subject")
        + _encode_text(claims.unit_code or "", MAX_UNIT, "unit code")
        + _encode_text(claims.masked_name, MAX_NAME, "masked name")
    )


def sign(claims: CertificateClaims, keystore: KeyStore, kid: str | None = None) -> str:
    """The token for ``claims``, signed with the active key (or ``kid``)."""
    kid, private = keystore.signing_key(kid)
    payload = encode_payload(claims, kid)
    return crockford_encode(payload + private.sign(SIGNING_CONTEXT + payload))


def _parse(payload: bytes, kid: str) -> CertificateClaims:
    days = int.from_bytes(payload[16:18], "big")
    flags = payload[18]
    audience_index = flags & 0x7F
    if audience_index > len(AUDIENCE_CODES):
        raise ValueError("unknown audience")
    subject, pos = _decode_text(payload, 19)
    unit, pos = _decode_text(payload, pos)
    name, pos = _decode_text(payload, pos)
    if pos != len(payload):
        raise ValueError("trailing bytes")
    return CertificateClaims(
        code=format_code(payload[6:16]),
        masked_name=name,
        kind="path" if flags & 0x80 else "course",
        subject=subject,
        audience=AUDIENCE_CODES[audience_index - 1] if audience_index else None,
        unit_code=unit or None,
        issued_on=_EPOCH + timedelta(days=days),
        kid=kid,
    )


def verify(token: str, keys: PublicKeys | Mapping) -> CertificateClaims:
    """The claims of a genuine token; raises :class:`InvalidToken` otherwise.

    ``keys``: a :class:`KeyStore`, a ``{kid: Ed25519PublicKey}`` mapping, or a JWK set.
    The signature is checked before any field is parsed.
    """
    if not isinstance(token, str) or len(token) > _MAX_TOKEN_CHARS:
        raise InvalidToken("format")
    try:
        raw = crockford_decode(token.strip())
    except ValueError:
        raise InvalidToken("format") from None
    if len(raw) < 22 + SIG_BYTES or raw[0] != VERSION:
        raise InvalidToken("format")
    kid = crockford_encode(raw[1 : 1 + KID_BYTES])
    key = lookup_public_key(keys, kid)
    if key is None:
        raise InvalidToken("unknown_key")
    payload, signature = raw[:-SIG_BYTES], raw[-SIG_BYTES:]
    try:
        key.verify(signature, SIGNING_CONTEXT + payload)
    except InvalidSignature:
        raise InvalidToken("signature") from None
    try:
        return _parse(payload, kid)
    except (ValueError, IndexError):  # signed but malformed: a bug on our side, still refuse
        raise InvalidToken("format") from None


def token_kid(token: str) -> str | None:
    """The kid a token claims, unverified (for logs and key-set refreshes)."""
    try:
        raw = crockford_decode(token.strip())
    except ValueError:
        return None
    return crockford_encode(raw[1 : 1 + KID_BYTES]) if len(raw) > KID_BYTES else None


def verification_url(base_url: str, token: str) -> str:
    """``<BASE>/V/<token>`` with scheme and host upper-cased so the QR can use alphanumeric mode.

    Scheme and host are case-insensitive; the path prefix (e.g. ``/hoc``) is kept as
    given because routes are case-sensitive. The path is always ``/V/`` (upper case).
    """
    parts = urlsplit(base_url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("base URL must be http(s)://host[/prefix]")
    host = parts.hostname.encode("idna").decode("ascii")  # a Vietnamese IDN becomes xn--...
    if parts.port:
        host += f":{parts.port}"
    return f"{parts.scheme.upper()}://{host.upper()}{parts.path.rstrip('/')}/V/{token}"


def token_from_url(text: str) -> str:
    """The token in a pasted verify URL (any case of ``/v/``), or the text itself."""
    text = text.strip()
    lowered = text.lower()
    marker = lowered.rfind("/v/")
    token = text[marker + 3 :] if marker >= 0 else text
    return token.split("?")[0].split("#")[0].strip("/")


def mask_name(full_name: str, max_length: int = MAX_NAME) -> str:
    """"Nguyễn Văn An" -> "Nguyễn V. A.": family name kept, other parts as initials.

    NFC-normalised, extra spaces dropped; a name typed all in upper or lower case gets its
    family name capitalised; a one-word name is kept whole. Too long a result loses middle
    initials (the given name, last in Vietnamese order, is kept).
    """
    parts = unicodedata.normalize("NFC", full_name).split()
    if not parts:
        raise ValueError("empty name")
    family = parts[0]
    if family.isupper() or family.islower():
        family = family[0].upper() + family[1:].lower()
    initials = []
    for part in parts[1:]:
        letter = next((ch for ch in part if ch.isalnum()), None)
        if letter is not None:
            initials.append(letter.upper() + ".")
    while initials and len(" ".join([family, *initials])) > max_length and len(initials) > 1:
        del initials[-2]
    return " ".join([family, *initials])[:max_length]
