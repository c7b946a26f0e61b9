"""The gradebook in CSV (UTF-8 with BOM) and XLSX: Vietnamese intact, numbers as numbers, no formulas."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from lms.accounts.models import User
from lms.certificates.models import Certificate
from lms.db import db
from lms.quiz.grading import update_course_result
from tests.classes_helpers import course_id, enroll, make_attempt, make_class
from tests.conftest import login, make_user

NAME = "Nguyễn Thị Ánh Hồng"
EVIL = '=HYPERLINK("http://evil.example","Bấm")'


@pytest.fixture
def gradebook(app, client, courses, units):
    teacher = make_user(app, "co.lan", roles={"teacher"}, locale="en")
    class_id = make_class(app, teacher, name="Lớp Tân Định / tổ 3")
    learner = make_user(app, "0912345601", full_name=NAME)
    evil = make_user(app, "0912345602", full_name=EVIL)
    enroll(app, class_id, learner, evil)
    make_attempt(app, learner, "dien-thoai", score=85.5)
    with app.app_context():
        update_course_result(learner, course_id(app, "dien-thoai"))
        db.session.commit()
        code = db.session.scalar(select(Certificate.code).where(Certificate.user_id == learner))
    login(client, "co.lan")
    return {"url": f"/teach/classes/{class_id}/gradebook", "code": code}


def test_csv_has_bom_vietnamese_and_numbers(client, gradebook) -> None:
    response = client.get(gradebook["url"] + ".csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")
    assert 'attachment; filename="lop-tan-dinh-to-3-' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    header, body = rows[0], {r[0]: r for r in rows[1:]}
    assert header[:6] == [
        "Full name",
        "Username or phone number",
        "Birth year",
        "Email",
        "Status",
        "Courses passed",
    ]
    assert "Using a smartphone: best grade (%)" in header
    row = dict(zip(header, body[NAME], strict=True))
    assert row["Using a smartphone: best grade (%)"] == "85.5"
    assert row["Using a smartphone: passed"] == "Yes"
    assert row["Using a smartphone: certificate"] == gradebook["code"]
    assert row["Username or phone number"] == "0912345601"


def test_csv_never_starts_a_cell_with_a_formula(client, gradebook) -> None:
    text = client.get(gradebook["url"] + ".csv").data.decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert "'" + EVIL in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "@")]


def test_xlsx_opens_with_text_numbers_and_no_formula(client, gradebook) -> None:
    response = client.get(gradebook["url"] + ".xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = load_workbook(io.BytesIO(response.data))
    sheet = book.active
    assert sheet.title == "Lớp Tân Định   tổ 3"  # "/" is not allowed in a sheet name
    header = [c.value for c in sheet[1]]
    rows = {r[0].value: {h: c for h, c in zip(header, r, strict=True)} for r in sheet.iter_rows(min_row=2)}
    learner = rows[NAME]
    assert learner["Using a smartphone: best grade (%)"].value == 85.5
    assert learner["Username or phone number"].value == "0912345601"  # text: the 0 stays
    assert learner["Using a smartphone: certificate"].value == gradebook["code"]
    evil = rows[EVIL]
    assert evil["Full name"].data_type == "s" and evil["Full name"].value == EVIL
    assert b"<f>" not in _sheet_xml(response.data)


def _sheet_xml(data: bytes) -> bytes:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return b"".join(archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/"))


def test_export_of_an_empty_class(app, client, gradebook) -> None:
    with app.app_context():
        owner = db.session.scalar(select(User.id).where(User.username == "co.lan"))
    empty = make_class(app, owner, name="Trống")
    assert client.get(f"/teach/classes/{empty}/gradebook.xlsx").status_code == 200
    text = client.get(f"/teach/classes/{empty}/gradebook.csv").data.decode("utf-8-sig")
    assert len(text.strip().splitlines()) == 1
