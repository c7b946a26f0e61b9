"""LMS_DATABASE_REPLICA_URL (scale-out issue, item 4): the coverage dashboards and the public pages
(verification by QR, code and API; the public figures) read from a read-only database, and still
work. The "replica" here is the test database itself, reached through a role whose transactions
are read-only (PostgreSQL: ``ALTER ROLE ... IN DATABASE ... SET default_transaction_read_only =
on``, with every privilege granted, so only read-only-ness stops a write; SQLite: the file opened
with ``mode=ro``): a write on those pages would fail there. The primary is watched too: those
pages send it no write at all."""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import make_url

import lms.coverage.views as coverage_views
from lms import create_app
from lms.certificates.records import by_code, revoke
from lms.db import REPLICA, db
from tests.certs_helpers import earn, record
from tests.conftest import DB_KIND, base_config, login, make_user
from tests.coverage_helpers import build_population

ROLE = f"lms_read_only{os.environ.get('LMS_TEST_DB_SUFFIX', '')}".replace("-", "_")
WRITES = ("INSERT", "UPDATE", "DELETE", "CREATE", "ALTER", "DROP", "TRUNCATE")


def read_only_url(app) -> str:
    primary = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if DB_KIND != "postgres":
        return f"sqlite:///file:{primary.database}?mode=ro&uri=true"
    with app.app_context(), db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        exists = conn.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": ROLE}).first()
        if exists is None:
            conn.execute(sa.text(f'CREATE ROLE "{ROLE}" LOGIN'))
        conn.execute(sa.text(f'ALTER ROLE "{ROLE}" IN DATABASE "{primary.database}" '
                             "SET default_transaction_read_only = on"))
        conn.execute(sa.text(f'GRANT ALL ON ALL TABLES IN SCHEMA public TO "{ROLE}"'))
        conn.execute(sa.text(f'GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO "{ROLE}"'))
    return primary.set(username=ROLE, password=None).render_as_string(hide_password=False)


@pytest.fixture
def setup(app, client, units, courses, tmp_path):
    """A certificate, population figures and an official on the primary; then a server whose
    replica is the read-only connection."""
    build_population(app)
    code = earn(app, client, unit_code="26734")
    make_user(app, "canbo", roles={"official"}, audience="officials", unit_code="79", full_name="Lê Văn Cán",
              locale="en")
    folder = tmp_path / "server"
    folder.mkdir()
    server = create_app({**base_config(folder, app.config["SQLALCHEMY_DATABASE_URI"]),
                         "LMS_DATABASE_REPLICA_URL": read_only_url(app)})
    yield server, code
    with server.app_context():
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()


def statements(engine, seen: list[str]) -> None:
    event.listen(engine, "before_cursor_execute", lambda _c, _cur, sql, *_a: seen.append(sql.strip().upper()))


def test_the_replica_is_really_read_only(setup) -> None:
    server, _code = setup
    with server.app_context(), db.engines[REPLICA].connect() as conn, pytest.raises(sa.exc.DBAPIError) as failed:
        conn.execute(sa.text("UPDATE lms_users SET full_name = 'X'"))
    assert "read-only" in str(failed.value).lower() or "readonly" in str(failed.value).lower()


def test_public_pages_and_dashboards_read_the_replica_and_never_write(setup, app) -> None:
    server, code = setup
    token = record(app, code).token
    with server.app_context():
        on_primary, on_replica = [], []
        statements(db.engine, on_primary)
        statements(db.engines[REPLICA], on_replica)
    coverage_views._public_cache.clear()  # the public figures are kept 5 minutes per process
    guest = server.test_client()
    json = {"Accept": "application/json"}
    assert guest.get(f"/V/{token}", headers=json).json["status"] == "valid"
    assert 'class="st st-valid"' in guest.get(f"/V/{token}?lang=en").get_data(as_text=True)
    assert guest.get(f"/verify?code={code}", headers=json).json["status"] == "valid"
    assert guest.get(f"/api/v1/certificates/{code}").json["status"] == "valid"
    public = guest.get("/coverage/public?unit=79&lang=en")
    assert public.status_code == 200 and "<svg" in public.get_data(as_text=True)
    assert not [sql for sql in on_primary if sql.startswith(WRITES)], on_primary
    official = server.test_client()
    login(official, "canbo")
    on_primary.clear()  # signing in writes a session (on the primary, as it must); the pages follow
    dashboard = official.get("/coverage/?unit=79&year=2026&on=2026-06-30")
    assert dashboard.status_code == 200 and dashboard.get_data(as_text=True).count("<svg") == 2
    export = official.get("/coverage/export.csv?unit=79&year=2026&on=2026-06-30")
    assert export.status_code == 200 and export.mimetype == "text/csv" and b"79" in export.data
    assert any(sql.startswith("SELECT") for sql in on_replica)
    assert not [sql for sql in on_replica if sql.startswith(WRITES)]
    assert not [sql for sql in on_primary if sql.startswith(WRITES)], on_primary
    # the coverage figures came from the replica, not from the primary
    assert any("LMS_CERTIFICATES" in sql or "LMS_COVERAGE" in sql or "LMS_UNITS" in sql for sql in on_replica)


def test_a_revocation_shows_through_the_replica(setup, app) -> None:
    server, code = setup
    guest = server.test_client()
    json = {"Accept": "application/json"}
    assert guest.get(f"/verify?code={code}", headers=json).json["status"] == "valid"
    with app.app_context():
        revoke(by_code(code), "Cấp nhầm", None)
        db.session.commit()
    server.config["LMS_VERIFY_CHANGE_SECONDS"] = 0  # look at the change counter (on the replica) now
    assert guest.get(f"/verify?code={code}", headers=json).json["status"] == "revoked"
    assert guest.get(f"/api/v1/certificates/{code}").json["status"] == "revoked"
