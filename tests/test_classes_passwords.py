"""One-time passwords: strength, hashing, the encrypted sheet, its PDF, first sign-in, new passwords."""

from __future__ import annotations

import re
import unicodedata
from datetime import timedelta

import pypdfium2 as pdfium
import pytest
from sqlalchemy import select
from werkzeug.security import check_password_hash

from lms.accounts.models import User
from lms.classes import passwords
from lms.classes.models import PasswordSheet, RosterUpload
from lms.db import db, now_utc
from tests.classes_helpers import make_class, roster_csv, upload
from tests.conftest import csrf_from, login, make_user, post_form, vi


@pytest.fixture
def imported(app, client, courses, units):
    """A class with two learners created from a roster, and one linked existing account."""
    teacher = make_user(app, "co.lan", roles={"teacher"})
    make_user(app, "0987654321", full_name="Lê Văn Cũ", birth_year=1950)  # the row agrees: linked
    login(client, "co.lan")
    class_id = make_class(app, teacher)
    response = upload(
        client,
        class_id,
        roster_csv("Nguyễn Văn An,0912345601,1958,", "Trần Thị Bình,binh.tran,1962,", "Lê Văn Cũ,0987654321,1950,"),
    )
    page = response.headers["Location"]
    post_form(client, page, {}, action=page + "/import")
    with app.app_context():
        sheet = db.session.scalar(select(PasswordSheet))
        return {
            "class_id": class_id,
            "sheet_id": sheet.id,
            "teacher": teacher,
            "entries": {e["login"]: e for e in passwords.read_sheet(sheet)},
        }


def test_one_time_passwords_are_long_random_and_unambiguous() -> None:
    made = {passwords.new_one_time_password() for _ in range(2000)}
    assert len(made) == 2000
    for password in list(made)[:200]:
        assert len(password) == passwords.OTP_LENGTH >= 12
        assert set(password) <= set(passwords.OTP_ALPHABET)
    assert not set("01ilo") & set(passwords.OTP_ALPHABET)
    # 12 symbols from 31: more than 59 bits
    import math

    assert passwords.OTP_LENGTH * math.log2(len(passwords.OTP_ALPHABET)) > 59


def test_hashes_are_standard_pbkdf2_and_verify() -> None:
    hashed = passwords.hash_one_time_password("abcdefghjkmn")
    assert hashed.startswith(f"pbkdf2:sha256:{passwords.OTP_ITERATIONS}$")
    assert check_password_hash(hashed, "abcdefghjkmn") and not check_password_hash(hashed, "abcdefghjkmm")
    many = [passwords.new_one_time_password() for _ in range(80)]  # the thread-pool path
    hashes = passwords.hash_many(many)
    assert len(set(hashes)) == 80
    assert all(check_password_hash(h, p) for h, p in zip(hashes, many, strict=True))


def test_sheet_is_encrypted_and_expires(app, imported) -> None:
    with app.app_context():
        sheet = db.session.get(PasswordSheet, imported["sheet_id"])
        assert sheet.count == 2
        for entry in imported["entries"].values():
            assert entry["password"] not in sheet.secret and entry["name"] not in sheet.secret
        assert set(imported["entries"]) == {"0912345601", "binh.tran"}  # not the linked account
        app.config["SECRET_KEY"] = "another-key"
        assert passwords.read_sheet(sheet) is None
        app.config["SECRET_KEY"] = "test-secret-key-not-for-production"
        assert passwords.read_sheet(sheet) is not None
        sheet.expires_at = now_utc() - timedelta(seconds=1)
        db.session.commit()
        assert passwords.read_sheet(sheet) is None
        assert passwords.purge_expired_sheets() == 1
        db.session.commit()
        assert db.session.scalar(select(PasswordSheet)) is None


def test_sheet_pdf_has_every_slip(client, imported) -> None:
    response = client.get(f"/teach/classes/{imported['class_id']}/sheets/{imported['sheet_id']}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "no-store" in response.headers["Cache-Control"]
    pdf = pdfium.PdfDocument(response.data)
    text = unicodedata.normalize("NFC", pdf[0].get_textpage().get_text_range())
    for entry in imported["entries"].values():
        assert entry["name"] in text and entry["login"] in text
        assert entry["password"] in text.replace(" ", "")
    assert "Lê Văn Cũ" not in text


def test_sheet_of_many_learners_has_ten_slips_a_page(app) -> None:
    from lms.classes.pdf import password_sheet_pdf

    entries = [{"name": f"Người {i}", "login": f"user{i}", "password": "abcdefghjkmn"} for i in range(23)]
    with app.test_request_context("/"):
        pdf = pdfium.PdfDocument(
            password_sheet_pdf(entries, class_name="Lớp", site_name="BDHVS", login_url="https://hoc.example.vn/login")
        )
    assert len(pdf) == 3
    assert "Người 22" in pdf[2].get_textpage().get_text_range()


def test_first_sign_in_forces_a_new_password_with_the_full_hash(app, client, imported) -> None:
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").get_data(as_text=True))})
    password = imported["entries"]["0912345601"]["password"]
    response = post_form(client, "/login", {"login": "0912345601", "password": password})
    assert response.status_code == 302 and response.headers["Location"].endswith("/password")
    assert client.get("/").status_code == 200  # the home page is public
    assert client.get("/teach/").headers["Location"].endswith("/password")
    response = post_form(client, "/password", {"new_password": "cay-lua-vang-2026", "confirm": "cay-lua-vang-2026"})
    assert response.status_code == 302 and response.headers["Location"] == "/"  # the learner's path
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "0912345601"))
        assert not user.must_change_password
        assert user.password_hash.startswith("scrypt:")  # werkzeug's full default, not the OTP's KDF


def test_sheet_reissue_only_for_accounts_the_roster_made(app, client, imported) -> None:
    """The printed sheet's new passwords stay for roster accounts that never chose one; any member
    gets a new one-time password from their learner page instead (tests/test_accounts_helpers.py)."""
    class_id = imported["class_id"]
    with app.app_context():
        ids = {u.username: u.id for u in db.session.scalars(select(User))}
        old_hash = db.session.get(User, ids["binh.tran"]).password_hash
    page = f"/teach/classes/{class_id}/learners/{ids['binh.tran']}"
    for member in ("binh.tran", "0987654321"):  # any member of the class, not only the roster's accounts
        html = client.get(f"/teach/classes/{class_id}/learners/{ids[member]}").get_data(as_text=True)
        assert vi("New one-time password") in html and f"/help/password/{ids[member]}" in html
    post_form(client, page, {"user_id": ids["0987654321"]}, action=f"/teach/classes/{class_id}/passwords")
    with app.app_context():
        assert db.session.scalar(select(PasswordSheet).order_by(PasswordSheet.id.desc())).id == imported["sheet_id"]
    post_form(client, page, {"user_id": ids["binh.tran"]}, action=f"/teach/classes/{class_id}/passwords")
    with app.app_context():
        sheet = db.session.scalar(select(PasswordSheet).order_by(PasswordSheet.id.desc()))
        assert sheet.id != imported["sheet_id"] and sheet.count == 1
        entry = passwords.read_sheet(sheet)[0]
        user = db.session.get(User, ids["binh.tran"])
        assert entry["login"] == "binh.tran" and user.password_hash != old_hash
        assert check_password_hash(user.password_hash, entry["password"])
        # once the learner chose a password, the teacher can no longer replace it
        user.must_change_password = False
        db.session.commit()
    response = post_form(
        client,
        f"/teach/classes/{class_id}/roster",
        {"user_id": ids["binh.tran"]},
        action=f"/teach/classes/{class_id}/passwords",
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert vi("Nobody needs a new one-time password.") in page


def test_all_new_passwords_and_sheet_deletion(app, client, imported) -> None:
    class_id = imported["class_id"]
    roster_page = client.get(f"/teach/classes/{class_id}/roster").get_data(as_text=True)
    assert vi("%(n)d learner(s) have not chosen their own password yet.", n=2) in roster_page
    post_form(client, f"/teach/classes/{class_id}/roster", {}, action=f"/teach/classes/{class_id}/passwords")
    with app.app_context():
        sheets = db.session.scalars(select(PasswordSheet).order_by(PasswordSheet.id)).all()
        assert [s.count for s in sheets] == [2, 2]
    post_form(
        client,
        f"/teach/classes/{class_id}/roster",
        {},
        action=f"/teach/classes/{class_id}/sheets/{imported['sheet_id']}/delete",
    )
    with app.app_context():
        assert db.session.get(PasswordSheet, imported["sheet_id"]) is None
    assert client.get(f"/teach/classes/{class_id}/sheets/{imported['sheet_id']}.pdf").status_code == 404


def test_expired_sheet_link_explains(app, client, imported) -> None:
    with app.app_context():
        db.session.get(PasswordSheet, imported["sheet_id"]).expires_at = now_utc() - timedelta(minutes=1)
        db.session.commit()
    response = client.get(f"/teach/classes/{imported['class_id']}/sheets/{imported['sheet_id']}.pdf")
    assert response.status_code == 302
    expired = vi("This password sheet has expired. Make new one-time passwords for the learners who have not "
                 "signed in yet.")
    assert expired in client.get(response.headers["Location"]).get_data(as_text=True)


def test_linked_account_keeps_its_password(app, client, imported) -> None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "0987654321"))
        assert not user.must_change_password
        assert check_password_hash(user.password_hash, "mat-khau-tot-2026")
        upload_row = db.session.scalar(select(RosterUpload))
        assert upload_row.outcome == {
            "created": 2,
            "linked": 1,
            "already": 0,
            "skipped": 0,
            "sheet_id": imported["sheet_id"],
            "invited": 0,
        }


def test_sheet_entries_never_reach_the_audit_log(app, imported) -> None:
    from lms.accounts.models import AuditLog

    with app.app_context():
        logged = " ".join(str(row.detail) for row in db.session.scalars(select(AuditLog)))
    for entry in imported["entries"].values():
        assert entry["password"] not in logged
    assert re.search(r"'created': 2", logged)


def test_reissue_ignores_removed_learners(app, client, imported) -> None:
    from lms.classes.enroll import reissuable_ids
    from lms.classes.models import Classroom

    class_id = imported["class_id"]
    with app.app_context():
        an = db.session.scalar(select(User.id).where(User.username == "0912345601"))
    post_form(
        client,
        f"/teach/classes/{class_id}/learners/{an}",
        {},
        action=f"/teach/classes/{class_id}/learners/{an}/remove",
    )
    with app.app_context():
        assert an not in reissuable_ids(db.session.get(Classroom, class_id))


def test_a_big_sheet_prints_in_parts(app, client, imported) -> None:
    # a site that prints every sheet on the request (by default a sheet this big is a job: tests/test_jobs_classes.py)
    app.config["LMS_PASSWORD_SHEET_SYNC_MAX"] = 100_000
    assert passwords.sheet_parts(1050) == [(1, 1, 500), (2, 501, 1000), (3, 1001, 1050)]
    assert passwords.sheet_parts(2) == [(1, 1, 2)]
    entries = [{"name": f"Người {i}", "login": f"user{i}", "password": "abcdefghjkmn"} for i in range(501)]
    with app.test_request_context("/"):
        sheet_id = passwords.store_sheet(imported["class_id"], imported["teacher"], entries).id
        db.session.commit()
    url = f"/teach/classes/{imported['class_id']}/sheets/{sheet_id}.pdf"
    roster_page = client.get(f"/teach/classes/{imported['class_id']}/roster").get_data(as_text=True)
    assert vi("Print slips %(first)d to %(last)d (PDF)", first=501, last=501) in roster_page
    assert f"{sheet_id}.pdf?part=2" in roster_page
    last = pdfium.PdfDocument(client.get(url + "?part=2").data)
    assert len(last) == 1 and "Người 500" in last[0].get_textpage().get_text_range()
    assert client.get(url + "?part=3").status_code == 404
    assert client.get(url + "?part=0").status_code == 404


def test_purge_command_forgets_expired_sheets_and_old_uploads(app, runner, imported) -> None:
    with app.app_context():
        db.session.get(PasswordSheet, imported["sheet_id"]).expires_at = now_utc() - timedelta(days=1)
        db.session.scalar(select(RosterUpload)).created_at = now_utc() - timedelta(days=31)
        db.session.commit()
    result = runner.invoke(args=["lms", "classes", "purge"])
    assert result.exit_code == 0, result.output
    assert "deleted 1 expired password sheet(s) and 1 roster upload(s)" in result.output
    with app.app_context():
        assert db.session.scalar(select(PasswordSheet)) is None and db.session.scalar(select(RosterUpload)) is None
        assert db.session.scalar(select(User).where(User.username == "binh.tran")) is not None
