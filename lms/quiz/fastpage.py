"""The question page of a running attempt, served from the page cache.

A learner opens the same question again and again (back, reload, a phone that lost the page), so
the page is cached whole (:mod:`lms.web.pagecache`) under everything it shows:

- the attempt and position (in the URL): the question, its answer order and the quiz settings are
  frozen in the attempt's snapshot and never change after the start;
- the saved answer of this position, read on every request: an answer saved by the form, the
  page's script, the API or another tab changes the key at once, with no trigger involved;
- the learner's page version (moved by triggers when the attempt is submitted, graded, expired or
  reset, see :mod:`lms.pageversions`), the content version (a course re-import: the title), the
  roles (the menu), the locale.

What moves with the clock is never cached: the remaining time is a slot, filled for each
response from the attempt's deadline read in the same query. A page that is not plainly "this
learner's running attempt, on its current question, in time" is not served from the cache: the
view then runs as before (a 404 for someone else's attempt, the result page once submitted or
overdue, the position moved). The cached page is the same HTML as the view renders, so it holds
no more than the page does: never an answer key or feedback (the question types' ``present``).

All of it is one indexed read without the ORM (:mod:`lms.fastread`), beside the session's.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import Select, and_, bindparam, select

from lms.accounts.auth import SignedIn
from lms.db import db, now_utc
from lms.fastread import read_one
from lms.i18n import _
from lms.quiz.models import Answer, Attempt
from lms.web.pagecache import fill_slot

TIMER = "quiz-timer"

_READS: dict[str, Select] = {}


def _question_read() -> Select:
    """The attempt's owner, state, deadline and position, and the answer saved at ``position``."""
    read = _READS.get("question")
    if read is None:
        read = _READS["question"] = (
            select(Attempt.user_id, Attempt.state, Attempt.deadline, Attempt.current_position, Answer.response)
            .outerjoin(Answer, and_(Answer.attempt_id == Attempt.id, Answer.position == bindparam("position")))
            .where(Attempt.id == bindparam("attempt_id"))
        )
    return read


def question_variant(state: SignedIn, attempt_id: int, position: int) -> tuple[Any, ...] | None:
    """The cache key's part for this question page, or None when the page must be rendered afresh."""
    dialect = db.engine.dialect.name
    row = read_one(f"quiz_question_read_{dialect}", _question_read(),
                   {"attempt_id": attempt_id, "position": position})
    if row is None:
        return None
    user_id, attempt_state, deadline, current_position, saved = row
    if user_id != state.user_id or attempt_state != "in_progress" or current_position != position:
        return None
    now = now_utc()
    grace = int(current_app.config["LMS_SUBMIT_GRACE_SECONDS"])
    if deadline is not None and now > deadline + timedelta(seconds=grace):
        return None  # overdue: the view submits it and shows the result
    remaining = None if deadline is None else max(0, int((deadline - now).total_seconds()))
    fill_slot(TIMER, timer_html(remaining))
    return (state.user_id, state.page_version, json.dumps(saved, sort_keys=True, ensure_ascii=False))


def timer_html(remaining: int | None) -> str:
    """The remaining-time line of a timed attempt (nothing for an untimed one), for this request."""
    if remaining is None:
        return ""
    # the template alone, without the context processors a whole page needs (a fifth of the cost)
    return current_app.jinja_env.get_template("lms/quiz/_timer.html").render(remaining=remaining, _=_)
