"""Two app servers, one PostgreSQL and one Redis (scale-out issue, the test): two gunicorn servers on
loopback, each with its own instance folder, started with the repository's gunicorn.conf.py.

* a certificate issued through server A verifies on B (HTML, JSON, API);
* revoked with ``lms certs revoke`` against A's folder, B says REVOKED within one second, and
  the PDF B kept in its own folder is never served again (410);
* after ``lms certs rotate-key``, new certificates from either server carry the new key id, and
  an older one stays VALID on both;
* ``LMS_VERIFY_RATE_LIMIT="5 per minute"`` in the environment: the sixth check from one address,
  spread over A and B, gets a 429 (one budget in Redis);
* /metrics adds up A's two workers; every log line is JSON with its request id;
* a class certificate batch started on A (the teacher's browser, with its CSRF token) waits in
  Redis, is built by ``lms worker`` (a process of its own, a third instance folder) and is
  followed and downloaded on B; a worker killed with SIGKILL in the middle of a job: the job is
  run again by the next worker and the download appears on B;
* a password sheet of a roster imported on A prints on B, and its one-time password signs in on B.

PostgreSQL and Redis are required, never skipped: if either is not reachable the test fails and
says so. It runs in `make test`'s first pass (whatever LMS_TEST_DB says: it always uses PostgreSQL)
and is left out of the PostgreSQL pass, which would only repeat it (marker ``multiserver``).
Every process the test starts (servers, workers) runs in a process group of its own and is
stopped when the test ends; the job queue has a name of its own, its Redis keys are deleted.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import time
import uuid
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from lms import create_app
from lms.certificates import keyring
from lms.certificates.sealing import new_kek
from lms.certificates.tokens import token_kid
from lms.courses.loader import import_courses
from lms.db import db
from lms.schema import upgrade
from tests.certs_helpers import PASSWORD, pass_quiz, pdf_pages, pdf_text, record
from tests.classes_helpers import enroll, make_class
from tests.conftest import FIXTURES, PG_URL, REPO, base_config, fresh_database, make_user
from tests.jobs_helpers import job_row, user_id
from tests.multiserver_helpers import (
    JSON,
    LMS,
    REDIS_URL,
    Browser,
    Cluster,
    Http,
    an_address,
    forget_queue,
    free_port,
    require,
    start_server,
    start_worker,
)

pytestmark = pytest.mark.multiserver


def _database(suffix: str) -> str:
    return fresh_database(f"lms_multiserver{suffix}")


@pytest.fixture(scope="module")
def cluster(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Cluster:
    require(PG_URL, "PostgreSQL (LMS_TEST_POSTGRES_URL)", 5432)
    require(REDIS_URL, "Redis (LMS_TEST_REDIS_URL)", 6379)
    url = _database(os.environ.get("LMS_TEST_DB_SUFFIX", ""))
    root = tmp_path_factory.mktemp("multiserver")
    kek, secret_key = new_kek(), secrets.token_hex(32)
    setup = create_app({**base_config(root / "setup", url), "LMS_KEY_ENCRYPTION_KEY": kek, "SECRET_KEY": secret_key})
    with setup.app_context():
        upgrade()  # what `lms init` does: the schema, then the first signing key
        keyring.ensure()
        db.session.commit()
        import_courses(FIXTURES / "courses", setup.extensions["lms"].question_types)

    def drop() -> None:
        with setup.app_context():
            db.session.remove()
            db.engine.dispose()
        admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
        admin.dispose()

    request.addfinalizer(drop)  # runs after the servers' finalizers (added later, run first)
    port_a, port_b = free_port(), free_port()
    queue = f"lms-test-multiserver-{uuid.uuid4().hex[:12]}"
    request.addfinalizer(lambda: forget_queue(queue))
    env = {key: value for key, value in os.environ.items() if not key.startswith(("LMS_", "PROMETHEUS_"))}
    env.update({
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        "LMS_DATABASE_URL": url,
        "SECRET_KEY": secret_key,  # the same on both: a session cookie works on either
        "LMS_KEY_ENCRYPTION_KEY": kek,
        "LMS_RATELIMIT_STORAGE_URI": REDIS_URL + "?socket_connect_timeout=0.5&socket_timeout=0.5",
        "LMS_VERIFY_RATE_LIMIT": "5 per minute",
        "LMS_BASE_URL": f"http://127.0.0.1:{port_a}",
        "LMS_COURSES_DIR": str(FIXTURES / "courses"),
        "LMS_LOG_FORMAT": "json",
        "LMS_REDIS_URL": REDIS_URL,  # long work goes to `lms worker` through this queue
        "LMS_JOB_QUEUE": queue,
        "LMS_JOB_STALE_SECONDS": "2",  # a killed worker's job is run again 2 s after its last heartbeat
        "LMS_JOB_TIMEOUT_SECONDS": "120",
        "LMS_CLASS_PDF_SYNC_MAX": "1",  # a class of two: a job, not a PDF made on the request
    })
    folders = {name: root / f"instance-{name}" for name in ("a", "b")}
    for folder in folders.values():
        folder.mkdir()
    logs = {
        "a": start_server("a", port_a, {**env, "WEB_CONCURRENCY": "2",
                                  "PROMETHEUS_MULTIPROC_DIR": str(root / "metrics-a")}, folders["a"], request),
        "b": start_server("b", port_b, {**env, "WEB_CONCURRENCY": "1",
                                  "PROMETHEUS_MULTIPROC_DIR": str(root / "metrics-b")}, folders["b"], request),
    }
    return Cluster(setup, Http(port_a), Http(port_b), {**env, "LMS_INSTANCE_PATH": str(folders["a"])}, logs,
                   env, root, queue)


def learner(cluster: Cluster, username: str, name: str) -> str:
    make_user(cluster.setup, username, PASSWORD, full_name=name)
    return username


def earn_through(cluster: Cluster, server: Http, username: str, name: str) -> tuple[str, str]:
    learner(cluster, username, name)
    result = pass_quiz(cluster.setup, server, username)
    code = result["certificate"]["code"]
    return code, record(cluster.setup, code).token


def statuses(server: Http, code: str, token: str) -> tuple[str, str, str]:
    """What the server says of a certificate: its HTML page, its JSON answer, the API."""
    page = server.get(f"/V/{token}?lang=en")
    html = [s for s in ("valid", "revoked", "invalid") if f'class="st st-{s}"' in page.text]
    as_json = server.get(f"/V/{token}", headers=JSON)
    api = server.get(f"/api/v1/certificates/{code}")
    assert page.status_code == as_json.status_code == api.status_code == 200
    return (html[0] if len(html) == 1 else "?"), as_json.json["status"], api.json["status"]


def lms_cli(cluster: Cluster, *args: str) -> str:
    done = subprocess.run([LMS, *args], env=cluster.env_a, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def wait_for(check, what: str, limit: float = 1.0) -> float:
    """Seconds until ``check()`` holds; fails if that takes longer than ``limit``."""
    start = time.monotonic()
    while not check():
        assert time.monotonic() - start <= limit, f"{what}: not within {limit} s"
        time.sleep(0.05)
    return time.monotonic() - start


def test_issued_on_a_verifies_on_b_and_a_revocation_shows_on_b_within_a_second(cluster) -> None:
    code, token = earn_through(cluster, cluster.a, "0912000001", "Nguyễn Văn An")
    assert statuses(cluster.b, code, token) == ("valid", "valid", "valid")
    assert statuses(cluster.a, code, token) == ("valid", "valid", "valid")
    # the holder downloads their PDF and credential from B, which keeps both in its own folder
    holder = Browser()
    assert holder.submit(cluster.b, "/login", {"login": "0912000001", "password": PASSWORD}).status_code == 302
    pdf = holder.open(cluster.b, f"/certificates/{code}/pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")
    assert holder.open(cluster.b, f"/certificates/{code}/credential.json").status_code == 200
    kept = cluster.root / "instance-b" / "certificates" / f"{code}.pdfa.pdf"
    assert kept.is_file()
    lms_cli(cluster, "certs", "revoke", code, "--reason", "Cấp nhầm")  # against A's folder
    took = wait_for(lambda: statuses(cluster.b, code, token) == ("revoked", "revoked", "revoked"),
                    "B says REVOKED")
    assert took <= 1.0
    assert statuses(cluster.a, code, token) == ("revoked", "revoked", "revoked")
    # B's kept PDF is still in its folder (A's revocation cannot reach it), and never served again
    assert kept.is_file()
    assert holder.open(cluster.b, f"/certificates/{code}/pdf").status_code == 410
    assert holder.open(cluster.b, f"/certificates/{code}/credential.json").status_code == 410


def test_a_key_rotation_reaches_both_servers_and_old_certificates_stay_valid(cluster) -> None:
    old_code, old_token = earn_through(cluster, cluster.b, "0912000002", "Trần Thị Bình")
    old_kid = token_kid(old_token)
    out = lms_cli(cluster, "certs", "rotate-key")  # against A's folder; B's knows nothing of it
    new_kid = out.split()[3]
    assert new_kid != old_kid and f"was {old_kid}" in out

    def published(server: Http) -> list[tuple[str, str]]:
        return [(k["kid"], k["status"]) for k in server.get("/.well-known/lms-keys.json").json["keys"]]

    for server in (cluster.a, cluster.b):
        wait_for(lambda server=server: published(server)[0] == (new_kid, "active"), "the new key published")
        assert (old_kid, "retired") in published(server)
    _code_a, token_a = earn_through(cluster, cluster.a, "0912000003", "Lê Văn Cường")
    _code_b, token_b = earn_through(cluster, cluster.b, "0912000004", "Phạm Thị Dung")
    assert token_kid(token_a) == token_kid(token_b) == new_kid
    for server in (cluster.a, cluster.b):
        assert statuses(server, old_code, old_token) == ("valid", "valid", "valid")


def test_the_verification_budget_is_shared_by_both_servers(cluster) -> None:
    code, token = earn_through(cluster, cluster.a, "0912000005", "Hoàng Văn Em")
    me = an_address()
    checks = [(cluster.a, f"/V/{token}"), (cluster.b, f"/verify?code={code}"),
              (cluster.a, f"/api/v1/certificates/{code}"), (cluster.b, f"/V/{token}"),
              (cluster.a, f"/verify?code={code}")]
    for server, path in checks:
        assert server.get(path, headers=JSON, source=me).status_code == 200
    sixth = cluster.b.get(f"/api/v1/certificates/{code}", source=me)
    assert sixth.status_code == 429 and int(sixth.headers["retry-after"]) >= 1
    assert cluster.a.get(f"/V/{token}", headers=JSON, source=me).status_code == 429
    assert cluster.b.get(f"/V/{token}", headers=JSON).status_code == 200  # another address: its own budget


def test_metrics_add_up_the_workers_and_logs_are_json_with_request_ids(cluster) -> None:
    probe = cluster.a.get("/healthz", headers={"X-Request-ID": "multiserver-probe-0001"}, source="127.0.0.1")
    assert probe.headers["x-request-id"] == "multiserver-probe-0001"
    text = cluster.a.get("/metrics", source="127.0.0.1").text
    issued = [line for line in text.splitlines() if line.startswith("lms_certificates_issued_total ")]
    assert issued and float(issued[0].split()[1]) >= 3  # learners 1, 3 and 5 earned theirs on A
    assert 'endpoint="lms_api.certificate_status"' in text and 'endpoint="lms_ops.readyz"' in text
    assert cluster.a.get("/metrics").status_code == 404  # not from another address (no token)
    time.sleep(0.5)  # gunicorn writes the access line after the response
    lines = [line for line in cluster.logs["a"].read_text().splitlines() if line.strip()]
    parsed = [json.loads(line) for line in lines]  # every line is JSON, gunicorn's own included
    assert all("request_id" in line and "message" in line for line in parsed)
    mine = [line for line in parsed if line["request_id"] == "multiserver-probe-0001"]
    assert mine and "/healthz" in mine[-1]["message"]
    assert PASSWORD not in cluster.logs["a"].read_text()


# -- the job queue: a class's certificates PDF, built by `lms worker` --------------------------

CLASS_LEARNERS = {"0912000006": "Vũ Thị Giang", "0912000007": "Đặng Văn Hùng"}
JOB_SECONDS = 60  # generous on a loaded 2-core machine; the loops end as soon as the page says so


@pytest.fixture(scope="module")
def batch(cluster: Cluster) -> tuple[Browser, int]:
    """The teacher's browser, signed in on A, and their class of two learners, each with a
    certificate (one earned through A, one through B)."""
    for (username, name), server in zip(CLASS_LEARNERS.items(), (cluster.a, cluster.b), strict=True):
        earn_through(cluster, server, username, name)
    make_user(cluster.setup, "cogiao", PASSWORD, roles={"teacher"}, full_name="Phạm Thị Giáo")
    class_id = make_class(cluster.setup, user_id(cluster.setup, "cogiao"), slugs=["dien-thoai"])
    enroll(cluster.setup, class_id, *(user_id(cluster.setup, username) for username in CLASS_LEARNERS))
    teacher = Browser()
    signed_in = teacher.submit(cluster.a, "/login", {"login": "cogiao", "password": PASSWORD})
    assert signed_in.status_code == 302, signed_in.text[:500]
    return teacher, class_id


def start_batch(teacher: Browser, server: Http, class_id: int) -> int:
    """As the teacher: open the class's PDF page, press "Prepare"; the job's id."""
    started = teacher.submit(server, f"/certificates/class/{class_id}.pdf", {},
                             action=f"/certificates/class/{class_id}/prepare")
    assert started.status_code == 303, started.status_code
    return int(started.headers["location"].rstrip("/").rsplit("/", 1)[-1])


def follow(teacher: Browser, server: Http, job_id: int, until: str) -> str:
    """Reload the job's page on ``server`` (as its refresh does) until it contains ``until``."""
    end = time.monotonic() + JOB_SECONDS
    while True:
        page = teacher.open(server, f"/jobs/{job_id}")
        assert page.status_code == 200, page.status_code
        if until in page.text:
            return page.text
        assert 'http-equiv="refresh"' in page.text  # a page still waiting refreshes without JavaScript
        assert time.monotonic() < end, f"job {job_id}: no {until!r} within {JOB_SECONDS} s:\n{page.text[-1500:]}"
        time.sleep(0.3)


def download(teacher: Browser, server: Http, job_id: int, class_id: int) -> bytes:
    page = follow(teacher, server, job_id, f'href="/jobs/{job_id}/download"')
    assert 'http-equiv="refresh"' not in page
    answer = teacher.open(server, f"/jobs/{job_id}/download")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    assert f"chung-nhan-lop-{class_id}.pdf" in answer.headers["content-disposition"]
    assert answer.data.startswith(b"%PDF-")
    return answer.data


def assert_class_pdf(data: bytes) -> None:
    """One page per learner, in the class list's order (by given name), each with its name."""
    import pypdfium2 as pdfium

    assert pdf_pages(data) == 2
    texts = [pdf_text(data, page).casefold() for page in range(2)]
    assert "Vũ Thị Giang".casefold() in texts[0] and "hùng" not in texts[0]
    assert "Đặng Văn Hùng".casefold() in texts[1] and "giang" not in texts[1]
    assert pdfium.PdfDocument(data).count_attachments() == 2  # each page's credential embedded


def test_a_class_batch_started_on_a_is_built_by_the_worker_and_downloads_from_b(
        cluster, batch, request) -> None:
    from redis import Redis
    from rq import Queue

    teacher, class_id = batch
    job_id = start_batch(teacher, cluster.a, class_id)
    # in Redis, and neither server runs it: no worker yet, the job waits its turn (seen on B)
    assert Queue(cluster.queue, connection=Redis.from_url(REDIS_URL)).count == 1
    assert job_row(cluster.setup, job_id).status == "queued"
    waiting = follow(teacher, cluster.b, job_id, '<progress max="100" value="0"')
    assert 'http-equiv="refresh"' in waiting
    _worker, log = start_worker(cluster, request, "worker-1")
    assert_class_pdf(download(teacher, cluster.b, job_id, class_id))
    job = job_row(cluster.setup, job_id)
    assert job.status == "done" and job.attempts == 1 and job.error_key is None
    assert f"lms job {job_id}" in log.read_text(encoding="utf-8", errors="replace")  # RQ's line: it ran it


def test_a_worker_killed_with_sigkill_mid_job_the_job_is_run_again_and_downloads(cluster, batch, request) -> None:
    teacher, class_id = batch
    held, _held_log = start_worker(cluster, request, "worker-held", hold=True)
    job_id = start_batch(teacher, cluster.a, class_id)
    follow(teacher, cluster.b, job_id, "<strong>50%</strong>")  # the first page made, the second not
    os.killpg(held.pid, signal.SIGKILL)  # the worker and anything it started, without warning
    held.wait(10)
    killed = job_row(cluster.setup, job_id)
    assert killed.status == "running" and killed.attempts == 1 and killed.progress == 50
    _worker, log = start_worker(cluster, request, "worker-2")
    assert_class_pdf(download(teacher, cluster.b, job_id, class_id))
    job = job_row(cluster.setup, job_id)
    assert job.status == "done" and job.attempts == 2 and job.error_key is None
    assert f"lms job {job_id}" in log.read_text(encoding="utf-8", errors="replace")  # the new worker ran it


def test_a_password_sheet_made_on_a_is_printed_on_b_and_its_passwords_work_there(cluster, batch) -> None:
    """The one-time passwords of a roster imported on A are in the database, sealed with the
    shared SECRET_KEY: B prints the sheet, and a learner signs in on B with their slip."""
    from sqlalchemy import select

    from lms.classes import passwords
    from lms.classes.models import PasswordSheet
    from tests.classes_helpers import roster_csv

    teacher, _class_id = batch
    class_id = make_class(cluster.setup, user_id(cluster.setup, "cogiao"), name="Lớp tổ 5", slugs=["dien-thoai"])
    roster = f"/teach/classes/{class_id}/roster"
    uploaded = teacher.submit(cluster.a, roster, {}, files={"roster": (
        "danh-sach.csv", roster_csv("Ngô Thị Hoa,0912000008,1960,", "Bùi Văn Khoa,0912000009,1955,"))})
    assert uploaded.status_code == 302, uploaded.text[:500]
    preview = urlsplit(uploaded.headers["location"]).path
    assert teacher.submit(cluster.a, preview, {}, action=preview + "/import").status_code in (302, 303)
    with cluster.setup.app_context():
        sheet = db.session.scalar(select(PasswordSheet).where(PasswordSheet.class_id == class_id))
        entries = {entry["login"]: entry["password"] for entry in passwords.read_sheet(sheet)}
        sheet_id = sheet.id
    assert set(entries) == {"0912000008", "0912000009"}
    printed = teacher.open(cluster.b, f"/teach/classes/{class_id}/sheets/{sheet_id}.pdf")
    assert printed.status_code == 200 and printed.data.startswith(b"%PDF-")
    assert entries["0912000009"] in pdf_text(printed.data).replace(" ", "")
    learner = Browser()
    signed_in = learner.submit(cluster.b, "/login", {"login": "0912000009", "password": entries["0912000009"]})
    assert signed_in.status_code == 302 and "/login" not in signed_in.headers["location"]
