"""The ``lms`` command line: users, roles, units, seed, quiz check; and the console script."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import select

from lms.accounts.models import User
from lms.db import db
from tests.conftest import FIXTURES, REPO, login


def test_users_create_and_set_role(app, runner, units) -> None:
    result = runner.invoke(args=["lms", "users", "create", "canbo1", "--password", "ca-phe-sua-da-1",
                                 "--role", "official", "--name", "Lê Văn Cán", "--audience", "officials",
                                 "--unit", "26734"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "canbo1"))
        assert user.roles == {"learner", "official"} and user.unit.code == "26734"
        assert user.full_name == "Lê Văn Cán"
    result = runner.invoke(args=["lms", "users", "set-role", "canbo1", "teacher", "admin"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "canbo1")).roles == {"learner", "teacher", "admin"}
    login(app.test_client(), "canbo1", "ca-phe-sua-da-1")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["x1", "--password", "12345678"], "too easy"),
        (["ab", "--password", "ca-phe-sua-da-1"], "3 to 32"),
        (["u123", "--password", "ca-phe-sua-da-1", "--unit", "99999"], "unknown unit"),
        (["u123", "--password", "ca-phe-sua-da-1", "--role", "pilot"], "pilot"),
    ],
)
def test_users_create_refuses_bad_input(app, runner, units, args, message) -> None:
    os.environ.setdefault("LANG", "C")
    result = runner.invoke(args=["lms", "users", "create", *args])
    assert result.exit_code != 0
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == args[0])) is None


def test_set_role_unknown_user(runner) -> None:
    result = runner.invoke(args=["lms", "users", "set-role", "nobody", "admin"])
    assert result.exit_code != 0 and "no such account" in result.output


def test_seed_demo_is_idempotent_and_prints_accounts(app, runner) -> None:
    first = runner.invoke(args=["lms", "seed-demo"])
    second = runner.invoke(args=["lms", "seed-demo"])
    assert first.exit_code == 0 and first.output == second.output
    assert "admin" in first.output and "giaovien" in first.output
    password = next(line.split()[1] for line in first.output.splitlines() if line.strip().startswith("admin "))
    login(app.test_client(), "admin", password)
    mode = os.stat(Path(app.instance_path) / "demo-accounts.json").st_mode & 0o777
    assert mode == 0o600


def test_quiz_check_prints_summary_and_fails_on_errors(runner, tmp_path: Path) -> None:
    ok = runner.invoke(args=["lms", "quiz", "check", str(FIXTURES / "courses/dien-thoai/quiz.gift")])
    assert ok.exit_code == 0 and "4 questions" in ok.output and "truefalse 1" in ok.output
    bad = tmp_path / "bad.gift"
    bad.write_text("::Q1:: Câu một {=a ~b}\n\n::Q2:: Câu hai {=a ~b\n", encoding="utf-8")
    result = runner.invoke(args=["lms", "quiz", "check", str(bad)])
    assert result.exit_code == 1 and f"{bad}:3:" in result.output


def test_console_script_runs(tmp_path: Path) -> None:
    env = {**os.environ, "LMS_INSTANCE_PATH": str(tmp_path / "inst")}
    env.pop("LMS_DATABASE_URL", None)
    lms = Path(sys.executable).parent / "lms"
    out = subprocess.run([str(lms), "init"], env=env, capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr
    out = subprocess.run([str(lms), "courses", "import", str(FIXTURES / "courses")], env=env,
                         capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0 and "2 new" in out.stdout, out.stderr


def test_gunicorn_serves_create_app(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "LMS_INSTANCE_PATH": str(tmp_path / "inst"), "SECRET_KEY": "gunicorn-test",
           "LMS_BASE_URL": f"http://127.0.0.1:{port}"}
    env.pop("LMS_DATABASE_URL", None)
    subprocess.run([str(Path(sys.executable).parent / "lms"), "init"], env=env, check=True, capture_output=True)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2", "lms:create_app()"],
        env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/courses/", timeout=5) as response:
                    assert response.status == 200
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
    finally:
        server.terminate()
        server.wait(60)  # gunicorn.conf.py (read from the folder) stops its workers gracefully


def test_gunicorn_refuses_to_start_without_base_url(tmp_path: Path) -> None:
    """Behind gunicorn the LMS's address must be configured, never taken from a Host header."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "LMS_INSTANCE_PATH": str(tmp_path / "inst"), "SECRET_KEY": "gunicorn-test"}
    env.pop("LMS_DATABASE_URL", None)
    env.pop("LMS_BASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1", "lms:create_app()"],
        env=env, cwd=REPO, capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode != 0
    assert "LMS_BASE_URL is not set" in done.stderr


def test_users_set_password_resets_a_forgotten_password(app, runner) -> None:
    from tests.conftest import make_user

    make_user(app)
    result = runner.invoke(args=["lms", "users", "set-password", "0912345678"])
    assert result.exit_code == 0, result.output
    one_time = result.output.rsplit("one-time password: ", 1)[1].strip()
    client = app.test_client()
    login(client, "0912345678", one_time)
    assert client.get("/me").headers["Location"].startswith("/password")  # must choose a new one
    weak = runner.invoke(args=["lms", "users", "set-password", "0912345678", "--password", "12345678"])
    assert weak.exit_code != 0
    login(app.test_client(), "0912345678", one_time)  # the refused password changed nothing
    assert runner.invoke(args=["lms", "users", "set-password", "nobody"]).exit_code != 0
