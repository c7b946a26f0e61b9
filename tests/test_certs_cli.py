"""``lms certs keygen | rotate-key | keys | revoke | reissue``."""

from __future__ import annotations

import stat
from pathlib import Path

from sqlalchemy import select

from lms.accounts.models import AuditLog
from lms.certificates.models import SigningKey
from lms.db import db
from tests.certs_helpers import earn, record
from tests.conftest import make_user


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_keygen_is_idempotent_and_keeps_keys_private(app, runner) -> None:
    first = runner.invoke(args=["lms", "certs", "keygen"])
    assert first.exit_code == 0 and "created" in first.output
    kid = first.output.split()[2]
    # in the database, sealed; the key-encryption key (embedded mode) is a 0600 file
    assert mode(Path(app.instance_path) / "key_encryption_key") == 0o600
    assert not (Path(app.instance_path) / "keys").exists()
    with app.app_context():
        [row] = db.session.scalars(select(SigningKey)).all()
        assert row.kid == kid and row.status == "active" and row.sealed_private and row.kek_id
    again = runner.invoke(args=["lms", "certs", "keygen"])
    assert again.exit_code == 0 and kid in again.output and "already active" in again.output
    with app.app_context():
        assert len(db.session.scalars(select(SigningKey)).all()) == 1


def test_rotate_and_list_keys(app, runner) -> None:
    kid = runner.invoke(args=["lms", "certs", "keygen"]).output.split()[2]
    rotated = runner.invoke(args=["lms", "certs", "rotate-key"])
    assert rotated.exit_code == 0 and f"was {kid}" in rotated.output
    new = rotated.output.split()[3]
    listed = runner.invoke(args=["lms", "certs", "keys"]).output.split()
    assert listed == [new, "active", kid, "retired"]


def test_keys_from_the_environment_cannot_be_rotated_here(app, runner, monkeypatch) -> None:
    import base64
    import os

    monkeypatch.setenv("LMS_CERT_PRIVATE_KEYS", base64.b64encode(os.urandom(32)).decode())
    result = runner.invoke(args=["lms", "certs", "rotate-key"])
    assert result.exit_code != 0 and "LMS_CERT_PRIVATE_KEYS" in result.output


def test_revoke_and_reissue(app, client, runner, courses) -> None:
    code = earn(app, client)
    assert runner.invoke(args=["lms", "certs", "revoke", code]).exit_code != 0  # --reason is required
    make_user(app, "quantri", roles={"admin"}, full_name="Quản Trị")
    result = runner.invoke(args=["lms", "certs", "revoke", code.lower(), "--reason", "Cấp nhầm", "--by", "quantri"])
    assert result.exit_code == 0, result.output
    cert = record(app, code)
    assert cert.status == "revoked" and cert.revoked_reason == "Cấp nhầm" and cert.revoked_at is not None
    with app.app_context():
        entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "certificate_revoked"))
        assert entry.actor_label == "quantri" and entry.detail["reason"] == "Cấp nhầm"
    assert client.get(f"/api/v1/certificates/{code}").json["status"] == "revoked"
    twice = runner.invoke(args=["lms", "certs", "revoke", code, "--reason", "Lại"])
    assert twice.exit_code != 0 and record(app, code).revoked_reason == "Cấp nhầm"
    assert runner.invoke(args=["lms", "certs", "revoke", "0000-0000-0000-0000", "--reason", "x"]).exit_code != 0
    reissued = runner.invoke(args=["lms", "certs", "reissue", code])
    assert reissued.exit_code == 0, reissued.output
    new_code = reissued.output.split()[1]
    assert new_code != code and client.get(f"/api/v1/certificates/{new_code}").json["status"] == "valid"
    assert client.get(f"/V/{record(app, new_code).token}", headers={"Accept": "application/json"}).json[
        "status"] == "valid"


def test_revoke_without_by_is_recorded_as_cli(app, client, runner, courses) -> None:
    code = earn(app, client)
    assert runner.invoke(args=["lms", "certs", "revoke", code, "--reason", "Sai"]).exit_code == 0
    with app.app_context():
        entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "certificate_revoked"))
        assert entry.actor_label == "cli" and entry.actor_id is None
