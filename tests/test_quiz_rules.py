"""Quiz settings and the frozen snapshot: grading methods, draws, review options, bank changes."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from lms.courses.loader import import_courses
from lms.courses.models import Course, CourseResult
from lms.db import db
from lms.quiz.answers import save_answer
from lms.quiz.attempts import start_attempt, submit_attempt
from lms.quiz.grading import course_grade
from lms.quiz.models import Attempt
from lms.quiz.review import review_items
from tests.conftest import make_user
from tests.quiz_helpers import QUIZBANK


@pytest.mark.parametrize(
    ("method", "expected"),
    [("highest", 90.0), ("last", 40.0), ("first", 60.0), ("average", 63.33)],
)
def test_course_grade_methods(method: str, expected: float) -> None:
    assert course_grade([60.0, 90.0, 40.0], method) == expected
    assert course_grade([], method) is None


def _setup(app, tmp_path: Path, settings: str) -> Path:
    copy = tmp_path / "bank"
    shutil.copytree(QUIZBANK, copy)
    manifest = copy / "kiem-tra" / "course.yaml"
    text = manifest.read_text().replace("  max_attempts: 2\n", "")
    if "review:" in settings:
        text = "\n".join(line for line in text.splitlines() if "review:" not in line) + "\n"
    manifest.write_text(text.replace("quiz:\n", "quiz:\n" + settings))
    with app.app_context():
        import_courses(copy, app.extensions["lms"].question_types)
    return copy


def _course(app):
    return db.session.scalar(select(Course).where(Course.slug == "kiem-tra"))


def _finish(app, user_id: int, right: bool) -> float:
    registry = app.extensions["lms"].question_types
    course = _course(app)
    attempt = start_attempt(user_id, course, registry)
    for item in attempt.snapshot["questions"]:
        if item["qtype"] in ("description",):
            continue
        qtype = registry.get(item["qtype"])
        if item["qtype"] == "essay":
            continue
        if right:
            save_answer(attempt, item["position"], qtype.key(item["config"]), registry)
    result = submit_attempt(attempt.id, registry).attempt
    return result


def test_grading_method_last_uses_the_latest_attempt(app, tmp_path: Path) -> None:
    _setup(app, tmp_path, "  grading_method: last\n")
    user_id = make_user(app)
    with app.app_context():
        # drop the essay so attempts are graded at once
        course = _course(app)
        from lms.quiz.models import Question

        for question in db.session.scalars(select(Question).where(Question.qtype == "essay")):
            question.active = False
        db.session.commit()
        _finish(app, user_id, right=True)
        _finish(app, user_id, right=False)
        result = db.session.get(CourseResult, (user_id, course.id))
        assert result.best_percent == 100.0
        assert result.grade_percent == 0.0
        assert result.passed  # a pass, once earned, is kept (its certificate was issued)


def test_draw_evenly_from_each_category(app, tmp_path: Path) -> None:
    copy = tmp_path / "bank"
    shutil.copytree(QUIZBANK, copy)
    gift = copy / "kiem-tra" / "quiz.gift"
    text = gift.read_text()
    # put the second half of the questions in another category
    head, tail = text.split("::Đúng sai::")
    gift.write_text(head + "$CATEGORY: kiem-tra/rieng\n\n::Đúng sai::" + tail)
    manifest = copy / "kiem-tra" / "course.yaml"
    settings = "  questions: 4\n  draw_by_category: true\n"
    manifest.write_text(manifest.read_text().replace("  max_attempts: 2\n", settings))
    user_id = make_user(app)
    with app.app_context():
        import_courses(copy, app.extensions["lms"].question_types)
        from lms.quiz.models import Question

        categories = {q.id: q.category for q in db.session.scalars(select(Question))}
        for seed in range(5):
            attempt = start_attempt(user_id, _course(app), app.extensions["lms"].question_types,
                                    rng=random.Random(seed))
            drawn = [categories[i["question_id"]] for i in attempt.snapshot["questions"]]
            assert len(drawn) == 4 and drawn.count("kiem-tra/chung") == 2, drawn
            attempt.state = "abandoned"
            db.session.commit()


def test_review_options_limit_what_is_shown(app, tmp_path: Path) -> None:
    _setup(app, tmp_path, "  review: [score]\n")
    user_id = make_user(app)
    with app.app_context():
        attempt = _finish(app, user_id, right=True)
        items = review_items(attempt, app.extensions["lms"].question_types)
        assert all(i["right_answer"] is None and i["feedback"] is None and i["fraction"] is None for i in items)
    _setup(app, tmp_path / "2", "  review: [score, correctness, right_answers, feedback]\n")
    with app.app_context():
        attempt = db.session.scalar(select(Attempt).order_by(Attempt.id.desc()))
        attempt.snapshot = {**attempt.snapshot, "settings": {**attempt.snapshot["settings"],
                                                               "review": ["correctness", "right_answers"]}}
        items = review_items(attempt, app.extensions["lms"].question_types)
        single = next(i for i in items if i["qtype"] == "single")
        assert single["right_answer"] == "Chỉ mình bạn" and single["fraction"] == 1.0


def test_changing_the_bank_never_changes_a_running_attempt(app, tmp_path: Path) -> None:
    copy = _setup(app, tmp_path, "  max_attempts: 2\n")
    user_id = make_user(app)
    registry = app.extensions["lms"].question_types
    with app.app_context():
        attempt = start_attempt(user_id, _course(app), registry)
        before = attempt.snapshot
        attempt_id = attempt.id
    gift = copy / "kiem-tra" / "quiz.gift"
    gift.write_text(gift.read_text().replace("=Chỉ mình bạn", "~Chỉ mình bạn").replace("~Nhân viên ngân hàng",
                                                                                          "=Nhân viên ngân hàng"))
    with app.app_context():
        import_courses(copy, registry)
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.snapshot == before
        item = next(i for i in attempt.snapshot["questions"] if i["qtype"] == "single")
        choice = next(c for c in registry.get("single").present(item["config"], item["order"])["choices"]
                      if c["text"] == "Chỉ mình bạn")
        save_answer(attempt, item["position"], choice["id"], registry)
        submit_attempt(attempt_id, registry)
        answer = next(a for a in db.session.get(Attempt, attempt_id).answers if a.position == item["position"])
        assert answer.fraction == 1.0  # graded by the snapshot, not the changed bank
