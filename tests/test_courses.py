"""Course folders: import, validation, idempotency; the lesson reader."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lms.courses.loader import CourseImportError, import_courses
from lms.courses.models import Course, Lesson, LessonProgress, PathStep
from lms.db import db
from tests.conftest import FIXTURES, csrf_from, login, make_user, post_form


def registry(app):
    return app.extensions["lms"].question_types


def snapshot(app) -> tuple:
    with app.app_context():
        return (
            db.session.scalar(select(func.count(Course.id))),
            db.session.scalar(select(func.count(Lesson.id))),
            sorted((c.slug, c.title["vi"]) for c in db.session.scalars(select(Course))),
        )


def test_import_creates_courses_lessons_paths_and_bank(courses) -> None:
    with courses.app_context():
        course = db.session.scalar(select(Course).where(Course.slug == "dien-thoai"))
        assert course.title == {"vi": "Dùng điện thoại thông minh", "en": "Using a smartphone"}
        assert course.quiz_settings["questions"] == 3
        assert course.quiz_settings["shuffle_answers"] is True  # default
        assert [lesson.slug for lesson in course.lessons] == ["01-bat-may", "02-ket-noi-wifi"]
        assert course.lessons[0].title == {"vi": "Bật máy và mở khoá", "en": "Turning the phone on"}
        steps = db.session.scalars(select(PathStep).where(PathStep.audience == "citizens").order_by(PathStep.position))
        assert [s.course.slug for s in steps] == ["dien-thoai", "mat-khau"]
        from lms.quiz.models import QuestionBank

        bank = db.session.scalar(select(QuestionBank).where(QuestionBank.course_id == course.id))
        assert len(bank.questions) == 4


def test_import_again_is_idempotent_and_keeps_progress(courses, tmp_path: Path) -> None:
    user_id = make_user(courses)
    with courses.app_context():
        lesson = db.session.scalar(select(Lesson).where(Lesson.slug == "01-bat-may"))
        db.session.add(LessonProgress(user_id=user_id, lesson_id=lesson.id))
        db.session.commit()
    before = snapshot(courses)
    with courses.app_context():
        report = import_courses(FIXTURES / "courses", registry(courses))
        assert report.created == [] and report.updated == []
    assert snapshot(courses) == before
    # change one lesson's text and import again: the text changes, progress stays
    copy = tmp_path / "courses"
    shutil.copytree(FIXTURES / "courses", copy)
    lesson_file = copy / "dien-thoai" / "lessons" / "01-bat-may.md"
    lesson_file.write_text(lesson_file.read_text().replace("ba giây", "năm giây"))
    with courses.app_context():
        report = import_courses(copy, registry(courses))
        assert report.updated == ["dien-thoai"]
        lesson = db.session.scalar(select(Lesson).where(Lesson.slug == "01-bat-may"))
        assert "năm giây" in lesson.body["vi"]
        assert db.session.get(LessonProgress, (user_id, lesson.id)) is not None


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda d: (d / "dien-thoai/course.yaml").write_text("title: {en: 'No vi'}\naudiences: [citizens]\n"),
         "dien-thoai/course.yaml:1:"),
        (lambda d: (d / "dien-thoai/course.yaml").write_text("title: {vi: 'A'}\naudiences: [farmers]\n"),
         "dien-thoai/course.yaml:2: Đối tượng “farmers”"),
        (lambda d: (d / "dien-thoai/course.yaml").write_text(
            "title: {vi: 'A'}\naudiences: [citizens]\nquiz:\n  pass_percent: 180\n"),
         "dien-thoai/course.yaml:4:"),
        (lambda d: (d / "dien-thoai/course.yaml").write_text("title: {vi: 'A'\naudiences: [citizens]\n"),
         "dien-thoai/course.yaml:"),
        (lambda d: shutil.rmtree(d / "mat-khau/lessons"), "mat-khau/course.yaml:1:"),
        (lambda d: (d / "paths.yaml").write_text("citizens: [dien-thoai, khong-co]\n"), "paths.yaml:1:"),
        (lambda d: (d / "dien-thoai/quiz.gift").write_text("::Q1:: Câu hỏi {=đúng ~sai\n"), "dien-thoai/quiz.gift:1:"),
        (lambda d: (d / "dien-thoai/lessons/03-anh.md").write_text("# Ảnh\n\n![x](../images/khong-co.svg)\n"),
         "03-anh.md:3:"),
    ],
)
def test_broken_folder_is_refused_and_database_unchanged(courses, tmp_path: Path, edit, expected) -> None:
    copy = tmp_path / "courses"
    shutil.copytree(FIXTURES / "courses", copy)
    (copy / "dien-thoai/lessons/01-bat-may.md").write_text("# Đổi tên\n\nNội dung mới.\n")
    edit(copy)
    before = snapshot(courses)
    with courses.app_context(), pytest.raises(CourseImportError) as caught:
        import_courses(copy, registry(courses))
    assert any(expected in str(p) for p in caught.value.problems), caught.value.problems
    assert snapshot(courses) == before


def test_cli_import_reports_file_and_line_and_exits_non_zero(app, tmp_path: Path) -> None:
    copy = tmp_path / "courses"
    shutil.copytree(FIXTURES / "courses", copy)
    (copy / "mat-khau/course.yaml").write_text("title: {vi: 'A'}\naudiences: [citizens]\ncolour: red\n")
    result = app.test_cli_runner().invoke(args=["lms", "courses", "import", str(copy)])
    assert result.exit_code != 0
    assert "mat-khau/course.yaml:3:" in result.output
    assert snapshot(app)[0] == 0


def test_guest_browses_catalogue_by_audience(client, courses) -> None:
    html = client.get("/courses/?audience=officials").get_data(as_text=True)
    assert "Mật khẩu an toàn" in html and "Dùng điện thoại thông minh" not in html
    html = client.get("/courses/?audience=workers").get_data(as_text=True)
    assert "Dùng điện thoại thông minh" in html


def test_lesson_is_sanitised(client, courses) -> None:
    html = client.get("/courses/dien-thoai/lessons/02-ket-noi-wifi").get_data(as_text=True)
    assert "<script>alert" not in html
    assert 'href="javascript:' not in html and "<a href" not in html.split("Kết nối Wi-Fi")[-1].split("</article>")[0]
    assert "Kết nối Wi-Fi" in html


def test_lesson_image_served_safely(client, courses) -> None:
    html = client.get("/courses/dien-thoai/lessons/01-bat-may").get_data(as_text=True)
    assert 'src="../images/nut-nguon.svg"' in html
    image = client.get("/courses/dien-thoai/images/nut-nguon.svg")
    assert image.status_code == 200 and image.mimetype == "image/svg+xml"
    assert "sandbox" in image.headers["Content-Security-Policy"]


def test_mark_done_and_next(client, courses) -> None:
    make_user(courses)
    login(client)
    page = client.get("/courses/dien-thoai/lessons/01-bat-may").get_data(as_text=True)
    response = client.post("/courses/dien-thoai/lessons/01-bat-may/done", data={"csrf_token": csrf_from(page)})
    assert response.headers["Location"].endswith("/courses/dien-thoai/lessons/02-ket-noi-wifi")
    assert "Bạn đã học xong bài này" in client.get("/courses/dien-thoai/lessons/01-bat-may").get_data(as_text=True)
    assert "1/2 bài" in client.get("/").get_data(as_text=True)


def test_unknown_course_and_lesson_are_404_in_user_language(client, courses) -> None:
    response = client.get("/courses/khong-co/")
    assert response.status_code == 404
    assert "Không tìm thấy trang này" in response.get_data(as_text=True)
    assert client.get("/courses/dien-thoai/lessons/99-khong-co").status_code == 404
    post_form(client, "/courses/", {"locale": "en"}, action="/language")
    response = client.get("/courses/dien-thoai/lessons/99-khong-co")
    assert "We could not find this page." in response.get_data(as_text=True)


def test_english_twin_and_fallback(client, courses) -> None:
    post_form(client, "/courses/", {"locale": "en"}, action="/language")
    html = client.get("/courses/dien-thoai/lessons/01-bat-may").get_data(as_text=True)
    assert "Turning the phone on" in html
    html = client.get("/courses/dien-thoai/lessons/02-ket-noi-wifi").get_data(as_text=True)
    assert "only available in Vietnamese" in html


def test_mark_done_needs_login(client, courses) -> None:
    page = client.get("/courses/dien-thoai/lessons/01-bat-may").get_data(as_text=True)
    response = client.post("/courses/dien-thoai/lessons/01-bat-may/done", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_course_without_quiz_is_passed_by_its_lessons_and_completes_the_path(client, courses) -> None:
    """mat-khau has no quiz: reading its lesson passes it (course certificate); passing the
    dien-thoai quiz then completes the citizens' path and issues the path certificate."""
    from lms.certificates.models import Certificate
    from lms.courses.models import CourseResult
    from tests.quiz_helpers import right_answers, token_for

    user_id = make_user(courses)
    login(client)
    page = client.get("/courses/mat-khau/lessons/01-mat-khau-manh").get_data(as_text=True)
    client.post("/courses/mat-khau/lessons/01-mat-khau-manh/done", data={"csrf_token": csrf_from(page)})
    with courses.app_context():
        course = db.session.scalar(select(Course).where(Course.slug == "mat-khau"))
        assert db.session.get(CourseResult, (user_id, course.id)).passed
        kinds = sorted((c.kind, c.subject) for c in db.session.scalars(select(Certificate)))
        assert kinds == [("course", "mat-khau")]
    headers = token_for(client)
    attempt = client.post("/api/v1/courses/dien-thoai/attempts", headers=headers).json
    for position, response in right_answers(courses, attempt["id"]).items():
        client.put(f"/api/v1/attempts/{attempt['id']}/answers/{position}", json={"response": response},
                   headers=headers)
    assert client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=headers).json["passed"]
    with courses.app_context():
        kinds = sorted((c.kind, c.subject) for c in db.session.scalars(select(Certificate)))
        assert kinds == [("course", "dien-thoai"), ("course", "mat-khau"), ("path", "citizens")]
