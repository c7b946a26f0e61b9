"""Names: control, text-direction and zero-width characters are refused where names are typed
or imported, and exports never fail on a name stored before that (older data)."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, update

from lms.accounts.models import User
from lms.classes.models import Classroom, Enrollment
from lms.db import db
from lms.textcheck import name_problem, printable, xml_safe
from lms.units.models import AdminUnit
from tests.certs_helpers import earn, pdf_text
from tests.classes_helpers import enroll, make_class, roster_csv, upload, xlsx_bytes
from tests.conftest import login, make_user, post_form, vi
from tests.quiz_helpers import token_for

RLO, ZWSP, LRI = "\u202e", "\u200b", "\u2066"
BAD_NAMES = [
    f"Nguyễn Văn {RLO}An",  # printed "nA" on a certificate
    f"Nguyễn{ZWSP} Văn An",
    f"Nguyễn Văn An{LRI}",
    "Nguyễn\x01 Văn An",  # made the class's XLSX gradebook fail
    "Nguyễn\x1b[31m Văn An",
    "Nguyễn Văn\ufeff An",
    "Nguyễn Văn \u200dAn",
    "Nguyễn Văn \u00adAn",  # a soft hyphen
]
REFUSED = "A name may not contain control characters, invisible characters or text-direction marks."
REGISTRATION = {"login": "0987654321", "birth_year": "1962", "audience": "citizens", "province": "79",
                "commune": "26734", "password": "hoa-sen-no-2026"}


def test_the_rule() -> None:
    for name in BAD_NAMES:
        assert name_problem(name), repr(name)
        assert name_problem(printable(name)) is None, repr(printable(name))
        assert printable(name).startswith("Nguyễn ") and printable(name).endswith(" An")
    for name in ("Nguyễn Thị Ánh Hồng", "Đặng Văn Lâm", "H'Hen Niê", "Lò Thị Chăm", "Y-Moan Ênuôl", "O'Neil"):
        assert name_problem(name) is None and printable(name) == name
    assert xml_safe("a\x01b\x0bc\td\ud800") == "abc\td" and xml_safe(3) == 3


@pytest.mark.parametrize("name", BAD_NAMES)
def test_registration_refuses_such_names(app, client, units, name: str) -> None:
    response = post_form(client, "/register", {**REGISTRATION, "full_name": name})
    assert response.status_code == 422
    assert vi(REFUSED + " Type it again without copying it from elsewhere.") in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 0
    # tabs and line breaks between the words are only spaces
    assert post_form(client, "/register", {**REGISTRATION, "full_name": "Nguyễn\tVăn\r\nAn"}).status_code == 302


def test_cli_refuses_such_names(app, runner) -> None:
    for name in BAD_NAMES[:4]:
        result = runner.invoke(args=["lms", "users", "create", "canbo1", "--password", "ca-phe-sua-da-1",
                                     "--name", name])
        assert result.exit_code != 0
        assert vi(REFUSED + " Type it again without copying it from elsewhere.") in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 0


@pytest.fixture
def teacher(app, client, courses, units):
    user_id = make_user(app, "co.lan", roles={"teacher"}, locale="en")
    login(client, "co.lan")
    return user_id


@pytest.mark.parametrize("name", [f"Lớp {RLO}tổ 3", f"Lớp{ZWSP} tổ 3", "Lớp\x07 tổ 3"])
def test_class_names_are_checked(app, client, teacher, name: str) -> None:
    form = {"name": name, "audience": "workers", "course_mode": "path"}
    response = post_form(client, "/teach/classes/new", form)
    assert response.status_code == 422 and REFUSED in response.get_data(as_text=True)
    response = post_form(client, "/teach/classes/new", {**form, "name": "Lớp tổ 3", "organisation": name})
    assert response.status_code == 422 and REFUSED in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Classroom.id))) == 0


def test_roster_rows_with_such_names_are_refused(app, client, teacher) -> None:
    class_id = make_class(app, teacher)
    rows = [f"{name},09123456{n:02d},1958," for n, name in enumerate(BAD_NAMES[:4])]
    for data in (roster_csv(*rows, "Trần Thị Bình,binh.tran,1962,"),
                 xlsx_bytes([["Họ và tên", "Số điện thoại", "Năm sinh"], [BAD_NAMES[0], "0912345600", 1958],
                             [BAD_NAMES[1], "0912345601", 1958], ["Trần Thị Bình", "binh.tran", 1962]])):
        response = upload(client, class_id, data, "ds.xlsx" if data.startswith(b"PK") else "ds.csv")
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        html = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "The full name contains control characters, invisible characters or text-direction marks." in html
        page = response.headers["Location"]
        assert post_form(client, page, {}, action=page + "/import").status_code == 302
        with app.app_context():
            names = db.session.scalars(select(User.full_name).join(Enrollment, Enrollment.user_id == User.id)
                                       .where(Enrollment.class_id == class_id)).all()
            assert names == ["Trần Thị Bình"]


# ---- exports of names stored before the check ---------------------------------------------------


@pytest.fixture
def stored_bad_names(app, teacher) -> int:
    """A class (its name too) and learners whose names were stored before names were checked."""
    class_id = make_class(app, teacher, name=f"Lớp\x01 {RLO}tổ 3")
    learners = [make_user(app, f"09123456{n:02d}", full_name=name) for n, name in enumerate(BAD_NAMES)]
    enroll(app, class_id, *learners)
    return class_id


def test_gradebook_xlsx_and_csv_with_stored_control_characters(client, stored_bad_names: int) -> None:
    response = client.get(f"/teach/classes/{stored_bad_names}/gradebook.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    names = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert len(names) == len(BAD_NAMES)
    assert all(name_problem(n) is None for n in names), names
    assert names.count("Nguyễn Văn An") >= 7
    response = client.get(f"/teach/classes/{stored_bad_names}/gradebook.csv")
    assert response.status_code == 200
    text = response.data.decode("utf-8-sig")
    assert RLO not in text and "\x01" not in text and "Nguyễn Văn An" in text


def test_class_pdfs_with_stored_control_characters(app, client, stored_bad_names: int) -> None:
    response = client.get(f"/teach/classes/{stored_bad_names}/poster.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert "Lớp tổ 3" in pdf_text(response.data)


def test_certificate_pdf_never_prints_a_reversed_name(app, client, courses, units) -> None:
    code = earn(app, client, full_name=f"Nguyễn\x01Văn {RLO}An")
    response = client.get(f"/api/v1/certificates/{code}/pdf", headers=token_for(client))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert "Nguyễn Văn An" in text and "nA" not in text, text


def test_coverage_xlsx_with_a_stored_control_character_in_a_unit_name(app, client, units) -> None:
    with app.app_context():
        db.session.execute(update(AdminUnit).where(AdminUnit.code == "26734").values(name="Phường\x0b Sài\x01 Gòn"))
        db.session.commit()
    make_user(app, "canbo", roles={"admin"}, audience="officials", locale="en")
    login(client, "canbo")
    for fmt in ("xlsx", "csv", "pdf"):
        response = client.get(f"/coverage/export.{fmt}?unit=79&year=2026")
        assert response.status_code == 200, fmt
    book = load_workbook(io.BytesIO(client.get("/coverage/export.xlsx?unit=79&year=2026").data))
    assert "Phường Sài Gòn" in [row[1].value for row in book["Units"].iter_rows(min_row=2)]
