"""The contract's chain: real PDF -> raster -> QR decoded by zxing-cpp -> verify page; tamper, revoke, rotate."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from lms.accounts.models import AuditLog
from lms.certificates.codes import ALPHABET
from lms.db import db
from lms.printing.qr import qr_info
from tests.certs_helpers import earn, login_as, path_of, pdf_text, qr_texts, record
from tests.conftest import make_user, post_form

NAME = "Nguyễn Thị Ánh Tuyết"


def status_of(client, path: str) -> str:
    """What the page shows to a verifier (someone else: not signed in), in English: colour and words."""
    page = client.application.test_client().get(path + "?lang=en")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    found = [s for s in ("valid", "revoked", "invalid") if f'class="st st-{s}"' in html]
    assert len(found) == 1, html
    words = {"valid": "VALID", "revoked": "REVOKED", "invalid": "NOT VALID"}[found[0]]
    assert f"{words}</b>" in html
    return found[0]


def flip(token: str, index: int) -> str:
    """The token with one symbol changed (to its neighbour in the alphabet)."""
    ch = token[index]
    return token[:index] + ALPHABET[(ALPHABET.index(ch) + 1) % 32] + token[index + 1:]


@pytest.fixture
def earned(app, client, courses, units):
    code = earn(app, client, full_name=NAME, unit_code="26734")
    login_as(client, "0912345678")
    pdf = client.get(f"/certificates/{code}/pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    return code, pdf.data


def test_pdf_qr_opens_a_valid_verdict(app, client, earned) -> None:
    code, pdf = earned
    urls = qr_texts(pdf)
    assert len(urls) == 1
    url = urls[0]
    cert = record(app, code)
    assert url == f"HTTP://LOCALHOST/V/{cert.token}"
    info = qr_info(url)
    assert info.version <= 10 and info.error_correction in ("M", "Q", "H")
    client.post("/logout")  # a verifier is nobody in particular
    assert status_of(client, path_of(url)) == "valid"
    html = client.get(path_of(url) + "?lang=en").get_data(as_text=True)
    # the masked name and the facts, nothing more personal
    assert "Nguyễn T. Á. T." in html and NAME not in html
    assert "Dùng điện thoại thông minh" in html and "Phường Sài Gòn" in html and code in html
    assert "0912345678" not in html and "1970" not in html
    answer = client.get(path_of(url), headers={"Accept": "application/json"})
    assert answer.mimetype == "application/json"
    body = answer.json
    assert body["status"] == "valid" and body["code"] == code and body["masked_name"] == "Nguyễn T. Á. T."
    assert body["course"] == "dien-thoai" and body["audience"] == "citizens" and body["unit"] == "26734"
    assert body["issued_on"] == cert.issued_on.isoformat() and body["key_id"] == cert.key_id
    assert NAME not in answer.get_data(as_text=True) and "full_name" not in body


def test_lower_case_path_and_token_also_verify(app, client, earned) -> None:
    code, _pdf = earned
    token = record(app, code).token
    assert status_of(client, f"/v/{token.lower()}") == "valid"


def test_one_changed_symbol_is_not_valid(app, client, earned) -> None:
    code, pdf = earned
    token = path_of(qr_texts(pdf)[0]).rsplit("/", 1)[1]
    # a symbol in the signed payload, one in the signature, and the last one (padding bits)
    for index in (12, len(token) - 40, len(token) - 1):
        assert status_of(client, "/V/" + flip(token, index)) == "invalid"
        assert client.get("/V/" + flip(token, index), headers={"Accept": "application/json"}).json == {
            "status": "invalid"}
    for junk in (token[:-1], token + "0", token + "=", "HELLO", "0" * 400, "x" * 1000):
        assert status_of(client, "/V/" + junk) == "invalid"


def test_revocation_shows_revoked_with_reason_and_date(app, client, earned) -> None:
    code, pdf = earned
    url = qr_texts(pdf)[0]
    make_user(app, "canbo", roles={"official"}, full_name="Trần Văn Cán", unit_code="26734")  # their commune
    client.post("/logout")
    login_as(client, "canbo")
    answer = post_form(client, f"/certificates/revoke?code={code}",
                       {"code": code, "reason": "Cấp nhầm người"}, action="/certificates/revoke")
    assert answer.status_code == 302
    assert status_of(client, path_of(url)) == "revoked"
    html = client.get(path_of(url) + "?lang=en").get_data(as_text=True)
    assert "Cấp nhầm người" in html
    body = client.get(path_of(url), headers={"Accept": "application/json"}).json
    assert body["status"] == "revoked" and body["revocation_reason"] == "Cấp nhầm người"
    assert body["revoked_on"] is not None
    # the typed code (as a person types it) says the same
    typed = client.get(f"/verify?code={code.lower().replace('-', ' ')}&lang=en").get_data(as_text=True)
    assert 'class="st st-revoked"' in typed
    with app.app_context():
        entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "certificate_revoked"))
        assert entry.actor_label == "canbo" and entry.object_id == code and entry.detail["reason"] == "Cấp nhầm người"
        assert entry.at is not None
    # the holder can no longer download it, and its kept PDF is gone
    client.post("/logout")
    login_as(client, "0912345678")
    gone = client.get(f"/certificates/{code}/pdf")
    assert gone.status_code == 410 and gone.mimetype == "text/html"
    kept = Path(app.instance_path) / "certificates"
    assert not (kept / f"{code}.pdfa.pdf").exists() and not (kept / f"{code}.json").exists()


def test_key_rotation_keeps_old_certificates_valid(app, client, runner, courses, units) -> None:
    old_code = earn(app, client, full_name=NAME, unit_code="26734")
    old = record(app, old_code)
    result = runner.invoke(args=["lms", "certs", "rotate-key"])
    assert result.exit_code == 0, result.output
    new_kid = result.output.split()[3]
    assert new_kid != old.key_id
    keys = client.get("/.well-known/lms-keys.json").json["keys"]
    assert [k["kid"] for k in keys] == [new_kid, old.key_id]
    assert [k["status"] for k in keys] == ["active", "retired"]
    assert all("d" not in k for k in keys)
    new_code = earn(app, client, "0912000222", full_name="Lê Văn Bình")
    new = record(app, new_code)
    assert new.key_id == new_kid
    from lms.certificates.keys import KeyStore
    from lms.certificates.tokens import token_kid, verify

    assert token_kid(new.token) == new_kid and token_kid(old.token) == old.key_id
    # offline, a phone checks both signatures against the published key set
    published = KeyStore.from_jwks(client.get("/.well-known/lms-keys.json").json)
    assert verify(old.token, published).kid == old.key_id and verify(new.token, published).kid == new_kid
    assert status_of(client, f"/V/{old.token}") == "valid"
    assert status_of(client, f"/V/{new.token}") == "valid"
    # the old certificate's PDF still decodes to a valid verdict
    login_as(client, "0912345678")
    assert status_of(client, path_of(qr_texts(client.get(f"/certificates/{old_code}/pdf").data)[0])) == "valid"


def test_pdf_text_has_the_full_name_with_diacritics(earned) -> None:
    code, pdf = earned
    text = pdf_text(pdf)
    assert NAME in text
    assert "Dùng điện thoại thông minh" in text and code in text
    assert "GIẤY CHỨNG NHẬN" in text and "Phường Sài Gòn" in text


def test_a_very_long_name_still_gives_a_printable_qr(app, client, courses, units) -> None:
    long_name = "Tôn Nữ Hoàng Thị Phương Uyên Ngọc Diệp Bảo Châu Khánh Linh Đặng Trần"
    code = earn(app, client, full_name=long_name, unit_code="26734")
    cert = record(app, code)
    assert cert.full_name == long_name and len(cert.masked_name) <= 40
    login_as(client, "0912345678")
    pdf = client.get(f"/certificates/{code}/pdf").data
    url = qr_texts(pdf)[0]
    assert qr_info(url).version <= 10
    assert long_name in pdf_text(pdf)
    body = client.get(path_of(url), headers={"Accept": "application/json"}).json
    assert body["status"] == "valid" and body["masked_name"] == cert.masked_name


def test_random_codes_are_all_unknown(app, client, courses) -> None:
    from lms.certificates.codes import generate_code

    app.config["LMS_VERIFY_RATE_LIMIT"] = "100000 per minute"
    earn(app, client)
    statuses = set()
    for _ in range(1000):
        statuses.add(client.get(f"/api/v1/certificates/{generate_code()}").json["status"])
    assert statuses == {"unknown"}
    for _ in range(20):
        # typed: "not found, check each character" (a typo, not a forgery), and no suggestion
        html = client.get(f"/verify?code={generate_code()}").get_data(as_text=True)
        assert 'class="st st-notfound"' in html and 'class="sugg"' not in html
