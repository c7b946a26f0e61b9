"""Signing keys in the database (scale-out issue, item 2): every server on one database signs and
publishes the same keys, sealed under LMS_KEY_ENCRYPTION_KEY; a rotation done once reaches every
server; keys an instance folder held before are carried over and their certificates stay valid."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from sqlalchemy import select

from lms import create_app
from lms.certificates.issuing import keystore
from lms.certificates.keys import KeyStore, KeyStoreError
from lms.certificates.models import SigningKey
from lms.certificates.sealing import SealError, fingerprint, new_kek, parse_keks, seal, unseal
from lms.certificates.tokens import token_kid
from lms.db import db
from tests.certs_helpers import earn, record
from tests.conftest import base_config

KEK = new_kek()


def server(tmp_path, app, name: str, **settings):
    """Another app server on the same database, with an instance folder of its own."""
    folder = tmp_path / name
    folder.mkdir()
    return create_app({**base_config(folder, app.config["SQLALCHEMY_DATABASE_URI"]),
                       "LMS_VERIFY_CHANGE_SECONDS": 0, **settings})


@pytest.fixture
def shared(app):
    app.config["LMS_KEY_ENCRYPTION_KEY"] = KEK
    app.config["LMS_VERIFY_CHANGE_SECONDS"] = 0  # look at the change counter on every call
    return app


def published(app) -> list[tuple[str, str]]:
    keys = app.test_client().get("/.well-known/lms-keys.json").json["keys"]
    return [(key["kid"], key["status"]) for key in keys]


def active_kid(app) -> str:
    with app.app_context():
        kid = keystore().signing_key()[0]
        db.session.commit()  # a first key made here is committed, as the certificate it signs would be
        return kid


def test_every_server_signs_and_publishes_the_same_keys(shared, tmp_path) -> None:
    other = server(tmp_path, shared, "b", LMS_KEY_ENCRYPTION_KEY=KEK)
    made = shared.test_cli_runner().invoke(args=["lms", "certs", "keygen"])
    assert made.exit_code == 0, made.output
    kid = made.output.split()[2]
    assert active_kid(other) == kid and published(other) == published(shared) == [(kid, "active")]
    rotated = shared.test_cli_runner().invoke(args=["lms", "certs", "rotate-key"])
    assert rotated.exit_code == 0, rotated.output
    new = rotated.output.split()[3]
    # B never restarted, and its folder knows nothing: the database's counter told it
    assert active_kid(other) == new
    assert published(other) == [(new, "active"), (kid, "retired")]
    assert not (tmp_path / "b" / "keys").exists()


def test_the_private_key_is_sealed_in_the_database(shared) -> None:
    with shared.app_context():
        kid, private = keystore().signing_key()
        db.session.commit()
        row = db.session.get(SigningKey, kid)
    raw = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    assert raw not in bytes(row.sealed_private) and row.kek_id == fingerprint(parse_keks(KEK)[0])
    assert unseal(row.sealed_private, kid, parse_keks(KEK)[0]).public_key() == private.public_key()
    with pytest.raises(SealError):
        unseal(row.sealed_private, kid, parse_keks(new_kek())[0])  # another KEK
    with pytest.raises(SealError):
        unseal(row.sealed_private, "AAAAAAAA", parse_keks(KEK)[0])  # moved onto another kid's row
    assert unseal(seal(private, kid, parse_keks(KEK)[0]), kid, parse_keks(KEK)[0]) is not None


def test_a_server_with_another_kek_says_what_it_lacks_and_is_not_ready(shared, tmp_path) -> None:
    kid = active_kid(shared)
    stray = server(tmp_path, shared, "c")  # no LMS_KEY_ENCRYPTION_KEY: its own file, another key
    assert published(stray) == [(kid, "active")]  # it still publishes the public half
    with stray.app_context(), pytest.raises(KeyStoreError, match="LMS_KEY_ENCRYPTION_KEY"):
        keystore().signing_key()
    with stray.app_context():
        # nor does it make a key of its own, which the other servers could not open
        assert db.session.scalars(select(SigningKey.kid)).all() == [kid]
    assert not (tmp_path / "c" / "key_encryption_key").exists()
    assert stray.test_cli_runner().invoke(args=["lms", "certs", "rotate-key"]).exit_code != 0
    ready = stray.test_client().get("/readyz")
    assert ready.status_code == 503 and not ready.json["checks"]["signing_key"]["ok"]
    assert fingerprint(parse_keks(KEK)[0]) in ready.json["checks"]["signing_key"]["detail"]
    assert shared.test_client().get("/readyz").json["checks"]["signing_key"] == {"ok": True, "detail": kid}


def test_a_bad_kek_is_refused_naming_the_variable(shared) -> None:
    shared.config["LMS_KEY_ENCRYPTION_KEY"] = "not-32-bytes"
    result = shared.test_cli_runner().invoke(args=["lms", "certs", "keygen"])
    assert result.exit_code != 0 and "LMS_KEY_ENCRYPTION_KEY" in result.output
    with shared.app_context():
        assert db.session.scalars(select(SigningKey)).all() == []


def test_folder_keys_are_carried_over_and_their_certificates_stay_valid(app, client, courses, tmp_path) -> None:
    # an instance folder as an older version left it: two keys, the second active
    legacy = KeyStore.load(app.instance_path, environ={})
    first = legacy.keygen()
    second = legacy.rotate()
    app.config["LMS_VERIFY_CHANGE_SECONDS"] = 0
    # before anything is written, the folder's keys are published as they were
    assert published(app) == [(second, "active"), (first, "retired")]
    code = earn(app, client)  # the first certificate carries the folder's keys into the database
    cert = record(app, code)
    assert cert.key_id == second and token_kid(cert.token) == second
    with app.app_context():
        rows = {row.kid: (row.status, row.origin) for row in db.session.scalars(select(SigningKey))}
    assert rows == {second: ("active", "folder"), first: ("retired", "folder")}
    # a second server, whose folder has no keys, signs with the same key and publishes both
    other = server(tmp_path, app, "b")
    other.config["LMS_KEY_ENCRYPTION_KEY"] = (tmp_path / "instance" / "key_encryption_key").read_text().strip()
    assert active_kid(other) == second and published(other) == [(second, "active"), (first, "retired")]
    assert other.test_client().get(f"/V/{cert.token}", headers={"Accept": "application/json"}).json["status"] == \
        "valid"
    # `lms init` later changes nothing (idempotent)
    assert app.test_cli_runner().invoke(args=["lms", "init"]).exit_code == 0
    with app.app_context():
        assert db.session.scalars(select(SigningKey.kid).where(SigningKey.status == "active")).all() == [second]


def test_reseal_moves_the_keys_to_a_new_kek(shared) -> None:
    kid = active_kid(shared)
    fresh = new_kek()
    shared.config["LMS_KEY_ENCRYPTION_KEY"] = f"{fresh},{KEK}"  # the new one first, the old one to read
    result = shared.test_cli_runner().invoke(args=["lms", "certs", "reseal"])
    assert result.exit_code == 0 and "resealed 1" in result.output, result.output
    shared.config["LMS_KEY_ENCRYPTION_KEY"] = fresh  # the old one dropped
    shared.extensions["lms"].extras.pop("keystore", None)
    assert active_kid(shared) == kid
