"""What the certificates package does when other domains send their signals (see lms.signals)."""

from __future__ import annotations

from typing import Any

from flask import Flask

from lms.accounts.models import User
from lms.certificates import issuing
from lms.certificates.queries import certificate_for_course, certificates_for_profile
from lms.courses.models import Course
from lms.signals import course_passed, page_context


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
        return {"certificate": certificate_for_course(objects["user_id"], course) if passed else None}
    return None
