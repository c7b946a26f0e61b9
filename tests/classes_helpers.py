"""Helpers shared by the tests/test_classes_*.py files (no tests here)."""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import timedelta

from sqlalchemy import select

from lms.classes.models import ClassCourse, Classroom, Enrollment
from lms.classes.services import new_join_code
from lms.courses.models import Course
from lms.db import db, now_utc
from tests.conftest import csrf_from

HEADER = "Họ và tên,Số điện thoại,Năm sinh,Email"


def make_class(
    app,
    teacher_id: int,
    *,
    name: str = "Lớp kỹ năng số tổ 3",
    audience: str = "citizens",
    slugs: list[str] | None = None,
    **extra: object,
) -> int:
    """A class with the audience's path, or with the courses ``slugs``."""
    with app.app_context():
        classroom = Classroom(
            name=name,
            teacher_id=teacher_id,
            audience=audience,
            join_code=new_join_code(),
            uses_path=slugs is None,
            organisation="Trường THCS Lê Lợi",
            **extra,
        )
        db.session.add(classroom)
        db.session.flush()
        for position, slug in enumerate(slugs or []):
            course = db.session.scalar(select(Course).where(Course.slug == slug))
            db.session.add(ClassCourse(class_id=classroom.id, course_id=course.id, position=position))
        db.session.commit()
        return classroom.id


def enroll(app, class_id: int, *user_ids: int, days_ago: float = 1) -> None:
    """Enroll the learners ``days_ago`` (a day by default: the attempts a test then makes, which
    start five minutes before now, are made in the class and so the teacher's to see)."""
    with app.app_context():
        for user_id in user_ids:
            db.session.add(Enrollment(class_id=class_id, user_id=user_id, source="roster",
                                      enrolled_at=now_utc() - timedelta(days=days_ago)))
        db.session.commit()


def course_id(app, slug: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Course.id).where(Course.slug == slug))


def roster_csv(*rows: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    return ("\r\n".join([header, *rows]) + "\r\n").encode(encoding)


def encode_cp1258(text: str) -> bytes:
    """Encode as Windows-1258 does: base letters precomposed where the code page has them,
    tone marks as combining characters (Python's codec refuses fully composed letters)."""
    out = bytearray()
    for char in text:
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", char)
        # cp1258 has ê, ơ, ư, ă... precomposed and the five tone marks as combining characters
        options = [(unicodedata.normalize("NFC", base + m), [x for x in marks if x != m]) for m in marks]
        for head, rest in [*options, (base, marks)]:
            try:
                out += head.encode("cp1258") + "".join(rest).encode("cp1258")
                break
            except UnicodeEncodeError:
                continue
        else:
            raise UnicodeEncodeError("cp1258", char, 0, 1, "no mapping")
    return bytes(out)


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, class_id: int, data: bytes, filename: str = "danh-sach.csv"):
    """Upload a roster like the browser does; returns the response (not followed)."""
    url = f"/teach/classes/{class_id}/roster"
    token = csrf_from(client.get(url).get_data(as_text=True))
    return client.post(
        url,
        data={"csrf_token": token, "roster": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def make_attempt(
    app,
    user_id: int,
    slug: str,
    *,
    number: int = 1,
    state: str = "finished",
    score: float | None = 50.0,
    essay: str | None = None,
    minutes_left: int | None = None,
) -> int:
    """An attempt with a minimal snapshot: one true/false question, plus an essay if ``essay``."""
    from lms.quiz.models import Answer, Attempt

    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.slug == slug))
        questions = [
            {
                "position": 1,
                "question_id": 0,
                "qtype": "truefalse",
                "title": "",
                "config": {"text": "Q1", "format": "plain", "answer": True},
                "order": None,
            }
        ]
        if essay is not None:
            questions.append(
                {
                    "position": 2,
                    "question_id": 0,
                    "qtype": "essay",
                    "title": "",
                    "config": {
                        "text": "Hãy mô tả cách tạo mật khẩu mạnh",
                        "format": "plain",
                        "general_feedback": "Dài, khó đoán",
                    },
                    "order": None,
                }
            )
        settings = {**(course.quiz_settings or {})}
        now = now_utc()
        attempt = Attempt(
            user_id=user_id,
            course_id=course.id,
            number=number,
            state=state,
            started_at=now - timedelta(minutes=5),
            deadline=now + timedelta(minutes=minutes_left) if minutes_left is not None else None,
            submitted_at=None if state == "in_progress" else now,
            snapshot={"settings": settings, "questions": questions},
            score_percent=score if state == "finished" else None,
            passed=None if score is None or state != "finished" else score >= settings.get("pass_percent", 80),
        )
        db.session.add(attempt)
        db.session.flush()
        if state != "in_progress":
            db.session.add(Answer(attempt_id=attempt.id, position=1, response=True, fraction=1.0))
            if essay is not None:
                db.session.add(Answer(attempt_id=attempt.id, position=2, response=essay, fraction=None))
        db.session.commit()
        return attempt.id


def form_fields(html: str, form_id: str = "roster-form") -> dict[str, str]:
    """The fields a browser would send from the form ``form_id`` (unticked boxes left out)."""
    from html.parser import HTMLParser

    fields: dict[str, str] = {}

    class Reader(HTMLParser):
        inside = False

        def handle_starttag(self, tag: str, attrs: list) -> None:
            attr = dict(attrs)
            if tag == "form":
                self.inside = attr.get("id") == form_id
            elif tag == "input" and self.inside and attr.get("name"):
                if attr.get("type") == "checkbox" and "checked" not in attr:
                    return
                fields[attr["name"]] = attr.get("value") or ""

        def handle_endtag(self, tag: str) -> None:
            if tag == "form":
                self.inside = False

    Reader().feed(html)
    return fields


def tick_all(html: str) -> dict[str, str]:
    """The preview's fields with every row "to check" ticked."""
    fields = form_fields(html)
    for line in re.findall(r'<tr data-line="(\d+)" data-status="invite">', html):
        fields[f"tick-{line}"] = "1"
    return fields
