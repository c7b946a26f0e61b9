"""Saving answers: the hottest path of the system (every tap of every learner).

It costs three short statements: the attempt's owner, state and deadline; the upsert of the
answer; the commit. The frozen question list of an attempt never changes after it starts, so
each worker keeps it in a small per-app cache instead of decoding the snapshot every time.

A save and a submit of the same attempt are serialised: the statement that writes an answer
also checks, in the same statement, that the attempt is still running and within its deadline
(``INSERT ... SELECT ... FROM lms_attempts WHERE state = 'in_progress'``). On PostgreSQL that
SELECT takes a ``FOR KEY SHARE`` lock on the attempt row, which the submit's ``FOR UPDATE``
(:func:`lms.quiz.attempts.submit_attempt`) waits for, and which waits for the submit: a save
either commits before the submit reads the answers to grade them, or finds the attempt
finished and writes nothing; saves only share the lock, so they never wait for each other.
On SQLite the statement runs under the database's single write lock, which the submit holds
from its state flip to its commit. Either way no extra statement or round trip is spent.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import TextClause, bindparam, select, text

from lms.accounts.models import ApiToken
from lms.db import db, now_utc
from lms.i18n import _
from lms.metrics import ANSWERS_SAVED
from lms.quiz.attempts import GRACE_SECONDS, finish_if_overdue
from lms.quiz.errors import QuizError
from lms.quiz.models import Answer, Attempt
from lms.quiz.registry import QuestionTypeRegistry
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


_SYNC_OFF = text("SET LOCAL synchronous_commit TO OFF")

# The write and its checks in one statement: the attempt must be running and within its deadline
# plus grace (and, on the API's fast path, the bearer token unexpired and its owner's). It returns
# the deadline (for the remaining time), or no row when any check fails. ``{lock}`` is the
# PostgreSQL row lock that serialises it with a submit (SQLite's write lock already does).
_SAVE_IF_RUNNING = """
    INSERT INTO lms_answers (attempt_id, position, response, saved_at)
    SELECT a.id, :position, :response, :now
    FROM lms_attempts a{token_join}
    WHERE a.id = :attempt_id{token_check}
      AND a.state = 'in_progress' AND (a.deadline IS NULL OR a.deadline > :cutoff){lock}
    ON CONFLICT (attempt_id, position) DO UPDATE SET response = excluded.response, saved_at = excluded.saved_at
    RETURNING (SELECT deadline FROM lms_attempts WHERE id = :attempt_id) AS deadline
    """
_OWNER_JOIN = " JOIN lms_api_tokens t ON t.user_id = a.user_id"
_OWNER_CHECK = " AND t.token_hash = :token_hash AND t.expires_at > :now"
_SAVES: dict[tuple[str, bool], TextClause] = {}


def _save_if_running(dialect: str, with_token: bool) -> TextClause:
    """The conditional upsert for this dialect, with or without the token check; built once."""
    statement = _SAVES.get((dialect, with_token))
    if statement is None:
        sql = _SAVE_IF_RUNNING.format(
            token_join=_OWNER_JOIN if with_token else "", token_check=_OWNER_CHECK if with_token else "",
            lock="\n      FOR KEY SHARE OF a" if dialect == "postgresql" else "",
        )
        statement = text(sql).bindparams(
            bindparam("response", type_=Answer.__table__.c.response.type),
            bindparam("now", type_=Answer.__table__.c.saved_at.type),
            bindparam("cutoff", type_=Answer.__table__.c.saved_at.type),
        ).columns(deadline=Attempt.__table__.c.deadline.type)
        _SAVES[(dialect, with_token)] = statement
    return statement


def _commit_without_flush_wait() -> str:
    """Make this transaction's commit skip the WAL flush wait on PostgreSQL; return the dialect.

    PostgreSQL stays consistent, and a crash can lose at most the last fraction of a second of
    saves (wal_writer_delay). The submit commits synchronously, which flushes every earlier save
    with it, so a submitted attempt never misses an answer; the quiz page also keeps each answer
    on the phone until the server has acknowledged it.
    """
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql" and current_app.config.get("LMS_ASYNC_ANSWER_COMMIT", False):
        db.session.execute(_SYNC_OFF)
    return dialect


def _one_round_trip() -> object | None:
    """On PostgreSQL with durable saves (the default), when the request has not touched the
    database yet: run the save on a connection in autocommit mode, so the statement is its own
    transaction and one round trip (the driver would otherwise send BEGIN and COMMIT apart),
    still waiting for the WAL flush. Measured in bench/answer_commit.py: it wins back about what
    the flush wait costs. The statement checks and writes in one go, so nothing needs a wider
    transaction. None (nothing changed) otherwise."""
    if current_app.config.get("LMS_ASYNC_ANSWER_COMMIT", False) or db.session().in_transaction():
        return None  # the opt-in needs a transaction for its SET LOCAL
    if db.session.get_bind().dialect.name != "postgresql":
        return None
    return db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def validate_response(item: dict, raw: object, registry: QuestionTypeRegistry) -> object:
    qtype = registry.get(item["qtype"])
    if item["qtype"] == "description":
        raise QuizError("not_a_question", _("This item is text only; there is nothing to answer."), 400)
    try:
        return qtype.validate(item["config"], item["order"], raw)
    except ResponseError as error:
        raise QuizError("invalid_response", str(error), 400) from error


def store(attempt_id: int, position: int, response: object, now: datetime, grace: int) -> bool:
    """Upsert the answer if the attempt is still running and in time, and commit; False if not."""
    dialect = _commit_without_flush_wait()
    row = db.session.execute(
        _save_if_running(dialect, False),
        {"attempt_id": attempt_id, "position": position, "response": response, "now": now,
         "cutoff": now - timedelta(seconds=grace)},
    ).first()
    if row is None:
        db.session.rollback()
        return False
    db.session.commit()
    ANSWERS_SAVED.inc()
    return True


def save_for(user_id: int, attempt_id: int, position: int, raw: object, registry: QuestionTypeRegistry, *,
             now: datetime | None = None, grace: int = 30) -> tuple[object, AttemptState]:
    """Check ownership, state and deadline, validate, store; raise ``QuizError`` otherwise."""
    now = now or now_utc()
    state = attempt_state(attempt_id)
    if state is None or state.user_id != user_id:
        raise QuizError("not_found", _("No such attempt."), 404)
    return save_checked(state, position, raw, registry, now=now, grace=grace), state


def save_checked(state: AttemptState, position: int, raw: object, registry: QuestionTypeRegistry, *,
                 now: datetime, grace: int) -> object:
    """Save for an attempt whose owner has been checked."""
    attempt_id = state.id
    _refuse_unless_running(state, registry, now=now, grace=grace)
    item = frozen_items(attempt_id).get(position)
    if item is None:
        raise QuizError("unknown_position", _("This attempt has no question %(n)d.", n=position), 404)
    response = validate_response(item, raw, registry)
    if not store(attempt_id, position, response, now, grace):
        # finished (or past its deadline) since the check above: say why; nothing was written
        current = attempt_state(attempt_id)
        if current is not None:
            _refuse_unless_running(current, registry, now=now, grace=grace)
        raise QuizError("attempt_closed", _("This attempt has been submitted; answers can no longer change."))
    return response


def _refuse_unless_running(state: AttemptState, registry: QuestionTypeRegistry, *, now: datetime, grace: int) -> None:
    if state.state != "in_progress":
        raise QuizError("attempt_closed", _("This attempt has been submitted; answers can no longer change."))
    if state.deadline is not None and now > state.deadline + timedelta(seconds=grace):
        finish_if_overdue(db.session.get(Attempt, state.id), registry, now=now, grace=grace)
        raise QuizError("time_up", _("Time is up. Your saved answers have been submitted."))


def remaining(state: AttemptState, now: datetime | None = None) -> int | None:
    if state.deadline is None:
        return None
    return max(0, int((state.deadline - (now or now_utc())).total_seconds()))


def save_with_token(token_hash: str, attempt_id: int, position: int, raw: object, registry: QuestionTypeRegistry, *,
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
    dialect = _commit_without_flush_wait() if _one_round_trip() is None else "postgresql"
    row = db.session.execute(
        _save_if_running(dialect, True),
        {"attempt_id": attempt_id, "position": position, "response": response, "now": now,
         "cutoff": now - timedelta(seconds=grace), "token_hash": token_hash},
    ).first()
    if row is None:
        db.session.rollback()
        return None
    db.session.commit()
    ANSWERS_SAVED.inc()
    return response, AttemptState(attempt_id, 0, "in_progress", row.deadline)


def save_answer(attempt: Attempt, position: int, raw: object, registry: QuestionTypeRegistry, *,
                now: datetime | None = None, grace: int = GRACE_SECONDS) -> object:
    """Validate and store one answer at once (an upsert); return the normalised response."""
    response, _state = save_for(attempt.user_id, attempt.id, position, raw, registry, now=now, grace=grace)
    return response
