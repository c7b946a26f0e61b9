"""Revocation that wallets see: every credential's credentialStatus names its bit in a W3C
Bitstring Status List credential served at /credentials/status/<n>, signed, rewritten in the
transaction that revokes (CLI, web form, API); the test decodes the list itself (multibase
'u' + base64url, GZIP) and finds that bit set and every other bit clear. Also the offline
page's signed list (/verify/offline/revoked.json) and the key at a plain HTTPS URL."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select

from lms.certificates.credential import did_web, public_key_from_multikey, verify_credential
from lms.certificates.keys import KeyStore
from lms.certificates.models import Certificate, StatusList
from lms.certificates.records import by_code, revoke
from lms.db import db
from tests.certs_helpers import earn, login_as, record
from tests.certs_unit.test_certs_credential import schema_errors
from tests.certs_unit.test_certs_rdfc import independent_check, issuer_key
from tests.conftest import make_user, post_form
from tests.quiz_helpers import token_for

LIST_BITS = 131_072


def decode(encoded: str) -> bytes:
    """The spec's decoding, written out: multibase 'u' prefix, base64url without padding, GZIP."""
    assert encoded.startswith("u") and "=" not in encoded
    bits = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    assert len(bits) * 8 == LIST_BITS  # the spec's minimum, 16 KB
    return bits


def set_bits(bits: bytes) -> list[int]:
    return [i for i in range(len(bits) * 8) if bits[i // 8] & (0x80 >> (i % 8))]


def credential_of(client, code: str, username: str = "0912345678") -> dict:
    login_as(client, username)
    answer = client.get(f"/certificates/{code}/credential.json")
    assert answer.status_code == 200
    client.post("/logout")
    return json.loads(answer.data)


def fetch_list(client, url: str) -> dict:
    """As a wallet fetches it: a client with no cookie."""
    client = client.application.test_client()
    path = url.removeprefix("http://localhost")
    answer = client.get(path)
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    assert answer.headers["Access-Control-Allow-Origin"] == "*" and "public" in answer.headers["Cache-Control"]
    assert "Set-Cookie" not in answer.headers  # nothing to track who checks
    status_list = answer.json
    keys = KeyStore.from_jwks(client.get("/.well-known/lms-keys.json").json)
    assert verify_credential(status_list, keys, base_url="http://localhost")
    did_doc = client.get("/.well-known/did.json").json
    assert all(independent_check(status_list, p, issuer_key(did_doc, p["verificationMethod"]))
               for p in status_list["proof"])
    assert [p["cryptosuite"] for p in status_list["proof"]] == ["eddsa-rdfc-2022", "eddsa-jcs-2022"]
    return status_list


@pytest.fixture
def two(app, client, courses):
    an = earn(app, client, "0912000001", "Nguyễn Văn An")
    binh = earn(app, client, "0912000002", "Trần Thị Bình")
    make_user(app, "quantri", "mat-khau-tot-2026", roles={"admin"})
    return an, binh


def test_credential_points_at_its_bit_and_revocation_sets_it(app, client, two, runner) -> None:
    an, binh = two
    vc = credential_of(client, an, "0912000001")
    status = vc["credentialStatus"]
    index = record(app, an).status_index
    assert status["type"] == "BitstringStatusListEntry" and status["statusPurpose"] == "revocation"
    assert status["statusListIndex"] == str(index) and 0 <= index < LIST_BITS
    assert status["statusListCredential"] == "http://localhost/credentials/status/0"
    assert status["id"] == f"http://localhost/credentials/status/0#{index}"
    assert record(app, binh).status_index != index
    assert schema_errors(vc) == []  # still valid against 1EdTech's schema, with the status and two proofs
    did_doc = client.get("/.well-known/did.json").json  # both proofs, checked by the test's own verifier
    for proof in vc["proof"]:
        assert independent_check(vc, proof, issuer_key(did_doc, proof["verificationMethod"])), proof["cryptosuite"]

    before = fetch_list(client, status["statusListCredential"])
    assert before["id"] == status["statusListCredential"] and before["issuer"] == did_web("http://localhost")
    assert "BitstringStatusListCredential" in before["type"]
    subject = before["credentialSubject"]
    assert subject["type"] == "BitstringStatusList" and subject["statusPurpose"] == "revocation"
    assert set_bits(decode(subject["encodedList"])) == []

    result = runner.invoke(args=["lms", "certs", "revoke", an, "--reason", "Cấp nhầm người"])
    assert result.exit_code == 0, result.output
    after = fetch_list(client, status["statusListCredential"])
    assert set_bits(decode(after["credentialSubject"]["encodedList"])) == [index]  # that bit, no other
    assert after["validFrom"] >= before["validFrom"]
    with app.app_context():
        stored = db.session.get(StatusList, 0)
        assert stored.revoked == 1 and json.loads(stored.credential) == after

    # the other holder's credential still reads clear in the same list
    other = int(credential_of(client, binh, "0912000002")["credentialStatus"]["statusListIndex"])
    assert not decode(after["credentialSubject"]["encodedList"])[other // 8] & (0x80 >> (other % 8))

    # revoked by the web form, by an admin: that bit joins
    login_as(client, "quantri")
    done = post_form(client, f"/certificates/revoke?code={binh}", {"code": binh, "reason": "Gian lận"})
    assert done.status_code == 302
    final = fetch_list(client, status["statusListCredential"])
    assert set_bits(decode(final["credentialSubject"]["encodedList"])) == sorted([index, other])


def test_the_list_changes_in_the_revoking_transaction_only(app, client, two) -> None:
    an, _ = two
    url = "/credentials/status/0"
    client.get(url)  # stored once, all clear
    with app.app_context():
        first = db.session.get(StatusList, 0).credential
        cert = by_code(an)
        revoke(cert, "Thử", None)  # flushed: the list is rewritten in this transaction...
        inside = db.session.get(StatusList, 0).credential
        assert inside != first and set_bits(decode(json.loads(inside)["credentialSubject"]["encodedList"]))
        db.session.rollback()  # ...and goes with it
        assert db.session.get(StatusList, 0).credential == first
    assert set_bits(decode(client.get(url).json["credentialSubject"]["encodedList"])) == []
    assert record(app, an).status == "valid"


def test_api_revocation_updates_the_list(app, client, two) -> None:
    an, _ = two
    index = record(app, an).status_index
    headers = token_for(client, "quantri", "mat-khau-tot-2026")
    assert client.post(f"/api/v1/certificates/{an}/revoke", json={"reason": "Trùng lặp"},
                       headers=headers).status_code == 200
    encoded = client.get("/credentials/status/0").json["credentialSubject"]["encodedList"]
    assert set_bits(decode(encoded)) == [index]


def test_unused_lists_and_bad_numbers_are_404(client, two) -> None:
    assert client.get("/credentials/status/1").status_code == 404
    assert client.get("/credentials/status/99999999999").status_code == 404
    assert client.get("/credentials/status/-1").status_code == 404
    assert client.get("/credentials/status/abc").status_code == 404


def test_indexes_are_random_and_unique(app, client, courses) -> None:
    codes = [earn(app, client, f"09120001{i:02d}", f"Lê Văn {chr(65 + i)}") for i in range(6)]
    indexes = [record(app, code).status_index for code in codes]
    assert len(set(indexes)) == 6 and all(0 <= i < LIST_BITS for i in indexes)
    assert indexes != sorted(indexes) or max(indexes) - min(indexes) > 6  # not handed out in order


def test_the_key_at_a_plain_https_url(app, client, two) -> None:
    keys = client.get("/.well-known/lms-keys.json").json["keys"]
    kid = keys[0]["kid"]
    answer = client.get(f"/keys/{kid}.json")
    assert answer.status_code == 200 and answer.headers["Access-Control-Allow-Origin"] == "*"
    doc = answer.json
    assert doc["id"] == f"http://localhost/keys/{kid}.json" and doc["type"] == "Multikey"
    assert doc["controller"] == "did:web:localhost"
    did = client.get("/.well-known/did.json").json
    assert doc["publicKeyMultibase"] == did["verificationMethod"][0]["publicKeyMultibase"]
    raw = base64.urlsafe_b64decode(keys[0]["x"] + "==")
    assert public_key_from_multikey(doc["publicKeyMultibase"]).public_bytes_raw() == raw
    assert client.get("/keys/AAAAAAAA.json").status_code == 404
    assert client.get("/keys/not-a-kid.json").status_code == 404


def open_offline_list(client) -> dict:
    answer = client.get("/verify/offline/revoked.json")
    assert answer.status_code == 200 and "no-cache" in answer.headers["Cache-Control"]
    doc = answer.json
    jwk = next(k for k in client.get("/.well-known/lms-keys.json").json["keys"] if k["kid"] == doc["kid"])
    key = Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(jwk["x"] + "=="))
    key.verify(base64.urlsafe_b64decode(doc["signature"] + "=="), b"BDHVS-REVOKED:" + doc["payload"].encode())
    return json.loads(doc["payload"])


def test_the_offline_list_names_revoked_codes_by_hash_and_carries_names(app, client, units, courses) -> None:
    an = earn(app, client, "0912000001", "Nguyễn Văn An", unit_code="26734")
    binh = earn(app, client, "0912000002", "Trần Thị Bình", unit_code="26734")
    empty = open_offline_list(client)
    assert empty["revoked"] == {} and empty["type"] == "BdhvsRevocationList"
    etag = client.get("/verify/offline/revoked.json").headers["ETag"]
    assert client.get("/verify/offline/revoked.json", headers={"If-None-Match": etag}).status_code == 304
    assert empty["units"] == {"26734": "Phường Sài Gòn, Thành phố Hồ Chí Minh"}
    assert empty["courses"]["dien-thoai"]["vi"]
    with app.app_context():
        revoke(by_code(an), "Cấp nhầm", None)
        db.session.commit()
    listed = open_offline_list(client)
    digest = hashlib.sha256(b"BDHVS-REVOKED:" + an.encode()).hexdigest()[:16]
    assert set(listed["revoked"]) == {digest}  # not the other certificate, and no code in clear
    assert an not in json.dumps(listed) and binh not in json.dumps(listed)
    day = listed["revoked"][digest]
    assert day == (datetime.now(UTC) + timedelta(hours=7)).date().isoformat()  # Vietnam's date
    assert datetime.fromisoformat(listed["date"]) >= datetime.fromisoformat(empty["date"])
    with app.app_context():
        assert db.session.scalar(select(Certificate.status).where(Certificate.code == binh)) == "valid"


def test_migration_gives_existing_certificates_an_index_and_the_list_shows_old_revocations(tmp_path, worker_id):
    import sqlalchemy as sa

    from lms import create_app
    from lms.schema import upgrade
    from tests.conftest import DB_KIND, _worker_db_url, base_config

    url = (_worker_db_url(f"{worker_id}_statusmig") if DB_KIND == "postgres"
           else f"sqlite:///{tmp_path}/mig.sqlite3")
    app = create_app(base_config(tmp_path / "inst", url))
    with app.app_context():
        upgrade("7b3e9d41c2a8")  # before status lists
        with db.engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO lms_users (username, password_hash, must_change_password, full_name, locale, created_at)"
                " VALUES ('0912345678', 'x', false, 'Nguyễn Văn An', 'vi', CURRENT_TIMESTAMP)"))
            user = conn.execute(sa.text("SELECT id FROM lms_users")).scalar()
            for i, status in enumerate(["valid", "revoked", "valid"]):
                conn.execute(sa.text(
                    "INSERT INTO lms_certificates (code, user_id, kind, subject, full_name, masked_name, issued_at,"
                    " issued_on, key_id, token, status) VALUES (:code, :user, 'course', :subject, 'Nguyễn Văn An',"
                    " 'Nguyễn V. A.', CURRENT_TIMESTAMP, '2026-11-01', 'AAAAAAAA', 'T', :status)"),
                    {"code": f"0000-0000-0000-000{i}", "user": user, "subject": f"khoa-{i}", "status": status})
        upgrade()
        rows = db.session.execute(select(Certificate.code, Certificate.status_index, Certificate.status)).all()
        indexes = [index for _code, index, _status in rows]
        assert len(set(indexes)) == 3 and all(index is not None and 0 <= index < LIST_BITS for index in indexes)
        revoked_index = next(index for _code, index, status in rows if status == "revoked")
        db.session.remove()
    client = app.test_client()
    listed = client.get("/credentials/status/0").json  # built from the certificates on first request
    assert set_bits(decode(listed["credentialSubject"]["encodedList"])) == [revoked_index]
    with app.app_context():
        assert db.session.get(StatusList, 0).revoked == 1
        db.session.remove()
        db.engine.dispose()


def test_cli_rebuilds_the_lists_after_a_change_made_in_sql(app, client, two, runner) -> None:
    an, _ = two
    client.get("/credentials/status/0")  # stored, all clear
    with app.app_context():
        db.session.execute(Certificate.__table__.update().where(Certificate.code == an).values(status="revoked"))
        db.session.commit()  # behind the ORM's back: the stored list does not know
    assert set_bits(decode(client.get("/credentials/status/0").json["credentialSubject"]["encodedList"])) == []
    result = runner.invoke(args=["lms", "certs", "status-lists"])
    assert result.exit_code == 0 and "signed http://localhost/credentials/status/0" in result.output
    encoded = client.get("/credentials/status/0").json["credentialSubject"]["encodedList"]
    assert set_bits(decode(encoded)) == [record(app, an).status_index]


def test_concurrent_revocations_keep_each_others_bit(app, client, courses) -> None:
    """Two revocations committed at the same moment from two connections: both bits are in the list."""
    import threading

    codes = [earn(app, client, f"09120002{i:02d}", f"Phan Văn {chr(65 + i)}") for i in range(4)]
    client.get("/credentials/status/0")
    barrier = threading.Barrier(len(codes))
    errors: list[BaseException] = []

    def revoke_one(code: str) -> None:
        try:
            with app.app_context():
                cert = by_code(code)
                barrier.wait(timeout=10)
                revoke(cert, "Đồng thời", None)
                db.session.commit()
                db.session.remove()
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=revoke_one, args=(code,)) for code in codes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    encoded = client.get("/credentials/status/0").json["credentialSubject"]["encodedList"]
    assert set_bits(decode(encoded)) == sorted(record(app, code).status_index for code in codes)


def test_identifiers_are_lower_case_https_whatever_the_configured_case(app, client, two) -> None:
    an, _ = two
    app.config["LMS_BASE_URL"] = "HTTPS://HOC.EXAMPLE-PROVINCE.GOV.VN/hoc"
    vc = credential_of(client, an, "0912000001")
    status = vc["credentialStatus"]
    list_url = "https://hoc.example-province.gov.vn/hoc/credentials/status/0"
    assert status["statusListCredential"] == list_url and status["id"].startswith(list_url + "#")
    assert vc["id"].startswith("https://hoc.example-province.gov.vn/hoc/V/")
    listed = client.get("/credentials/status/0").json
    assert listed["id"] == list_url and listed["issuer"] == "did:web:hoc.example-province.gov.vn:hoc"
    assert listed["credentialSubject"]["id"] == list_url + "#list"
