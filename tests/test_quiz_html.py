"""The quiz in a browser without JavaScript: one question per page, resume anywhere, review."""

from __future__ import annotations

import re

from lms.db import db
from lms.quiz.models import Attempt
from tests.conftest import csrf_from, login, make_user
from tests.quiz_helpers import import_quizbank, right_answers


def start_quiz(client) -> int:
    """Open the quiz page and press "Start", as a learner does; return the attempt id."""
    page = client.get("/courses/kiem-tra/quiz").get_data(as_text=True)
    started = client.post("/courses/kiem-tra/quiz/start", data={"csrf_token": csrf_from(page)})
    return int(re.search(r"/attempts/(\d+)/", started.headers["Location"]).group(1))


def signed_in_attempt(app):
    """A learner signed in with a running attempt; returns (client, attempt id, type -> position)."""
    import_quizbank(app)
    make_user(app)
    client = app.test_client()
    login(client)
    attempt_id = start_quiz(client)
    with app.app_context():
        items = {i["qtype"]: i["position"] for i in db.session.get(Attempt, attempt_id).snapshot["questions"]}
    return client, attempt_id, items


def form_data(qtype: str, response: object) -> dict:
    if qtype == "matching":
        return {f"match-{left}": right for left, right in response.items()}
    if qtype == "multiple":
        return {"response": response}
    if qtype == "truefalse":
        return {"response": "true" if response else "false"}
    return {"response": str(response)}


def test_whole_quiz_without_javascript(app) -> None:
    import_quizbank(app)
    make_user(app)
    phone = app.test_client()
    login(phone)
    page = phone.get("/courses/kiem-tra/quiz").get_data(as_text=True)
    started = phone.post("/courses/kiem-tra/quiz/start", data={"csrf_token": csrf_from(page)})
    attempt_id = int(re.search(r"/attempts/(\d+)/q/1", started.headers["Location"]).group(1))
    keys = right_answers(app, attempt_id)
    with app.app_context():
        items = {i["position"]: i["qtype"] for i in db.session.get(Attempt, attempt_id).snapshot["questions"]}
    from tests.quiz_helpers import secrets_of

    secrets = secrets_of(app, attempt_id)
    assert secrets
    # every page a learner can open before submitting is free of feedback and answer keys
    for position in sorted(items):
        body = phone.get(f"/attempts/{attempt_id}/q/{position}").get_data(as_text=True)
        body += phone.get(f"/attempts/{attempt_id}/summary").get_data(as_text=True)
        for secret in secrets:
            assert secret not in body, (position, secret)
    # answer the first half on the phone
    positions = sorted(items)
    half = positions[: len(positions) // 2]
    for position in half:
        url = f"/attempts/{attempt_id}/q/{position}"
        html = phone.get(url).get_data(as_text=True)
        assert 'name="csrf_token"' in html
        data = {"csrf_token": csrf_from(html), "go": "next"}
        if position in keys:
            data |= form_data(items[position], keys[position])
        response = phone.post(url, data=data)
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
    # the connection drops; the learner continues on another device, at the same question
    laptop = app.test_client()
    login(laptop)
    resume = laptop.get(f"/attempts/{attempt_id}/")
    assert resume.headers["Location"].endswith(f"/attempts/{attempt_id}/q/{half[-1]}")
    for position in positions[len(half):]:
        url = f"/attempts/{attempt_id}/q/{position}"
        html = laptop.get(url).get_data(as_text=True)
        data = {"csrf_token": csrf_from(html), "go": "next"}
        if position in keys:
            data |= form_data(items[position], keys[position])
        elif items[position] == "essay":
            data["response"] = "Tôi đã xoá tin nhắn và báo cho con."
        assert laptop.post(url, data=data).status_code == 302
    summary = laptop.get(f"/attempts/{attempt_id}/summary").get_data(as_text=True)
    assert "badge warn" not in summary  # every question answered
    result = laptop.post(f"/attempts/{attempt_id}/submit", data={"csrf_token": csrf_from(summary)})
    assert result.headers["Location"].endswith(f"/attempts/{attempt_id}/result")
    html = laptop.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "giáo viên" in html  # the essay waits for the teacher's grade
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.state == "pending_review"
        graded = {a.position: a.fraction for a in attempt.answers}
        assert all(graded[p] == 1.0 for p in keys), graded


def test_wrong_input_shows_message_and_keeps_page(app) -> None:
    client, attempt_id, items = signed_in_attempt(app)
    url = f"/attempts/{attempt_id}/q/{items['numerical']}"
    html = client.get(url).get_data(as_text=True)
    response = client.post(url, data={"csrf_token": csrf_from(html), "response": "sáu", "go": "next"})
    assert response.status_code == 400
    assert 'class="error"' in response.get_data(as_text=True)


def test_another_learners_attempt_is_404(app) -> None:
    import_quizbank(app)
    make_user(app)
    make_user(app, "0987000000")
    owner, stranger = app.test_client(), app.test_client()
    login(owner)
    login(stranger, "0987000000")
    attempt_id = start_quiz(owner)
    for path in ("/", "/q/1", "/summary", "/result"):
        assert stranger.get(f"/attempts/{attempt_id}{path}").status_code == 404
    token = csrf_from(stranger.get("/me").get_data(as_text=True))
    assert stranger.post(f"/attempts/{attempt_id}/submit", data={"csrf_token": token}).status_code == 404
    assert stranger.put(f"/attempts/{attempt_id}/answers/2", json={"response": "x"},
                        headers={"X-CSRFToken": token}).status_code == 404


def test_autosave_endpoint_needs_csrf_header(app) -> None:
    client, attempt_id, items = signed_in_attempt(app)
    url = f"/attempts/{attempt_id}/answers/{items['truefalse']}"
    assert client.put(url, json={"response": False}).status_code == 400
    html = client.get(f"/attempts/{attempt_id}/q/1").get_data(as_text=True)
    saved = client.put(url, json={"response": False}, headers={"X-CSRFToken": csrf_from(html)})
    assert saved.status_code == 200 and saved.json["saved"] is True
