"""Two app servers, one PostgreSQL and one Redis (scale-out issue, the test): two gunicorn servers on
loopback, each with its own instance folder, started with the repository's gunicorn.conf.py.

* a certificate issued through server A verifies on B (HTML, JSON, API);
* revoked with ``lms certs revoke`` against A's folder, B says REVOKED within one second;
* after ``lms certs rotate-key``, new certificates from either server carry the new key id, and
  an older one stays VALID on both;
* ``LMS_VERIFY_RATE_LIMIT="5 per minute"`` in the environment: the sixth check from one address,
  spread over A and B, gets a 429 (one budget in Redis);
* /metrics adds up A's two workers; every log line is JSON with its request id.

PostgreSQL and Redis are required, never skipped: if either is not reachable the test fails and
says so. It runs in `make test`'s first pass (whatever LMS_TEST_DB says: it always uses PostgreSQL)
and is left out of the PostgreSQL pass, which would only repeat it (marker ``multiserver``).
The job-queue parts (a batch built by the worker, a killed worker) belong to ``lms worker``.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
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
from tests.certs_helpers import PASSWORD, pass_quiz, record
from tests.conftest import FIXTURES, PG_URL, REPO, base_config, fresh_database, make_user

pytestmark = pytest.mark.multiserver

REDIS_URL = os.environ.get("LMS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
LMS = str(Path(sys.executable).parent / "lms")
JSON = {"Accept": "application/json"}


def require(url: str, what: str, default_port: int) -> None:
    parts = urlsplit(url.replace("postgresql+psycopg", "postgresql"))
    try:
        socket.create_connection((parts.hostname or "127.0.0.1", parts.port or default_port), 3).close()
    except OSError:
        pytest.fail(f"{what} is not reachable at {parts.hostname}:{parts.port or default_port}: the two-server "
                    f"test needs it and is never skipped (start it, or point {what}'s URL variable elsewhere)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def an_address() -> str:
    """A loopback address of its own (Linux answers on all of 127/8): each check gets its own rate
    budget, except where the test wants one shared."""
    return f"127.{random.randint(20, 250)}.{random.randint(0, 250)}.{random.randint(2, 250)}"


@dataclass
class Answer:
    status_code: int
    headers: dict[str, str]
    data: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.data)

    @property
    def text(self) -> str:
        return self.data.decode()


class Http:
    """What tests.certs_helpers.pass_quiz needs of a client, over real HTTP to one server."""

    def __init__(self, port: int, source: str | None = None) -> None:
        self.port, self.source = port, source

    def request(self, method: str, path: str, json_body: object = None, headers: dict | None = None,
                source: str | None = None) -> Answer:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60,
                                                source_address=(source or self.source or an_address(), 0))
        body = None
        headers = dict(headers or {})
        if json_body is not None:
            body = json.dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
        finally:
            connection.close()

    def get(self, path: str, headers: dict | None = None, source: str | None = None) -> Answer:
        return self.request("GET", path, headers=headers, source=source)

    def post(self, path: str, json: object = None, headers: dict | None = None) -> Answer:
        return self.request("POST", path, json_body=json, headers=headers)

    def put(self, path: str, json: object = None, headers: dict | None = None) -> Answer:
        return self.request("PUT", path, json_body=json, headers=headers)


@dataclass
class Cluster:
    setup: object  # an in-process app on the same database: users, courses, right answers
    a: Http
    b: Http
    env_a: dict[str, str]
    logs: dict[str, Path]


def _database(suffix: str) -> str:
    return fresh_database(f"lms_multiserver{suffix}")


def _start(name: str, port: int, env: dict[str, str], folder: Path, request: pytest.FixtureRequest) -> Path:
    log = folder.parent / f"{name}.log"
    handle = log.open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(REPO / "gunicorn.conf.py"), "--bind", f"127.0.0.1:{port}",
         "lms:create_app()"],
        env={**env, "LMS_INSTANCE_PATH": str(folder)}, cwd=REPO, stdout=handle, stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopping it stops its workers, nothing else
    )

    def stop() -> None:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(10)
        handle.close()

    request.addfinalizer(stop)
    deadline = time.monotonic() + 90
    while True:
        try:
            if Http(port, "127.0.0.1").get("/readyz").status_code == 200:
                return log
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"server {name} did not become ready:\n" + log.read_text()[-3000:])
        time.sleep(0.3)


@pytest.fixture(scope="module")
def cluster(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Cluster:
    require(PG_URL, "PostgreSQL (LMS_TEST_POSTGRES_URL)", 5432)
    require(REDIS_URL, "Redis (LMS_TEST_REDIS_URL)", 6379)
    url = _database(os.environ.get("LMS_TEST_DB_SUFFIX", ""))
    root = tmp_path_factory.mktemp("multiserver")
    kek = new_kek()
    setup = create_app({**base_config(root / "setup", url), "LMS_KEY_ENCRYPTION_KEY": kek})
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
    env = {key: value for key, value in os.environ.items() if not key.startswith(("LMS_", "PROMETHEUS_"))}
    env.update({
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        "LMS_DATABASE_URL": url,
        "SECRET_KEY": secrets.token_hex(32),  # the same on both: a session cookie works on either
        "LMS_KEY_ENCRYPTION_KEY": kek,
        "LMS_RATELIMIT_STORAGE_URI": REDIS_URL + "?socket_connect_timeout=0.5&socket_timeout=0.5",
        "LMS_VERIFY_RATE_LIMIT": "5 per minute",
        "LMS_BASE_URL": f"http://127.0.0.1:{port_a}",
        "LMS_COURSES_DIR": str(FIXTURES / "courses"),
        "LMS_LOG_FORMAT": "json",
    })
    folders = {name: root / f"instance-{name}" for name in ("a", "b")}
    for folder in folders.values():
        folder.mkdir()
    logs = {
        "a": _start("a", port_a, {**env, "WEB_CONCURRENCY": "2",
                                  "PROMETHEUS_MULTIPROC_DIR": str(root / "metrics-a")}, folders["a"], request),
        "b": _start("b", port_b, {**env, "WEB_CONCURRENCY": "1",
                                  "PROMETHEUS_MULTIPROC_DIR": str(root / "metrics-b")}, folders["b"], request),
    }
    return Cluster(setup, Http(port_a), Http(port_b), {**env, "LMS_INSTANCE_PATH": str(folders["a"])}, logs)


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
    lms_cli(cluster, "certs", "revoke", code, "--reason", "Cấp nhầm")  # against A's folder
    took = wait_for(lambda: statuses(cluster.b, code, token) == ("revoked", "revoked", "revoked"),
                    "B says REVOKED")
    assert took <= 1.0
    assert statuses(cluster.a, code, token) == ("revoked", "revoked", "revoked")


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
