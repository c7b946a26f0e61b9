"""Read-only certificate look-ups used by other packages' pages."""

from __future__ import annotations

from sqlalchemy import select

from lms.accounts.models import User
from lms.certificates.models import Certificate
from lms.courses.models import Course, PathStep
from lms.db import db


def certificates_for_profile(user: User) -> list[Certificate]:
    """The user's certificates, newest first (valid and revoked: a learner sees both)."""
    return list(
        db.session.scalars(
            select(Certificate).where(Certificate.user_id == user.id).order_by(Certificate.issued_at.desc())
        )
    )


def certificate_for_course(user_id: int, course: Course) -> Certificate | None:
    return db.session.scalar(
        select(Certificate).where(
            Certificate.user_id == user_id, Certificate.kind == "course",
            Certificate.subject == course.slug, Certificate.status == "valid",
        )
    )


def path_certificate(user: User) -> Certificate | None:
    """The learner's valid certificate for their audience's path, if the path is complete."""
    if not user.audience:
        return None
    return db.session.scalar(
        select(Certificate).where(
            Certificate.user_id == user.id, Certificate.kind == "path", Certificate.subject == user.audience,
            Certificate.status == "valid",
        )
    )


def in_path(user: User, course: Course) -> bool:
    """Is ``course`` a step of the learner's audience path?"""
    return bool(user.audience) and db.session.scalar(
        select(PathStep.course_id).where(PathStep.audience == user.audience, PathStep.course_id == course.id)
    ) is not None
