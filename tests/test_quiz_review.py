"""The result page a first-time learner reads: the pick in words, verdicts in other words, retry, right answers."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from lms.courses.loader import import_courses
from lms.db import db
from lms.quiz.models import Attempt
from lms.quiz.review import describe_response, response_label, shows_right_answers
from lms.quiz.types import TrueFalse
from tests.conftest import csrf_from, login, make_user
from tests.quiz_helpers import QUIZBANK, right_answers
from tests.test_quiz_html import form_data, start_quiz

LABELS = {"single": "Bạn chọn", "multiple": "Bạn chọn", "truefalse": "Bạn chọn", "missing_word": "Bạn chọn",
          "short": "Bạn viết", "numerical": "Bạn viết", "essay": "Bạn viết", "matching": "Bạn ghép"}
VERDICTS = ("Chính xác", "Chính xác một phần", "Chưa chính xác")


def _bank(app, tmp_path: Path, quiz_lines: str | None) -> None:
    """Import the every-type bank; ``quiz_lines`` replace the fixture's max_attempts and review lines."""
    copy = tmp_path / "bank"
    shutil.copytree(QUIZBANK, copy)
    manifest = copy / "kiem-tra" / "course.yaml"
    if quiz_lines is not None:
        kept = [line for line in manifest.read_text().splitlines()
                if not line.startswith(("  review:", "  max_attempts:"))]
        manifest.write_text("\n".join(kept).replace("quiz:", "quiz:\n" + quiz_lines.rstrip("\n")) + "\n")
    with app.app_context():
        import_courses(copy, app.extensions["lms"].question_types)


def _take(app, client, *, right: bool) -> tuple[int, dict[int, str], str]:
    """Take the quiz (every answer right, or every question left blank); return id, types and result page."""
    attempt_id = start_quiz(client)
    keys = right_answers(app, attempt_id) if right else {}
    with app.app_context():
        items = {i["position"]: i["qtype"] for i in db.session.get(Attempt, attempt_id).snapshot["questions"]}
    for position, qtype in sorted(items.items()):
        url = f"/attempts/{attempt_id}/q/{position}"
        data = {"csrf_token": csrf_from(client.get(url).get_data(as_text=True)), "go": "next"}
        if position in keys:
            data |= form_data(qtype, keys[position])
        elif right and qtype == "essay":
            data["response"] = "Tôi không đưa mã cho ai."
        assert client.post(url, data=data).status_code == 302
    summary = client.get(f"/attempts/{attempt_id}/summary").get_data(as_text=True)
    client.post(f"/attempts/{attempt_id}/submit", data={"csrf_token": csrf_from(summary)})
    return attempt_id, items, client.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)


def _cards(html: str) -> list[str]:
    review = html.split('<details class="review"', 1)[1].split("</details>", 1)[0]
    return re.findall(r'<div class="card">(.*?)\n</div>', review, re.S)


def _learner(app):
    make_user(app)
    client = app.test_client()
    login(client)
    return client


def test_every_review_line_says_the_pick_in_words_and_the_verdict_in_other_words(app, tmp_path: Path) -> None:
    _bank(app, tmp_path, None)  # the fixture lists right_answers: shown
    client = _learner(app)
    _attempt_id, items, html = _take(app, client, right=True)
    cards = _cards(html)
    assert len(cards) == len(items)
    for (_position, qtype), card in zip(sorted(items.items()), cards, strict=True):
        assert "✓" not in card and "✗" not in card, card
        if qtype == "description":
            assert "<strong>" not in card
            continue
        assert f"<strong>{LABELS[qtype]}:</strong>" in card, (qtype, card)
        assert "Câu trả lời của bạn" not in card and "Đáp án đúng" not in card
        if qtype == "essay":
            assert "Đang chờ giáo viên chấm" in card
        else:
            assert '<span class="badge ok">Chính xác</span>' in card, (qtype, card)
            assert "<strong>Đáp án:</strong>" in card, (qtype, card)
        if qtype == "truefalse":  # the bank's statement is false, and the learner rightly chose "Sai"
            assert "<strong>Bạn chọn:</strong> Sai</p>" in card
            assert "<strong>Đáp án:</strong> Sai</p>" in card
            # the verdict never uses the choices' words
            verdict = re.search(r'<span class="badge[^"]*">([^<]*)</span>', card).group(1)
            assert verdict in VERDICTS and verdict not in ("Đúng", "Sai")


def test_a_wrong_true_false_pick_reads_as_chosen(app) -> None:
    with app.test_request_context():
        presented = TrueFalse().present({"text": "?", "answer": False})
        assert describe_response(presented, True) == "Đúng"
        assert describe_response(presented, False) == "Sai"
        assert describe_response(presented, None) == ""
        assert response_label(presented) == "Bạn chọn"
        assert response_label({"widget": "blank"}) == "Bạn viết"
        assert response_label({"widget": "blank", "choices": [{"id": "a", "text": "A"}]}) == "Bạn chọn"


def test_right_answers_rule() -> None:
    default = {"score", "correctness", "right_answers_at_end", "feedback"}
    assert not shows_right_answers(default, None)  # unlimited attempts: never
    assert not shows_right_answers(default, 1)
    assert shows_right_answers(default, 0)
    assert shows_right_answers({"right_answers"}, None) and shows_right_answers({"right_answers"}, 1)
    assert not shows_right_answers({"score", "correctness"}, 0)


def test_failed_result_offers_a_retry_folds_details_and_hides_right_answers(app, tmp_path: Path) -> None:
    _bank(app, tmp_path, "  max_attempts: 2\n")  # review: the courses' default
    client = _learner(app)
    first_id, _items, html = _take(app, client, right=False)
    assert 'class="status invalid"' in html
    retry = html.index('action="/courses/kiem-tra/quiz/start"')
    assert html.index("status invalid") < retry < html.index('<details class="review">')
    assert ">Làm lại</button>" in html and "Bạn còn 1 lượt làm bài." in html
    assert '<details class="review">' in html and "<summary>" in html  # folded: no "open"
    assert "Chưa chính xác" in html  # correctness is shown...
    assert "<strong>Bạn chưa trả lời câu này.</strong>" in html and "(chưa trả lời)" not in html
    assert "Đáp án:" not in html  # ...but not the right answers while a retry is possible
    # the retry button starts the second attempt, as the quiz page's "Start" does
    started = client.post("/courses/kiem-tra/quiz/start", data={"csrf_token": csrf_from(html)})
    assert re.search(r"/attempts/(\d+)/q/1", started.headers["Location"])
    # the running attempt is resumed from its page; the old result offers no second start meanwhile
    assert ">Làm lại</button>" not in client.get(f"/attempts/{first_id}/result").get_data(as_text=True)
    client.get(started.headers["Location"])
    second_id = int(re.search(r"/attempts/(\d+)/", started.headers["Location"]).group(1))
    summary = client.get(f"/attempts/{second_id}/summary").get_data(as_text=True)
    client.post(f"/attempts/{second_id}/submit", data={"csrf_token": csrf_from(summary)})
    last = client.get(f"/attempts/{second_id}/result").get_data(as_text=True)
    assert ">Làm lại</button>" not in last
    assert "Bạn đã dùng hết lượt làm bài." in last
    assert "<strong>Đáp án:</strong> Sai</p>" in last  # no attempt left: the right answers show
    assert "<strong>Đáp án:</strong>" in client.get(f"/attempts/{first_id}/result").get_data(as_text=True)


def test_course_that_lists_right_answers_shows_them_while_a_retry_is_possible(app, tmp_path: Path) -> None:
    _bank(app, tmp_path, "  max_attempts: 3\n  review: [score, correctness, right_answers]\n")
    client = _learner(app)
    _attempt_id, _items, html = _take(app, client, right=False)
    assert ">Làm lại</button>" in html
    assert "<strong>Đáp án:</strong> Sai</p>" in html


def test_unlimited_attempts_by_default_never_show_right_answers(app, tmp_path: Path) -> None:
    _bank(app, tmp_path, "")
    client = _learner(app)
    _attempt_id, _items, html = _take(app, client, right=False)
    assert ">Làm lại</button>" in html and "lượt làm bài" not in html
    assert "Đáp án:" not in html
