"""The certificates' JSON API, published keys and DID, and the Open Badges export."""

from __future__ import annotations

import base64
import hashlib
import json

from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from lms.certificates.credential import did_web, verify_credential
from lms.certificates.issuing import keystore
from lms.certificates.keys import KeyStore
from tests.certs_helpers import PASSWORD, earn, login_as, qr_texts, record
from tests.conftest import make_user
from tests.quiz_helpers import token_for


def bearer(client, username: str) -> dict:
    return token_for(client, username, PASSWORD)


def test_status_by_code_is_public_and_holds_no_personal_data(app, client, courses, units) -> None:
    code = earn(app, client, full_name="Nguyễn Văn An", unit_code="26734")
    answer = client.get(f"/api/v1/certificates/{code}")
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    body = answer.json
    assert {"code", "status", "course", "audience", "unit", "issued_on"} <= body.keys()
    assert body["code"] == code and body["status"] == "valid" and body["course"] == "dien-thoai"
    assert body["audience"] == "citizens" and body["unit"] == "26734" and body["masked_name"] == "Nguyễn V. A."
    text = answer.get_data(as_text=True)
    assert "Nguyễn Văn An" not in text and "0912345678" not in text
    # the way a person types it works too; an unknown one is "unknown"
    assert client.get(f"/api/v1/certificates/{code.lower().replace('-', '')}").json["status"] == "valid"
    assert client.get("/api/v1/certificates/0000-0000-0000-0000").json == {
        "code": "0000-0000-0000-0000", "status": "unknown"}
    assert client.get("/api/v1/certificates/not-a-code").json["status"] == "unknown"


def test_my_certificates_and_pdf_by_token(app, client, courses, units) -> None:
    code = earn(app, client, unit_code="26734")
    headers = bearer(client, "0912345678")
    mine = client.get("/api/v1/me/certificates", headers=headers)
    assert mine.status_code == 200
    [item] = mine.json
    assert item["code"] == code and item["kind"] == "course" and item["course"] == "dien-thoai"
    assert item["status"] == "valid" and item["verify_url"] == f"HTTP://LOCALHOST/V/{record(app, code).token}"
    pdf = client.get(f"/api/v1/certificates/{code}/pdf", headers=headers)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert qr_texts(pdf.data) == [item["verify_url"]]
    assert client.get(f"/api/v1/certificates/{code}/pdf").status_code == 401
    assert client.get("/api/v1/me/certificates").status_code == 401
    make_user(app, "0912999999", PASSWORD, full_name="Người Khác")
    stranger = client.get(f"/api/v1/certificates/{code}/pdf", headers=bearer(client, "0912999999"))
    assert stranger.status_code == 404 and stranger.json["error"]["code"] == "not_found"


def test_revoke_by_api(app, client, courses, units) -> None:
    code = earn(app, client, unit_code="26734")
    learner = bearer(client, "0912345678")
    refused = client.post(f"/api/v1/certificates/{code}/revoke", json={"reason": "x"}, headers=learner)
    assert refused.status_code == 403
    make_user(app, "canbo", PASSWORD, roles={"official"}, full_name="Cán Bộ Xã", unit_code="26734")
    official = bearer(client, "canbo")
    assert client.post(f"/api/v1/certificates/{code}/revoke", json={}, headers=official).status_code == 400
    done = client.post(f"/api/v1/certificates/{code}/revoke", json={"reason": "Trùng lặp"}, headers=official)
    assert done.status_code == 200 and done.json["status"] == "revoked"
    assert done.json["revocation_reason"] == "Trùng lặp"
    again = client.post(f"/api/v1/certificates/{code}/revoke", json={"reason": "Trùng lặp"}, headers=official)
    assert again.status_code == 409 and again.json["error"]["code"] == "already_revoked"
    assert client.get(f"/api/v1/certificates/{code}").json["status"] == "revoked"
    gone = client.get(f"/api/v1/certificates/{code}/pdf", headers=learner)
    assert gone.status_code == 410 and gone.json["error"]["code"] == "revoked"
    [item] = client.get("/api/v1/me/certificates", headers=learner).json
    assert item["status"] == "revoked" and item["pdf_url"] is None


def test_published_keys_never_hold_a_private_key(app, client, courses) -> None:
    earn(app, client)
    answer = client.get("/.well-known/lms-keys.json")
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    keys = answer.json["keys"]
    assert len(keys) == 1 and keys[0]["status"] == "active" and keys[0]["crv"] == "Ed25519"
    assert set(keys[0]) == {"kty", "crv", "x", "kid", "alg", "use", "status"}
    with app.app_context():
        _kid, private = keystore().signing_key()
    raw = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    body = answer.get_data(as_text=True)
    assert base64.urlsafe_b64encode(raw).rstrip(b"=").decode() not in body
    assert base64.b64encode(raw).decode() not in body


def test_open_badge_is_signed_and_verifies_against_the_published_keys(app, client, courses) -> None:
    code = earn(app, client, full_name="Nguyễn Văn An")
    login_as(client, "0912345678")
    answer = client.get(f"/certificates/{code}/credential.json")
    assert answer.status_code == 200 and "attachment" in answer.headers["Content-Disposition"]
    vc = json.loads(answer.data)
    assert "OpenBadgeCredential" in vc["type"] and vc["id"] == f"http://localhost/V/{record(app, code).token}"
    subject = vc["credentialSubject"]
    assert "Nguyễn Văn An" not in answer.get_data(as_text=True) and subject["id"].startswith("urn:bdhvs:learner:")
    salt = subject["identifier"][0]["salt"]
    digest = hashlib.sha256(("Nguyễn Văn An" + salt).encode()).hexdigest()
    assert subject["identifier"][0]["identityHash"] == "sha256$" + digest
    again = json.loads(client.get(f"/certificates/{code}/credential.json").data)["credentialSubject"]
    assert again["id"] == subject["id"]  # a stable subject across downloads
    keys = KeyStore.from_jwks(client.get("/.well-known/lms-keys.json").json)
    assert verify_credential(vc, keys, base_url="http://localhost")["issuer"]["id"] == did_web("http://localhost")
    did = client.get("/.well-known/did.json").json
    assert did["id"] == "did:web:localhost" and vc["proof"][0]["verificationMethod"] in did["assertionMethod"]
    tampered = {**vc, "name": "Tiến sĩ"}
    try:
        verify_credential(tampered, keys)
    except ValueError:
        pass
    else:
        raise AssertionError("a changed credential verified")
    by_api = client.get(f"/api/v1/certificates/{code}/credential", headers=bearer(client, "0912345678"))
    assert by_api.status_code == 200 and verify_credential(json.loads(by_api.data), keys)


def test_openapi_lists_the_certificate_endpoints(client) -> None:
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in ("/certificates/{code}", "/certificates/{code}/pdf", "/me/certificates"):
        assert "get" in paths[path]
