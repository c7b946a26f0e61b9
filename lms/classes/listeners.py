"""What the classes package answers when other domains ask (see lms.signals)."""

from __future__ import annotations

from flask import Flask

from lms.accounts.models import User
from lms.classes.services import teaches
from lms.signals import can_see_learner


@can_see_learner.connect
def teacher_sees_their_learners(_app: Flask, *, viewer: User, learner_id: int) -> bool:
    """A teacher may see the records of a learner enrolled (and not removed) in one of their classes."""
    return viewer.has_role("teacher") and teaches(viewer.id, learner_id)
