"""Who may see and download a certificate; the kept PDF; a class's certificates as one PDF; revocation pages."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import select

from lms.accounts.models import User
from lms.classes.models import ClassCourse, Classroom, Enrollment
from lms.courses.models import Course
from lms.db import db, now_utc
from tests.certs_helpers import earn, login_as, pdf_pages, pdf_text, qr_texts, record
from tests.conftest import make_user, post_form


def user_id(app, username: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username))


def make_class(app, teacher: str, learners: list[str], *, removed: tuple[str, ...] = (),
               courses: tuple[str, ...] = ("dien-thoai",), uses_path: bool = False) -> int:
    with app.app_context():
        classroom = Classroom(name="Lớp kỹ năng số 1", teacher_id=user_id(app, teacher), audience="citizens",
                              uses_path=uses_path, join_code=f"K{teacher.upper()[:6]}{len(learners)}")
        db.session.add(classroom)
        db.session.flush()
        for i, slug in enumerate(courses):
            course_id = db.session.scalar(select(Course.id).where(Course.slug == slug))
            db.session.add(ClassCourse(class_id=classroom.id, course_id=course_id, position=i))
        for name in learners:
            db.session.add(Enrollment(class_id=classroom.id, user_id=user_id(app, name),
                                      removed_at=now_utc() if name in removed else None))
        db.session.commit()
        return classroom.id


@pytest.fixture
def people(app, client, courses, units):
    """Two learners with a certificate each, their teacher, another teacher, an admin."""
    codes = {
        "an": earn(app, client, "0912000001", "Nguyễn Văn An", unit_code="26734"),
        "binh": earn(app, client, "0912000002", "Lê Thị Bình", unit_code="26740"),
    }
    make_user(app, "cogiao", roles={"teacher"}, full_name="Phạm Thị Giáo")
    make_user(app, "thaykhac", roles={"teacher"}, full_name="Hồ Văn Khác")
    make_user(app, "quantri", roles={"admin"}, full_name="Quản Trị Viên")
    return codes


def downloads(client, code: str) -> list[int]:
    return [client.get(f"/certificates/{code}{suffix}").status_code for suffix in ("", "/pdf", "/credential.json")]


def test_owner_sees_the_phone_page_others_do_not(app, client, people) -> None:
    code = people["an"]
    assert client.get(f"/certificates/{code}").status_code == 302  # to the sign-in page
    login_as(client, "0912000001")
    page = client.get(f"/certificates/{code}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Nguyễn Văn An" in html and "<svg" in html
    assert f'href="/certificates/{code}/pdf"' in html and f'href="/certificates/{code}/credential.json"' in html
    # what the credential file is for, in plain Vietnamese, not "Open Badge"
    assert "Tải chứng nhận số" in html and "chứng nhận số để lưu vào ví hoặc gửi cho nơi tuyển dụng" in html.lower()
    assert "Open Badge" not in html
    assert "<style" not in html  # the card's CSS is a file: the Content-Security-Policy forbids inline styles
    css = client.get("/certificates/static/certificate.css")
    assert css.status_code == 200 and css.mimetype == "text/css"
    lower = client.get(f"/certificates/{code.lower()}")
    assert lower.status_code == 302 and lower.location.endswith(f"/certificates/{code}")
    profile = client.get("/me").get_data(as_text=True)
    assert f"/certificates/{code}/pdf" in profile
    client.post("/logout")
    login_as(client, "0912000002")  # another learner: as if it did not exist
    assert downloads(client, code) == [404, 404, 404]


def test_teacher_of_an_enrolled_learner_may_download(app, client, people) -> None:
    an, binh = people["an"], people["binh"]
    make_class(app, "cogiao", ["0912000001", "0912000002"], removed=("0912000002",))
    login_as(client, "cogiao")
    assert downloads(client, an) == [200, 200, 200]
    assert downloads(client, binh) == [404, 404, 404]  # removed from the class
    client.post("/logout")
    login_as(client, "thaykhac")  # teaches no class of theirs
    assert downloads(client, an) == [404, 404, 404]
    client.post("/logout")
    login_as(client, "quantri")
    assert downloads(client, an) == [200, 200, 200] and downloads(client, binh) == [200, 200, 200]


def test_the_pdf_is_rendered_once_then_served_from_its_file(app, client, people, monkeypatch) -> None:
    code = people["an"]
    login_as(client, "0912000001")
    first = client.get(f"/certificates/{code}/pdf")
    assert first.status_code == 200 and first.mimetype == "application/pdf"
    assert "private" in first.headers["Cache-Control"] and first.headers["ETag"]
    assert f"chung-nhan-{code}.pdf" in first.headers["Content-Disposition"]
    kept = Path(app.instance_path) / "certificates" / f"{code}.pdfa.pdf"
    assert kept.read_bytes() == first.data
    assert stat.S_IMODE(os.stat(kept).st_mode) == 0o600  # it carries the full name
    assert not [p for p in kept.parent.iterdir() if p.suffix == ".tmp"]

    import lms.certificates.pdf as pdf_module

    def refuse(*_args, **_kwargs):
        raise AssertionError("rendered again")

    monkeypatch.setattr(pdf_module, "render_certificate_pdf", refuse)
    again = client.get(f"/certificates/{code}/pdf")
    assert again.status_code == 200 and again.data == first.data
    cached = client.get(f"/certificates/{code}/pdf", headers={"If-None-Match": first.headers["ETag"]})
    assert cached.status_code == 304
    api = client.get(f"/api/v1/certificates/{code}/pdf",
                     headers={"Authorization": "Bearer " + client.post("/api/v1/auth/token", json={
                         "username": "0912000001", "password": "mat-khau-tot-2026"}).json["token"]})
    assert api.status_code == 200 and api.data == first.data


def test_class_certificates_print_as_one_pdf(app, client, people, monkeypatch) -> None:
    an, binh = people["an"], people["binh"]
    earn(app, client, "0912000003", "Trần Văn Cường", unit_code="26734")
    class_id = make_class(app, "cogiao", ["0912000001", "0912000002", "0912000003"], removed=("0912000003",))
    login_as(client, "cogiao")
    answer = client.get(f"/certificates/class/{class_id}.pdf")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert pdf_pages(answer.data) == 2  # the removed learner's certificate is not printed
    texts = [pdf_text(answer.data, i) for i in range(2)]
    # class-list order: by given name (Vietnamese style), "An" before "Bình"
    assert "Nguyễn Văn An" in texts[0] and "Lê Thị Bình" in texts[1]
    for i, code in enumerate((an, binh)):
        assert qr_texts(answer.data, i) == [f"HTTP://LOCALHOST/V/{record(app, code).token}"]
    client.post("/logout")
    login_as(client, "thaykhac")
    assert client.get(f"/certificates/class/{class_id}.pdf").status_code == 404
    client.post("/logout")
    login_as(client, "0912000001")
    assert client.get(f"/certificates/class/{class_id}.pdf").status_code == 403
    client.post("/logout")
    login_as(client, "quantri")
    assert pdf_pages(client.get(f"/certificates/class/{class_id}.pdf").data) == 2
    # a revoked certificate is left out; with none left the page says so
    client.post("/logout")
    for code in (an, binh):
        assert app.test_cli_runner().invoke(args=["lms", "certs", "revoke", code, "--reason", "Thi hộ"]).exit_code == 0
    login_as(client, "cogiao")
    empty = client.get(f"/certificates/class/{class_id}.pdf")
    assert empty.status_code == 404 and empty.mimetype == "text/html"
    assert "Lớp kỹ năng số 1" in empty.get_data(as_text=True)


def test_path_certificate_is_issued_once_the_whole_path_is_passed(app, client, courses) -> None:
    from lms.courses.models import CourseResult

    make_user(app, "0912000009", full_name="Đỗ Thị Hạnh", audience="citizens")
    with app.app_context():  # the path's other course (no quiz in the fixture) counts as passed
        uid = db.session.scalar(select(User.id).where(User.username == "0912000009"))
        course_id = db.session.scalar(select(Course.id).where(Course.slug == "mat-khau"))
        db.session.add(CourseResult(user_id=uid, course_id=course_id, passed=True, passed_at=now_utc()))
        db.session.commit()
    from tests.certs_helpers import pass_quiz, token_for

    pass_quiz(app, client, "0912000009")
    mine = client.get("/api/v1/me/certificates", headers=token_for(client, "0912000009")).json
    assert sorted((c["kind"], c["course"], c["path"]) for c in mine) == [
        ("course", "dien-thoai", None), ("path", None, "citizens")]
    path_code = next(c["code"] for c in mine if c["kind"] == "path")
    login_as(client, "0912000009")
    text = pdf_text(client.get(f"/certificates/{path_code}/pdf").data)
    assert "Chứng nhận phổ cập kỹ năng số" in text and "Đỗ Thị Hạnh" in text
    assert "dành cho người dân" in text


def test_one_valid_certificate_per_course_and_a_new_code_after_revocation(app, client, courses) -> None:
    from lms.certificates.issuing import issue
    from lms.certificates.records import revoke

    code = earn(app, client)
    with app.test_request_context():
        user = db.session.scalar(select(User).where(User.username == "0912345678"))
        course = db.session.scalar(select(Course).where(Course.slug == "dien-thoai"))
        assert issue(user, "course", "dien-thoai", course).code == code
        revoke(issue(user, "course", "dien-thoai", course), "Sai tên", None)
        new = issue(user, "course", "dien-thoai", course)
        db.session.commit()
        assert new.code != code and new.status == "valid"


def test_revoke_page_needs_the_role_a_reason_and_the_form_token(app, client, people) -> None:
    code = people["an"]
    login_as(client, "0912000001")
    assert client.get("/certificates/revoke").status_code == 403
    client.post("/logout")
    login_as(client, "quantri")
    page = client.get(f"/certificates/revoke?code={code}").get_data(as_text=True)
    assert "Nguyễn V. A." in page and 'name="reason"' in page
    no_token = client.post("/certificates/revoke", data={"code": code, "reason": "x"})
    assert no_token.status_code == 400
    blank = post_form(client, "/certificates/revoke", {"code": code, "reason": "   "})
    assert blank.status_code == 200 and record(app, code).status == "valid"
    unknown = post_form(client, "/certificates/revoke", {"code": "0000-0000-0000-0000", "reason": "Sai"})
    assert unknown.status_code == 200 and record(app, code).status == "valid"
    done = post_form(client, "/certificates/revoke", {"code": code, "reason": "Gian lận khi thi"})
    assert done.status_code == 302 and done.location.endswith(f"/certificates/{code}")
    shown = client.get(done.location).get_data(as_text=True)
    assert "Gian lận khi thi" in shown and "/pdf" not in shown.split("</header>")[1]
    assert record(app, code).status == "revoked" and record(app, code).revoked_reason == "Gian lận khi thi"
    twice = post_form(client, "/certificates/revoke", {"code": code, "reason": "Lần nữa"})
    assert twice.status_code == 200 and record(app, code).revoked_reason == "Gian lận khi thi"
    client.post("/logout")
    login_as(client, "0912000001")
    assert [client.get(f"/certificates/{code}{s}").status_code for s in ("/pdf", "/credential.json")] == [410, 410]
    assert client.get(f"/certificates/{code}").status_code == 200  # the holder still sees it, marked revoked
