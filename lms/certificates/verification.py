"""The answer to "is this certificate genuine?", from a QR token or a typed code."""

from __future__ import annotations

from dataclasses import dataclass

from lms.certificates import records
from lms.certificates.issuing import keystore
from lms.certificates.records import Public
from lms.certificates.tokens import InvalidToken, verify

#: what a verifier is told; "invalid" covers a bad signature, an unknown key, a malformed token
#: and an unknown code alike, so a failed check reveals nothing about why
STATUSES: tuple[str, ...] = ("valid", "revoked", "invalid")


@dataclass(frozen=True)
class Outcome:
    status: str
    cert: Public | None = None


def check_token(token: str) -> Outcome:
    """Signature first (no database for a forged or mangled token), then the record's status."""
    token = (token or "").strip().upper()
    try:
        claims = verify(token, keystore())
    except InvalidToken:
        return Outcome("invalid")
    cert = records.public_record(claims.code)
    # the record must be the one this token was issued for (a code signed twice would be a bug)
    if cert is None or cert.token != token:
        return Outcome("invalid")
    return Outcome(cert.status, cert)


def check_code(code: str) -> Outcome:
    """A typed code: 80 random bits, so looking it up is as safe as checking a signature."""
    cert = records.public_record(code)
    if cert is None:
        return Outcome("invalid")
    return Outcome(cert.status, cert)
