"""Secrets out of logs (security issue, item 10): a failed insert logged a password hash through
SQLAlchemy's parameters; tokens and hashes must never reach a log."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy.exc import IntegrityError

from lms.accounts.models import User
from lms.db import db
from tests.conftest import make_user

SECRET_HASH = "scrypt:32768:8:1$SaltSaltSalt$" + "ab12" * 32


def test_failed_user_insert_does_not_log_the_password_hash(app, caplog) -> None:
    make_user(app)
    caplog.set_level(logging.DEBUG)  # every logger, SQLAlchemy's engine log included
    with app.app_context():
        db.session.add(User(username="0912345678", full_name="Kẻ Trùng Tên", password_hash=SECRET_HASH))
        with pytest.raises(IntegrityError) as caught:
            db.session.commit()
        db.session.rollback()
        logging.getLogger("lms").exception("user insert failed")  # what an error handler does with it
    assert "user insert failed" in caplog.text
    assert SECRET_HASH not in str(caught.value)
    assert "ab12ab12" not in caplog.text and "SaltSaltSalt" not in caplog.text


def test_engine_hides_parameters(app) -> None:
    with app.app_context():
        assert db.engine.hide_parameters is True


def test_token_endpoint_logs_no_token_and_no_password(app, client, caplog) -> None:
    make_user(app)
    caplog.set_level(logging.DEBUG)
    response = client.post("/api/v1/auth/token", json={"username": "0912345678", "password": "mat-khau-tot-2026"})
    raw = response.json["token"]
    listing = client.get("/api/v1/auth/tokens", headers={"Authorization": "Bearer " + raw})
    client.post("/api/v1/auth/token", json={"username": "0912345678", "password": "sai-mat-khau-nhe"})
    assert listing.status_code == 200
    import hashlib

    digest = hashlib.sha256(raw.encode()).hexdigest()
    for secret in (raw, digest, "mat-khau-tot-2026", "sai-mat-khau-nhe"):
        assert secret not in caplog.text
