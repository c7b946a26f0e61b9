"""The two-server test's machinery (tests/test_multiserver.py): HTTP to a server from an address
of its own, a browser with cookies and CSRF tokens, starting gunicorn servers and `lms worker`
in process groups of their own (stopped when the test ends). No tests here."""

from __future__ import annotations

import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest

from tests.conftest import REPO, csrf_from

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


class Browser:
    """One person's browser: its own address, its cookies (the session works on A and B: one
    SECRET_KEY), forms sent with the page's CSRF token."""

    def __init__(self) -> None:
        self.source, self.cookies = an_address(), SimpleCookie()

    def open(self, server: Http, path: str, form: dict | None = None, files: dict | None = None) -> Answer:
        """GET, or POST ``form`` (urlencoded; multipart with ``files``: name -> (filename, bytes))."""
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60,
                                                source_address=(self.source, 0))
        headers = {"Cookie": "; ".join(f"{k}={m.value}" for k, m in self.cookies.items())} if self.cookies else {}
        body = None
        if files:
            boundary = uuid.uuid4().hex
            parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                     for k, v in (form or {}).items()]
            parts += [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"; filename="{name}"\r\n'
                      f"Content-Type: text/csv\r\n\r\n".encode() + data + b"\r\n"
                      for k, (name, data) in files.items()]
            body = b"".join(parts) + f"--{boundary}--\r\n".encode()
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        elif form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request("GET" if body is None else "POST", path, body=body, headers=headers)
            response = connection.getresponse()
            for cookie in response.headers.get_all("Set-Cookie") or []:
                self.cookies.load(cookie)
            return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
        finally:
            connection.close()

    def submit(self, server: Http, page: str, form: dict, action: str | None = None,
               files: dict | None = None) -> Answer:
        """Open ``page``, then send its form (to ``action``) with the page's CSRF token."""
        html = self.open(server, page)
        assert html.status_code == 200, html.status_code
        return self.open(server, action or page, {"csrf_token": csrf_from(html.text), **form}, files)


@dataclass
class Cluster:
    setup: object  # an in-process app on the same database: users, courses, right answers
    a: Http
    b: Http
    env_a: dict[str, str]
    logs: dict[str, Path]
    env: dict[str, str]  # what every server and worker shares (each adds its own instance folder)
    root: Path
    queue: str  # the job queue's name: this test's own on the shared Redis


def start_server(name: str, port: int, env: dict[str, str], folder: Path, request: pytest.FixtureRequest) -> Path:
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



def forget_queue(name: str) -> None:
    """Delete the test queue's keys from the shared Redis, its jobs' too (a killed worker's job
    lingers in its registries)."""
    from redis import Redis
    from rq import Queue

    connection = Redis.from_url(REDIS_URL)
    queue = Queue(name, connection=connection)
    for registry in (queue.started_job_registry, queue.failed_job_registry, queue.finished_job_registry):
        for job_id in registry.get_job_ids(cleanup=False):
            connection.delete(f"rq:job:{job_id}")
    queue.delete(delete_jobs=True)
    for key in connection.scan_iter(f"rq:*{name}*"):
        connection.delete(key)



def start_worker(cluster: Cluster, request: pytest.FixtureRequest, name: str, hold: bool = False):
    """``lms worker`` in a process group of its own, with an instance folder of its own; stopped
    when the test ends. ``hold``: it stops after the first page of a class PDF, its heartbeat
    still beating, until killed (tests/jobs_worker.py: the only difference, in this process)."""
    folder = cluster.root / f"instance-{name}"
    folder.mkdir()
    log = cluster.root / f"{name}.log"
    handle = log.open("wb")
    env = {**cluster.env, "LMS_INSTANCE_PATH": str(folder)}
    command = [LMS, "worker"]
    if hold:
        env["LMS_TEST_HOLD_AFTER_PART"] = "1"
        command = [sys.executable, "-m", "tests.jobs_worker"]  # `lms worker`, the hook added
    worker = subprocess.Popen(command, env=env, cwd=REPO, stdout=handle, stderr=subprocess.STDOUT,
                              start_new_session=True)

    def stop() -> None:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait(10)
        handle.close()

    request.addfinalizer(stop)
    return worker, log
