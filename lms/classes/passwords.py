"""One-time passwords for accounts a teacher creates from a roster, and the sheet that carries them.

Hashing. werkzeug's default (scrypt, ~110 ms a hash here, 340 ms under load) would take 9-28
minutes for a 10,000-row roster on two cores. A key-derivation function exists to slow down
guessing of *human-chosen* passwords (~20-40 bits of entropy). These passwords are machine-made:
``OTP_LENGTH`` = 12 characters drawn by ``secrets`` from a 31-symbol alphabet is 59.4 bits.
Guessing one takes ~2^58 (3e17) tries on average; with PBKDF2-HMAC-SHA256 at
``OTP_ITERATIONS`` = 1,000 (2,000 SHA-256 compressions a try) that is ~6e20 compressions,
about 900 years of one high-end GPU (~2e10 SHA-256/s) *per password* - far more than scrypt buys
for a typical human password. And the secret lives only until first sign-in, where
``login_required`` forces a new password that gets werkzeug's full default hash. So: a standard, NIST-approved
KDF (``pbkdf2:sha256:<n>``, understood by ``check_password_hash``) at a reduced count, run in
a thread pool (``hashlib.pbkdf2_hmac`` releases the GIL). Never use this for a password a
person chooses.

Sheets. The plain passwords must reach paper, so they are kept encrypted (Fernet, key derived
from SECRET_KEY) in :class:`PasswordSheet` until it expires or the teacher deletes it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app
from sqlalchemy import delete, select

# the generator and the hash live with the accounts (a helper's reset makes them too)
from lms.accounts.onetime import (  # noqa: F401  (OTP_ALPHABET, OTP_LENGTH: this module's public names)
    OTP_ALPHABET,
    OTP_ITERATIONS,
    OTP_LENGTH,
    hash_one_time_password,
    new_one_time_password,
)
from lms.classes.models import PasswordSheet
from lms.db import db, now_utc

SHEET_DAYS = 7
#: slips per PDF download (50 pages of 10); a bigger sheet is printed in parts
SHEET_PART = 500
_PARALLEL_FROM = 32  # below this, a thread pool costs more than it saves


def hash_many(passwords: list[str], iterations: int = OTP_ITERATIONS) -> list[str]:
    """Hash one-time passwords on every core (hashlib releases the GIL while it works)."""
    if len(passwords) < _PARALLEL_FROM:
        return [hash_one_time_password(p, iterations) for p in passwords]
    workers = min(8, os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda p: hash_one_time_password(p, iterations), passwords, chunksize=64))


def _fernet() -> Fernet:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    key = hashlib.sha256(b"lms-password-sheet\x00" + secret).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def store_sheet(class_id: int, created_by_id: int, entries: list[dict]) -> PasswordSheet:
    """Keep ``entries`` ({"name", "login", "password"}) encrypted until the sheet expires."""
    days = int(current_app.config.get("LMS_PASSWORD_SHEET_DAYS", SHEET_DAYS))
    purge_expired_sheets()
    sheet = PasswordSheet(
        class_id=class_id,
        created_by_id=created_by_id,
        count=len(entries),
        expires_at=now_utc() + timedelta(days=days),
        secret=_fernet().encrypt(json.dumps(entries, ensure_ascii=False).encode()).decode("ascii"),
    )
    db.session.add(sheet)
    db.session.flush()
    return sheet


def read_sheet(sheet: PasswordSheet) -> list[dict] | None:
    """The entries, or None when the sheet expired or SECRET_KEY changed since."""
    if sheet.expires_at <= now_utc():
        return None
    try:
        return json.loads(_fernet().decrypt(sheet.secret.encode("ascii")))
    except InvalidToken:
        return None


def purge_expired_sheets() -> int:
    """Delete every expired sheet (their passwords are gone for good); return how many."""
    result = db.session.execute(delete(PasswordSheet).where(PasswordSheet.expires_at <= now_utc()))
    return result.rowcount or 0


def live_sheets(class_id: int) -> list[PasswordSheet]:
    """The class's sheets that have not expired, newest first (expired ones are purged by the
    next sheet made and by ``lms classes purge``: a page view changes nothing)."""
    return list(db.session.scalars(
        select(PasswordSheet)
        .where(PasswordSheet.class_id == class_id, PasswordSheet.expires_at > now_utc())
        .order_by(PasswordSheet.created_at.desc())
    ))


def delete_sheet(sheet: PasswordSheet) -> None:
    """Forget a sheet's passwords now (the teacher has printed it)."""
    db.session.delete(sheet)
    db.session.commit()


def sheet_parts(count: int) -> list[tuple[int, int, int]]:
    """(part, first, last) of each PDF a sheet of ``count`` slips is printed in."""
    return [(n // SHEET_PART + 1, n + 1, min(n + SHEET_PART, count)) for n in range(0, count, SHEET_PART)]
