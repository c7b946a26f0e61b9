"""Correcting a roster in its preview (issue 14, item 2): the rows are inputs of a form, "Check
again" keeps the edits and checks every row again, without uploading the file again and without
JavaScript; another teacher reaches none of it."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from lms.accounts.models import User
from lms.classes.models import Enrollment, RosterUpload
from lms.db import db
from tests.classes_helpers import form_fields, make_class, roster_csv, upload
from tests.conftest import csrf_from, login, make_user, post_form


@pytest.fixture
def teacher(app, courses, units):
    return make_user(app, "co.lan", roles={"teacher"}, locale="en")


@pytest.fixture
def class_id(app, client, teacher):
    login(client, "co.lan")
    return make_class(app, teacher)


def _status(html: str, line: int) -> str:
    match = re.search(rf'<tr data-line="{line}" data-status="(\w+)">', html)
    assert match, f"row {line} not in the preview"
    return match.group(1)


def _page(app, client, class_id: int) -> tuple[str, str]:
    response = upload(client, class_id, roster_csv(
        "Nguyễn Văn An,0912345601,1958,",   # 2 fine
        "Trần Thị Bình,012345,1962,",        # 3 wrong phone
        "Lê Văn Cường,0912345601,1960,",     # 4 same phone as row 2
        ",0912345604,19x0,",                 # 5 no name, bad year
    ))
    assert response.status_code == 302
    page = response.headers["Location"]
    return page, client.get(page).get_data(as_text=True)


def _rows(app) -> list[dict]:
    with app.app_context():
        return db.session.scalar(select(RosterUpload.rows))


def test_rows_are_inputs_of_a_form_that_works_without_javascript(app, client, class_id) -> None:
    page, html = _page(app, client, class_id)
    form = re.search(r'<form method="post" action="([^"]+)" id="roster-form">', html)
    assert form and form.group(1) == page + "/check"  # a plain POST: no script needed
    fields = form_fields(html)
    assert fields["full_name-2"] == "Nguyễn Văn An" and fields["login-3"] == "012345"
    assert fields["birth_year-5"] == "19x0" and fields["full_name-5"] == ""
    form = html.split('id="roster-form"', 1)[1].split("</form>", 1)[0]
    assert "<script" not in form  # nothing in the form needs a script (the site's lms.js only enhances)
    assert f'formaction="{page}/import"' in html and html.count(">Check again<") == 2


def test_fixing_rows_in_the_page_checks_them_again_without_a_new_upload(app, client, class_id) -> None:
    page, html = _page(app, client, class_id)
    assert [_status(html, n) for n in (2, 3, 4, 5)] == ["new", "error", "error", "error"]
    fields = form_fields(html)
    fields.update({"login-3": "0912345603", "login-4": "0912345602", "full_name-5": "Phạm Thị Dung",
                   "birth_year-5": "1965"})
    response = client.post(page + "/check", data=fields)
    assert response.status_code == 302 and response.headers["Location"] == page
    html = client.get(page).get_data(as_text=True)
    assert [_status(html, n) for n in (2, 3, 4, 5)] == ["new", "new", "new", "new"]
    assert "Checked again. Rows you changed: 3." in html
    assert "The import will create 4, link 0, invite 0 and skip 0." in html
    with app.app_context():
        assert db.session.scalar(select(func.count(RosterUpload.id))) == 1  # the same upload
    rows = {r["line"]: r for r in _rows(app)}
    assert rows[5]["full_name"] == "Phạm Thị Dung" and rows[5]["birth_year"] == 1965
    assert _count_users(app) == 1  # nothing but the upload was written
    done = post_form(client, page, form_fields(html), action=page + "/import")
    assert done.status_code == 302 and done.headers["Location"].endswith("/done")
    assert _count_users(app) == 5


def test_a_corrected_row_can_become_a_duplicate_and_back(app, client, class_id) -> None:
    page, html = _page(app, client, class_id)
    fields = form_fields(html)
    fields["login-2"] = "0912345699"  # row 4 keeps 0912345601: no longer a duplicate of row 2
    client.post(page + "/check", data=fields)
    html = client.get(page).get_data(as_text=True)
    assert _status(html, 2) == "new" and _status(html, 4) == "new"
    fields = form_fields(html)
    fields["login-2"] = "0912345601"  # and back: row 4 is a duplicate of row 2 again
    client.post(page + "/check", data=fields)
    html = client.get(page).get_data(as_text=True)
    assert _status(html, 4) == "error" and "Same username or phone number as row 2." in html


def test_import_with_unchecked_edits_checks_them_first_and_imports_nothing(app, client, class_id) -> None:
    page, html = _page(app, client, class_id)
    fields = form_fields(html)
    fields["login-3"] = "0912345603"
    response = client.post(page + "/import", data=fields)
    assert response.status_code == 302 and response.headers["Location"] == page
    html = client.get(page).get_data(as_text=True)
    assert "You changed 1 row(s): they were checked again. Look at the result, then import." in html
    assert _status(html, 3) == "new" and _count_users(app) == 1
    with app.app_context():
        assert db.session.scalar(select(RosterUpload.imported_at)) is None
        assert db.session.scalar(select(func.count()).select_from(Enrollment)) == 0


def test_pager_buttons_keep_the_edits_of_the_page(app, client, class_id) -> None:
    lines = [f"Người {i},user{i:05d},1970," for i in range(100)] + ["Sai,01234567,1970,"]
    response = upload(client, class_id, roster_csv(*lines))
    page = response.headers["Location"]
    html = client.get(page).get_data(as_text=True)
    assert "Page 1 of 2" in html and html.count("<tr data-line=") == 80
    fields = form_fields(html)
    fields.update({"full_name-2": "Người Đầu Tiên", "goto": "2"})
    moved = client.post(page + "/check", data=fields)
    assert moved.status_code == 302 and moved.headers["Location"] == page + "?page=2"
    second = client.get(moved.headers["Location"]).get_data(as_text=True)
    assert 'data-line="102"' in second and 'name="page" value="2"' in second
    assert {r["line"]: r for r in _rows(app)}[2]["full_name"] == "Người Đầu Tiên"


def test_bad_input_in_the_cells_is_a_row_problem_never_a_500(app, client, class_id) -> None:
    page, html = _page(app, client, class_id)
    fields = form_fields(html)
    fields.update({"full_name-2": "An\u202eb", "birth_year-2": "9" * 5000, "email-2": "x" * 5000})
    response = client.post(page + "/check", data=fields)
    assert response.status_code == 302
    row = {r["line"]: r for r in _rows(app)}[2]
    codes = {p["code"] for p in row["problems"]}
    assert {"bad_name_characters", "bad_birth_year", "bad_email"} <= codes and row["status"] == "error"
    assert len(row["email"]) <= 300
    # lines that are not in the upload are ignored
    fields = {**form_fields(client.get(page).get_data(as_text=True)), "full_name-999": "Ai Đó", "login-999": "x"}
    assert client.post(page + "/check", data=fields).status_code == 302
    assert 999 not in {r["line"] for r in _rows(app)}


def test_check_needs_the_csrf_token(app, client, class_id) -> None:
    page, html = _page(app, client, class_id)
    fields = form_fields(html)
    fields.pop("csrf_token")
    fields["login-3"] = "0912345603"
    assert client.post(page + "/check", data=fields).status_code == 400
    assert {r["line"]: r for r in _rows(app)}[3]["login"] == "012345"


def test_another_teacher_cannot_see_check_or_import_the_preview(app, client, class_id) -> None:
    page, html = _page(app, client, class_id)
    fields = form_fields(html)
    before = _rows(app)
    make_user(app, "thay.minh", roles={"teacher"})
    learner = make_user(app, "0912000111")
    client.post("/logout", data={"csrf_token": fields["csrf_token"]})
    for who in ("thay.minh", "0912000111"):
        login(client, who)
        data = {**fields, "csrf_token": csrf_from(client.get("/me").get_data(as_text=True)), "login-3": "0912345603"}
        expected = (404,) if who == "thay.minh" else (403, 404)
        assert client.get(page).status_code in expected
        assert client.post(page + "/check", data=data).status_code in expected
        assert client.post(page + "/import", data=data).status_code in expected
        client.post("/logout", data={"csrf_token": data["csrf_token"]})
    assert _rows(app) == before
    with app.app_context():
        assert db.session.scalar(select(RosterUpload.imported_at)) is None
    assert learner and _count_users(app) == 3


def test_an_imported_upload_cannot_be_checked_again(app, client, class_id) -> None:
    page, html = _page(app, client, class_id)
    post_form(client, page, {}, action=page + "/import")
    fields = form_fields(html)
    fields["login-3"] = "0912345603"
    response = client.post(page + "/check", data=fields)
    assert response.status_code == 302 and response.headers["Location"].endswith("/done")
    assert {r["line"]: r for r in _rows(app)}[3]["login"] == "012345"


def _count_users(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(User.id)))


def test_a_full_page_of_rows_to_check_fits_in_one_form(app, client, class_id) -> None:
    """80 rows, each four cells and a tick box: under LMS_MAX_FORM_PARTS (500), so no 413."""
    from lms.accounts.services import NewAccount, create_accounts

    with app.app_context():
        create_accounts([NewAccount(username=f"09120{i:05d}", phone=f"09120{i:05d}", full_name=f"Người Có Sẵn {i}",
                                    password_hash="x", birth_year=1960) for i in range(90)])
        db.session.commit()
    response = upload(client, class_id, roster_csv(*[f"Người Khác {i},09120{i:05d},1961," for i in range(90)]))
    page = response.headers["Location"]
    html = client.get(page).get_data(as_text=True)
    assert html.count('data-status="invite"') == 80
    fields = form_fields(html)
    fields.update({f"tick-{line}": "1" for line in range(2, 82)})
    assert len(fields) <= app.config["LMS_MAX_FORM_PARTS"]
    response = client.post(page + "/check", data=fields)
    assert response.status_code == 302
    assert "The import will create 0, link 0, invite 80 and skip 10." in client.get(page).get_data(as_text=True)
