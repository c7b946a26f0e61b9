"""What the certificates package does when other domains send their signals (see lms.signals)."""

from __future__ import annotations

from typing import Any

from flask import Flask

from lms.accounts.models import User
from lms.certificates import issuing
from lms.certificates.models import Certificate
from lms.certificates.queries import certificate_for_course, certificates_for_profile, in_path, path_certificate
from lms.certificates.records import PATH_CERTIFICATE_NAME
from lms.courses.models import Course
from lms.db import db
from lms.signals import course_passed, page_context
from lms.web.urls import public_url


@course_passed.connect
def issue_on_course_passed(_app: Flask, *, user_id: int, course: Course) -> None:
    """The course certificate, and the path certificate when the path is now complete."""
    issuing.on_course_passed(user_id, course)


@page_context.connect
def certificates_on_pages(_app: Flask, *, page: str, **objects: Any) -> dict | None:
    if page == "profile":
        user: User = objects["user"]
        return {"certificates": certificates_for_profile(user)}
    if page == "quiz_result":
        passed, course = objects["passed"], objects["course"]
        found = {"certificate": certificate_for_course(objects["user_id"], course) if passed else None}
        user = db.session.get(User, objects["user_id"])
        if passed and user is not None and in_path(user, course):
            # the pass that completed the path (or a later look at a passed step): say so, with the certificate
            found.update(_path_box(path_certificate(user)))
        return found
    if page == "path":
        return _path_box(path_certificate(objects["user"]))
    return None


def _path_box(cert: Certificate | None) -> dict:
    """What the path box (lms/certificates/_path_done.html) shows: the certificate and the link to share
    (the public check by code: short enough for a chat message, and it shows the masked name only)."""
    if cert is None:
        return {}
    return {
        "path_certificate": cert, "path_certificate_name": PATH_CERTIFICATE_NAME,
        "path_share_url": public_url("lms_certificates.verify_code", code=cert.code),
    }
