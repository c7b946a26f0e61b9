"""Certificates: signed QR tokens, PDFs, verification, revocation, keys (see README.md)."""
