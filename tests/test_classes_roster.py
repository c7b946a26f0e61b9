"""Roster files: reading, every kind of bad input, the preview, and importing exactly the valid rows."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from lms.accounts.models import User
from lms.classes import roster
from lms.classes.models import Enrollment, PasswordSheet, RosterUpload
from lms.db import db
from tests.classes_helpers import (
    encode_cp1258,
    make_class,
    roster_csv,
    upload,
    xlsx_bytes,
)
from tests.conftest import login, make_user, post_form

GOOD = ("Nguyễn Văn An,0912345601,1958,", "Trần Thị Bình,binh.tran,1962,binh@example.vn")


@pytest.fixture
def teacher(app, courses, units):
    return make_user(app, "co.lan", roles={"teacher"}, locale="en")  # assert on English messages


@pytest.fixture
def class_id(app, client, teacher):
    login(client, "co.lan")
    return make_class(app, teacher)


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def import_upload(app, client, class_id: int):
    """Press "import the valid rows" on the preview of the class's (only) upload."""
    with app.app_context():
        upload_id = db.session.scalar(select(RosterUpload.id))
    page = f"/teach/classes/{class_id}/roster/{upload_id}"
    return post_form(client, page, {}, action=page + "/import")


def _preview(client, response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    return page.get_data(as_text=True)


def _row(html: str, line: int) -> str:
    match = re.search(rf'<tr data-line="{line}" data-status="(\w+)">(.*?)</tr>', html, re.S)
    assert match, f"row {line} not in the preview"
    return match.group(1) + " " + match.group(2)


# ---- reading files (no database) ----------------------------------------------------------------


def test_headers_in_vietnamese_english_or_without_accents_any_order() -> None:
    for header in (
        "Họ và tên,Số điện thoại,Năm sinh,Email",
        "full name,username or phone number,birth year,email",
        "HO VA TEN;SDT;NAM SINH",
        "Năm sinh\tHọ tên\tTên đăng nhập",
    ):
        delimiter = ";" if ";" in header else "\t" if "\t" in header else ","
        values = {"ho": "Nguyễn Văn An", "login": "0912345601", "year": "1958"}
        order = ["year", "ho", "login"] if header.startswith("Năm") else ["ho", "login", "year"]
        line = delimiter.join(values[k] for k in order)
        table = roster.read_roster(roster_csv(line, header=header))
        assert table.rows == [
            (2, {"full_name": "Nguyễn Văn An", "login": "0912345601", "birth_year": "1958", "email": ""})
        ], header


def test_missing_columns_is_a_file_problem_naming_them() -> None:
    with pytest.raises(roster.RosterFileError) as error:
        roster.read_roster(roster_csv("Nguyễn Văn An,1958", header="Họ và tên,Năm sinh"))
    assert error.value.problem == {"code": "missing_columns", "columns": "Username or phone number"}


def test_unknown_columns_are_reported_and_row_number_column_ignored() -> None:
    table = roster.read_roster(
        roster_csv("1,Nguyễn Văn An,0912345601,1958,Tổ 3", header="STT,Họ và tên,SĐT,Năm sinh,Lớp")
    )
    assert table.notes == [{"code": "unknown_column", "column": "Lớp"}]
    assert table.rows[0][1]["full_name"] == "Nguyễn Văn An"


@pytest.mark.parametrize("data", [b"", b"   \r\n", b"\xef\xbb\xbf", b"\xef\xbb\xbf\r\n\r\n,,,\r\n"])
def test_empty_file(data: bytes) -> None:
    with pytest.raises(roster.RosterFileError) as error:
        roster.read_roster(data)
    assert error.value.problem["code"] == "empty"


def test_header_only_has_no_rows() -> None:
    with pytest.raises(roster.RosterFileError) as error:
        roster.read_roster(roster_csv())
    assert error.value.problem["code"] == "no_rows"


def test_windows_1258_is_decoded_and_nfc_normalised() -> None:
    name = "Nguyễn Thị Ánh Hồng"
    data = encode_cp1258(f"Họ và tên,Số điện thoại,Năm sinh\r\n{name},0912345601,1958\r\n")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    table = roster.read_roster(data)
    assert table.encoding == "cp1258"
    assert table.rows[0][1]["full_name"] == name
    assert unicodedata.is_normalized("NFC", table.rows[0][1]["full_name"])


def test_utf8_with_bom_and_decomposed_text() -> None:
    decomposed = unicodedata.normalize("NFD", "Trần Thị Bình")
    table = roster.read_roster("\ufeff".encode() + roster_csv(f"{decomposed},binh.tran,1962"))
    assert table.encoding == "utf-8"
    assert table.rows[0][1]["full_name"] == "Trần Thị Bình"


def test_xlsx_numbers_dates_and_lost_leading_zero() -> None:
    from datetime import date

    data = xlsx_bytes(
        [
            ["Họ và tên", "Số điện thoại", "Năm sinh"],
            ["Nguyễn Văn An", 912345601, 1958.0],
            ["Lê Văn Cường", "0987654321", date(1960, 5, 1)],
            [None, None, None],
        ]
    )
    table = roster.read_roster(data)
    assert [values for _line, values in table.rows] == [
        {"full_name": "Nguyễn Văn An", "login": "912345601", "birth_year": "1958", "email": ""},
        {"full_name": "Lê Văn Cường", "login": "0987654321", "birth_year": "1960", "email": ""},
    ]
    checked = roster.check_rows(table)
    assert checked[0]["login"] == "0912345601" and checked[0]["notes"] == [{"code": "phone_zero_added"}]
    assert checked[0]["status"] == "ok"


def test_50000_rows_are_refused_with_the_limit() -> None:
    lines = [f"Người {i},user{i:05d},1970," for i in range(50_000)]
    with pytest.raises(roster.RosterFileError) as error:
        roster.read_roster(roster_csv(*lines))
    assert error.value.problem == {"code": "too_many_rows", "rows": 50_000, "max": roster.MAX_ROWS}


def test_row_checks() -> None:
    rows = roster.check_rows(
        roster.read_roster(
            roster_csv(
                "Nguyễn Văn An,0912345601,1958,",  # 2 ok
                "Trần Thị Bình,+84 912 345 601,1962,",  # 3 same phone as row 2
                "Lê Văn C,012345,1960,",  # 4 wrong phone format
                "Phạm D,091234560,1960,",  # 5 nine digits starting 0: wrong
                ",0912345602,1960,",  # 6 no name
                "Hồ E,Hồ Văn E,1960,",  # 7 bad username
                "Vũ F,vu.f,19x0,",  # 8 bad year
                "Đỗ G,do.g,,not-an-email",  # 9 no year, bad email
                "Ngô H,NGO.H,2999,",  # 10 future year; username lower-cased
            )
        )
    )
    codes = {r["line"]: [p["code"] for p in r["problems"]] for r in rows}
    assert codes == {
        2: [],
        3: ["duplicate"],
        4: ["bad_phone"],
        5: ["bad_phone"],
        6: ["missing_full_name"],
        7: ["bad_username"],
        8: ["bad_birth_year"],
        9: ["missing_birth_year", "bad_email"],
        10: ["bad_birth_year"],
    }
    assert rows[1]["problems"][0]["first"] == 2
    assert rows[8]["login"] == "ngo.h"


@settings(max_examples=60, deadline=None)
@given(
    st.text(
        alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ ",
        min_size=1,
        max_size=30,
    ).filter(lambda s: s.strip())
)
def test_any_vietnamese_name_survives_both_encodings(name: str) -> None:
    name = " ".join(unicodedata.normalize("NFC", name.title()).split())
    for data in (
        roster_csv(f"{name},0912345601,1958").decode().encode("utf-8-sig"),
        encode_cp1258(roster_csv(f"{name},0912345601,1958").decode()),
    ):
        assert roster.read_roster(data).rows[0][1]["full_name"] == name


# ---- the pages ----------------------------------------------------------------------------------


def test_preview_saves_nothing_then_import_creates_exactly_the_valid_rows(app, client, class_id) -> None:
    users_before = _count(app, User)
    html = _preview(
        client,
        upload(client, class_id, roster_csv(*GOOD, "Lê Văn C,012345,1960,", "Phạm Thị D,0912345601,1970,")),
    )
    assert "New accounts: 2" in html and "Rows with problems: 2" in html
    assert "This is not a Vietnamese mobile number" in _row(html, 4)
    assert "Same username or phone number as row 2." in _row(html, 5)
    assert _row(html, 2).startswith("new")
    assert _count(app, User) == users_before and _count(app, Enrollment) == 0
    response = import_upload(app, client, class_id)
    assert response.status_code == 302
    done = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "New accounts created: 2" in done and "Rows not imported: 2" in done
    with app.app_context():
        created = {u.username: u for u in db.session.scalars(select(User).where(User.username != "co.lan"))}
        assert set(created) == {"0912345601", "binh.tran"}
        an = created["0912345601"]
        assert an.phone == "0912345601" and an.full_name == "Nguyễn Văn An" and an.birth_year == 1958
        assert an.must_change_password and an.audience == "citizens"
        assert created["binh.tran"].email == "binh@example.vn" and created["binh.tran"].phone is None
        enrolled = db.session.scalars(select(Enrollment.user_id).where(Enrollment.class_id == class_id)).all()
        assert sorted(enrolled) == sorted(u.id for u in created.values())
        assert db.session.scalar(select(PasswordSheet.count)) == 2


def test_import_twice_does_nothing_more(app, client, class_id) -> None:
    _preview(client, upload(client, class_id, roster_csv(*GOOD)))
    with app.app_context():
        upload_id = db.session.scalar(select(RosterUpload.id))
    url = f"/teach/classes/{class_id}/roster/{upload_id}"
    token_page = client.get(url).get_data(as_text=True)
    from tests.conftest import csrf_from

    token = csrf_from(token_page)
    for _ in range(2):  # a double click
        assert client.post(url + "/import", data={"csrf_token": token}).status_code == 302
    assert _count(app, User) == 3 and _count(app, Enrollment) == 2 and _count(app, PasswordSheet) == 1


def test_existing_account_is_linked_only_when_the_row_agrees_never_duplicated(app, client, class_id) -> None:
    # was: any existing account was linked, with only a note that the name differed (the roster take-over)
    agreeing = make_user(app, "0912345601", full_name="Nguyễn Văn Ân", birth_year=1958)
    other = make_user(app, "0912345602", full_name="Phạm Văn Ân", birth_year=1958)
    already = make_user(app, "binh.tran", full_name="Trần Thị Bình", birth_year=1962)
    from tests.classes_helpers import enroll

    enroll(app, class_id, already)
    html = _preview(client, upload(client, class_id, roster_csv(
        "nguyen van an,+84912345601,1958,", "Nguyễn Văn An,0912345602,1958,", GOOD[1]
    )))
    assert _row(html, 2).startswith("link")  # folded for case and accents, same birth year
    assert _row(html, 3).startswith("invite")  # another name: the person is asked
    assert _row(html, 4).startswith("already")
    assert "Nguyễn Văn Ân" not in html and "Phạm" not in html
    assert "The import will create 0, link 1, invite 0 and skip 2." in html  # the row to check is not ticked
    import_upload(app, client, class_id)
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 4
        assert db.session.get(Enrollment, (class_id, agreeing)).created_account is False
        assert db.session.get(Enrollment, (class_id, other)) is None
        assert db.session.get(User, agreeing).full_name == "Nguyễn Văn Ân"  # their data is not touched
        assert db.session.scalar(select(func.count(PasswordSheet.id))) == 0


def test_removed_learner_in_a_new_roster_comes_back(app, client, class_id) -> None:
    from lms.db import now_utc

    learner = make_user(app, "0912345601", birth_year=1958)
    with app.app_context():
        db.session.add(Enrollment(class_id=class_id, user_id=learner, removed_at=now_utc()))
        db.session.commit()
    html = _preview(client, upload(client, class_id, roster_csv(GOOD[0])))
    assert _row(html, 2).startswith("link")
    import_upload(app, client, class_id)
    with app.app_context():
        assert db.session.get(Enrollment, (class_id, learner)).removed_at is None


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "The file is empty."),
        (
            roster_csv("Nguyễn Văn An,1958", header="Họ và tên,Năm sinh"),
            "Missing column(s): Username or phone number",
        ),
        (
            roster_csv(*[f"N {i},user{i:05d},1970" for i in range(10_001)]),
            "The file has 10001 rows; at most 10000",
        ),
        (b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "Old Excel files (.xls) cannot be read"),
        (b"PK\x03\x04broken", "not a valid Excel workbook"),
    ],
)
def test_file_problems_are_reported_and_nothing_is_saved(
    app,
    client,
    class_id,
    data: bytes,
    expected: str,
) -> None:
    response = upload(client, class_id, data)
    assert response.status_code == 422
    assert expected in response.get_data(as_text=True)
    assert _count(app, RosterUpload) == 0 and _count(app, User) == 1


def test_too_large_file_is_refused(app, client, class_id) -> None:
    app.config["LMS_ROSTER_MAX_BYTES"] = 1024 * 1024
    response = upload(client, class_id, roster_csv(*["Nguyễn Văn An,0912345601,1958,"] * 40_000))
    assert response.status_code == 422 and "larger than 1 MB" in response.get_data(as_text=True)


def test_windows_1258_and_bom_files_through_the_page(app, client, class_id) -> None:
    text = "Họ và tên,Số điện thoại,Năm sinh\r\nNguyễn Thị Ánh Hồng,0912345601,1958\r\n"
    for data in (encode_cp1258(text), "\ufeff".encode() + text.encode()):
        html = _preview(client, upload(client, class_id, data))
        assert "Nguyễn Thị Ánh Hồng" in _row(html, 2)


def test_unknown_column_shows_on_preview_and_rows_still_import(client, class_id) -> None:
    html = _preview(
        client,
        upload(
            client,
            class_id,
            roster_csv("Nguyễn Văn An,0912345601,1958,Tổ 3", header="Họ và tên,SĐT,Năm sinh,Tổ"),
        ),
    )
    assert "The column &#34;Tổ&#34; is not used and will be ignored." in html or 'The column "Tổ" is not used' in html
    assert "Import the 1 rows" in html


def test_xlsx_upload_and_templates(app, client, class_id) -> None:
    from io import BytesIO

    from openpyxl import load_workbook

    template = client.get("/teach/roster-template.xlsx")
    assert template.status_code == 200
    sheet = load_workbook(BytesIO(template.data)).active
    header = [c.value for c in sheet[1]]
    assert header == ["Full name", "Username or phone number", "Birth year", "Email (optional)"]
    assert sheet.cell(row=2, column=2).number_format == "@"  # phone numbers stay text
    for column, value in enumerate(["Nguyễn Văn An", "0912345601", 1958], start=1):
        sheet.cell(row=2, column=column, value=value)
    out = BytesIO()
    sheet.parent.save(out)
    html = _preview(client, upload(client, class_id, out.getvalue(), "lop.xlsx"))
    assert _row(html, 2).startswith("new")
    csv_template = client.get("/teach/roster-template.csv")
    assert (
        csv_template.data.startswith(b"\xef\xbb\xbf")
        and roster.read_roster(csv_template.data + "Nguyễn Văn An,0912345601,1958\r\n".encode()).rows
    )


def test_preview_pages_and_problem_filter_and_report(app, client, class_id) -> None:
    lines = [f"Người {i},user{i:05d},1970," for i in range(450)] + ["Sai,01234567,1970,"]
    html = _preview(client, upload(client, class_id, roster_csv(*lines)))
    assert "Page 1 of 6" in html and html.count("<tr data-line=") == 80
    with app.app_context():
        upload_id = db.session.scalar(select(RosterUpload.id))
    base = f"/teach/classes/{class_id}/roster/{upload_id}"
    last = client.get(base + "?page=6").get_data(as_text=True)
    assert last.count("<tr data-line=") == 51 and 'data-line="452"' in last
    problems = client.get(base + "?show=problems").get_data(as_text=True)
    assert problems.count("<tr data-line=") == 1
    report = client.get(base + "/report.csv")
    text = report.data.decode("utf-8-sig")
    assert report.data.startswith(b"\xef\xbb\xbf") and len(text.strip().splitlines()) == 452
    assert "Người 0" in text and "This is not a Vietnamese mobile number" in text


def test_report_in_the_teachers_language(app, client, class_id, teacher) -> None:
    from lms.classes.roster import problem_message

    with app.app_context():
        db.session.get(User, teacher).locale = "vi"
        db.session.commit()
    html = _preview(client, upload(client, class_id, roster_csv("Lê Văn C,012345,1960,")))
    with app.test_request_context("/"):
        from flask_babel import force_locale

        with force_locale("vi"):
            expected = problem_message({"code": "bad_phone"})
    from markupsafe import escape

    assert expected != "This is not a Vietnamese mobile number (10 digits, e.g. 0912345678)."

    assert str(escape(expected)) in _row(html, 2)


def test_no_file_chosen(app, client, class_id) -> None:
    response = post_form(client, f"/teach/classes/{class_id}/roster", {})
    assert response.status_code == 422
    assert "Choose a CSV or Excel file first." in response.get_data(as_text=True)
    assert _count(app, RosterUpload) == 0


def test_an_account_created_during_the_import_saves_nothing(app, client, class_id, monkeypatch) -> None:
    from lms.classes import matching

    _preview(client, upload(client, class_id, roster_csv(*GOOD)))
    make_user(app, "binh.tran", full_name="Trần Thị Bình", birth_year=1962)  # registered between preview and click
    monkeypatch.setattr(matching, "existing_accounts", lambda rows: ({}, {}))  # and missed by the re-check
    with app.app_context():
        upload_id = db.session.scalar(select(RosterUpload.id))
    page = f"/teach/classes/{class_id}/roster/{upload_id}"
    response = post_form(client, page, {}, action=page + "/import")
    assert response.status_code == 302 and response.headers["Location"].endswith(page)
    assert "Nothing was saved" in client.get(page).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(RosterUpload.imported_at)) is None
    assert _count(app, Enrollment) == 0 and _count(app, PasswordSheet) == 0 and _count(app, User) == 2
    monkeypatch.undo()
    post_form(client, page, {}, action=page + "/import")  # again: binh.tran is linked this time
    assert _count(app, Enrollment) == 2 and _count(app, User) == 3
