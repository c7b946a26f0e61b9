"""Signing at issuance: the one call that turns claims into a token whose QR is printable."""

from __future__ import annotations

from dataclasses import replace

from lms.printing.qr import MAX_VERSION, QRTooLarge, qr_info

from .keys import KeyStore
from .tokens import CertificateClaims, mask_name, sign, verification_url


def sign_for_qr(
    claims: CertificateClaims, keystore: KeyStore, base_url: str, *, max_version: int = MAX_VERSION
) -> tuple[CertificateClaims, str, str]:
    """Sign ``claims`` and build the verify URL; returns ``(claims as signed, token, url)``.

    The URL must fit a QR of version <= 10. With an unusually long masked name, a long
    course slug and a long base URL together it may not; rather than fail the learner's
    certificate, middle initials are dropped from the masked name (never the family name
    or the given-name initial) until it fits. The returned claims carry the kid and the
    masked name actually signed: store those.
    """
    masked = claims.masked_name
    while True:
        candidate = replace(claims, masked_name=masked, kid=keystore.active_kid)
        token = sign(candidate, keystore)
        url = verification_url(base_url, token)
        try:
            qr_info(url, max_version=max_version)
            return candidate, token, url
        except QRTooLarge:
            shorter = mask_name(masked, max_length=len(masked) - 1)
            if len(shorter.split()) >= len(masked.split()):  # no initial left to drop
                raise
            masked = shorter
