"""Durable answers by default (scale-out issue, item 6): an acknowledged answer must survive a
PostgreSQL crash, so an answer save commits synchronously unless the operator opts in to
LMS_ASYNC_ANSWER_COMMIT (documented with what it risks)."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from lms.db import db
from tests.conftest import DB_KIND, make_user
from tests.quiz_helpers import right_answers, token_for


def _save_statements(app, client, opt_in: bool | None) -> list[str]:
    if opt_in is not None:
        app.config["LMS_ASYNC_ANSWER_COMMIT"] = opt_in
    make_user(app)
    headers = token_for(client)
    attempt = client.post("/api/v1/courses/dien-thoai/attempts", headers=headers).json["id"]
    position, response = next(iter(right_answers(app, attempt).items()))
    seen: list[str] = []
    with app.app_context():
        engine = db.engine

    def record(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

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
