"""The classes' other jobs: a one-time password sheet of many slips laid out as one PDF."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lms.classes import passwords
from lms.classes.models import PasswordSheet
from lms.db import db, now_utc
from lms.jobs.models import Job
from tests.certs_helpers import pdf_pages, pdf_text
from tests.classes_helpers import make_class
from tests.conftest import csrf_from, login, make_user
from tests.jobs_helpers import wait_for

SLIPS = 230


@pytest.fixture
def big_sheet(app, client, courses, units):
    """A class whose sheet has 230 slips, above the (lowered) threshold; its teacher signed in."""
    app.config["LMS_PASSWORD_SHEET_SYNC_MAX"] = 100
    teacher = make_user(app, "co.lan", roles={"teacher"})
    make_user(app, "thay.khac", roles={"teacher"})
    class_id = make_class(app, teacher)
    with app.app_context():
        entries = [{"name": f"Học Viên Số {i:03d}", "login": f"hv{i:03d}", "password": f"mk{i:03d}abcdefgh"}
                   for i in range(1, SLIPS + 1)]
        sheet = passwords.store_sheet(class_id, teacher, entries)
        db.session.commit()
        sheet_id = sheet.id
    login(client, "co.lan")
    return class_id, sheet_id


def prepare(client, class_id: int, sheet_id: int) -> int:
    page = client.get(f"/teach/classes/{class_id}/roster").get_data(as_text=True)
    action = f"/teach/classes/{class_id}/sheets/{sheet_id}/prepare"
    assert f'action="{action}"' in page and f"/sheets/{sheet_id}.pdf" not in page  # a job, not the parts
    started = client.post(action, data={"csrf_token": csrf_from(page)})
    assert started.status_code == 303
    return int(started.location.rsplit("/", 1)[-1])


def test_a_big_password_sheet_is_laid_out_by_a_job(app, client, big_sheet) -> None:
    class_id, sheet_id = big_sheet
    job_id = prepare(client, class_id, sheet_id)
    job = wait_for(app, job_id, lambda j: j.status == "done", "finished")
    assert job.result_name == f"passwords-{sheet_id}.pdf"
    pdf = client.get(f"/jobs/{job_id}/download")
    assert pdf.status_code == 200 and pdf_pages(pdf.data) == -(-SLIPS // 10)  # ten slips a page
    assert "hv001" in pdf_text(pdf.data, 0) and "mk230abcdefgh" in pdf_text(pdf.data, -(-SLIPS // 10) - 1)
    assert "http://localhost/login" in pdf_text(pdf.data, 0)  # the address was given by the request
    login(client, "thay.khac")
    assert client.get(f"/jobs/{job_id}/download").status_code == 404


def test_a_deleted_sheet_takes_its_prepared_pdf_with_it(app, client, big_sheet) -> None:
    class_id, sheet_id = big_sheet
    job_id = prepare(client, class_id, sheet_id)
    wait_for(app, job_id, lambda j: j.status == "done", "finished")
    page = client.get(f"/teach/classes/{class_id}/roster").get_data(as_text=True)
    assert client.post(f"/teach/classes/{class_id}/sheets/{sheet_id}/delete",
                       data={"csrf_token": csrf_from(page)}).status_code == 302
    with app.app_context():
        assert db.session.get(Job, job_id) is None
    assert client.get(f"/jobs/{job_id}/download").status_code == 404


def test_an_expired_sheet_is_not_given_out_and_a_job_on_it_says_so(app, client, big_sheet) -> None:
    class_id, sheet_id = big_sheet
    job_id = prepare(client, class_id, sheet_id)
    wait_for(app, job_id, lambda j: j.status == "done", "finished")
    with app.app_context():
        db.session.get(PasswordSheet, sheet_id).expires_at = now_utc() - timedelta(minutes=1)
        db.session.commit()
    assert client.get(f"/jobs/{job_id}/download").status_code == 404
    assert "Tệp này không còn" in client.get(f"/jobs/{job_id}").get_data(as_text=True)
    from lms.jobs import services
    from lms.jobs.runners import execute

    with app.app_context():
        late = services.create_job("password_sheet", db.session.get(PasswordSheet, sheet_id).created_by_id,
                                   {"class_id": class_id, "sheet_id": sheet_id, "login_url": "http://x/login"}).id
    assert execute(app, late) == "failed"
    assert "đã hết hạn" in client.get(f"/jobs/{late}").get_data(as_text=True)


def test_a_roster_of_many_rows_is_imported_by_a_job(app, client, courses, units) -> None:
    from sqlalchemy import func, select

    from lms.classes.models import Enrollment
    from tests.classes_helpers import roster_csv, upload

    app.config["LMS_ROSTER_SYNC_MAX"] = 5
    teacher = make_user(app, "co.lan", roles={"teacher"})
    make_user(app, "thay.khac", roles={"teacher"})
    class_id = make_class(app, teacher)
    login(client, "co.lan")
    rows = [f"Nguyễn Văn Học {i:02d},09123456{i:02d},1960," for i in range(12)]
    preview = upload(client, class_id, roster_csv(*rows)).headers["Location"]
    page = client.get(preview).get_data(as_text=True)
    started = client.post(preview + "/import", data={"csrf_token": csrf_from(page)})
    assert started.status_code == 303 and "/jobs/" in started.location
    job_id = int(started.location.rsplit("/", 1)[-1])
    job = wait_for(app, job_id, lambda j: j.status == "done", "imported")
    assert job.result_name is None and job.progress == 100
    html = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    done_url = preview + "/done"
    assert f'href="{done_url}"' in html and "/download" not in html
    report = client.get(done_url)
    assert report.status_code == 200 and "12" in report.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Enrollment)
                                 .where(Enrollment.class_id == class_id)) == 12
        assert db.session.scalar(select(PasswordSheet.count).where(PasswordSheet.class_id == class_id)) == 12
    login(client, "thay.khac")
    assert client.get(f"/jobs/{job_id}").status_code == 404
