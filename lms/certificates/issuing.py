"""Issue certificates when a course is passed or an audience path is completed.

Called by the quiz engine inside its transaction (it commits); never commits itself.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.accounts.models import User
from lms.accounts.services import audit
from lms.certificates.codes import generate_code
from lms.certificates.keys import KeyStore
from lms.certificates.models import Certificate
from lms.certificates.tokens import CertificateClaims, mask_name, sign
from lms.courses.models import Course, CourseResult, PathStep
from lms.db import db, now_utc

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def local_today(now: datetime | None = None) -> date:
    """The date in Vietnam: a certificate earned at 06:30 on 1 July is dated 1 July."""
    return (now or now_utc()).astimezone(VIETNAM).date()


def keystore() -> KeyStore:
    """This app's key store; a first key is made on first use so issuing never fails."""
    extras = current_app.extensions["lms"].extras
    store = extras.get("keystore")
    if store is None:
        store = KeyStore.load(current_app.instance_path)
        if not store.kids():
            store.keygen()
        extras["keystore"] = store
    return store


def reload_keystore() -> KeyStore:
    current_app.extensions["lms"].extras.pop("keystore", None)
    return keystore()


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
    token = sign(claims, store)
    cert = Certificate(
        code=claims.code, user_id=user.id, kind=kind, subject=subject, course_id=course.id if course else None,
        audience=user.audience, full_name=user.full_name, masked_name=claims.masked_name,
        unit_id=unit.id if unit else None, unit_code=unit.code if unit else None,
        unit_name=unit.name if unit else None, unit_list_version=unit.list_version if unit else None,
        issued_at=issued_at, issued_on=claims.issued_on, key_id=store.active_kid, token=token,
    )
    try:
        with db.session.begin_nested():
            db.session.add(cert)
    except IntegrityError:
        # the same certificate was issued by a concurrent request a moment ago
        again = valid_certificate(user.id, kind, subject)
        if again is None:
            raise
        return again
    audit(None, "certificate_issued", "certificate", cert.code, {"kind": kind, "subject": subject})
    return cert


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
