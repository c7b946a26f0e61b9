"""Who may open which class page. Another teacher's class is a 404: its existence is not revealed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort

from lms.accounts.auth import current_user, roles_required
from lms.accounts.models import User
from lms.classes.models import Classroom
from lms.classes.services import active_enrollment, can_manage
from lms.db import db
from lms.web.urls import public_url

T = TypeVar("T")

#: teachers run classes; an admin may open every class
teacher_required: Callable[[Callable[..., Any]], Callable[..., Any]] = roles_required("teacher", "admin")


def class_or_404(class_id: int) -> Classroom:
    classroom = db.session.get(Classroom, class_id)
    if not can_manage(current_user(), classroom):
        abort(404)
    return classroom


def of_class_or_404(model: type[T], class_id: int, object_id: int) -> tuple[Classroom, T]:
    """A class this user manages and one of its own records (a roster upload, a password sheet)."""
    classroom = class_or_404(class_id)
    found = db.session.get(model, object_id)
    if found is None or found.class_id != classroom.id:
        abort(404)
    return classroom, found


def learner_or_404(classroom: Classroom, user_id: int) -> User:
    """An active learner of the class; a removed or unknown one is a 404."""
    if active_enrollment(classroom.id, user_id) is None:
        abort(404)
    return db.session.get(User, user_id)


def site_host() -> str:
    """ "hoc.example.vn" (plus a path prefix, if any), to print next to a code."""
    return public_url("lms_join.find").split("://", 1)[-1]
