"""What the classes package answers when other domains ask (see lms.signals)."""

from __future__ import annotations

from flask import Flask, url_for

from lms.accounts.models import User
from lms.classes.invitations import has_pending, pending
from lms.classes.services import teaches
from lms.signals import after_sign_in, can_see_learner, manages_learner, page_context


@can_see_learner.connect
def teacher_sees_their_learners(
    _app: Flask, *, viewer: User, learner_id: int, course_id: int | None = None, **_kwargs: object
) -> bool:
    """A teacher may see the records of a learner enrolled (and not removed) in one of their classes;
    a course certificate only when that class has the course (the path certificate: any class)."""
    return viewer.has_role("teacher") and teaches(viewer.id, learner_id, course_id)


@manages_learner.connect
def teacher_helps_their_members(_app: Flask, *, helper: User, learner_id: int, **_kwargs: object) -> bool:
    """A teacher looks after every member of their classes, whoever made the account (a roster,
    the join code, an accepted invitation): they may give any of them a new one-time password."""
    return helper.has_role("teacher") and teaches(helper.id, learner_id)


@after_sign_in.connect
def invitations_first(_app: Flask, *, user: User, next_url: str = "", **_kwargs: object) -> dict | None:
    """A person invited to a class by a roster answers the invitation before anything else."""
    if not has_pending(user):
        return None
    return {"next_url": url_for("lms_join.invitations", next=next_url or None)}


@page_context.connect
def invitations_on_the_profile(_app: Flask, *, page: str, **objects: object) -> dict | None:
    """Someone who answered "later" finds their invitations again on their own page."""
    if page != "profile":
        return None
    return {"invitations": pending(objects["user"])}
