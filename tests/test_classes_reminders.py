"""The class page's new tools (issue 14, item 2): learners to remind (page and CSV with numbers
to call), the path certificate ("Chứng nhận phổ cập kỹ năng số") in the table and the gradebook,
the class's certificates PDF linked from the page; and what a teacher sees of a learner
(item 1): no birth year the roster did not give, nothing of their other classes. Another
teacher and a learner get 404/403 on every new page."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from lms.classes.models import Enrollment
from lms.courses.models import Lesson, LessonProgress
from lms.courses.services import mark_lesson_done
from lms.db import db, now_utc
from lms.quiz.grading import update_course_result
from tests.classes_helpers import course_id, enroll, make_attempt, make_class
from tests.conftest import login, make_user, vi
from tests.coverage_helpers import add_certificate


def _lessons(app, user_id: int, slug: str, *, days_ago: int) -> None:
    with app.app_context():
        lesson = db.session.scalars(
            select(Lesson).where(Lesson.course_id == course_id(app, slug)).order_by(Lesson.position)
        ).first()
        mark_lesson_done(user_id, lesson)
        db.session.get(LessonProgress, (user_id, lesson.id)).completed_at = now_utc() - timedelta(days=days_ago)
        db.session.commit()


@pytest.fixture
def world(app, client, courses, units) -> dict:
    """A class on "dien-thoai" (quiz, 2 attempts) with five learners, each in another state."""
    teacher = make_user(app, "co.lan", roles={"teacher"}, full_name="Cô Lan")
    class_id = make_class(app, teacher, name="Lớp tin học tổ 5", slugs=["dien-thoai"])
    people = {
        "new": make_user(app, "0912000001", full_name="Chưa Học Ai"),
        "idle": make_user(app, "0912000002", full_name="Lâu Rồi Không Học"),
        "busy": make_user(app, "0912000003", full_name="Đang Học Chăm"),
        "spent": make_user(app, "hoc.vien.het.luot", full_name="Hết Lượt Làm"),
        "done": make_user(app, "0912000005", full_name="Đã Xong Rồi"),
    }
    enroll(app, class_id, *people.values(), days_ago=30)
    _lessons(app, people["idle"], "dien-thoai", days_ago=10)
    _lessons(app, people["busy"], "dien-thoai", days_ago=1)
    for number in (1, 2):  # two failed attempts, minutes ago: out of attempts, not idle
        make_attempt(app, people["spent"], "dien-thoai", number=number, score=20.0)
    make_attempt(app, people["done"], "dien-thoai", score=100.0)
    with app.app_context():
        for who in ("spent", "done"):
            update_course_result(people[who], course_id(app, "dien-thoai"))
        add_certificate(people["done"], "citizens", date(2026, 11, 30))  # the path certificate
        db.session.commit()
    login(client, "co.lan")
    return {"class_id": class_id, "teacher": teacher, **people}


def test_learners_to_remind_follow_the_rule_said_on_the_page(client, world) -> None:
    page = client.get(f"/teach/classes/{world['class_id']}/reminders")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert vi("Listed: learners who have not passed every course of the class and who have not started, "
              "have used every attempt of a course without passing, or have done nothing for %(n)d days.",
              n=7) in html
    listed = [int(m) for m in re.findall(r'<li data-user="(\d+)" data-reason="\w+"', html)]
    assert listed == [world["new"], world["idle"], world["spent"]]  # not started first, then longest idle
    assert 'data-reason="not_started"' in html and 'data-reason="idle"' in html
    assert 'data-reason="no_attempts_left"' in html
    assert vi("Nothing done for %(n)d days", n=10) in html
    assert 'href="tel:0912000001"' in html and "0912 000 001" in html
    # the class page says how many and links the list
    progress = client.get(f"/teach/classes/{world['class_id']}/").get_data(as_text=True)
    assert vi("Learners to remind (%(n)d)", n=3) in progress
    assert f'href="/teach/classes/{world["class_id"]}/reminders"' in progress


def test_the_list_to_call_as_csv_in_the_users_language(client, world) -> None:
    response = client.get(f"/teach/classes/{world['class_id']}/reminders.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"  # the charset once
    assert response.headers.getlist("Content-Type") == ["text/csv; charset=utf-8"]
    assert response.data.startswith(b"\xef\xbb\xbf")  # Excel reads the Vietnamese
    assert 'attachment; filename="nhac-hoc-lop-tin-hoc-to-5-' in response.headers["Content-Disposition"]
    assert "no-store" in response.headers["Cache-Control"]
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == [vi("Full name"), vi("Phone number"), vi("Username"), vi("Why"), vi("Last activity"),
                       vi("Courses passed (of %(n)d)", n=1)]
    by_name = {r[0]: r for r in rows[1:]}
    assert set(by_name) == {"Chưa Học Ai", "Lâu Rồi Không Học", "Hết Lượt Làm"}
    # a phone to call, spaced so that Excel keeps it as text with its leading 0
    assert by_name["Chưa Học Ai"][1:4] == ["0912 000 001", "", vi("Not started yet")]
    assert by_name["Hết Lượt Làm"][1:3] == ["", "hoc.vien.het.luot"]
    assert by_name["Hết Lượt Làm"][3] == vi("Used every attempt without passing: give one more attempt")
    assert by_name["Lâu Rồi Không Học"][5] == "0"


def test_nobody_behind_says_so(app, client, courses, units) -> None:
    teacher = make_user(app, "co.lan", roles={"teacher"})
    class_id = make_class(app, teacher, slugs=["dien-thoai"])
    login(client, "co.lan")
    html = client.get(f"/teach/classes/{class_id}/reminders").get_data(as_text=True)
    assert vi("Nobody is behind. Well done!") in html and "reminders-csv" not in html
    rows = client.get(f"/teach/classes/{class_id}/reminders.csv").data.decode("utf-8-sig").strip().splitlines()
    assert len(rows) == 1


def test_path_certificate_in_the_table_and_the_gradebook(app, client, world) -> None:
    with app.app_context():
        from lms.certificates.models import Certificate

        code = db.session.scalar(select(Certificate.code).where(Certificate.kind == "path"))
    html = client.get(f"/teach/classes/{world['class_id']}/").get_data(as_text=True)
    assert f"<th scope=\"col\">{vi('Digital skills path certificate')}</th>" in html
    assert vi("Digital skills path certificate") == "Chứng nhận phổ cập kỹ năng số"
    assert f'data-path-certificate="{code}"' in html and f'href="/certificates/{code}"' in html
    assert html.count('data-path-certificate=""') == 4
    rows = list(csv.reader(io.StringIO(
        client.get(f"/teach/classes/{world['class_id']}/gradebook.csv").data.decode("utf-8-sig"))))
    assert rows[0][-1] == "Chứng nhận phổ cập kỹ năng số"
    by_name = {r[0]: r for r in rows[1:]}
    assert by_name["Đã Xong Rồi"][-1] == code and by_name["Chưa Học Ai"][-1] == ""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(client.get(f"/teach/classes/{world['class_id']}/gradebook.xlsx").data))
    sheet = book.active
    assert sheet.cell(row=1, column=sheet.max_column).value == "Chứng nhận phổ cập kỹ năng số"
    values = {r[0].value: r[-1].value for r in sheet.iter_rows(min_row=2)}
    assert values["Đã Xong Rồi"] == code


def test_a_revoked_path_certificate_is_not_shown(app, client, world) -> None:
    from lms.certificates.models import Certificate

    with app.app_context():
        db.session.scalar(select(Certificate).where(Certificate.kind == "path")).status = "revoked"
        db.session.commit()
    html = client.get(f"/teach/classes/{world['class_id']}/").get_data(as_text=True)
    assert html.count('data-path-certificate=""') == 5


def test_the_class_page_links_the_certificates_pdf(client, world) -> None:
    html = client.get(f"/teach/classes/{world['class_id']}/").get_data(as_text=True)
    link = f'href="/certificates/class/{world["class_id"]}.pdf"'
    assert link in html and vi("Certificates of the class (PDF)") in html
    assert 'id="class-certificates"' in html


def test_birth_year_only_when_the_roster_gave_it_and_no_other_class(app, client, world) -> None:
    """A learner who came by the join code: the teacher sees no birth year (page, gradebook), and
    nothing of the learner's other class."""
    joined = make_user(app, "0912000009", full_name="Vào Bằng Mã", birth_year=1957)
    other_teacher = make_user(app, "thay.minh", roles={"teacher"})
    other_class = make_class(app, other_teacher, name="Lớp bí mật của thầy Minh", slugs=["mat-khau"])
    with app.app_context():
        db.session.add(Enrollment(class_id=world["class_id"], user_id=joined, source="join", enrolled_at=now_utc()))
        db.session.add(Enrollment(class_id=other_class, user_id=joined, source="join", enrolled_at=now_utc()))
        db.session.commit()
    page = client.get(f"/teach/classes/{world['class_id']}/learners/{joined}").get_data(as_text=True)
    assert "1957" not in page and "Lớp bí mật" not in page and "mat-khau" not in page
    roster_learner = client.get(f"/teach/classes/{world['class_id']}/learners/{world['new']}").get_data(as_text=True)
    assert "1970" in roster_learner  # from the roster (the fixture's enrollments are roster ones)
    rows = list(csv.reader(io.StringIO(
        client.get(f"/teach/classes/{world['class_id']}/gradebook.csv").data.decode("utf-8-sig"))))
    by_name = {r[0]: r for r in rows[1:]}
    assert by_name["Vào Bằng Mã"][2] == "" and by_name["Chưa Học Ai"][2] == "1970"
    assert not any("Lớp bí mật" in cell for row in rows for cell in row)
    reminders = client.get(f"/teach/classes/{world['class_id']}/reminders.csv").data.decode("utf-8-sig")
    assert "1957" not in reminders and "Lớp bí mật" not in reminders


@pytest.mark.parametrize("who", ["thay.minh", "0912000001"])
def test_another_teacher_or_a_learner_gets_nothing(app, client, world, who) -> None:
    if who == "thay.minh":
        make_user(app, "thay.minh", roles={"teacher"})
    fresh = app.test_client()  # signed in as someone else
    login(fresh, who)
    base = f"/teach/classes/{world['class_id']}"
    for url in (f"{base}/reminders", f"{base}/reminders.csv", f"{base}/", f"{base}/gradebook.csv",
                f"/certificates/class/{world['class_id']}.pdf"):
        response = fresh.get(url)
        assert response.status_code in ((404,) if who == "thay.minh" else (403, 404)), url
        assert "Chưa Học Ai" not in response.get_data(as_text=True) and b"0912 000 001" not in response.data


def test_every_class_csv_says_its_charset_once(app, client, world) -> None:
    from tests.classes_helpers import roster_csv, upload

    response = upload(client, world["class_id"], roster_csv("Nguyễn Văn Mới,0912000111,1970,"))
    urls = [f"/teach/classes/{world['class_id']}/gradebook.csv", f"/teach/classes/{world['class_id']}/reminders.csv",
            "/teach/roster-template.csv", response.headers["Location"] + "/report.csv"]
    for url in urls:
        got = client.get(url)
        assert got.status_code == 200 and got.headers.getlist("Content-Type") == ["text/csv; charset=utf-8"], url
