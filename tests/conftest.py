"""Shared fixtures: a fresh migrated database per test, on SQLite or (LMS_TEST_DB=postgres) PostgreSQL."""

from __future__ import annotations

import functools
import os
import re
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from lms import create_app
from lms.db import db

DB_KIND = os.environ.get("LMS_TEST_DB", "sqlite")
PG_URL = os.environ.get("LMS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
FIXTURES = Path(__file__).resolve().parent / "fixtures"
REPO = Path(__file__).resolve().parent.parent
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def _worker_db_url(worker_id: str) -> str:
    """One PostgreSQL database per xdist worker, created fresh for the session."""
    # LMS_TEST_DB_SUFFIX keeps two checkouts testing at once on one server out of each other's way
    return fresh_database(f"lms_test_{worker_id}{os.environ.get('LMS_TEST_DB_SUFFIX', '')}")


def fresh_database(name: str) -> str:
    """An empty PostgreSQL database ``name`` (dropped first if it exists); its URL."""
    name = name.replace("-", "_")
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return PG_URL.rsplit("/", 1)[0] + "/" + name


def base_config(instance: Path, url: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "LMS_INSTANCE_PATH": str(instance),
        "SQLALCHEMY_DATABASE_URI": url,
        "LMS_COURSES_DIR": str(FIXTURES / "courses"),
        "LMS_RATELIMIT_STORAGE_URI": "memory://",
    }


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> str:
    """A database migrated to head once per worker; each test starts from a copy of it."""
    from lms.schema import upgrade

    if DB_KIND == "postgres":
        url = _worker_db_url(worker_id)
    else:
        url = "sqlite:///" + str(tmp_path_factory.mktemp("template") / "lms.sqlite3")
    app = create_app(base_config(tmp_path_factory.mktemp("tinstance"), url))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return url


TABLE_ORDER: list[str] = []


def _reset_postgres(app) -> None:
    tables = [t.name for t in db.metadata.sorted_tables]
    with db.engine.begin() as conn:
        conn.execute(sa.text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))


@pytest.fixture
def app(tmp_path: Path, template_db: str):
    instance = tmp_path / "instance"
    instance.mkdir()
    if DB_KIND == "postgres":
        url = template_db
    else:
        url = "sqlite:///" + str(instance / "lms.sqlite3")
        shutil.copy(template_db.removeprefix("sqlite:///"), instance / "lms.sqlite3")
    app = create_app(base_config(instance, url))
    with app.app_context():
        if DB_KIND == "postgres":
            _reset_postgres(app)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1) or match.group(2)


def post_form(client, page_url: str, data: dict, action: str | None = None, **kwargs):
    """Open the page like a browser, then submit its form with the page's CSRF token."""
    page = client.get(page_url)
    data = {"csrf_token": csrf_from(page.get_data(as_text=True)), **data}
    return client.post(action or page_url, data=data, **kwargs)


@pytest.fixture
def units(app):
    """A small unit tree: one province with two communes."""
    from lms.units.importer import UnitRow, import_units

    with app.app_context():
        import_units(
            [
                UnitRow("79", "Thành phố Hồ Chí Minh", "province", None),
                UnitRow("26734", "Phường Sài Gòn", "commune", "79"),
                UnitRow("26740", "Phường Tân Định", "commune", "79"),
                UnitRow("01", "Thành phố Hà Nội", "province", None),
                UnitRow("00004", "Phường Ba Đình", "commune", "01"),
            ],
            "test",
            "test-list",
        )
    return app


@pytest.fixture
def courses(app):
    """The fixture course folder, imported."""
    from lms.courses.loader import import_courses

    with app.app_context():
        import_courses(FIXTURES / "courses", app.extensions["lms"].question_types)
    return app


def make_user(app, username: str = "0912345678", password: str = "mat-khau-tot-2026", *,
              roles: set[str] | None = None, audience: str = "citizens", unit_code: str | None = None,
              full_name: str = "Nguyễn Văn An", locale: str | None = None, birth_year: int | None = 1970):
    from werkzeug.security import generate_password_hash

    from lms.accounts.models import User
    from lms.accounts.services import find_unit, set_roles

    with app.app_context():
        unit = find_unit(unit_code)
        user = User(
            username=username, phone=username if username.isdigit() else None, full_name=full_name,
            audience=audience, unit_id=unit.id if unit else None, birth_year=birth_year,
            password_hash=generate_password_hash(password, method="pbkdf2:sha256:1000"),
            **({"locale": locale} if locale else {}),
        )
        db.session.add(user)
        db.session.flush()
        set_roles(user, roles or set())
        db.session.commit()
        return user.id


def login(client, username: str = "0912345678", password: str = "mat-khau-tot-2026"):
    response = post_form(client, "/login", {"login": username, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if DB_KIND != "postgres":
        return
    # `make test` leaves them out of its PostgreSQL pass ("not browser"); this is for a hand run
    same_run = pytest.mark.skip(reason="browser tests serve their own SQLite app whatever LMS_TEST_DB says: "
                                       "on PostgreSQL they would repeat the SQLite run")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(same_run)


def require_chromium() -> None:
    """Fail, not skip: `make test` installs Chromium with apt-get, so its absence is a broken install."""
    from tests.test_browser import CHROMIUM

    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        pytest.fail("Chromium is missing: `make test` installs it with apt-get")


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless, driven by Playwright (its own browser download is not used)."""
    from playwright.sync_api import sync_playwright

    from tests.test_browser import ARGS, CHROMIUM

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield chromium
        chromium.close()


@functools.cache
def _vietnamese() -> dict[str, str]:
    from babel.messages.pofile import read_po

    with open(REPO / "translations" / "vi" / "LC_MESSAGES" / "lms.po", "rb") as handle:
        return {m.id: m.string for m in read_po(handle) if m.id and isinstance(m.id, str)}


def vi(msgid: str, **params: object) -> str:
    """The Vietnamese a page shows for an English message (pages default to Vietnamese)."""
    text = _vietnamese().get(msgid) or msgid
    return text % params if params else text
