"""Scope of revocation (security issue, item 5): officials revoke only within their unit and the
units below it, admins anywhere; every revocation audited; a refusal changes nothing.

Reproduction from the attack run: an official in Hà Nội revoked a certificate from a Hồ Chí Minh
City commune."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lms.accounts.models import AuditLog
from lms.db import db
from tests.certs_helpers import PASSWORD, earn, login_as, record
from tests.conftest import make_user, post_form
from tests.quiz_helpers import token_for


@pytest.fixture
def hcmc_certificate(app, client, courses, units) -> str:
    """A certificate of a learner in Phường Sài Gòn (26734), Thành phố Hồ Chí Minh (79)."""
    code = earn(app, client, unit_code="26734")
    make_user(app, "canbo.hanoi", PASSWORD, roles={"official"}, full_name="Cán Bộ Hà Nội", unit_code="01")
    make_user(app, "canbo.badinh", PASSWORD, roles={"official"}, full_name="Cán Bộ Ba Đình", unit_code="00004")
    make_user(app, "canbo.tandinh", PASSWORD, roles={"official"}, full_name="Cán Bộ Tân Định", unit_code="26740")
    make_user(app, "canbo.hcm", PASSWORD, roles={"official"}, full_name="Cán Bộ Thành Phố", unit_code="79")
    make_user(app, "canbo.saigon", PASSWORD, roles={"official"}, full_name="Cán Bộ Sài Gòn", unit_code="26734")
    make_user(app, "canbo.khongxa", PASSWORD, roles={"official"}, full_name="Cán Bộ Chưa Có Xã")
    make_user(app, "quantri", PASSWORD, roles={"admin"}, full_name="Quản Trị")
    return code


def revocations(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).where(AuditLog.action == "certificate_revoked"))


@pytest.mark.parametrize("official", ["canbo.hanoi", "canbo.badinh", "canbo.tandinh", "canbo.khongxa"])
def test_an_official_outside_the_unit_cannot_revoke_by_api(app, client, hcmc_certificate, official) -> None:
    answer = client.post(f"/api/v1/certificates/{hcmc_certificate}/revoke", json={"reason": "Thử thu hồi"},
                         headers=token_for(client, official, PASSWORD))
    assert answer.status_code == 403 and answer.json["error"]["code"] == "outside_your_unit"
    assert record(app, hcmc_certificate).status == "valid" and revocations(app) == 0


def test_an_official_outside_the_unit_cannot_revoke_by_the_page(app, client, hcmc_certificate) -> None:
    login_as(client, "canbo.hanoi")
    page = post_form(client, "/certificates/revoke", {"code": hcmc_certificate, "reason": "Thử thu hồi"})
    assert page.status_code == 200
    assert "chỉ được thu hồi" in page.get_data(as_text=True)
    assert record(app, hcmc_certificate).status == "valid" and revocations(app) == 0
    # nor is the verification page's revoke link offered to them
    verify = client.get(f"/verify?code={hcmc_certificate}").get_data(as_text=True)
    assert "/certificates/revoke?code=" not in verify


@pytest.mark.parametrize("who", ["canbo.saigon", "canbo.hcm", "quantri"])
def test_the_unit_its_province_and_admins_may_revoke(app, client, hcmc_certificate, who) -> None:
    login_as(client, who)
    assert "/certificates/revoke?code=" in client.get(f"/verify?code={hcmc_certificate}").get_data(as_text=True)
    done = client.post(f"/api/v1/certificates/{hcmc_certificate}/revoke", json={"reason": "Cấp nhầm"},
                       headers=token_for(client, who, PASSWORD))
    assert done.status_code == 200 and record(app, hcmc_certificate).status == "revoked"
    with app.app_context():
        entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "certificate_revoked"))
        assert entry.actor_label == who and entry.detail["reason"] == "Cấp nhầm"
