"""Helpers for the job-queue tests (tests/test_jobs*.py): a class with certificates, waiting for
a job, the `lms worker` subprocess. No tests here."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import select

from lms.accounts.models import User
from lms.db import db
from lms.jobs.models import Job
from tests.certs_helpers import earn, login_as
from tests.classes_helpers import enroll, make_class
from tests.conftest import REPO, make_user

#: generous: a loaded 2-core machine; the loops end as soon as the condition holds
WAIT_SECONDS = 90


def class_with_certificates(app, client) -> int:
    """Two learners with a certificate each, in a class of the teacher "cogiao"; the class id."""
    earn(app, client, "0912000001", "Nguyễn Văn An", unit_code="26734")
    earn(app, client, "0912000002", "Lê Thị Bình", unit_code="26740")
    make_user(app, "cogiao", roles={"teacher"}, full_name="Phạm Thị Giáo")
    make_user(app, "thaykhac", roles={"teacher"}, full_name="Hồ Văn Khác")
    make_user(app, "quantri", roles={"admin"}, full_name="Quản Trị Viên")
    class_id = make_class(app, user_id(app, "cogiao"), slugs=["dien-thoai"])
    enroll(app, class_id, user_id(app, "0912000001"), user_id(app, "0912000002"))
    return class_id


def user_id(app, username: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username))


def start_class_pdf(client, class_id: int) -> int:
    """As the signed-in teacher: open the class's PDF page, press "Prepare"; the job's id."""
    from tests.conftest import csrf_from

    page = client.get(f"/certificates/class/{class_id}.pdf")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.mimetype == "text/html", page.status_code
    assert f'action="/certificates/class/{class_id}/prepare"' in html
    started = client.post(f"/certificates/class/{class_id}/prepare", data={"csrf_token": csrf_from(html)})
    assert started.status_code == 303, started.status_code
    return int(started.location.rstrip("/").rsplit("/", 1)[-1])


def job_row(app, job_id: int) -> Job:
    with app.app_context():
        job = db.session.scalar(select(Job).where(Job.id == job_id).execution_options(populate_existing=True))
        db.session.expunge(job)
        db.session.remove()
        return job


def wait_for(app, job_id: int, condition, what: str, seconds: float = WAIT_SECONDS) -> Job:
    end = time.monotonic() + seconds
    while True:
        job = job_row(app, job_id)
        if condition(job):
            return job
        if time.monotonic() > end:
            raise AssertionError(f"job {job_id} never {what}: {job.status} {job.progress}% {job.error_key}")
        time.sleep(0.2)


def login_teacher(client) -> None:
    login_as(client, "cogiao")


def start_worker(env: dict[str, str], log: Path, *args: str, slow_seconds: float = 0) -> subprocess.Popen:
    """``lms worker`` in a new process (its output in ``log``); the caller stops it. ``args``
    ``("run-one", "7")``: run job 7 in the process, as a web process's thread would."""
    full = {**os.environ, **env, "PYTHONPATH": str(REPO)}
    full.pop("LMS_TEST_SLOW_PART_SECONDS", None)
    if slow_seconds:
        full["LMS_TEST_SLOW_PART_SECONDS"] = str(slow_seconds)
    with open(log, "ab") as out:
        return subprocess.Popen([sys.executable, "-m", "tests.jobs_worker", *args], cwd=REPO, env=full,
                                stdout=out, stderr=subprocess.STDOUT)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
