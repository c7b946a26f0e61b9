"""Saving answers: the hottest path of the system (every tap of every learner).

It costs three short statements: the attempt's owner, state and deadline; the upsert of the
answer; the commit. The frozen question list of an attempt never changes after it starts, so
each worker keeps it in a small per-app cache instead of decoding the snapshot every time.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import bindparam, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from lms.accounts.models import ApiToken
from lms.db import db, now_utc
from lms.i18n import _
from lms.quiz.errors import QuizError
from lms.quiz.models import Answer, Attempt
from lms.quiz.types.base import ResponseError

CACHE_SIZE = 4096


@dataclass(frozen=True)
class AttemptState:
    id: int
    user_id: int
    state: str
    deadline: datetime | None


def attempt_state_for_token(attempt_id: int, token_hash: str, now: datetime) -> AttemptState | None:
    """The attempt, if this unexpired bearer token belongs to its owner: one indexed join."""
    row = db.session.execute(
        select(Attempt.id, Attempt.user_id, Attempt.state, Attempt.deadline)
        .join(ApiToken, ApiToken.user_id == Attempt.user_id)
        .where(Attempt.id == attempt_id, ApiToken.token_hash == token_hash, ApiToken.expires_at > now)
    ).first()
    return AttemptState(*row) if row is not None else None


def attempt_state(attempt_id: int) -> AttemptState | None:
    row = db.session.execute(
        select(Attempt.id, Attempt.user_id, Attempt.state, Attempt.deadline).where(Attempt.id == attempt_id)
    ).first()
    return AttemptState(*row) if row is not None else None


def frozen_items(attempt_id: int) -> dict[int, dict]:
    """Position -> frozen question of an attempt (cached: a snapshot is immutable)."""
    cache: OrderedDict = current_app.extensions["lms"].extras.setdefault("snapshot_cache", OrderedDict())
    items = cache.get(attempt_id)
    if items is None:
        snapshot = db.session.scalar(select(Attempt.snapshot).where(Attempt.id == attempt_id))
        items = {item["position"]: item for item in snapshot["questions"]}
        cache[attempt_id] = items
        if len(cache) > CACHE_SIZE:
            cache.popitem(last=False)
    return items


_UPSERTS: dict[str, object] = {}
_SYNC_OFF = text("SET LOCAL synchronous_commit TO OFF")


def _upsert(dialect: str):
    """One prepared INSERT ... ON CONFLICT DO UPDATE per dialect, built once."""
    statement = _UPSERTS.get(dialect)
    if statement is None:
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        base = insert(Answer).values(
            attempt_id=bindparam("attempt_id"), position=bindparam("position"),
            response=bindparam("response", type_=Answer.__table__.c.response.type),
            saved_at=bindparam("saved_at", type_=Answer.__table__.c.saved_at.type),
        )
        statement = base.on_conflict_do_update(
            index_elements=["attempt_id", "position"],
            set_={"response": base.excluded.response, "saved_at": base.excluded.saved_at},
        )
        _UPSERTS[dialect] = statement
    return statement


def _commit_without_flush_wait() -> str:
    """Make this transaction's commit skip the WAL flush wait on PostgreSQL; return the dialect.

    PostgreSQL stays consistent, and a crash can lose at most the last fraction of a second of
    saves (wal_writer_delay). The submit commits synchronously, which flushes every earlier save
    with it, so a submitted attempt never misses an answer; the quiz page also keeps each answer
    on the phone until the server has acknowledged it.
    """
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql" and current_app.config.get("LMS_ASYNC_ANSWER_COMMIT", True):
        db.session.execute(_SYNC_OFF)
    return dialect


def validate_response(item: dict, raw: object, registry: object) -> object:
    qtype = registry.get(item["qtype"])
    if item["qtype"] == "description":
        raise QuizError("not_a_question", _("This item is text only; there is nothing to answer."), 400)
    try:
        return qtype.validate(item["config"], item["order"], raw)
    except ResponseError as error:
        raise QuizError("invalid_response", str(error), 400) from error


def store(attempt_id: int, position: int, response: object, now: datetime) -> None:
    dialect = _commit_without_flush_wait()
    db.session.execute(
        _upsert(dialect),
        {"attempt_id": attempt_id, "position": position, "response": response, "saved_at": now},
    )
    db.session.commit()


def save_for(user_id: int, attempt_id: int, position: int, raw: object, registry: object, *,
             now: datetime | None = None, grace: int = 30) -> tuple[object, AttemptState]:
    """Check ownership, state and deadline, validate, store; raise ``QuizError`` otherwise."""
    now = now or now_utc()
    state = attempt_state(attempt_id)
    if state is None or state.user_id != user_id:
        raise QuizError("not_found", _("No such attempt."), 404)
    return save_checked(state, position, raw, registry, now=now, grace=grace), state


def save_checked(state: AttemptState, position: int, raw: object, registry: object, *,
                 now: datetime, grace: int) -> object:
    """Save for an attempt whose owner has been checked."""
    attempt_id = state.id
    if state.state != "in_progress":
        raise QuizError("attempt_closed", _("This attempt has been submitted; answers can no longer change."))
    if state.deadline is not None and now > state.deadline + timedelta(seconds=grace):
        from lms.quiz.attempts import finish_if_overdue

        finish_if_overdue(db.session.get(Attempt, attempt_id), registry, now=now, grace=grace)
        raise QuizError("time_up", _("Time is up. Your saved answers have been submitted."))
    item = frozen_items(attempt_id).get(position)
    if item is None:
        raise QuizError("unknown_position", _("This attempt has no question %(n)d.", n=position), 404)
    response = validate_response(item, raw, registry)
    store(attempt_id, position, response, now)
    return response


def remaining(state: AttemptState, now: datetime | None = None) -> int | None:
    if state.deadline is None:
        return None
    return max(0, int((state.deadline - (now or now_utc())).total_seconds()))


# One statement does the whole check-and-save: the token must be unexpired and belong to the
# attempt's owner, the attempt must be running and within its deadline plus grace. It returns
# the deadline (for the remaining time), or no row when any check fails.
_SAVE_IF_ALLOWED = text(
    """
    INSERT INTO lms_answers (attempt_id, position, response, saved_at)
    SELECT a.id, :position, :response, :now
    FROM lms_attempts a JOIN lms_api_tokens t ON t.user_id = a.user_id
    WHERE a.id = :attempt_id AND t.token_hash = :token_hash AND t.expires_at > :now
      AND a.state = 'in_progress' AND (a.deadline IS NULL OR a.deadline > :cutoff)
    ON CONFLICT (attempt_id, position) DO UPDATE SET response = excluded.response, saved_at = excluded.saved_at
    RETURNING (SELECT deadline FROM lms_attempts WHERE id = :attempt_id) AS deadline
    """
).bindparams(
    bindparam("response", type_=Answer.__table__.c.response.type),
    bindparam("now", type_=Answer.__table__.c.saved_at.type),
    bindparam("cutoff", type_=Answer.__table__.c.saved_at.type),
).columns(deadline=Attempt.__table__.c.deadline.type)


def save_with_token(token_hash: str, attempt_id: int, position: int, raw: object, registry: object, *,
                    now: datetime, grace: int) -> tuple[object, AttemptState] | None:
    """The API's fast path: validate against the cached snapshot, then one statement and a commit.

    Returns None when the fast path cannot decide (snapshot not cached yet, or the statement
    refused): the caller then takes the careful path, which explains the refusal.
    """
    cache = current_app.extensions["lms"].extras.get("snapshot_cache")
    items = cache.get(attempt_id) if cache is not None else None
    item = items.get(position) if items is not None else None
    if item is None or item["qtype"] == "description":
        return None
    try:
        response = registry.get(item["qtype"]).validate(item["config"], item["order"], raw)
    except ResponseError:
        return None  # the careful path checks ownership before it explains the error
    _commit_without_flush_wait()
    row = db.session.execute(
        _SAVE_IF_ALLOWED,
        {"attempt_id": attempt_id, "position": position, "response": response, "now": now,
         "cutoff": now - timedelta(seconds=grace), "token_hash": token_hash},
    ).first()
    if row is None:
        db.session.rollback()
        return None
    db.session.commit()
    return response, AttemptState(attempt_id, 0, "in_progress", row.deadline)
