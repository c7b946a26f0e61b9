"""Verification an official can act on: a typo is "not found" with suggestions, not "not valid";
a verifier, official or admin sees the holder's full name and birth year (audited, never cached)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lms.accounts.models import AuditLog
from lms.certificates.codes import ALPHABET
from lms.db import db
from tests.certs_helpers import earn, login_as, record
from tests.conftest import make_user, vi

NAME = "Nguyễn Thị Ánh Tuyết"
MASKED = "Nguyễn T. Á. T."


def typo(code: str, index: int) -> str:
    """The code with the symbol at ``index`` (of its 16) changed."""
    flat = list(code.replace("-", ""))
    flat[index] = ALPHABET[(ALPHABET.index(flat[index]) + 7) % 32]
    return "-".join("".join(flat[i:i + 4]) for i in range(0, 16, 4))


def audit_rows(app) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(AuditLog).where(AuditLog.action == "certificate_viewed_in_full"))


@pytest.fixture
def code(app, client, courses, units):
    found = earn(app, client, full_name=NAME, unit_code="26734", birth_year=1984)
    client.post("/logout")
    return found


def test_one_typo_says_not_found_and_suggests_the_real_code(app, client, code) -> None:
    typed = typo(code, 9)
    page = client.get(f"/verify?code={typed.lower().replace('-', ' ')}&lang=en")
    html = page.get_data(as_text=True)
    assert 'class="st st-notfound"' in html and "NOT FOUND" in html
    assert "No certificate has this code — check each character." in html
    assert "st-invalid" not in html and "NOT VALID" not in html
    assert "Did you mean:" in html and code in html and MASKED in html and NAME not in html
    # in Vietnamese, the default
    html_vi = client.get(f"/verify?code={typed}").get_data(as_text=True)
    assert "Không tìm thấy mã này — kiểm tra lại từng ký tự." in html_vi
    assert vi("No certificate has this code — check each character.") in html_vi and code in html_vi
    # the JSON answer is unchanged
    assert client.get(f"/verify?code={typed}", headers={"Accept": "application/json"}).json == {"status": "invalid"}


def test_two_typos_suggest_nothing(app, client, code) -> None:
    html = client.get(f"/verify?code={typo(typo(code, 2), 13)}&lang=en").get_data(as_text=True)
    assert 'class="st st-notfound"' in html and "check each character" in html
    assert "Did you mean:" not in html and code not in html and MASKED not in html


def test_an_unknown_code_says_not_found(app, client, courses) -> None:
    html = client.get("/verify?code=7KQ4-M2XD-9RTE-H3AB&lang=en").get_data(as_text=True)
    assert "NOT FOUND" in html and "check each character" in html and "Did you mean:" not in html
    assert "NOT VALID" not in html


def test_a_tampered_qr_token_is_still_not_valid(app, client, code) -> None:
    token = record(app, code).token
    bad = token[:20] + ALPHABET[(ALPHABET.index(token[20]) + 1) % 32] + token[21:]
    html = client.get(f"/V/{bad}?lang=en").get_data(as_text=True)
    assert 'class="st st-invalid"' in html and "NOT VALID" in html and "NOT FOUND" not in html


def test_a_revoked_certificates_holder_is_never_named_in_suggestions(app, client, runner, code) -> None:
    result = runner.invoke(args=["lms", "certs", "revoke", code, "--reason", "Cấp nhầm"])
    assert result.exit_code == 0, result.output
    html = client.get(f"/verify?code={typo(code, 0)}&lang=en").get_data(as_text=True)
    assert "NOT FOUND" in html and code in html  # the code, for the person to retype
    assert MASKED not in html and NAME not in html and "Cấp nhầm" not in html


@pytest.mark.parametrize("role", ["verifier", "official", "admin"])
def test_a_verifier_sees_full_name_and_birth_year_audited(app, client, code, role) -> None:
    make_user(app, "kiemtra", roles={role}, full_name="Phạm Thu Kiểm", unit_code="26734")
    login_as(client, "kiemtra")
    token = record(app, code).token
    for path, via in ((f"/V/{token}?lang=en", "qr"), (f"/verify?code={code}&lang=en", "code")):
        before = audit_rows(app)
        page = client.get(path)
        html = page.get_data(as_text=True)
        assert 'class="st st-valid"' in html
        # the signed-in user's language (Vietnamese) wins over ?lang=
        assert NAME in html and "1984" in html and vi("Full name") in html and vi("Birth year") in html
        assert vi("Holder (shown only to verifiers, officials and administrators)") in html
        assert MASKED not in html
        assert page.headers["Cache-Control"] == "private, no-store"
        assert audit_rows(app) == before + 1
        with app.app_context():
            row = db.session.scalars(select(AuditLog).where(AuditLog.action == "certificate_viewed_in_full")
                                     .order_by(AuditLog.id.desc())).first()
            assert row.actor_label == "kiemtra" and row.object_id == code and row.detail["via"] == via


def test_a_learner_and_a_guest_see_the_masked_name_and_write_nothing(app, client, code) -> None:
    token = record(app, code).token
    make_user(app, "0912000333", full_name="Lê Văn Học")
    for signed_in in (True, False):
        if signed_in:
            login_as(client, "0912000333")
        else:
            client.post("/logout")
        for path in (f"/V/{token}?lang=en", f"/verify?code={code}&lang=en"):
            html = client.get(path).get_data(as_text=True)
            assert MASKED in html and NAME not in html and "1984" not in html
            assert "Birth year" not in html and vi("Birth year") not in html
    assert audit_rows(app) == 0


def test_the_full_view_is_never_cached_for_the_next_guest(app, client, code) -> None:
    token = record(app, code).token
    make_user(app, "kiemtra", roles={"verifier"}, full_name="Phạm Thu Kiểm")
    guest = app.test_client()
    # a guest first (the page is kept), then the verifier, then a guest again
    assert NAME not in guest.get(f"/V/{token}").get_data(as_text=True)
    login_as(client, "kiemtra")
    for path in (f"/V/{token}", f"/verify?code={code}"):
        assert NAME in client.get(path).get_data(as_text=True)
        again = guest.get(path)
        html = again.get_data(as_text=True)
        assert NAME not in html and MASKED in html and "1984" not in html
        assert again.headers["Cache-Control"] == "no-store"
    # a variant no guest has opened yet (?lang=en): the verifier first, then a guest
    assert NAME in client.get(f"/V/{token}?lang=en").get_data(as_text=True)
    assert NAME not in app.test_client().get(f"/V/{token}?lang=en").get_data(as_text=True)
