"""The quiz through the JSON API: the contract, bad input, idempotent submit, no leaked answers."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import func, select

from lms.db import db
from lms.quiz.models import Answer, Attempt
from tests.conftest import make_user
from tests.quiz_helpers import import_quizbank, right_answers, secrets_of, token_for


def start(client, headers, slug: str = "kiem-tra"):
    response = client.post(f"/api/v1/courses/{slug}/attempts", headers=headers)
    assert response.status_code == 201, response.json
    return response.json


def test_full_attempt_all_types_passes_and_issues_certificate(app, client) -> None:
    import_quizbank(app)
    make_user(app)
    headers = token_for(client)
    attempt = start(client, headers)
    types = {q["type"] for q in attempt["questions"]}
    assert types == {"description", "single", "multiple", "truefalse", "short", "numerical", "matching",
                     "missing_word", "essay"}
    matching = next(q for q in attempt["questions"] if q["type"] == "matching")
    assert {"left", "right"} <= matching.keys() and all("id" in x for x in matching["left"] + matching["right"])
    keys = right_answers(app, attempt["id"])
    for position, response in keys.items():
        saved = client.put(f"/api/v1/attempts/{attempt['id']}/answers/{position}", json={"response": response},
                           headers=headers)
        assert saved.status_code == 200, (position, saved.json)
    essay = next(q["position"] for q in attempt["questions"] if q["type"] == "essay")
    client.put(f"/api/v1/attempts/{attempt['id']}/answers/{essay}", json={"response": "Tôi đã không bấm vào."},
               headers=headers)
    state = client.get(f"/api/v1/attempts/{attempt['id']}", headers=headers).json
    assert state["state"] == "in_progress" and 0 < state["remaining_seconds"] <= 15 * 60
    assert set(state["responses"]) == {str(p) for p in keys} | {str(essay)}
    result = client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=headers).json
    # the essay waits for a teacher: no score yet, no certificate
    assert result["state"] == "pending_review" and result["score_percent"] is None
    assert result["certificate"] is None


def test_no_answer_or_feedback_reaches_the_client_before_submit(app, client) -> None:
    import_quizbank(app)
    make_user(app)
    headers = token_for(client)
    attempt = start(client, headers)
    bodies = [json.dumps(attempt, ensure_ascii=False)]
    for _position in range(1, len(attempt["questions"]) + 1):
        bodies.append(client.get(f"/api/v1/attempts/{attempt['id']}", headers=headers).get_data(as_text=True))
    secrets = secrets_of(app, attempt["id"])
    assert "BÍ-MẬT-PHẢN-HỒI-1" in secrets and "LỜI-GIẢI-CHUNG-1" in secrets
    for body in bodies:
        for secret in secrets:
            assert secret not in json.loads(json.dumps(body)), secret
        for marker in ("fraction", "weight", "feedback", "accepted", "correct", "answers\""):
            assert marker not in body, marker


def test_bad_input_is_4xx_and_stores_nothing(app, client) -> None:
    import_quizbank(app)
    make_user(app)
    make_user(app, "0987000000")
    headers = token_for(client)
    other = token_for(client, "0987000000")
    attempt = start(client, headers)
    by_type = {q["type"]: q["position"] for q in attempt["questions"]}
    url = f"/api/v1/attempts/{attempt['id']}/answers"
    cases = [
        (f"{url}/99", {"response": "x"}, headers, 404),
        (f"{url}/{by_type['single']}", {"response": "khong-co"}, headers, 400),
        (f"{url}/{by_type['numerical']}", {"response": "sáu"}, headers, 400),
        (f"{url}/{by_type['short']}", {"response": "a" * 100_000}, headers, 400),
        (f"{url}/{by_type['essay']}", {"response": "a" * 100_000}, headers, 400),
        (f"{url}/{by_type['matching']}", {"response": ["not", "an", "object"]}, headers, 400),
        (f"{url}/{by_type['single']}", {"nothing": 1}, headers, 400),
        (f"{url}/{by_type['single']}", {"response": "x"}, other, 404),
        (f"{url}/{by_type['single']}", {"response": "x"}, {}, 401),
    ]
    for path, body, hdrs, status in cases:
        response = client.put(path, json=body, headers=hdrs)
        assert response.status_code == status, (path, body, response.json)
        assert set(response.json["error"]) == {"code", "message"} and response.json["error"]["message"]
    assert client.get(f"/api/v1/attempts/{attempt['id']}", headers=other).status_code == 404
    assert client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=other).status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count(Answer.id))) == 0


def test_answers_after_submission_and_after_deadline_are_refused(app, client) -> None:
    import_quizbank(app)
    make_user(app)
    headers = token_for(client)
    attempt = start(client, headers)
    position = next(q["position"] for q in attempt["questions"] if q["type"] == "truefalse")
    assert client.put(f"/api/v1/attempts/{attempt['id']}/answers/{position}", json={"response": False},
                      headers=headers).status_code == 200
    # push the deadline into the past, beyond the grace period
    with app.app_context():
        row = db.session.get(Attempt, attempt["id"])
        row.deadline = row.started_at - timedelta(minutes=5)
        db.session.commit()
    late = client.put(f"/api/v1/attempts/{attempt['id']}/answers/{position}", json={"response": True},
                      headers=headers)
    assert late.status_code == 409 and late.json["error"]["code"] == "time_up"
    state = client.get(f"/api/v1/attempts/{attempt['id']}", headers=headers).json
    assert state["state"] != "in_progress"  # graded on what was saved
    assert state["responses"][str(position)] is False
    again = client.put(f"/api/v1/attempts/{attempt['id']}/answers/{position}", json={"response": True},
                       headers=headers)
    assert again.status_code == 409 and again.json["error"]["code"] == "attempt_closed"


def test_more_attempts_than_allowed(app, client) -> None:
    import_quizbank(app)
    make_user(app)
    headers = token_for(client)
    for _ in range(2):
        attempt = start(client, headers)
        assert start(client, headers)["id"] == attempt["id"]  # a second start resumes
        client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=headers)
    refused = client.post("/api/v1/courses/kiem-tra/attempts", headers=headers)
    assert refused.status_code == 403 and refused.json["error"]["code"] == "no_attempts_left"
    with app.app_context():
        assert db.session.scalar(select(func.count(Attempt.id))) == 2


def test_submit_twice_grades_once(app, client) -> None:
    from lms.courses.loader import import_courses
    from tests.conftest import FIXTURES

    with app.app_context():
        import_courses(FIXTURES / "courses", app.extensions["lms"].question_types)
    make_user(app)
    headers = token_for(client)
    attempt = start(client, headers, "dien-thoai")
    for position, response in right_answers(app, attempt["id"]).items():
        client.put(f"/api/v1/attempts/{attempt['id']}/answers/{position}", json={"response": response},
                   headers=headers)
    first = client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=headers).json
    second = client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=headers).json
    assert first == second
    assert first["score_percent"] == 100.0 and first["passed"] is True
    assert first["certificate"]["code"] and "/V/" in first["certificate"]["verify_url"]


def test_token_errors_and_course_list(client, courses) -> None:
    assert client.post("/api/v1/auth/token", json={"username": "x", "password": "y"}).status_code == 401
    assert client.post("/api/v1/auth/token", data="not json").status_code == 400
    listing = client.get("/api/v1/courses?audience=officials").json
    assert [c["slug"] for c in listing] == ["mat-khau"]
    assert set(listing[0]) >= {"slug", "title", "audiences"}
    assert client.get("/api/v1/courses?audience=martians").status_code == 400


def test_openapi_matches_routes(app, client) -> None:
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.1")
    documented = {(path, method.upper()) for path, ops in document["paths"].items() for method in ops}
    actual = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("lms_api."):
            path = rule.rule.removeprefix("/api/v1")
            import re

            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", path)
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                actual.add((path, method))
    assert documented == actual
