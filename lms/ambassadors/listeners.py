"""What the ambassadors package answers when other domains ask, and what it records when they
tell (see lms.signals)."""

from __future__ import annotations

from flask import Flask, url_for

from lms.accounts.models import User
from lms.ambassadors.acting import acting_state
from lms.ambassadors.cards import active_card
from lms.ambassadors.models import HelpAction
from lms.ambassadors.services import ROLE, has_password, helps, is_citizen
from lms.courses.models import Course, Lesson
from lms.db import db
from lms.signals import can_see_learner, course_passed, lesson_completed, manages_learner, page_context


@manages_learner.connect
def ambassador_helps_their_people(_app: Flask, *, helper: User, learner_id: int, **_kwargs: object) -> bool:
    """An ambassador looks after the citizens of their commune they registered or helped: they
    may give them a new one-time password (a citizen who forgot theirs, or never chose one)."""
    return helper.has_role(ROLE) and helps(helper.id, learner_id)


@can_see_learner.connect
def ambassador_sees_their_people(_app: Flask, *, viewer: User, learner_id: int, **_kwargs: object) -> bool:
    """... and may see their certificates (the ambassador's page shows what they earned)."""
    return viewer.has_role(ROLE) and helps(viewer.id, learner_id)


def _record(user_id: int, action: str, object_id: int) -> None:
    """"Helped by": a write made while an ambassador acts for this citizen on their device."""
    state = acting_state()
    if state is None or state.get("as") != user_id or not isinstance(state.get("visit"), int):
        return
    db.session.add(HelpAction(visit_id=state["visit"], action=action, object_id=object_id))


@lesson_completed.connect
def lesson_done_with_help(_app: Flask, *, user_id: int, lesson: Lesson, **_kwargs: object) -> None:
    _record(user_id, "lesson_done", lesson.id)


@course_passed.connect
def course_passed_with_help(_app: Flask, *, user_id: int, course: Course, **_kwargs: object) -> None:
    _record(user_id, "course_passed", course.id)


@page_context.connect
def card_on_the_profile(_app: Flask, *, page: str, **objects: object) -> dict | None:
    """A citizen with a sign-in card, or made by an ambassador without a password, finds their
    card (to end it) and the way to choose a password on their own page."""
    user = objects.get("user")
    if page != "profile" or not isinstance(user, User) or not is_citizen(user):
        return None
    if has_password(user) and active_card(user.id) is None:
        return None
    return {"signin_card_url": url_for("lms_ambassadors.my_card")}
