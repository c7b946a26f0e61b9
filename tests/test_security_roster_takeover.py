"""Roster take-over (security issue, item 1): a roster links an existing account only when the row
agrees with it, never a staff account; any other match becomes an invitation the person answers;
the preview reveals nothing beyond what the teacher typed; a teacher reaches only what a learner
did in the class since joining.

Reproduction from the attack run: a teacher uploaded a roster naming the admin's username and
another learner's phone number, then read that learner's certificate PDF, learner page and
gradebook, and reset their passed attempt; the preview said "existing account" and whose it was.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from lms.accounts.models import User
from lms.classes.models import ClassInvitation, Enrollment, RosterUpload
from lms.db import db, now_utc
from lms.quiz.models import Attempt
from tests.certs_helpers import PASSWORD, earn, login_as, record
from tests.classes_helpers import form_fields, make_attempt, make_class, roster_csv, tick_all, upload
from tests.conftest import csrf_from, make_user, post_form, vi

LEARNER = "0912345678"  # Nguyễn Văn An, born 1970, passed "dien-thoai" before any class
ADMIN = "quantri"


@pytest.fixture
def world(app, client, courses, units) -> dict:
    """A learner with a certificate (and the passed attempt behind it, two days old), an admin,
    and a teacher's class on the citizens' path (both fixture courses)."""
    code = earn(app, client, LEARNER, full_name="Nguyễn Văn An")
    with app.app_context():
        long_ago = now_utc() - timedelta(days=2)
        db.session.execute(update(Attempt).values(started_at=long_ago, submitted_at=long_ago))
        db.session.commit()
        learner = db.session.scalar(select(User.id).where(User.username == LEARNER))
        attempt = db.session.scalar(select(Attempt.id).where(Attempt.user_id == learner))
    admin = make_user(app, ADMIN, PASSWORD, roles={"admin"}, full_name="Quản Trị Viên Hệ Thống")
    teacher = make_user(app, "co.lan", PASSWORD, roles={"teacher"}, full_name="Cô Lan")
    class_id = make_class(app, teacher, name="Lớp tin học tổ 5")
    return {"code": code, "learner": learner, "attempt": attempt, "admin": admin, "class_id": class_id}


def _preview(client, class_id: int, *rows: str) -> tuple[str, str]:
    """Upload the rows as the teacher; the preview's HTML and its report (CSV text)."""
    response = upload(client, class_id, roster_csv(*rows))
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    page = response.headers["Location"]
    html = client.get(page).get_data(as_text=True)
    report = client.get(page + "/report.csv").data.decode("utf-8-sig")
    return html, report


def _import(app, client, class_id: int, *, tick: bool = True) -> str:
    """Press "import" on the latest preview; with ``tick``, the teacher first ticks every row to check."""
    with app.app_context():
        upload_id = db.session.scalar(select(RosterUpload.id).order_by(RosterUpload.id.desc()))
    page = f"/teach/classes/{class_id}/roster/{upload_id}"
    html = client.get(page).get_data(as_text=True)
    done = client.post(page + "/import", data=tick_all(html) if tick else form_fields(html))
    assert done.status_code == 302
    return client.get(done.headers["Location"]).get_data(as_text=True)


def _row(html: str, line: int) -> tuple[str, str]:
    """(status, result cell) of a preview row."""
    match = re.search(rf'<tr data-line="{line}" data-status="(\w+)">.*?</td>.*?</td>\s*<td>(.*?)</td>', html, re.S)
    assert match, f"row {line} not in the preview"
    return match.group(1), match.group(2)


def _report_result(report: str, line: int) -> list[str]:
    import csv
    import io

    for cells in csv.reader(io.StringIO(report)):
        if cells and cells[0] == str(line):
            return cells[5:]
    raise AssertionError(f"row {line} not in the report")


def _teacher_reaches(client, world: dict) -> dict[str, int]:
    """What the teacher gets for the learner's page, certificate PDF and the old attempt's reset."""
    class_id, learner = world["class_id"], world["learner"]
    page = f"/teach/classes/{class_id}/learners/{learner}"
    token = csrf_from(client.get(f"/teach/classes/{class_id}/roster").get_data(as_text=True))
    return {
        "learner_page": client.get(page).status_code,
        "certificate_page": client.get(f"/certificates/{world['code']}").status_code,
        "certificate_pdf": client.get(f"/certificates/{world['code']}/pdf").status_code,
        "reset": client.post(f"{page}/attempts/{world['attempt']}/reset", data={"csrf_token": token}).status_code,
    }


def _attempt_state(app, attempt_id: int) -> str:
    with app.app_context():
        return db.session.get(Attempt, attempt_id).state


def _count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


# ---- the reproduction --------------------------------------------------------------------------


def test_roster_naming_the_admin_and_another_learner_links_nobody(app, client, world) -> None:
    login_as(client, "co.lan")
    html, report = _preview(
        client, world["class_id"],
        "Kẻ Mạo Danh,quantri,1980,",          # the admin's username
        "Trần Văn Giả,0912345678,1965,",       # another learner's phone, another name
    )
    # nothing of the accounts is shown: not the learner's name or birth year, not the admin's name or role
    table = html.split('<table id="roster-rows">', 1)[1].split("</table>", 1)[0]
    assert "Nguyễn Văn An" not in html and "Nguyễn Văn An" not in report
    assert "Quản Trị Viên Hệ Thống" not in html and "Quản Trị Viên Hệ Thống" not in report
    assert "1970" not in table and "1970" not in report
    assert "admin" not in table.lower() and "admin" not in report.lower()
    admin_row, learner_row = _row(html, 2), _row(html, 3)
    assert admin_row[0] == learner_row[0] == "invite"  # "to check": never linked
    for row in (admin_row, learner_row):
        assert vi("To check") in row[1] and vi("Invite this person: they join only if they agree") in row[1]
    # beside the row: only the account's initials and which details agree
    assert "Q. T. V. H. T." in admin_row[1] and "N. V. A." in learner_row[1]
    assert _report_result(report, 2)[0] == _report_result(report, 3)[0] == vi("To check: not imported unless ticked")
    assert vi("The import will create %(new)d, link %(link)d, invite %(invite)d and skip %(skip)d.",
              new=0, link=0, invite=0, skip=2) in html
    _import(app, client, world["class_id"])  # the teacher ticks both: they are invited
    assert _count(app, Enrollment) == 0
    assert _count(app, ClassInvitation, ClassInvitation.answered_at.is_(None)) == 2  # one each, once
    assert _teacher_reaches(client, world) == {
        "learner_page": 404, "certificate_page": 404, "certificate_pdf": 404, "reset": 404,
    }
    assert client.get(f"/teach/classes/{world['class_id']}/learners/{world['admin']}").status_code == 404
    gradebook = client.get(f"/teach/classes/{world['class_id']}/gradebook.csv").data.decode("utf-8-sig")
    assert "Nguyễn Văn An" not in gradebook and "Quản Trị" not in gradebook
    assert _attempt_state(app, world["attempt"]) == "finished"
    # even a row with the admin's real name and birth year is only "to check", and ticked only invites
    again, again_report = _preview(client, world["class_id"], "Quản Trị Viên Hệ Thống,quantri,1970,",
                                   "Trần Văn Giả,0912345678,1965,")
    assert _row(again, 2)[0] == _row(again, 3)[0] == "invite"
    assert "admin" not in again.split('<table id="roster-rows">', 1)[1].lower()
    assert _report_result(again_report, 2)[0] == _report_result(again_report, 3)[0]
    _import(app, client, world["class_id"])
    assert _count(app, Enrollment) == 0 and _count(app, ClassInvitation) == 2  # no second invitation


def test_rows_to_check_are_not_imported_unless_ticked(app, client, courses, units) -> None:
    """The issue's reproduction: "Nguyễn Thị Hoa, 0987000001, 1990" named an account of another
    province born in 1968; another row has the right year but another name. "Import the valid
    rows" creates the new row's account and leaves both alone: no link, no invitation."""
    other = make_user(app, "0987000001", PASSWORD, full_name="Nguyễn Thị Hoa", birth_year=1968)
    namesake = make_user(app, "0987000002", PASSWORD, full_name="Lê Văn Tám", birth_year=1975)
    teacher = make_user(app, "co.lan", PASSWORD, roles={"teacher"}, full_name="Cô Lan")
    class_id = make_class(app, teacher)
    login_as(client, "co.lan")
    html, report = _preview(client, class_id, "Nguyễn Thị Hoa,0987000001,1990,", "Trần Văn Tám,0987000002,1975,",
                            "Phạm Thị Mới,0987000003,1980,")
    hoa, tam = _row(html, 2), _row(html, 3)
    assert hoa[0] == tam[0] == "invite" and _row(html, 4)[0] == "new"
    # both versions side by side: the row as typed, the account's initials and which details differ
    assert "Nguyễn Thị Hoa" in hoa[1] and "N. T. H." in hoa[1] and "1990" in hoa[1]
    assert re.search(r"N\. T\. H\. <span class=\"badge ok\">" + re.escape(vi("agrees")), hoa[1])
    assert re.search(r'<span class="badge bad">' + re.escape(vi("differs")), hoa[1])  # the birth year
    assert "L. V. T." in tam[1] and re.search(r"L\. V\. T\. <span class=\"badge bad\">", tam[1])
    assert "1968" not in html and "1968" not in report and "Lê Văn Tám" not in html + report
    assert vi("The import will create %(new)d, link %(link)d, invite %(invite)d and skip %(skip)d.",
              new=1, link=0, invite=0, skip=2) in html
    done = _import(app, client, class_id, tick=False)
    assert vi("New accounts created: %(n)d", n=1) in done and vi("Existing accounts linked: %(n)d", n=0) in done
    assert _count(app, ClassInvitation) == 0
    with app.app_context():
        assert db.session.get(Enrollment, (class_id, other)) is None
        assert db.session.get(Enrollment, (class_id, namesake)) is None
        assert _count(app, Enrollment) == 1
    assert client.get(f"/teach/classes/{class_id}/learners/{other}").status_code == 404


def test_a_ticked_row_is_invited_never_linked(app, client, courses, units) -> None:
    other = make_user(app, "0987000001", PASSWORD, full_name="Nguyễn Thị Hoa", birth_year=1968)
    teacher = make_user(app, "co.lan", PASSWORD, roles={"teacher"}, full_name="Cô Lan")
    class_id = make_class(app, teacher)
    login_as(client, "co.lan")
    _preview(client, class_id, "Nguyễn Thị Hoa,0987000001,1990,")
    with app.app_context():
        upload_id = db.session.scalar(select(RosterUpload.id))
    page = f"/teach/classes/{class_id}/roster/{upload_id}"
    # ticked and "check again": the plan now invites it; the tick is kept
    checked = client.post(page + "/check", data=tick_all(client.get(page).get_data(as_text=True)))
    assert checked.status_code == 302
    html = client.get(page).get_data(as_text=True)
    assert 'name="tick-2" value="1" checked' in html
    from lms.accounts.models import AuditLog

    with app.app_context():  # who saw whose initials is on record
        logged = {a.action: a.detail for a in db.session.scalars(select(AuditLog))}
        assert logged["roster_upload"]["shown_user_ids"] == [other]
        assert logged["roster_check"]["shown_user_ids"] == [other] and logged["roster_check"]["changed"] == 0
    assert vi("The import will create %(new)d, link %(link)d, invite %(invite)d and skip %(skip)d.",
              new=0, link=0, invite=1, skip=0) in html
    _import(app, client, class_id, tick=False)  # the tick is on the page: sent as it is
    with app.app_context():
        assert db.session.get(Enrollment, (class_id, other)) is None
        assert db.session.scalar(select(ClassInvitation.user_id)) == other


def test_invited_learner_accepts_then_the_teacher_sees_only_what_follows(app, client, world) -> None:
    login_as(client, "co.lan")
    _preview(client, world["class_id"], "Trần Văn Giả,0912345678,1965,")
    _import(app, client, world["class_id"])
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/me").get_data(as_text=True))})

    # the learner signs in: first, their invitation
    response = post_form(client, "/login", {"login": LEARNER, "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].startswith("/invitations")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Lớp tin học tổ 5" in page and "Cô Lan" in page and "Trường THCS Lê Lợi" in page
    assert vi("Join class") in page and vi("Do not join") in page
    with app.app_context():
        invitation = db.session.scalar(select(ClassInvitation.id))
    token = csrf_from(page)
    assert client.post(f"/invitations/{invitation}", data={"answer": "yes"}).status_code == 400  # no CSRF
    answered = client.post(f"/invitations/{invitation}", data={"csrf_token": token, "answer": "yes"})
    assert answered.status_code == 302 and answered.headers["Location"] == "/"
    with app.app_context():
        enrollment = db.session.get(Enrollment, (world["class_id"], world["learner"]))
        assert enrollment is not None and enrollment.removed_at is None and enrollment.source == "join"
        answer = db.session.get(ClassInvitation, invitation)
        assert answer.accepted is True and answer.answered_at is not None
    # the next sign-in goes where it went before
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/me").get_data(as_text=True))})
    assert post_form(client, "/login", {"login": LEARNER, "password": PASSWORD}).headers["Location"] == "/"

    # a new attempt, made in the class
    new_attempt = make_attempt(app, world["learner"], "mat-khau", number=1, score=40.0)
    with app.app_context():
        db.session.execute(update(Enrollment).values(enrolled_at=now_utc() - timedelta(hours=1)))
        db.session.commit()
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/me").get_data(as_text=True))})
    login_as(client, "co.lan")
    learner_page = client.get(f"/teach/classes/{world['class_id']}/learners/{world['learner']}")
    assert learner_page.status_code == 200
    html = learner_page.get_data(as_text=True)
    assert f'data-attempt="{new_attempt}"' in html and f'data-attempt="{world["attempt"]}"' not in html
    # the certificate of a class course may be seen now
    assert client.get(f"/certificates/{world['code']}").status_code == 200
    # the attempt from before joining stays out of reach, and unchanged
    assert _teacher_reaches(client, world)["reset"] == 404
    assert _attempt_state(app, world["attempt"]) == "finished"
    base = f"/teach/classes/{world['class_id']}/learners/{world['learner']}"
    reset = post_form(client, base, {}, action=f"{base}/attempts/{new_attempt}/reset")
    assert reset.status_code == 302 and _attempt_state(app, new_attempt) == "abandoned"


def test_invited_learner_declines_and_stays_out(app, client, world) -> None:
    login_as(client, "co.lan")
    _preview(client, world["class_id"], "Trần Văn Giả,0912345678,1965,")
    _import(app, client, world["class_id"])
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/me").get_data(as_text=True))})
    login_as(client, LEARNER)
    page = client.get("/invitations").get_data(as_text=True)
    with app.app_context():
        invitation = db.session.scalar(select(ClassInvitation.id))
    answered = client.post(f"/invitations/{invitation}", data={"csrf_token": csrf_from(page), "answer": "no"})
    assert answered.status_code == 302
    with app.app_context():
        assert db.session.get(Enrollment, (world["class_id"], world["learner"])) is None
        answer = db.session.get(ClassInvitation, invitation)
        assert answer.accepted is False and answer.answered_at is not None
    # answered once: a second answer is a 404, and the next sign-in goes straight on
    assert client.post(f"/invitations/{invitation}",
                       data={"csrf_token": csrf_from(page), "answer": "yes"}).status_code == 404
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/me").get_data(as_text=True))})
    assert post_form(client, "/login", {"login": LEARNER, "password": PASSWORD}).headers["Location"] == "/"
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/me").get_data(as_text=True))})
    login_as(client, "co.lan")
    assert _teacher_reaches(client, world)["learner_page"] == 404


def test_someone_elses_invitation_is_a_404(app, client, world) -> None:
    login_as(client, "co.lan")
    _preview(client, world["class_id"], "Trần Văn Giả,0912345678,1965,")
    _import(app, client, world["class_id"])
    make_user(app, "0912000111", PASSWORD, full_name="Người Khác")
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/me").get_data(as_text=True))})
    login_as(client, "0912000111")
    page = client.get("/invitations").get_data(as_text=True)
    assert "Lớp tin học tổ 5" not in page
    with app.app_context():
        invitation = db.session.scalar(select(ClassInvitation.id))
    assert client.post(f"/invitations/{invitation}",
                       data={"csrf_token": csrf_from(page), "answer": "yes"}).status_code == 404
    assert _count(app, Enrollment) == 0


def test_joining_by_the_code_answers_the_invitation(app, client, world) -> None:
    login_as(client, "co.lan")
    _preview(client, world["class_id"], "Trần Văn Giả,0912345678,1965,")
    _import(app, client, world["class_id"])
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/me").get_data(as_text=True))})
    login_as(client, LEARNER)
    from lms.classes.models import Classroom

    with app.app_context():
        code = db.session.get(Classroom, world["class_id"]).join_code
    post_form(client, f"/join/{code}", {})
    with app.app_context():
        assert db.session.get(Enrollment, (world["class_id"], world["learner"])) is not None
        invitation = db.session.scalar(select(ClassInvitation))
        assert invitation.accepted is True and invitation.answered_at is not None


def test_agreeing_row_links_at_once_and_staff_never(app, client, world) -> None:
    teacher2 = make_user(app, "0912999888", PASSWORD, roles={"teacher"}, full_name="Đặng Thị Đào", birth_year=1980)
    login_as(client, "co.lan")
    html, report = _preview(
        client, world["class_id"],
        "  nguyen   VAN an ,0912345678,1970,",  # folded: case, spaces, accents
        "dang thi dao,0912999888,1980,",        # agrees too, but a teacher's account: invited
    )
    assert _row(html, 2)[0] == "link" and _row(html, 3)[0] == "invite"
    assert "Nguyễn Văn An" not in html and "Đặng Thị Đào" not in html
    assert vi("The import will create %(new)d, link %(link)d, invite %(invite)d and skip %(skip)d.",
              new=0, link=1, invite=0, skip=1) in html
    _import(app, client, world["class_id"])
    with app.app_context():
        assert db.session.get(Enrollment, (world["class_id"], world["learner"])).source == "roster"
        assert db.session.get(Enrollment, (world["class_id"], teacher2)) is None
        assert db.session.scalar(select(ClassInvitation.user_id)) == teacher2
    # linked: the learner page opens, but the attempt made before joining is neither listed nor reset
    reach = _teacher_reaches(client, world)
    assert reach["learner_page"] == 200 and reach["reset"] == 404
    html = client.get(f"/teach/classes/{world['class_id']}/learners/{world['learner']}").get_data(as_text=True)
    assert f'data-attempt="{world["attempt"]}"' not in html
    assert _attempt_state(app, world["attempt"]) == "finished"
    # the progress table counts no attempt from before joining
    from lms.classes.models import Classroom
    from lms.classes.progress import class_progress

    with app.app_context():
        row = class_progress(db.session.get(Classroom, world["class_id"])).rows[0]
        assert all(c.attempts_used == 0 and c.best_percent is None and c.grade_percent is None for c in row.cells)


@pytest.mark.parametrize(("birth_year", "status"), [(1970, "link"), (1971, "invite"), (None, "link")])
def test_birth_year_counts_when_both_have_one(app, client, courses, units, birth_year, status) -> None:
    make_user(app, "0912345670", PASSWORD, full_name="Lê Thị Hoa", birth_year=birth_year)
    teacher = make_user(app, "co.lan", PASSWORD, roles={"teacher"})
    class_id = make_class(app, teacher)
    login_as(client, "co.lan")
    html, _report = _preview(client, class_id, "Lê Thị Hoa,0912345670,1970,")
    assert _row(html, 2)[0] == status


def test_name_folding() -> None:
    from lms.classes.enroll import name_key

    assert name_key("nguyen thi hoa") == name_key("Nguyễn  Thị HOA ") == name_key("Nguyễn Thị Hoa")
    assert name_key("Đặng Đình Đức") == name_key("dang dinh duc")
    assert name_key("Nguyễn Văn An") != name_key("Nguyễn Văn Anh")


def test_teacher_sees_certificates_only_of_the_class_courses(app, client, world) -> None:
    """Enrolled with consent in a class that has only "mat-khau": the "dien-thoai" certificate stays private."""
    teacher = make_user(app, "thay.minh", PASSWORD, roles={"teacher"}, full_name="Thầy Minh")
    other_class = make_class(app, teacher, slugs=["mat-khau"])
    with app.app_context():
        db.session.add(Enrollment(class_id=other_class, user_id=world["learner"], source="join",
                                  enrolled_at=now_utc() - timedelta(days=3)))
        db.session.commit()
    login_as(client, "thay.minh")
    assert client.get(f"/teach/classes/{other_class}/learners/{world['learner']}").status_code == 200
    assert client.get(f"/certificates/{world['code']}").status_code == 404
    assert client.get(f"/certificates/{world['code']}/pdf").status_code == 404
    assert record(app, world["code"]).course_id is not None


def test_attempts_from_before_joining_are_out_of_every_teacher_action(app, client, courses, units) -> None:
    """Essays waiting for a grade, a running attempt's deadline, the gradebook: only what came after joining."""
    from lms.quiz.models import Answer

    teacher = make_user(app, "co.lan", PASSWORD, roles={"teacher"})
    learner = make_user(app, "0912345601", PASSWORD, full_name="Nguyễn Văn An")
    class_id = make_class(app, teacher)
    essay = make_attempt(app, learner, "mat-khau", state="pending_review", essay="Mật khẩu dài")
    running = make_attempt(app, learner, "dien-thoai", state="in_progress", minutes_left=3)
    with app.app_context():  # both started five minutes ago; the learner joins now
        db.session.add(Enrollment(class_id=class_id, user_id=learner, source="join", enrolled_at=now_utc()))
        db.session.commit()
        answer = db.session.scalar(select(Answer.id).where(Answer.attempt_id == essay, Answer.position == 2))
        deadline = db.session.get(Attempt, running).deadline
    login_as(client, "co.lan")
    base = f"/teach/classes/{class_id}"
    page = f"{base}/learners/{learner}"
    html = client.get(page).get_data(as_text=True)
    assert f'data-attempt="{essay}"' not in html and f'data-attempt="{running}"' not in html
    assert f"/essays/{answer}" not in client.get(f"{base}/essays").get_data(as_text=True)
    assert client.get(f"{base}/essays/{answer}").status_code == 404
    assert post_form(client, page, {}, action=f"{page}/attempts/{essay}/reset").status_code == 404
    with app.app_context():
        from lms.courses.models import Course

        dien_thoai = db.session.scalar(select(Course.id).where(Course.slug == "dien-thoai"))
    assert post_form(client, page, {"minutes": "15"}, action=f"{page}/courses/{dien_thoai}/time").status_code == 302
    with app.app_context():
        assert db.session.get(Attempt, running).deadline == deadline  # the running attempt is not the class's
        assert db.session.get(Attempt, essay).state == "pending_review"
    gradebook = client.get(f"{base}/gradebook.csv").data.decode("utf-8-sig")
    line = gradebook.splitlines()[1]
    assert line.startswith("Nguyễn Văn An,") and f",{vi('Not started')}," in line  # nothing counted yet


def test_an_invitation_put_off_stays_on_the_profile_until_answered(app, client, world) -> None:
    """"Để sau" (later) must not lose the invitation: the learner's own page links to it."""
    login_as(client, "co.lan")
    _preview(client, world["class_id"], "Trần Văn Giả,0912345678,1965,")
    _import(app, client, world["class_id"])
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/me").get_data(as_text=True))})
    login_as(client, LEARNER)
    profile = client.get("/me").get_data(as_text=True)
    assert 'href="/invitations"' in profile and f"{vi('Invitations to a class')}: 1" in profile
    page = client.get("/invitations").get_data(as_text=True)
    with app.app_context():
        invitation = db.session.scalar(select(ClassInvitation.id))
    client.post(f"/invitations/{invitation}", data={"csrf_token": csrf_from(page), "answer": "no"})
    assert 'href="/invitations"' not in client.get("/me").get_data(as_text=True)
