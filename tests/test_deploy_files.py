"""Deployment files (scale-out issue, item 5): docker-compose.yml, deploy/nginx.conf, the Dockerfile and
gunicorn.conf.py say what the README promises.

`docker compose config` is the check the issue names. Where the docker CLI has the compose plugin,
this test runs it; this machine's docker CLI has none (``docker compose version``: "unknown
command"), so here the file is read with PyYAML and its structure checked: every service, every
``LMS_*`` variable parsed as the LMS would at start-up, anchors and merges resolved, ``${VAR:?}``
required variables present. The two-server test (tests/test_multiserver.py) runs the same
gunicorn.conf.py for real.
"""

from __future__ import annotations

import gc
import os
import re
import runpy
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from lms.envsettings import KINDS, RENAMED, parse_setting
from tests.conftest import REPO

COMPOSE = REPO / "docker-compose.yml"
#: environment variables the LMS reads that are not settings of the README's table's parser
ENV_ONLY = {"LMS_DATABASE_URL", "LMS_INSTANCE_PATH", "LMS_KEY_ENCRYPTION_KEY", "LMS_BIND", "SECRET_KEY",
            "PROMETHEUS_MULTIPROC_DIR", "LMS_PDF_WARM_UP"}
SAMPLE_ENV = {"POSTGRES_PASSWORD": "pw", "SECRET_KEY": "s" * 64, "LMS_KEY_ENCRYPTION_KEY": "k" * 43 + "=",
              "LMS_BASE_URL": "https://hoc.example.vn", "LMS_HOST": "hoc.example.vn"}
_VAR = re.compile(r"\$\{([A-Z_]+)(:\?[^}]*)?\}")


def compose_command() -> list[str] | None:
    """``docker compose`` (the plugin), else ``docker-compose`` (Debian's 1.29, which `make test`
    installs and which checks the same Compose Specification), else None (PyYAML checks only)."""
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0:
        return [docker, "compose"]
    if shutil.which("docker-compose"):
        return [shutil.which("docker-compose")]
    return None


def substitute(text: str, env: dict[str, str]) -> str:
    def value(match: re.Match) -> str:
        name, required = match.group(1), match.group(2)
        if name not in env:
            assert not required, f"${{{name}}} is required and unset"
            return ""
        return env[name]

    return _VAR.sub(value, text)


@pytest.fixture(scope="module")
def compose() -> dict:
    text = COMPOSE.read_text()
    assert {found[0] for found in _VAR.findall(text)} <= set(SAMPLE_ENV)
    return yaml.safe_load(substitute(text, SAMPLE_ENV))


def test_docker_compose_config_accepts_the_file(tmp_path) -> None:
    command = compose_command()
    if command is not None:
        def config(path: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
            return subprocess.run([*command, "-f", str(path), "config", "--quiet"], cwd=REPO, timeout=120,
                                  env={**os.environ, **env}, capture_output=True, text=True)

        done = config(COMPOSE, SAMPLE_ENV)
        assert done.returncode == 0, done.stderr
        # the tool really checks: a misspelt key and a missing secret are refused
        broken = tmp_path / "docker-compose.yml"
        broken.write_text(COMPOSE.read_text().replace("    healthcheck:\n      test: [\"CMD-SHELL\"",
                                                      "    healthchek:\n      test: [\"CMD-SHELL\"", 1))
        assert broken.read_text() != COMPOSE.read_text()
        assert config(broken, SAMPLE_ENV).returncode != 0
        unset = config(COMPOSE, {k: v for k, v in SAMPLE_ENV.items() if k != "SECRET_KEY"} | {"SECRET_KEY": ""})
        assert unset.returncode != 0 and "SECRET_KEY" in unset.stderr
    # with or without the plugin: a required variable left unset is refused, naming it
    with pytest.raises(AssertionError, match="SECRET_KEY"):
        substitute(COMPOSE.read_text(), {k: v for k, v in SAMPLE_ENV.items() if k != "SECRET_KEY"})


def test_the_services_are_the_production_shape(compose) -> None:
    services = compose["services"]
    assert {"proxy", "app1", "app2", "worker", "postgres", "redis", "migrate"} <= set(services)
    for name in ("app1", "app2"):
        app = services[name]
        assert app["command"][:3] == ["gunicorn", "-c", "/app/gunicorn.conf.py"]
        assert app["environment"]["LMS_BIND"] == "0.0.0.0:8000"
        assert app["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert "/readyz" in " ".join(app["healthcheck"]["test"])
    # separate instance folders: nothing a server needs from another is kept in one
    folders = {services[name]["volumes"][0].split(":")[0] for name in ("app1", "app2", "worker", "migrate")}
    assert len(folders) == 4
    assert services["worker"]["command"] == ["lms", "worker"]
    assert services["migrate"]["command"] == ["lms", "init"]
    assert services["proxy"]["depends_on"]["app1"]["condition"] == "service_healthy"
    for name in ("postgres", "redis"):
        assert services[name]["healthcheck"]["test"]


def test_every_lms_variable_is_one_the_lms_reads_and_parses(compose) -> None:
    for name in ("app1", "app2", "worker", "migrate"):
        env = compose["services"][name]["environment"]
        assert env["LMS_DATABASE_URL"].startswith("postgresql+psycopg://lms:pw@postgres:5432/")
        assert env["LMS_RATELIMIT_STORAGE_URI"].startswith("redis://redis:6379/")
        assert env["LMS_KEY_ENCRYPTION_KEY"] == SAMPLE_ENV["LMS_KEY_ENCRYPTION_KEY"]
        assert env["LMS_PROXY_COUNT"] == "1"  # exactly one proxy (nginx) in front
        # one job queue for the servers that start jobs and the worker that runs them
        assert env["LMS_REDIS_URL"] == "redis://redis:6379/1"
        for key, value in env.items():
            if key in KINDS or key in RENAMED:
                parse_setting(key, str(value))  # what start-up would do: a bad value stops it
            else:
                assert key in ENV_ONLY, f"{name}: {key} is read by nothing"


def test_the_proxy_balances_both_servers_and_hides_metrics(compose) -> None:
    mount = compose["services"]["proxy"]["volumes"][0]
    conf = (REPO / mount.split(":")[0]).read_text()
    assert "server app1:8000" in conf and "server app2:8000" in conf
    assert "location = /metrics { return 404; }" in conf
    assert "X-Forwarded-For $proxy_add_x_forwarded_for" in conf and "X-Forwarded-Proto $scheme" in conf
    assert "proxy_set_header Host $host" in conf  # LMS_TRUSTED_HOSTS sees the real host name


def test_the_dockerfile_is_multi_stage_and_not_root() -> None:
    text = (REPO / "Dockerfile").read_text()
    stages = re.findall(r"^FROM \S+ AS (\w+)", text, flags=re.M)
    assert len(stages) >= 2
    final = text[text.rindex("\nFROM "):]
    user = re.findall(r"^USER (\S+)", final, flags=re.M)
    assert user and user[-1].split(":")[0] not in ("0", "root")
    assert "COPY --from=build /venv /venv" in final and "pip install" not in final
    assert "gunicorn.conf.py" in final
    # the LMS's bytecode is in the image: with PYTHONDONTWRITEBYTECODE every worker would compile it
    build = text[:text.rindex("\nFROM ")]
    assert "COPY lms ./lms" in build and "python -m compileall -q lms" in build
    assert build.index("COPY lms ./lms") < build.index("python -m compileall -q lms")


@pytest.fixture(autouse=True)
def collector_as_it_was():
    """gunicorn.conf.py switches Python's collector off and freezes objects (for a server's master);
    this test process gets its own collector back afterwards."""
    yield
    gc.unfreeze()
    gc.enable()


def test_gunicorn_conf_loads_the_app_without_collections_and_forks_frozen(tmp_path, monkeypatch) -> None:
    """Python's recipe for a forking server (gc.freeze's documentation): no collection while the app
    loads, everything loaded frozen before the first fork, the collector on again for the workers."""
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    conf = runpy.run_path(str(REPO / "gunicorn.conf.py"))
    assert not gc.isenabled()  # from reading the file on: gunicorn loads the app next
    app = type("A", (), {"wsgi": staticmethod(lambda: object())})()
    preloaded = type("Server", (), {"cfg": type("Cfg", (), {"preload_app": True})(), "app": app, "log": None})()
    conf["when_ready"](preloaded)
    assert gc.isenabled() and gc.get_freeze_count() > 1000
    gc.unfreeze()
    # a worker that loads the app itself (LMS_PRELOAD=0): off from its fork to its app loaded
    own = type("Server", (), {"cfg": type("Cfg", (), {"preload_app": False})(), "app": app, "log": None})()
    conf["post_fork"](own, None)
    assert not gc.isenabled()
    conf["post_worker_init"](None)
    assert gc.isenabled() and gc.get_freeze_count() > 1000
    gc.unfreeze()
    gc.disable()
    conf["post_fork"](preloaded, None)  # forked from a preloaded master: on in the worker, always
    assert gc.isenabled() and gc.get_freeze_count() == 0
    # kill -HUP reads the file again (off), then calls on_reload, not when_ready: on again
    runpy.run_path(str(REPO / "gunicorn.conf.py"))
    assert not gc.isenabled()
    conf["on_reload"](preloaded)
    assert gc.isenabled()


def test_gunicorn_conf_workers_preload_and_metrics_hooks(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    conf = runpy.run_path(str(REPO / "gunicorn.conf.py"))
    assert conf["workers"] == min(2 * (os.cpu_count() or 1) + 1, 12)
    assert conf["preload_app"] is True and conf["worker_class"] == "sync"
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("LMS_PRELOAD", "0")
    again = runpy.run_path(str(REPO / "gunicorn.conf.py"))
    assert again["workers"] == 3 and again["preload_app"] is False
    (tmp_path / "counter_999.db").write_bytes(b"old")
    conf["on_starting"](None)
    assert not list(tmp_path.glob("*.db"))  # a previous run's figures are not added in
    # child_exit drops a dead worker's live gauges (prometheus_client's own file naming)
    (tmp_path / "gauge_livesum_4242.db").write_bytes(b"")
    conf["child_exit"](None, type("Worker", (), {"pid": 4242})())
    assert not (tmp_path / "gauge_livesum_4242.db").exists()


def test_gunicorn_conf_logs_json_when_asked(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    monkeypatch.setenv("LMS_LOG_FORMAT", "json")
    conf = runpy.run_path(str(REPO / "gunicorn.conf.py"))
    assert conf["logconfig_dict"]["formatters"]["json"]["()"] == "lms.logs.JsonFormatter"
    assert "{x-request-id}o" in conf["access_log_format"] and "%(U)s" in conf["access_log_format"]
    assert "%(r)s" not in conf["access_log_format"]  # no query strings in the access log


def test_gunicorn_conf_warms_up_a_preloaded_lms_only(tmp_path, monkeypatch) -> None:
    from flask import Flask

    from lms import create_app
    from tests.conftest import base_config

    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    conf = runpy.run_path(str(REPO / "gunicorn.conf.py"))

    def server(wsgi, preload: bool = True):
        cfg = type("Cfg", (), {"preload_app": preload})()
        return type("Server", (), {"cfg": cfg, "app": type("A", (), {"wsgi": staticmethod(lambda: wsgi)})(),
                                   "log": None})()

    bare = Flask("bare")
    conf["when_ready"](server(bare))  # not the LMS: nothing done, nothing raised
    lms = create_app(base_config(tmp_path, f"sqlite:///{tmp_path}/lms.sqlite3"))
    conf["when_ready"](server(lms, preload=False))
    assert not lms.jinja_env.cache
    conf["when_ready"](server(lms))
    assert "lms/courses/catalogue.html" in {name for _loader, name in lms.jinja_env.cache}
