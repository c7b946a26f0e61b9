"""The signed revocation list the offline check page keeps (``GET /verify/offline/revoked.json``).

A QR token carries the certificate code, not its status index, so a phone cannot use the W3C
Bitstring Status List; this list names revoked certificates by a hash of their code instead:
the first 8 bytes (hex) of SHA-256(``"BDHVS-REVOKED:" + code``). Codes carry 80 random bits,
so the list lets nobody find a revoked certificate's page; a phone holding a token hashes its
code and looks it up. With the list come the names the offline verdict shows instead of the
token's slugs and codes: course titles and the communes of issued certificates.

Format::

    {"kid": "<signing key>", "payload": "<JSON text>", "signature": "<base64url Ed25519>"}

The signature is over ``"BDHVS-REVOKED:" + payload`` (UTF-8), by the active certificate key
(verify-offline.js checks it with the key set it already keeps). The payload::

    {"type": "BdhvsRevocationList", "version": 1, "date": "2026-12-03T14:00:00Z",
     "issuer": "...", "revoked": {"<16 hex>": "2026-11-30", ...},
     "courses": {"<slug>": {"vi": "...", "en": "..."}}, "units": {"<code>": "Phường ..., Thành phố ..."}}

``date`` is when the list was built from the database: every revocation committed before it
is in it. A process keeps the list it built until a certificate's status changes (the
``certificates`` change counter) or for :data:`MAX_AGE` seconds.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time

from flask import current_app
from sqlalchemy import select

import lms.changes as changes
from lms.certificates.issuing import keystore
from lms.certificates.models import Certificate
from lms.clock import local_day
from lms.courses.models import Course
from lms.db import db, now_utc
from lms.units.models import AdminUnit

SIGNING_CONTEXT = b"BDHVS-REVOKED:"
MAX_AGE = 300
_CERTS = Certificate.__table__
_UNIT, _PARENT = AdminUnit.__table__.alias("unit"), AdminUnit.__table__.alias("parent")


def code_hash(code: str) -> str:
    return hashlib.sha256(SIGNING_CONTEXT + code.encode("ascii")).hexdigest()[:16]


def payload() -> dict:
    revoked = db.session.execute(
        select(_CERTS.c.code, _CERTS.c.revoked_at).where(_CERTS.c.status == "revoked").order_by(_CERTS.c.code)
    )
    courses = db.session.execute(select(Course.slug, Course.title).order_by(Course.slug))
    units = db.session.execute(
        select(_UNIT.c.code, _UNIT.c.name, _PARENT.c.name)
        .select_from(_UNIT.outerjoin(_PARENT, _PARENT.c.id == _UNIT.c.parent_id))
        .where(_UNIT.c.id.in_(select(_CERTS.c.unit_id).distinct()))
        .order_by(_UNIT.c.code)
    )
    return {
        "type": "BdhvsRevocationList",
        "version": 1,
        "date": now_utc().strftime("%Y-%m-%dT%H:%M:%SZ"),
        "issuer": current_app.config["LMS_ISSUER"],
        "revoked": {code_hash(code): local_day(at).isoformat() if at else None for code, at in revoked},
        "courses": {slug: dict(title or {}) for slug, title in courses},
        "units": {code: f"{name}, {parent}" if parent else name for code, name, parent in units},
    }


def signed() -> bytes:
    """The signed list as JSON bytes."""
    text = json.dumps(payload(), ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    kid, private = keystore().signing_key()
    signature = private.sign(SIGNING_CONTEXT + text.encode("utf-8"))
    document = {"kid": kid, "payload": text,
                "signature": base64.urlsafe_b64encode(signature).rstrip(b"=").decode("ascii")}
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


def current() -> bytes:
    """The list, rebuilt when a status changed (one counter read) or after :data:`MAX_AGE` seconds."""
    extras = current_app.extensions["lms"].extras
    counter = changes.read(changes.CERTIFICATES)
    kept = extras.get("offline_revocations")
    if kept is not None and kept[0] == counter and time.monotonic() - kept[1] < MAX_AGE:
        return kept[2]
    body = signed()
    extras["offline_revocations"] = (counter, time.monotonic(), body)
    return body
