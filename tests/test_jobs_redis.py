"""The job queue across servers (scale-out issue, item 3 and its part of the two-server test):
a class's certificates PDF started on server A is built by ``lms worker`` and downloaded from
server B (another instance folder, the same database); a worker killed with SIGKILL in the
middle of a job: the job is run again by a new worker and the download appears.

Redis at 127.0.0.1:6379 (``LMS_TEST_REDIS_URL`` to change it), each test on a queue of its
own. When Redis cannot be reached the same scenarios run on the embedded default (the app's
background thread, which also takes over a job Redis refused), so nothing is skipped.
"""

from __future__ import annotations

import os
import signal
import uuid
from pathlib import Path

import pytest

from lms import create_app
from lms.certificates.sealing import new_kek
from lms.db import db
from tests.certs_helpers import login_as, pdf_pages
from tests.conftest import base_config
from tests.jobs_helpers import class_with_certificates, job_row, start_class_pdf, start_worker, stop, wait_for

KEK = new_kek()
REDIS_URL = os.environ.get("LMS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def redis_answers() -> bool:
    try:
        from redis import Redis

        return bool(Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping())
    except Exception:
        return False


REDIS = redis_answers()


@pytest.fixture
def queue_name():
    """A queue of this test's own on the shared Redis; its keys are deleted afterwards."""
    name = f"lms-test-{uuid.uuid4().hex[:12]}"
    yield name
    if REDIS:
        from redis import Redis
        from rq import Queue

        connection = Redis.from_url(REDIS_URL)
        queue = Queue(name, connection=connection)
        for registry in (queue.started_job_registry, queue.failed_job_registry, queue.finished_job_registry):
            for job_id in registry.get_job_ids(cleanup=False) if hasattr(registry, "get_job_ids") else []:
                connection.delete(f"rq:job:{job_id}")
        queue.delete(delete_jobs=True)
        for key in connection.scan_iter(f"rq:*{name}*"):
            connection.delete(key)


@pytest.fixture
def servers(app, client, courses, units, tmp_path: Path, queue_name: str):
    """Server A (the ``app`` fixture), server B (another instance folder, the same database) and
    the environment a worker of theirs runs with."""
    settings = {
        # without Redis: an address where nothing listens, so A's jobs fall back to its thread
        "LMS_REDIS_URL": REDIS_URL if REDIS else "redis://127.0.0.1:1/0",
        "LMS_JOB_QUEUE": queue_name,
        "LMS_JOB_STALE_SECONDS": 2,
        "LMS_JOB_TIMEOUT_SECONDS": 120,  # RQ's keys of a killed worker's job expire after it (+60 s)
        "LMS_CLASS_PDF_SYNC_MAX": 1,
        # every server and the worker open the signing keys kept in the database with this key
        # (the worker signs the credentials it embeds in the PDF)
        "LMS_KEY_ENCRYPTION_KEY": KEK,
    }
    app.config.update(settings)
    class_id = class_with_certificates(app, client)
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    app_b = create_app({**base_config(tmp_path / "instance-b", url), **settings})
    assert app_b.instance_path != app.instance_path
    env = {"LMS_DATABASE_URL": url, "LMS_INSTANCE_PATH": str(tmp_path / "instance-worker"),
           "SECRET_KEY": app.config["SECRET_KEY"], "LMS_COURSES_DIR": app.config["LMS_COURSES_DIR"],
           **{key: str(value) for key, value in settings.items()}}
    yield app_b, class_id, env
    with app_b.app_context():
        db.session.remove()
        db.engine.dispose()


def download_on_b(app_b, job_id: int) -> bytes:
    client_b = app_b.test_client()
    login_as(client_b, "cogiao")
    page = client_b.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert f'href="/jobs/{job_id}/download"' in page
    answer = client_b.get(f"/jobs/{job_id}/download")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    return answer.data


def test_a_class_pdf_started_on_a_is_built_by_the_worker_and_downloads_from_b(
        app, client, servers, tmp_path: Path) -> None:
    app_b, class_id, env = servers
    login_as(client, "cogiao")
    job_id = start_class_pdf(client, class_id)
    if REDIS:
        # on the queue, and nothing in server A runs it: the worker will
        assert job_row(app, job_id).status == "queued"
        worker = start_worker(env, tmp_path / "worker.log")
        try:
            job = wait_for(app, job_id, lambda j: j.status == "done", "built by the worker")
        finally:
            stop(worker)
    else:  # Redis refused the job: server A's thread made it
        job = wait_for(app, job_id, lambda j: j.status == "done", "built by server A's thread")
    assert job.attempts == 1
    assert pdf_pages(download_on_b(app_b, job_id)) == 2


def test_a_worker_killed_in_the_middle_of_a_job_is_replaced_and_the_download_appears(
        app, client, servers, tmp_path: Path) -> None:
    app_b, class_id, env = servers
    log = tmp_path / "worker.log"
    login_as(client, "cogiao")
    if REDIS:
        first = start_worker(env, log, slow_seconds=4)  # a page, then 4 s: time to kill it mid-job
        job_id = start_class_pdf(client, class_id)
    else:
        # no Redis: the job is run by a process of its own, as a web server's thread would be
        app.config["LMS_JOB_RUNNER"] = "thread"
        from lms.jobs import services

        with app.app_context():
            job_id = services.create_job("class_certificates", job_row_owner(app), {"class_id": class_id}).id
        first = start_worker(env, log, "run-one", str(job_id), slow_seconds=4)
    try:
        wait_for(app, job_id, lambda j: j.status == "running" and j.progress >= 50, "half done")
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)
    finally:
        stop(first)
    killed = job_row(app, job_id)
    assert killed.status == "running" and killed.attempts == 1  # its runner is gone; the row does not know yet
    if REDIS:
        second = start_worker(env, log)  # its sweep finds the silent job and queues it again
        try:
            job = wait_for(app, job_id, lambda j: j.status == "done", "finished by the second worker")
        finally:
            stop(second)
    else:
        # whoever opens the job's page (here on server B) sees its heartbeat stopped and runs it again
        client_b = app_b.test_client()
        login_as(client_b, "cogiao")

        def finished(job) -> bool:
            client_b.get(f"/jobs/{job_id}")
            return job.status == "done"

        job = wait_for(app_b, job_id, finished, "finished on server B")
    assert job.attempts == 2 and job.error_key is None
    assert pdf_pages(download_on_b(app_b, job_id)) == 2
    if REDIS:
        assert "queued again" in log.read_text(encoding="utf-8", errors="replace")


def job_row_owner(app) -> int:
    from tests.jobs_helpers import user_id

    return user_id(app, "cogiao")


def test_a_job_redis_lost_is_queued_again_by_the_worker(app, client, servers, tmp_path: Path) -> None:
    """The database says queued, Redis has nothing (restarted without persistence)."""
    from lms.jobs import services

    app_b, class_id, env = servers
    from datetime import timedelta

    from sqlalchemy import update

    from lms.db import now_utc
    from lms.jobs.models import Job

    with app.app_context():
        job_id = services.create_job("class_certificates", job_row_owner(app), {"class_id": class_id}).id
        # recorded a minute ago, never handed to Redis
        db.session.execute(update(Job).where(Job.id == job_id).values(created_at=now_utc() - timedelta(minutes=1)))
        db.session.commit()
    if REDIS:
        worker = start_worker(env, tmp_path / "worker.log")  # its sweep finds the job Redis never had
        try:
            job = wait_for(app, job_id, lambda j: j.status == "done", "found by the worker's sweep")
        finally:
            stop(worker)
    else:  # without Redis, whoever opens the job's page runs a job no thread took
        client_b = app_b.test_client()
        login_as(client_b, "cogiao")

        def finished(job) -> bool:
            client_b.get(f"/jobs/{job_id}")
            return job.status == "done"

        job = wait_for(app_b, job_id, finished, "run from server B's page")
    assert job.attempts == 1
    assert pdf_pages(download_on_b(app_b, job_id)) == 2
