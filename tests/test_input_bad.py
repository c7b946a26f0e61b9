"""Bad input gets a clear 4xx, never a 500: NUL bytes, lone surrogates, deep JSON, ids beyond
64 bits, numbers that are not numbers, a wrong method on the API. On SQLite and PostgreSQL
(PostgreSQL refuses NUL in text and overflows on ids above bigint, SQLite mostly does not)."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from lms.accounts.models import User
from lms.coverage.models import Target
from lms.db import db
from tests.classes_helpers import make_class, roster_csv, upload
from tests.conftest import csrf_from, login, make_user, post_form, vi
from tests.quiz_helpers import token_for

BAD_CHARACTERS = ("What you sent contains characters that are not allowed (such as a NUL byte). "
                  "Check it and try again.")
HUGE = "99999999999999999999999"  # beyond 64 bits (and far beyond the 32-bit id columns)


def _users(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(User.id)))


def _json_error(response, status: int) -> str:
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.is_json, response.get_data(as_text=True)[:300]
    return response.json["error"]["message"]


# ---- the token endpoint (unauthenticated) ------------------------------------------------------


@pytest.mark.parametrize("raw", [
    b'{"username": "0912345678\\u0000", "password": "x"}',
    b'{"username": "\\ud800", "password": "x"}',
    b'{"username": "a", "password": "\\udfff\\u0000"}',
    b'{"username": "a", "password": "b", "\\ud800": 1}',
])
def test_token_refuses_nul_and_lone_surrogates(app, client, raw: bytes) -> None:
    make_user(app)
    response = client.post("/api/v1/auth/token", data=raw, content_type="application/json")
    assert _json_error(response, 400) == vi(BAD_CHARACTERS)


def test_token_refuses_json_nested_100000_deep(client) -> None:
    for raw in ("[" * 100_000 + "]" * 100_000, '{"username": ' + "[" * 100_000):
        response = client.post("/api/v1/auth/token", data=raw, content_type="application/json")
        assert response.status_code == 400 and response.is_json
    deep = '{"username": "a", "password": "b", "x": ' + "[" * 200 + "]" * 200 + "}"
    response = client.post("/api/v1/auth/token", data=deep, content_type="application/json")
    assert _json_error(response, 400) == vi("What you sent is nested too deeply.")


def test_token_refuses_nan_and_infinity(client) -> None:
    for constant in ("NaN", "Infinity", "-Infinity"):
        raw = '{"username": "a", "password": "b", "x": ' + constant + "}"
        assert client.post("/api/v1/auth/token", data=raw, content_type="application/json").status_code == 400


# ---- ids beyond 64 bits ------------------------------------------------------------------------


def test_api_ids_beyond_64_bits_are_404(app, client, courses) -> None:
    make_user(app)
    headers = token_for(client)
    for method, url in (("GET", f"/api/v1/attempts/{HUGE}"), ("POST", f"/api/v1/attempts/{HUGE}/submit"),
                        ("PUT", f"/api/v1/attempts/{HUGE}/answers/1"), ("PUT", f"/api/v1/attempts/1/answers/{HUGE}")):
        response = client.open(url, method=method, headers=headers, json={"response": 1})
        _json_error(response, 404)
    # id columns are PostgreSQL integers: just above them is refused, their largest is an unknown id
    _json_error(client.get(f"/api/v1/attempts/{2**31}", headers=headers), 404)
    _json_error(client.get(f"/api/v1/attempts/{2**63 - 1}", headers=headers), 404)
    _json_error(client.get(f"/api/v1/attempts/{2**31 - 1}", headers=headers), 404)


def test_html_ids_beyond_64_bits_are_404(app, client, courses, units) -> None:
    make_user(app, "co.lan", roles={"teacher", "official"})
    login(client, "co.lan")
    for url in (f"/teach/classes/{HUGE}/", f"/teach/classes/{HUGE}/gradebook.xlsx", f"/attempts/{HUGE}/",
                f"/teach/classes/{2**31}/", f"/attempts/{2**63}/summary",
                f"/teach/classes/1/learners/{HUGE}", f"/certificates/class/{HUGE}.pdf"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.mimetype == "text/html"
    token = csrf_from(client.get("/coverage/targets").get_data(as_text=True))
    assert client.post(f"/coverage/targets/{HUGE}/delete", data={"csrf_token": token}).status_code == 404
    # an int in the query string is checked against its range before any query
    for url in (f"/coverage/targets?year={HUGE}", f"/coverage/?year={HUGE}", f"/coverage/public?year={HUGE}"):
        assert client.get(url).status_code in (200, 400), url


# ---- NUL bytes in pages ------------------------------------------------------------------------


def test_sign_in_and_registration_refuse_nul_bytes(app, client, units) -> None:
    make_user(app)
    response = post_form(client, "/login", {"login": "0912345678\x00", "password": "mat-khau-tot-2026"})
    assert response.status_code == 400 and vi(BAD_CHARACTERS) in response.get_data(as_text=True)
    good = {"login": "0987654321", "full_name": "Trần Thị Bích", "birth_year": "1962", "audience": "citizens",
            "province": "79", "commune": "26734", "password": "hoa-sen-no-2026"}
    for field in ("login", "full_name", "password", "province"):
        response = post_form(client, "/register", {**good, field: good[field] + "\x00"})
        assert response.status_code == 400, field
        assert vi(BAD_CHARACTERS) in response.get_data(as_text=True)
    assert _users(app) == 1
    assert post_form(client, "/register", good).status_code == 302  # the same form without NUL is fine


def test_lone_surrogates_in_form_fields_and_urls(app, client, units) -> None:
    """Form and URL bytes of a lone surrogate (ED A0 80) are not UTF-8: Werkzeug keeps a form's
    invalid escapes as typed and decodes a URL's as U+FFFD; neither may cause a 500."""
    token = csrf_from(client.get("/login").get_data(as_text=True))
    body = f"csrf_token={token}&login=%ED%A0%80&password=%ED%A0%80x"
    response = client.post("/login", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 401  # "wrong phone number, username or password"
    token = csrf_from(client.get("/register").get_data(as_text=True))
    body = (f"csrf_token={token}&login=0987654321&full_name=An%ED%A0%80&birth_year=1962&audience=citizens"
            "&password=hoa-sen-no-2026")
    response = client.post("/register", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(User.full_name)) == "An%ED%A0%80"
    assert client.get("/courses/%ED%A0%80/").status_code == 404
    assert client.get("/coverage/public?unit=%ED%A0%80").status_code == 404


def test_public_pages_and_course_urls_refuse_nul_bytes(client, courses, units) -> None:
    for url in ("/coverage/public?unit=79%00", "/coverage/public?year=2026%00", "/courses/dien-thoai%00/",
                "/courses/%00/lessons/x", "/certificates/AAAA%00", "/verify?code=%00", "/join/%00",
                "/courses/?audience=%00"):
        response = client.get(url)
        assert response.status_code in (400, 404), (url, response.status_code)
    assert client.get("/coverage/public?unit=79%00").status_code == 400
    response = client.get("/api/v1/courses?audience=%00")
    assert response.status_code == 400 and response.is_json
    assert client.get("/api/v1/certificates/AAAA%00").status_code == 400


def test_class_and_roster_forms_refuse_nul_bytes(app, client, courses, units) -> None:
    teacher = make_user(app, "co.lan", roles={"teacher"}, locale="en")
    login(client, "co.lan")
    form = {"name": "Lớp\x00 tổ 3", "audience": "workers", "course_mode": "path"}
    response = post_form(client, "/teach/classes/new", form)
    assert response.status_code == 400 and BAD_CHARACTERS in response.get_data(as_text=True)
    class_id = make_class(app, teacher)
    # a NUL inside the roster file is a problem of its row, shown on the preview, never a 500
    response = upload(client, class_id, roster_csv("Nguyễn\x00 Văn An,0912345601,1958,a\x00@b.vn"))
    assert response.status_code == 302
    preview = client.get(response.headers["Location"])
    assert preview.status_code == 200
    assert "control characters, invisible characters or text-direction marks" in preview.get_data(as_text=True)
    # and a NUL in the uploaded file's name
    url = f"/teach/classes/{class_id}/roster"
    token = csrf_from(client.get(url).get_data(as_text=True))
    response = client.post(url, data={"csrf_token": token, "roster": (io.BytesIO(b"x"), "a\x00.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 400


def test_roster_in_utf16_with_a_lone_surrogate_is_a_clear_problem(app, client, courses, units) -> None:
    teacher = make_user(app, "co.lan", roles={"teacher"}, locale="en")
    login(client, "co.lan")
    class_id = make_class(app, teacher)
    data = "\ufeffHọ và tên,Số điện thoại,Năm sinh\r\nAn,0912345601,1958\r\n".encode("utf-16-le") + b"\x00\xd8"
    response = upload(client, class_id, data)
    assert response.status_code == 422
    assert "We cannot read the text of this file" in response.get_data(as_text=True)


# ---- numbers that are not numbers --------------------------------------------------------------


@pytest.mark.parametrize("value", ["snan", "nan", "NaN", "inf", "-inf", "Infinity", "sNaN123"])
def test_coverage_target_refuses_nan_and_infinity(app, client, units, value: str) -> None:
    make_user(app, "canbo", roles={"admin"}, audience="officials", locale="en")
    login(client, "canbo")
    response = post_form(client, "/coverage/targets?year=2026", {
        "unit_code": "79", "indicator": "vneid", "year": "2026", "kind": "count", "value": value})
    assert response.status_code == 422
    assert "Please enter a number." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Target.id)).where(Target.unit_id.is_not(None))) == 0


def test_set_target_refuses_nan_and_infinity(app, units) -> None:
    from decimal import Decimal

    from lms.coverage import targets

    with app.app_context():
        for value in (float("nan"), float("inf"), Decimal("sNaN")):
            with pytest.raises(targets.TargetError):
                targets.set_target("vneid", 2026, value, kind="count")  # type: ignore[arg-type]


def test_essay_grade_refuses_nan(app, client, courses, units) -> None:
    from lms.classes.forms import GradeForm

    with app.test_request_context(method="POST", data={"percent": "snan"}):
        form = GradeForm(meta={"csrf": False})
        assert not form.validate()
        assert form.percent.errors


# ---- a wrong method on the API -----------------------------------------------------------------


def test_wrong_method_on_the_api_is_a_json_405(client) -> None:
    for method, url in (("GET", "/api/v1/auth/token"), ("DELETE", "/api/v1/auth/token"),
                        ("POST", "/api/v1/courses"), ("PATCH", "/api/v1/attempts/1"),
                        ("POST", "/api/v1/openapi.json")):
        response = client.open(url, method=method)
        assert response.status_code == 405, (method, url)
        assert response.is_json and response.json["error"]["code"] == "method_not_allowed"
        assert method not in response.headers["Allow"] and response.headers["Allow"]
    assert "POST" in client.get("/api/v1/auth/token").headers["Allow"]
    # an unknown API path is a JSON 404, with or without a body
    response = client.post("/api/v1/nothing-here", data="x")
    assert response.status_code == 404 and response.is_json


def test_wrong_method_on_a_page_is_405_not_a_csrf_error(client) -> None:
    response = client.delete("/login")
    assert response.status_code == 405 and response.mimetype == "text/html"


def test_coverage_api_year_must_be_a_year(app, client, units) -> None:
    make_user(app, "canbo", roles={"official"}, audience="officials", unit_code="79")
    headers = token_for(client, "canbo")
    for year in ("0", "2.5", "2.5030377016017806e-284", "", "nan", HUGE, "١٢٣٤"):
        response = client.get(f"/api/v1/coverage?year={year}", headers=headers)
        assert response.status_code == 400 and response.json["error"]["code"] == "bad_year", year
    for on in ("", "2026-13-01", "yesterday"):
        response = client.get(f"/api/v1/coverage?on={on}", headers=headers)
        assert response.status_code == 400 and response.json["error"]["code"] == "bad_date", on
    assert client.get("/api/v1/coverage?year=2026", headers=headers).json["year"] == 2026
    assert client.get("/api/v1/coverage", headers=headers).status_code == 200


def test_a_404_or_405_page_still_knows_who_is_signed_in(app, client, units) -> None:
    make_user(app, "co.lan", roles={"teacher"})
    login(client, "co.lan")
    for response in (client.get("/no-such-page"), client.delete("/login")):
        assert response.status_code in (404, 405)
        assert 'href="/teach/"' in response.get_data(as_text=True)  # the header's "Classes" link
