"""The factory, the extension mounted in a host app, configuration and response headers."""

from __future__ import annotations

import gzip
import os
import stat
from pathlib import Path

from flask import Flask

from lms import LMS, create_app
from lms.db import db
from lms.schema import upgrade
from tests.conftest import FIXTURES, base_config, csrf_from


def test_secret_key_generated_once_with_mode_0600(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    instance = tmp_path / "inst"
    first = create_app({"LMS_INSTANCE_PATH": str(instance)})
    second = create_app({"LMS_INSTANCE_PATH": str(instance)})
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) >= 32
    mode = stat.S_IMODE(os.stat(instance / "secret_key").st_mode)
    assert mode == 0o600


def test_secret_key_and_instance_from_environment(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("LMS_INSTANCE_PATH", str(tmp_path / "elsewhere"))
    monkeypatch.delenv("LMS_DATABASE_URL", raising=False)
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert app.instance_path == str(tmp_path / "elsewhere")
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'elsewhere' / 'lms.sqlite3'}"


def test_database_url_from_environment(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("LMS_DATABASE_URL", f"sqlite:///{tmp_path}/other.db")
    app = create_app({"LMS_INSTANCE_PATH": str(tmp_path / "i"), "SECRET_KEY": "x"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/other.db"


def _host_app(tmp_path: Path) -> Flask:
    host = Flask("portal", instance_path=str(tmp_path / "host-instance"))
    host.config.update(base_config(tmp_path / "host-instance", f"sqlite:///{tmp_path}/host.db"))

    @host.route("/")
    def portal_home() -> str:
        return "Cổng thông tin của tỉnh"

    ext = LMS()
    ext.init_app(host, url_prefix="/hoc")
    with host.app_context():
        upgrade()
        from lms.courses.loader import import_courses
        from lms.units.importer import UnitRow, import_units

        import_units([UnitRow("79", "TP HCM", "province", None), UnitRow("26734", "Phường Sài Gòn", "commune", "79")],
                     "t", "t")
        import_courses(FIXTURES / "courses", host.extensions["lms"].question_types)
    return host


def test_mounted_under_prefix_learner_journey(tmp_path: Path) -> None:
    host = _host_app(tmp_path)
    client = host.test_client()
    assert client.get("/").get_data(as_text=True) == "Cổng thông tin của tỉnh"
    page = client.get("/hoc/register")
    assert page.status_code == 200
    assert 'href="/hoc/static/lms.css?v=' in page.get_data(as_text=True)
    # the host owns /favicon.ico: pages point at the LMS's copy, which it also serves at its root
    assert '<link rel="icon" href="/hoc/static/favicon.ico?v=' in page.get_data(as_text=True)
    assert client.get("/hoc/favicon.ico").status_code == 200 and client.get("/favicon.ico").status_code == 404
    response = client.post("/hoc/register", data={
        "csrf_token": csrf_from(page.get_data(as_text=True)), "login": "0987000111", "full_name": "Lê Thị Hoa",
        "birth_year": "1975", "audience": "citizens", "province": "79", "commune": "26734",
        "password": "hoa-cuc-vang-75",
    })
    assert response.status_code == 302 and response.headers["Location"] == "/hoc/"
    home = client.get("/hoc/").get_data(as_text=True)
    assert "/hoc/courses/dien-thoai/" in home
    lesson = client.get("/hoc/courses/dien-thoai/lessons/01-bat-may")
    assert "Bật máy và mở khoá" in lesson.get_data(as_text=True)
    done = client.post("/hoc/courses/dien-thoai/lessons/01-bat-may/done",
                       data={"csrf_token": csrf_from(lesson.get_data(as_text=True))})
    assert done.headers["Location"] == "/hoc/courses/dien-thoai/lessons/02-ket-noi-wifi"
    # the host's own routes get none of our headers or hooks
    assert "Content-Security-Policy" not in client.get("/").headers
    with host.app_context():
        tables = set(db.inspect(db.engine).get_table_names())
    assert "lms_alembic_version" in tables and "alembic_version" not in tables


def test_cli_registered_in_host(tmp_path: Path) -> None:
    host = _host_app(tmp_path)
    result = host.test_cli_runner().invoke(args=["lms", "init"])
    assert result.exit_code == 0, result.output


def test_responses_are_compressed_and_static_cached(client, courses) -> None:
    page = client.get("/courses/dien-thoai/lessons/01-bat-may", headers={"Accept-Encoding": "gzip"})
    assert page.headers["Content-Encoding"] == "gzip"
    assert "Bật máy" in gzip.decompress(page.data).decode()
    css = client.get("/static/lms.css?v=1", headers={"Accept-Encoding": "gzip"})
    assert css.status_code == 200
    assert "max-age=31536000" in css.headers["Cache-Control"]
    assert css.headers["Content-Encoding"] == "gzip"


def test_security_headers(client, courses) -> None:
    page = client.get("/courses/")
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Content-Type-Options"] == "nosniff"


def test_host_with_its_own_flask_sqlalchemy_gets_a_clear_error(tmp_path: Path) -> None:
    import pytest
    from flask_sqlalchemy import SQLAlchemy

    host = Flask("portal", instance_path=str(tmp_path / "host"))
    host.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path}/host.db"
    SQLAlchemy(host)
    with pytest.raises(RuntimeError, match="own Flask-SQLAlchemy"):
        LMS(host, url_prefix="/hoc")
