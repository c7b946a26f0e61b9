"""/healthz and /readyz (scale-out issue, item 4): a load balancer sends traffic only to a server
whose database and Redis answer and whose schema is at the newest migration."""

from __future__ import annotations

import socket

import pytest
import sqlalchemy as sa

from lms.db import db


def test_healthz_answers_without_the_database(app, client) -> None:
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:////nonexistent/folder/x.sqlite3"
    answer = client.get("/healthz")
    assert answer.status_code == 200 and answer.json == {"status": "ok"}


def test_readyz_is_ready_on_a_migrated_database(client) -> None:
    answer = client.get("/readyz")
    assert answer.status_code == 200, answer.json
    assert answer.json["checks"]["database"]["ok"] and answer.json["checks"]["migrations"]["ok"]
    assert "redis" not in answer.json["checks"]  # the embedded default has none


def test_readyz_refuses_a_schema_behind_the_code(app, client) -> None:
    with app.app_context():
        head = db.session.execute(sa.text("SELECT version_num FROM lms_alembic_version")).scalar_one()
        db.session.execute(sa.text("UPDATE lms_alembic_version SET version_num = 'c0ea7e2a1b90'"))
        db.session.commit()
    try:
        answer = client.get("/readyz")
        assert answer.status_code == 503 and answer.json["status"] == "not ready"
        assert "c0ea7e2a1b90" in answer.json["checks"]["migrations"]["detail"]
    finally:
        with app.app_context():
            db.session.execute(sa.text("UPDATE lms_alembic_version SET version_num = :v"), {"v": head})
            db.session.commit()


def _redis_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), 1).close()
    except OSError:
        return False
    return True


def test_readyz_checks_redis_when_it_is_configured(app, client) -> None:
    with socket.socket() as probe:  # a port where nothing listens
        probe.bind(("127.0.0.1", 0))
        dead = probe.getsockname()[1]
    app.config["LMS_RATELIMIT_STORAGE_URI"] = f"redis://127.0.0.1:{dead}/0"
    answer = client.get("/readyz")
    assert answer.status_code == 503 and answer.json["checks"]["redis"]["ok"] is False
    if not _redis_answers():
        pytest.skip("no Redis on 127.0.0.1:6379 to show the ready case")
    app.config["LMS_RATELIMIT_STORAGE_URI"] = "redis://127.0.0.1:6379/0"
    answer = client.get("/readyz")
    assert answer.status_code == 200 and answer.json["checks"]["redis"]["ok"] is True


def test_readyz_checks_the_job_queue_redis_when_jobs_go_to_a_worker(app, client) -> None:
    assert "job_queue" not in client.get("/readyz").json["checks"]  # jobs in a thread: nothing to reach
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = probe.getsockname()[1]
    app.config["LMS_REDIS_URL"] = f"redis://127.0.0.1:{dead}/0"
    answer = client.get("/readyz")
    assert answer.status_code == 503 and answer.json["checks"]["job_queue"]["ok"] is False
    app.config["LMS_REDIS_URL"] = "redis://127.0.0.1:6379/0"
    answer = client.get("/readyz")
    assert answer.status_code == 200 and answer.json["checks"]["job_queue"]["ok"] is True
