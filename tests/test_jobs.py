"""The job queue without Redis (the embedded default): a class's certificates PDF prepared in a
background thread of the app, its progress page, its download, who may see it, its errors in
the reader's language, and a job whose runner died run again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from lms.certificates.sealing import new_kek
from lms.db import db, now_utc
from lms.jobs import services
from lms.jobs.models import Job
from lms.jobs.runners import execute
from tests.certs_helpers import login_as, pdf_pages, pdf_text
from tests.jobs_helpers import class_with_certificates, job_row, start_class_pdf, user_id, wait_for


@pytest.fixture
def class_id(app, client, courses, units) -> int:
    app.config["LMS_CLASS_PDF_SYNC_MAX"] = 1  # two certificates: a job, not the request
    app.config["LMS_KEY_ENCRYPTION_KEY"] = new_kek()  # what every server of a deployment shares
    return class_with_certificates(app, client)


def done(job: Job) -> bool:
    return job.status == "done"


def test_a_large_class_pdf_is_prepared_in_the_background_and_downloaded(app, client, class_id) -> None:
    login_as(client, "cogiao")
    assert "/certificates/class/" in client.get(f"/teach/classes/{class_id}/").get_data(as_text=True)
    job_id = start_class_pdf(client, class_id)
    job = wait_for(app, job_id, done, "finished")
    assert job.attempts == 1 and job.progress == 100 and job.result_name == f"chung-nhan-lop-{class_id}.pdf"
    page = client.get(f"/jobs/{job_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "no-store" in page.headers["Cache-Control"]
    assert 'http-equiv="refresh"' not in html  # finished: no more refreshing
    assert f'href="/jobs/{job_id}/download"' in html and "Tải xuống" in html
    pdf = client.get(f"/jobs/{job_id}/download")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert f"chung-nhan-lop-{class_id}.pdf" in pdf.headers["Content-Disposition"]
    assert pdf_pages(pdf.data) == 2
    with app.app_context():  # kept encrypted: it names learners (and a password sheet's, passwords)
        from lms.jobs.models import JobFile

        stored = db.session.get(JobFile, job_id).content
        assert not stored.startswith(b"%PDF") and b"%PDF" not in stored and services.file_content(job_id) == pdf.data
    assert "Nguyễn Văn An" in pdf_text(pdf.data, 0) and "Lê Thị Bình" in pdf_text(pdf.data, 1)
    # the class page now points to the ready file instead of starting another
    assert f'href="/jobs/{job_id}"' in client.get(f"/certificates/class/{class_id}.pdf").get_data(as_text=True)


def test_a_class_pdf_is_not_given_out_after_a_certificate_in_it_is_revoked(app, client, class_id, tmp_path) -> None:
    """The file is kept in the database for days: a revocation made since (here by another server,
    its own instance folder, through the CLI) withdraws it, and the class page offers a new one."""
    from sqlalchemy import select

    from lms import create_app
    from lms.certificates.models import Certificate
    from tests.conftest import base_config

    login_as(client, "cogiao")
    job_id = start_class_pdf(client, class_id)
    wait_for(app, job_id, done, "finished")
    assert client.get(f"/jobs/{job_id}/download").status_code == 200
    with app.app_context():
        code = db.session.scalar(select(Certificate.code).where(Certificate.full_name == "Lê Thị Bình"))
    other = create_app({**base_config(tmp_path / "other-server", app.config["SQLALCHEMY_DATABASE_URI"]),
                        "SECRET_KEY": app.config["SECRET_KEY"],
                        "LMS_KEY_ENCRYPTION_KEY": app.config["LMS_KEY_ENCRYPTION_KEY"]})
    revoked = other.test_cli_runner().invoke(args=["lms", "certs", "revoke", code, "--reason", "Cấp nhầm người"])
    assert revoked.exit_code == 0, revoked.output
    with other.app_context():
        db.engine.dispose()
    assert client.get(f"/jobs/{job_id}/download").status_code == 404
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "Tệp này không còn để tải nữa." in page and f'href="/jobs/{job_id}/download"' not in page
    app.config["LMS_CLASS_PDF_SYNC_MAX"] = 0  # one certificate left: still a job
    class_page = client.get(f"/certificates/class/{class_id}.pdf").get_data(as_text=True)
    assert f'href="/jobs/{job_id}"' not in class_page  # not offered as "ready"
    assert f'action="/certificates/class/{class_id}/prepare"' in class_page
    job_id = start_class_pdf(client, class_id)  # the new one: the revoked certificate left out
    wait_for(app, job_id, done, "finished")
    pdf = client.get(f"/jobs/{job_id}/download")
    assert pdf.status_code == 200 and pdf_pages(pdf.data) == 1 and "Nguyễn Văn An" in pdf_text(pdf.data, 0)


def test_a_small_class_still_gets_its_pdf_on_the_request(app, client, class_id) -> None:
    app.config["LMS_CLASS_PDF_SYNC_MAX"] = 30
    login_as(client, "cogiao")
    answer = client.get(f"/certificates/class/{class_id}.pdf")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf" and pdf_pages(answer.data) == 2
    with app.app_context():
        assert db.session.query(Job).count() == 0


def test_an_unfinished_job_shows_its_percent_and_refreshes_itself(app, client, class_id) -> None:
    with app.app_context():
        job = services.create_job("class_certificates", user_id(app, "cogiao"), {"class_id": class_id})
        db.session.execute(update(Job).where(Job.id == job.id).values(status="running", progress=40,
                                                                         heartbeat_at=now_utc()))
        db.session.commit()
        job_id = job.id
    login_as(client, "cogiao")
    html = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="3">' in html
    assert 'value="40"' in html and "40%" in html and "Đang chuẩn bị tệp" in html
    assert "/download" not in html
    assert client.get(f"/jobs/{job_id}/download").status_code == 404  # nothing to download yet


def test_only_the_owner_or_who_could_start_it_sees_the_job(app, client, class_id) -> None:
    login_as(client, "cogiao")
    job_id = start_class_pdf(client, class_id)
    wait_for(app, job_id, done, "finished")
    guest = app.test_client()
    assert guest.get(f"/jobs/{job_id}").status_code == 302  # to the sign-in page
    assert guest.get(f"/jobs/{job_id}/download").status_code == 302
    for other in ("thaykhac", "0912000001"):  # another teacher; a learner of the class
        login_as(client, other)
        assert client.get(f"/jobs/{job_id}").status_code == 404
        assert client.get(f"/jobs/{job_id}/download").status_code == 404
        assert client.get(f"/jobs/{job_id + 1000}").status_code == 404
        client.post("/logout")
    login_as(client, "quantri")  # could have started it: an admin manages every class
    assert client.get(f"/jobs/{job_id}/download").status_code == 200
    client.post("/logout")
    login_as(client, "thaykhac")  # and cannot start one for a class that is not theirs
    page = client.get(f"/certificates/class/{class_id}.pdf")
    assert page.status_code == 404
    from tests.conftest import csrf_from

    token = csrf_from(client.get("/teach/").get_data(as_text=True))
    assert client.post(f"/certificates/class/{class_id}/prepare", data={"csrf_token": token}).status_code == 404
    assert client.post(f"/certificates/class/{class_id}/prepare").status_code in (400, 403, 404)  # no CSRF token
    with app.app_context():
        assert db.session.query(Job).count() == 1


def test_a_failed_job_says_why_in_the_readers_language(app, client, class_id) -> None:
    login_as(client, "cogiao")
    job_id = start_class_pdf(client, class_id)
    wait_for(app, job_id, done, "finished")
    for code in ("0912000001", "0912000002"):  # every certificate revoked: nothing left to print
        with app.app_context():
            from lms.certificates.models import Certificate

            cert_code = db.session.scalar(db.select(Certificate.code).where(
                Certificate.user_id == user_id(app, code)))
        assert app.test_cli_runner().invoke(args=["lms", "certs", "revoke", cert_code, "--reason", "Thi hộ"]
                                             ).exit_code == 0
    with app.app_context():
        job = services.create_job("class_certificates", user_id(app, "cogiao"), {"class_id": class_id})
        failed_id = job.id
    assert execute(app, failed_id) == "failed"
    assert job_row(app, failed_id).error_key == "no_certificates"
    html = client.get(f"/jobs/{failed_id}").get_data(as_text=True)
    assert 'role="alert"' in html and "Chưa có học viên nào của lớp này" in html and "refresh" not in html
    assert client.get(f"/jobs/{failed_id}/download").status_code == 404
    with app.app_context():  # the teacher reads English
        from lms.accounts.models import User

        db.session.execute(update(User).where(User.username == "cogiao").values(locale="en"))
        db.session.commit()
    english = client.get(f"/jobs/{failed_id}").get_data(as_text=True)
    assert "No learner of this class has a valid certificate yet." in english


def test_a_job_whose_runner_died_is_run_again_when_its_page_is_opened(app, client, class_id) -> None:
    app.config["LMS_JOB_STALE_SECONDS"] = 5
    with app.app_context():
        job = services.create_job("class_certificates", user_id(app, "cogiao"), {"class_id": class_id})
        job_id = job.id
        # a runner took it, then its process was killed: the heartbeat stopped a minute ago
        assert services.claim(db.engine, job_id) is not None
        db.session.execute(update(Job).where(Job.id == job_id).values(
            heartbeat_at=now_utc() - timedelta(minutes=1), progress=30))
        db.session.commit()
    login_as(client, "cogiao")
    client.get(f"/jobs/{job_id}")
    job = wait_for(app, job_id, done, "finished after its runner died")
    assert job.attempts == 2
    assert pdf_pages(client.get(f"/jobs/{job_id}/download").data) == 2


def test_a_job_that_keeps_losing_its_runner_fails_and_says_so(app, client, class_id) -> None:
    with app.app_context():
        job = services.create_job("class_certificates", user_id(app, "cogiao"), {"class_id": class_id})
        job_id = job.id
        db.session.execute(update(Job).where(Job.id == job_id).values(
            status="running", attempts=3, heartbeat_at=now_utc() - timedelta(hours=1)))
        db.session.commit()
        fresh = services.create_job("class_certificates", user_id(app, "cogiao"), {"class_id": class_id})
        db.session.execute(update(Job).where(Job.id == fresh.id).values(status="running", attempts=1,
                                                                          heartbeat_at=now_utc()))
        db.session.commit()
        assert services.recover_abandoned(db.engine, stale_seconds=60, max_attempts=3) == []
        assert job_row(app, fresh.id).status == "running"  # alive: left alone
    job = job_row(app, job_id)
    assert job.status == "failed" and job.error_key == "worker_lost"
    login_as(client, "cogiao")
    assert "máy chủ" in client.get(f"/jobs/{job_id}").get_data(as_text=True)


def test_a_job_is_run_once_even_when_submitted_twice(app, class_id) -> None:
    with app.app_context():
        job = services.create_job("class_certificates", user_id(app, "cogiao"), {"class_id": class_id})
        job_id = job.id
    assert execute(app, job_id) == "done"
    assert execute(app, job_id) == "skipped"
    assert job_row(app, job_id).attempts == 1


def test_old_finished_jobs_and_their_files_are_deleted(app, class_id) -> None:
    with app.app_context():
        job = services.create_job("class_certificates", user_id(app, "cogiao"), {"class_id": class_id})
        job_id = job.id
    assert execute(app, job_id) == "done"
    with app.app_context():
        assert services.queue_stats(db.engine) == {"queued": 0, "running": 0, "done": 1, "failed": 0}
        assert services.purge_finished(db.engine, 7) == 0
        db.session.execute(update(Job).where(Job.id == job_id).values(finished_at=now_utc() - timedelta(days=8)))
        db.session.commit()
        assert services.purge_finished(db.engine, 7) == 1
        assert services.file_content(job_id) is None and db.session.get(Job, job_id) is None


def test_a_finished_job_is_counted_and_the_queue_depth_is_scraped(app, client, class_id) -> None:
    from prometheus_client import REGISTRY

    def finished(outcome: str) -> float:
        return REGISTRY.get_sample_value("lms_jobs_total", {"job": "class_certificates", "outcome": outcome}) or 0.0

    before = finished("done")
    login_as(client, "cogiao")
    job_id = start_class_pdf(client, class_id)
    wait_for(app, job_id, done, "finished")
    assert finished("done") == before + 1
    with app.app_context():  # one waiting job shows in the gauge at the next scrape
        db.session.add(Job(kind="class_certificates", owner_id=user_id(app, "cogiao"), params={"class_id": class_id},
                           status="queued"))
        db.session.commit()
    scraped = client.get("/metrics").get_data(as_text=True)
    assert f'lms_queue_depth{{queue="{app.config["LMS_JOB_QUEUE"]}"}} 1.0' in scraped
