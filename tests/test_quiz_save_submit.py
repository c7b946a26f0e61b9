"""A save and a submit of the same attempt are serialised (run on SQLite and PostgreSQL).

Every acknowledged save (200 "saved", or the form's move to the next page) is counted in the
grade; every save that arrives once the attempt is finished is refused (409 ``attempt_closed``,
or the form's redirect to the result) and changes nothing. Checked for the API's fast path and
checked path, the page's autosave and the no-JavaScript form, against a submit by the API, by
the page, and a finish triggered by the deadline (``finish_if_overdue``).
"""

from __future__ import annotations

import random
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.courses.models import Course
from lms.db import db
from lms.quiz.attempts import finish_if_overdue
from lms.quiz.models import Answer, Attempt
from tests.conftest import DB_KIND, csrf_from, login, make_user
from tests.quiz_helpers import import_quizbank, right_answers, token_for

ROUNDS = 100
SAVERS = 20


class NoCache(OrderedDict):
    """A snapshot cache that never keeps anything: every API save takes the checked path."""

    def get(self, key, default=None):
        return default

    def __setitem__(self, key, value) -> None:
        return None


def _setup(app, client) -> tuple[dict, int]:
    import_quizbank(app)
    user_id = make_user(app)
    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.slug == "kiem-tra"))
        course.quiz_settings = {**course.quiz_settings, "max_attempts": None}
        db.session.commit()
    return token_for(client), user_id


def _start(client, headers: dict) -> dict:
    response = client.post("/api/v1/courses/kiem-tra/attempts", headers=headers)
    assert response.status_code == 201, response.json
    return response.json


def _stored(app, attempt_id: int) -> dict[int, Answer]:
    with app.app_context():
        rows = db.session.scalars(select(Answer).where(Answer.attempt_id == attempt_id)).all()
        db.session.expunge_all()
        return {row.position: row for row in rows}


def assert_grade_counts_stored_answers(app, attempt_id: int) -> None:
    """Re-grade the stored answers: each stored fraction and the recorded score must match."""
    registry = app.extensions["lms"].question_types
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.state == "finished", attempt.state
        stored = {row.position: row for row in
                  db.session.scalars(select(Answer).where(Answer.attempt_id == attempt_id))}
        total, gradable = 0.0, 0
        for item in attempt.snapshot["questions"]:
            if item["qtype"] == "description":
                continue
            gradable += 1
            row = stored.get(item["position"])
            assert row is not None, f"position {item['position']} was never graded"
            if row.response is None:
                expected = 0.0
            else:
                result = registry.get(item["qtype"]).grade(item["config"], row.response)
                expected = 0.0 if result.fraction is None else min(1.0, max(0.0, float(result.fraction)))
            assert row.fraction == pytest.approx(expected), (
                f"position {item['position']}: stored {row.response!r} graded {row.fraction}, worth {expected}")
            total += expected
        assert attempt.score_percent == pytest.approx(round(100.0 * total / gradable, 2))


@dataclass
class Save:
    kind: str  # "api", "autosave" or "form"
    position: int
    response: object
    started: float = 0.0
    status: int = 0
    accepted: bool | None = None  # None: no answer (an exception)
    detail: str = ""


def _send(client, save: Save, attempt_id: int, headers: dict, csrf: str) -> None:
    save.started = time.monotonic()
    if save.kind == "api":
        reply = client.put(f"/api/v1/attempts/{attempt_id}/answers/{save.position}",
                           json={"response": save.response}, headers=headers)
        save.status, save.accepted = reply.status_code, reply.status_code == 200
        save.detail = str(reply.json)
    elif save.kind == "autosave":
        reply = client.put(f"/attempts/{attempt_id}/answers/{save.position}", json={"response": save.response},
                           headers={"X-CSRFToken": csrf})
        save.status, save.accepted = reply.status_code, reply.status_code == 200
        save.detail = str(reply.json)
    else:
        value = "true" if save.response is True else "false"
        reply = client.post(f"/attempts/{attempt_id}/q/{save.position}",
                            data={"csrf_token": csrf, "response": value, "go": "next"})
        location = reply.headers.get("Location", "")
        # the form moves on when the answer is saved; it goes to the result when it is refused
        save.status, save.accepted = reply.status_code, reply.status_code == 302 and "/result" not in location
        save.detail = location
    if save.kind != "form" and not save.accepted:
        assert save.status == 409 and ("attempt_closed" in save.detail or "time_up" in save.detail), save.detail


def _refused_after(save: Save) -> bool:
    if save.kind == "form":
        return save.status == 302 and "/result" in save.detail
    return save.status == 409


def _race(app, finisher: str, attempt_id: int, saves: list[Save], delays: list[float],
          clients: list, csrfs: list[str], headers: dict) -> tuple[float, list[BaseException]]:
    """Send the saves and the finish at once (after their delays); return when the finish ended.

    One save in five waits for the finish to end: each must be refused.
    """
    registry = app.extensions["lms"].question_types
    barrier = threading.Barrier(len(saves) + 1)
    finished_at: list[float] = []
    errors: list[BaseException] = []
    done = threading.Event()

    def saver(index: int, save: Save) -> None:
        try:
            barrier.wait(30)
            if index % 5 == 4:
                done.wait(30)  # one save in five comes just after the finish
            time.sleep(delays[index])
            _send(clients[index], save, attempt_id, headers, csrfs[index])
        except BaseException as error:
            errors.append(error)

    def finish() -> None:
        try:
            barrier.wait(30)
            time.sleep(delays[-1])
            if finisher == "api_submit":
                reply = clients[-1].post(f"/api/v1/attempts/{attempt_id}/submit", headers=headers)
                assert reply.status_code == 200, reply.get_data(as_text=True)[:500]
            elif finisher == "page_submit":
                reply = clients[-1].post(f"/attempts/{attempt_id}/submit", data={"csrf_token": csrfs[-1]})
                assert reply.status_code == 302, reply.get_data(as_text=True)[:500]
            else:  # the deadline passed: the next request to look at the attempt finishes it
                with app.app_context():
                    row = db.session.get(Attempt, attempt_id)
                    assert finish_if_overdue(row, registry, now=row.deadline + timedelta(seconds=31))
                    db.session.remove()
            finished_at.append(time.monotonic())
        except BaseException as error:
            errors.append(error)
        finally:
            done.set()

    threads = [threading.Thread(target=saver, args=(i, s)) for i, s in enumerate(saves)]
    threads.append(threading.Thread(target=finish))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return (finished_at[0] if finished_at else float("inf")), errors


FINISHERS = ("api_submit", "page_submit", "deadline")


def test_saves_racing_a_submit_are_counted_or_refused(app) -> None:
    """SAVERS saves in threads race one finish, ROUNDS times (each a fresh attempt).

    The finish is in turn the API's submit, the page's submit and a deadline-triggered finish;
    in every other round the API's saves take the checked path instead of the fast one.
    """
    main = app.test_client()
    headers, _user_id = _setup(app, main)
    clients = [app.test_client() for _ in range(SAVERS + 1)]
    csrfs = []
    for client in clients:
        login(client)
        csrfs.append(csrf_from(client.get("/courses/kiem-tra/quiz").get_data(as_text=True)))
    rng = random.Random(7)
    counts = {"acknowledged": 0, "refused": 0, "sent_after_finish": 0}
    for round_number in range(ROUNDS):
        finisher = FINISHERS[round_number % len(FINISHERS)]
        attempt = _start(main, headers)
        attempt_id = attempt["id"]
        keys = right_answers(app, attempt_id)
        truefalse = next(q["position"] for q in attempt["questions"] if q["type"] == "truefalse")
        positions = sorted(keys)
        cache = app.extensions["lms"].extras
        if round_number % 2:
            cache["snapshot_cache"] = NoCache()  # API saves take the checked path
        elif isinstance(cache.get("snapshot_cache"), NoCache):
            del cache["snapshot_cache"]
        saves = []
        for n in range(SAVERS):
            kind = ("api", "api", "autosave", "form")[n % 4]
            position = truefalse if kind == "form" else positions[n % len(positions)]
            saves.append(Save(kind, position, keys[position]))
        delays = [rng.uniform(0, 0.03) for _ in range(SAVERS)] + [rng.uniform(0, 0.015)]
        finished_at, errors = _race(app, finisher, attempt_id, saves, delays, clients, csrfs, headers)
        assert not errors, f"round {round_number} ({finisher}): {errors!r}"
        stored = _stored(app, attempt_id)
        for save in saves:
            assert save.accepted is not None
            if save.accepted:
                counts["acknowledged"] += 1
                row = stored.get(save.position)
                assert row is not None and row.response == save.response, (
                    f"round {round_number}: acknowledged {save.kind} save of {save.position} is not stored")
            else:
                counts["refused"] += 1
                assert _refused_after(save), f"round {round_number}: {save}"
            if save.started > finished_at:
                counts["sent_after_finish"] += 1
                assert not save.accepted, (
                    f"round {round_number}: {save.kind} save sent after the finish was acknowledged ({save.status})")
        assert_grade_counts_stored_answers(app, attempt_id)
    # the race must really have happened both ways
    print(f"saves: {counts}")
    assert counts["acknowledged"] > 0 and counts["sent_after_finish"] > 0, counts


# --- the interleavings forced one at a time ---------------------------------------------------


def _finisher(app, attempt_id: int, how: str) -> Callable[[], None]:
    registry = app.extensions["lms"].question_types

    def run() -> None:
        with app.app_context():
            row = db.session.get(Attempt, attempt_id)
            if how == "deadline":
                assert finish_if_overdue(row, registry, now=row.deadline + timedelta(seconds=31))
            else:
                from lms.quiz.attempts import submit_attempt

                assert submit_attempt(attempt_id, registry).newly_graded
            db.session.remove()

    return run


def _in_thread(target: Callable[[], None]) -> None:
    errors: list[BaseException] = []

    def run() -> None:
        try:
            target()
        except BaseException as error:
            errors.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(60)
    assert not thread.is_alive()
    if errors:
        raise errors[0]


def _running_truefalse(app):
    """A signed-in learner's running attempt: (client, API headers, attempt, its true/false position)."""
    client = app.test_client()
    headers, _user_id = _setup(app, client)
    login(client)
    attempt = _start(client, headers)
    position = next(q["position"] for q in attempt["questions"] if q["type"] == "truefalse")
    return client, headers, attempt, position


@pytest.mark.parametrize("how", ["submit", "deadline"])
@pytest.mark.parametrize("kind", ["api_checked", "autosave", "form"])
def test_save_checked_then_finished_before_its_write_is_refused(app, monkeypatch, kind: str, how: str) -> None:
    """The save's checks pass, then the attempt is finished, then the save writes: it must be refused."""
    import lms.quiz.answers as answers

    client, headers, attempt, position = _running_truefalse(app)
    attempt_id = attempt["id"]
    app.extensions["lms"].extras["snapshot_cache"] = NoCache()  # the API takes the checked path
    real = answers.validate_response
    fired: list[bool] = []

    def validate_then_finish(item: dict, raw: object, registry: object) -> object:
        if not fired:  # between the save's state check and its write
            fired.append(True)
            _in_thread(_finisher(app, attempt_id, how))
        return real(item, raw, registry)

    monkeypatch.setattr(answers, "validate_response", validate_then_finish)
    csrf = csrf_from(client.get(f"/attempts/{attempt_id}/q/{position}").get_data(as_text=True))
    save = Save({"api_checked": "api"}.get(kind, kind), position, True)
    _send(client, save, attempt_id, headers, csrf)
    assert fired
    assert _refused_after(save), save
    assert save.kind == "form" or "attempt_closed" in save.detail, save.detail
    row = _stored(app, attempt_id).get(position)
    assert row is not None and row.response is None and row.fraction == 0.0  # the grade's "unanswered"
    assert_grade_counts_stored_answers(app, attempt_id)


@pytest.mark.parametrize("how", ["submit", "deadline"])
@pytest.mark.parametrize("kind", ["api_fast", "api_checked", "autosave"])
def test_save_during_an_uncommitted_finish_waits_and_is_refused(app, monkeypatch, kind: str, how: str) -> None:
    """A save that arrives while a finish has claimed the attempt but not yet graded it."""
    import lms.quiz.attempts as attempts_module
    import lms.quiz.grading as grading

    client, headers, attempt, position = _running_truefalse(app)
    attempt_id = attempt["id"]
    csrf = csrf_from(client.get(f"/attempts/{attempt_id}/q/{position}").get_data(as_text=True))
    if kind == "api_fast":
        with app.app_context():
            from lms.quiz.answers import frozen_items

            frozen_items(attempt_id)  # warm: the API takes its one-statement path
    else:
        app.extensions["lms"].extras["snapshot_cache"] = NoCache()
    claimed, go_on = threading.Event(), threading.Event()
    real = grading.grade_attempt

    def paused_grade(attempt: Attempt, registry: object) -> None:
        claimed.set()  # the state is flipped, not yet committed
        go_on.wait(10)
        real(attempt, registry)

    monkeypatch.setattr(attempts_module, "grade_attempt", paused_grade)  # the name the finish calls
    finisher = threading.Thread(target=_finisher(app, attempt_id, how))
    finisher.start()
    assert claimed.wait(10)
    save = Save("api" if kind.startswith("api") else kind, position, True)
    saver = threading.Thread(target=_send, args=(app.test_client() if kind.startswith("api") else client,
                                                 save, attempt_id, headers, csrf))
    saver.start()
    saver.join(0.5)
    assert saver.is_alive(), f"the save did not wait for the finish: {save}"
    go_on.set()
    saver.join(30)
    finisher.join(30)
    assert not saver.is_alive() and not finisher.is_alive()
    assert save.status == 409 and "attempt_closed" in save.detail, save
    row = _stored(app, attempt_id).get(position)
    assert row is not None and row.response is None
    assert_grade_counts_stored_answers(app, attempt_id)


def test_refusal_is_in_the_learners_language(app) -> None:
    client = app.test_client()
    headers, _user_id = _setup(app, client)
    attempt = _start(client, headers)
    position = next(q["position"] for q in attempt["questions"] if q["type"] == "truefalse")
    assert client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=headers).status_code == 200
    late = client.put(f"/api/v1/attempts/{attempt['id']}/answers/{position}", json={"response": True},
                      headers={**headers, "Accept-Language": "vi"})
    assert late.status_code == 409 and late.json["error"]["code"] == "attempt_closed"
    assert late.json["error"]["message"] == "Lượt làm bài này đã được nộp; không thể thay đổi câu trả lời nữa."
    assert _stored(app, attempt["id"])[position].response is None


@pytest.mark.parametrize("how", ["submit", "deadline"])
@pytest.mark.parametrize("kind", ["api_fast", "api_checked", "autosave"])
def test_finish_waits_for_a_save_that_is_writing(app, monkeypatch, kind: str, how: str) -> None:
    """A save has written its answer, not yet committed, when a finish comes: the grade counts it."""
    client, headers, attempt, position = _running_truefalse(app)
    attempt_id = attempt["id"]
    right = right_answers(app, attempt_id)[position]
    csrf = csrf_from(client.get(f"/attempts/{attempt_id}/q/{position}").get_data(as_text=True))
    if kind == "api_fast":
        with app.app_context():
            from lms.quiz.answers import frozen_items

            frozen_items(attempt_id)
    else:
        app.extensions["lms"].extras["snapshot_cache"] = NoCache()
    save = Save("api" if kind.startswith("api") else kind, position, right)
    sender = app.test_client() if kind.startswith("api") else client
    written, go_on = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def send() -> None:
        try:
            _send(sender, save, attempt_id, headers, csrf)
        except BaseException as error:
            errors.append(error)

    saver = threading.Thread(target=send)

    def commit_later() -> None:
        if threading.current_thread() is saver and not written.is_set():
            written.set()  # the answer is written, the transaction still open
            go_on.wait(10)
        db.session.registry().commit()

    monkeypatch.setattr(db.session, "commit", commit_later)
    saver.start()
    assert written.wait(10)

    def finish() -> None:
        try:
            _finisher(app, attempt_id, how)()
        except BaseException as error:
            errors.append(error)

    finisher = threading.Thread(target=finish)
    finisher.start()
    if kind == "api_fast" and DB_KIND == "postgres":
        # the durable fast save is one statement in autocommit mode: written is committed, there
        # is no open transaction for the finish to wait for, and the grade counts the answer
        finisher.join(30)
        assert not finisher.is_alive()
    else:
        finisher.join(0.5)
        assert finisher.is_alive(), "the finish did not wait for the save being written"
    go_on.set()
    saver.join(30)
    finisher.join(30)
    assert not saver.is_alive() and not finisher.is_alive()
    assert not errors, errors
    assert save.accepted, save
    row = _stored(app, attempt_id)[position]
    assert row.response == right and row.fraction == 1.0
    assert_grade_counts_stored_answers(app, attempt_id)
