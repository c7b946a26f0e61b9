"""Durable answers by default (scale-out issue, item 6): an acknowledged answer must survive a
PostgreSQL crash, so an answer save commits synchronously unless the operator opts in to
LMS_ASYNC_ANSWER_COMMIT (documented with what it risks)."""

from __future__ import annotations

import pytest
from sqlalchemy import event, text

from lms.db import db
from tests.conftest import DB_KIND, make_user
from tests.quiz_helpers import right_answers, token_for


def _save_statements(app, client, opt_in: bool | None, autocommit: list | None = None) -> list[str]:
    if opt_in is not None:
        app.config["LMS_ASYNC_ANSWER_COMMIT"] = opt_in
    make_user(app)
    headers = token_for(client)
    attempt = client.post("/api/v1/courses/dien-thoai/attempts", headers=headers).json["id"]
    position, response = next(iter(right_answers(app, attempt).items()))
    # a first save: the worker now holds the attempt's questions, the next save takes the fast path
    assert client.put(f"/api/v1/attempts/{attempt}/answers/{position}", json={"response": response},
                      headers=headers).status_code == 200
    seen: list[str] = []
    with app.app_context():
        engine = db.engine

    def record(_conn, cursor, statement, *_args) -> None:
        seen.append(statement)
        if autocommit is not None and "INSERT INTO lms_answers" in statement:
            autocommit.append(getattr(cursor.connection, "autocommit", None))

    event.listen(engine, "before_cursor_execute", record)
    try:
        saved = client.put(f"/api/v1/attempts/{attempt}/answers/{position}", json={"response": response},
                           headers=headers)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert saved.status_code == 200, saved.json
    return seen


@pytest.mark.parametrize("opt_in", [None, False])
def test_an_answer_save_waits_for_the_disk_by_default(app, client, courses, opt_in) -> None:
    statements = _save_statements(app, client, opt_in)
    assert statements, "the save ran no statement through the engine"
    assert not any("synchronous_commit" in s for s in statements)


def test_the_async_commit_is_an_opt_in_on_postgresql(app, client, courses) -> None:
    statements = _save_statements(app, client, True)
    turned_off = any("synchronous_commit TO OFF" in s for s in statements)
    assert turned_off is (DB_KIND == "postgres")  # SQLite has no such setting: nothing to turn off


@pytest.mark.skipif(DB_KIND != "postgres", reason="PostgreSQL only: its driver sends BEGIN, COMMIT apart")
@pytest.mark.parametrize("opt_in", [None, True])
def test_a_durable_save_is_one_statement_in_its_own_transaction(app, client, courses, opt_in) -> None:
    """Fewer round trips win back what waiting for the disk costs (bench/answer_commit.py): the
    durable save runs in autocommit mode, its one statement its own transaction (still waiting
    for the WAL flush: synchronous_commit stays on); the opt-in keeps its transaction, which its
    SET LOCAL needs."""
    modes: list = []
    statements = _save_statements(app, client, opt_in, modes)
    assert modes == ([False] if opt_in else [True])
    assert sum("lms_answers" in s for s in statements) == 1
    with app.app_context():
        assert db.session.execute(text("SHOW synchronous_commit")).scalar() == "on"
