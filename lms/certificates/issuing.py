"""Issue certificates when a course is passed or an audience path is completed.

Called by the quiz engine inside its transaction (it commits); never commits itself.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

import lms.changes as changes
from lms.accounts.models import User
from lms.accounts.services import audit
from lms.certificates import keyring, statusindex
from lms.certificates.codes import generate_code
from lms.certificates.issue import sign_for_qr
from lms.certificates.keys import KeyStore, KeyStoreError
from lms.certificates.models import Certificate
from lms.certificates.tokens import CertificateClaims, mask_name, sign
from lms.certificates.urls import base_url
from lms.changes import CounterWatch
from lms.clock import local_today
from lms.courses.models import Course, CourseResult, PathStep
from lms.db import db, now_utc
from lms.metrics import CERTIFICATES_ISSUED
from lms.printing.qr import QRTooLarge

log = logging.getLogger(__name__)


def keystore(create: bool = True) -> KeyStore:
    """This app's key store, shared with every server through the database (:mod:`.keyring`).

    Cached per app, and loaded again when the ``signing_keys`` change counter moved, looked at
    most every ``LMS_VERIFY_CHANGE_SECONDS``: a key rotated once (by the CLI, on any server) is
    used and published by every running worker within that, without a restart. With ``create``
    (issuing, signing), a first key is made if there is none; it is committed with the caller's
    transaction, so such a store is not cached until it is read back from the database.
    """
    extras = current_app.extensions["lms"].extras
    watch = extras.get("keystore_watch")
    if watch is None:
        # read through the session: issuing runs inside the submit's transaction (lms.changes)
        watch = extras["keystore_watch"] = CounterWatch(changes.SIGNING_KEYS, changes.read_in_session)
    # the counter is read before the keys, so a rotation meanwhile is seen on the next look
    moved = watch.moved(float(current_app.config.get("LMS_VERIFY_CHANGE_SECONDS") or 0))
    store = extras.get("keystore")
    if store is None or moved or (create and (store.unsaved or not _can_sign(store))):
        store, wrote = keyring.load(persist=create)
        if wrote:
            extras.pop("keystore", None)
            watch.forget()
        else:
            extras["keystore"] = store
    return store


def published_keystore() -> KeyStore:
    """The key store for the public key set and DID document: a brand-new LMS (no ``lms init``)
    makes and commits its first key here, so what is published is a key that exists."""
    store = keystore(create=False)
    if not store.kids():
        store = keystore()
        db.session.commit()
    return store


def _can_sign(store: KeyStore) -> bool:
    try:
        store.signing_key()
    except KeyStoreError:
        return False
    return True


def valid_certificate(user_id: int, kind: str, subject: str) -> Certificate | None:
    return db.session.scalar(
        select(Certificate).where(
            Certificate.user_id == user_id, Certificate.kind == kind, Certificate.subject == subject,
            Certificate.status == "valid",
        )
    )


def issue(user: User, kind: str, subject: str, course: Course | None = None) -> Certificate:
    """One valid certificate per person per course or path; a revoked one is replaced by a new code."""
    existing = valid_certificate(user.id, kind, subject)
    if existing is not None:
        return existing
    store = keystore()
    issued_at = now_utc()
    unit = user.unit
    claims = CertificateClaims(
        code=generate_code(), masked_name=mask_name(user.full_name), kind=kind, subject=subject,
        audience=user.audience, unit_code=unit.code if unit else None, issued_on=local_today(issued_at),
    )
    claims, token = _sign(claims, store)
    cert = Certificate(
        code=claims.code, user_id=user.id, kind=kind, subject=subject, course_id=course.id if course else None,
        audience=user.audience, full_name=user.full_name, masked_name=claims.masked_name,
        unit_id=unit.id if unit else None, unit_code=unit.code if unit else None,
        unit_name=unit.name if unit else None, unit_list_version=unit.list_version if unit else None,
        issued_at=issued_at, issued_on=claims.issued_on, key_id=claims.kid, token=token,
    )
    for _attempt in range(5):
        cert.status_index = statusindex.allocate_index()
        try:
            with db.session.begin_nested():
                db.session.add(cert)
        except IntegrityError:
            # the same certificate was issued by a concurrent request a moment ago, or (rarely)
            # a concurrent issuance drew the same random status index: draw again
            again = valid_certificate(user.id, kind, subject)
            if again is not None:
                return again
            continue
        break
    else:
        raise RuntimeError(f"certificate {cert.code}: no free status index after 5 draws")
    audit(None, "certificate_issued", "certificate", cert.code, {"kind": kind, "subject": subject})
    CERTIFICATES_ISSUED.inc()
    return cert


def _sign(claims: CertificateClaims, store: KeyStore) -> tuple[CertificateClaims, str]:
    """Sign so the verify URL fits a printable QR (the masked name may lose middle initials);
    the returned claims are what was signed: their masked name and kid are stored."""
    try:
        signed, token, _url = sign_for_qr(claims, store, base_url())
    except QRTooLarge:
        # only an absurdly long LMS_BASE_URL gets here: issue anyway (the code still verifies)
        log.error("certificate %s: verify URL too long for a QR code; check LMS_BASE_URL", claims.code)
        signed = replace(claims, kid=store.active_kid)
        token = sign(signed, store)
    return signed, token


def path_completed(user: User) -> bool:
    if not user.audience:
        return False
    course_ids = list(db.session.scalars(select(PathStep.course_id).where(PathStep.audience == user.audience)))
    if not course_ids:
        return False
    passed = set(
        db.session.scalars(
            select(CourseResult.course_id).where(
                CourseResult.user_id == user.id, CourseResult.course_id.in_(course_ids), CourseResult.passed.is_(True)
            )
        )
    )
    return passed.issuperset(course_ids)


def on_course_passed(user_id: int, course: Course) -> list[Certificate]:
    user = db.session.get(User, user_id)
    issued = []
    if course.issues_certificate:
        issued.append(issue(user, "course", course.slug, course))
    if path_completed(user):
        issued.append(issue(user, "path", user.audience))
    return issued
