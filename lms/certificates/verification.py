"""The answer to "is this certificate genuine?", from a QR token or a typed code.

Online, the server's record is the authority: a token is genuine if it is exactly the token
stored with its certificate (compared in constant time). That token was signed at issuance,
so checking its Ed25519 signature again here would add nothing (and cost ~0.1 ms a request);
the signature is what lets a phone check the token *offline* (static/verify-offline.js), and
:func:`lms.certificates.tokens.verify` stays the reference for that format. Records come
through :mod:`lms.certificates.recordcache`: a repeat check is answered from memory, and a
revocation empties that memory in every process before the next check.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from lms.certificates import recordcache
from lms.certificates.codes import crockford_decode, format_code
from lms.certificates.recordcache import Entry
from lms.certificates.records import Public
from lms.certificates.tokens import SIG_BYTES, VERSION
from lms.metrics import verified

#: what a verifier is told; "invalid" covers a bad signature, an unknown key, a malformed token
#: and an unknown code alike, so a failed check reveals nothing about why
STATUSES: tuple[str, ...] = ("valid", "revoked", "invalid")
_MAX_TOKEN = 400


@dataclass(frozen=True)
class Outcome:
    status: str
    #: the certificate's record, and where the verdict pages rendered from it are kept
    #: (see :mod:`.recordcache`); None when the check failed
    entry: Entry | None = None

    @property
    def cert(self) -> Public | None:
        return self.entry.record if self.entry is not None else None


def token_code(token: str) -> str | None:
    """The certificate code a token names (unverified), or None if it is not a token at all."""
    if len(token) > _MAX_TOKEN:
        return None
    try:
        raw = crockford_decode(token)
    except ValueError:
        return None
    if len(raw) < 22 + SIG_BYTES or raw[0] != VERSION:
        return None
    return format_code(raw[6:16])


def check_token(token: str) -> Outcome:
    """VALID or REVOKED only for the very token issued with the certificate; INVALID otherwise."""
    token = (token or "").strip().upper()
    code = token_code(token)
    found = recordcache.entry(code) if code is not None else None
    if found is None or not hmac.compare_digest(found.record.token.encode(), token.encode()):
        verified("invalid")
        return Outcome("invalid")
    verified(found.record.status)
    return Outcome(found.record.status, found)


def check_code(code: str) -> Outcome:
    """A typed code: 80 random bits, so looking it up is as safe as checking a signature."""
    found = recordcache.entry(code)
    if found is None:
        verified("invalid")
        return Outcome("invalid")
    verified(found.record.status)
    return Outcome(found.record.status, found)
