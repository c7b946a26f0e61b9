"""Households ("Gia đình số") walked as the people who use them: a learner invites, the invited person
accepts or declines on their own page, a code given in person, leaving, removing; and what nobody else
may do (answer someone else's invitation, remove or withdraw in a household they are not in): a 404,
and nothing changes. The invitation form never tells whether a phone number has an account."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from lms.accounts.models import AuditLog
from lms.db import db
from tests.conftest import make_user
from tests.coverage_helpers import add_certificate
from tests.households_helpers import client_for, household_id_of, invitations, post, state

SENT = "Nếu số điện thoại hoặc tên đăng nhập này là của một người"


@pytest.fixture
def people(app, units):
    return {
        "an": make_user(app, "0912345678", full_name="Nguyễn Văn An", unit_code="26734", birth_year=1970),
        "binh": make_user(app, "0987654321", full_name="Trần Thị Bình", unit_code="26734", birth_year=1972),
        "chi": make_user(app, "be.chi", full_name="Nguyễn Bảo Chi", unit_code="26734", birth_year=2015,
                         audience="students"),
        "dung": make_user(app, "0933333333", full_name="Lê Văn Dũng", unit_code="26740", birth_year=1980),
    }


def linked(app, people, *names: str) -> None:
    """An invites each of ``names`` and each accepts: a household made the way people make it."""
    an = client_for(app, "0912345678")
    logins = {"binh": "0987654321", "chi": "be.chi", "dung": "0933333333"}
    for name in names:
        assert post(an, "/household/invite", {"login": logins[name]}).status_code == 302
        invitee = client_for(app, logins[name])
        (invitation_id, *_rest), = invitations(app, invitee_id=people[name], declined_at=None)
        assert post(invitee, f"/household/invitations/{invitation_id}", {"answer": "yes"}).status_code == 302


def test_an_invitation_is_seen_by_the_invited_person_and_links_nobody_until_accepted(app, people) -> None:
    an = client_for(app, "0912345678")
    response = post(an, "/household/invite", {"login": "0987654321"})
    assert response.status_code == 302
    assert SENT in an.get("/household").get_data(as_text=True)
    household = household_id_of(app, people["an"])
    assert household is not None and household_id_of(app, people["binh"]) is None  # not linked yet
    # the inviter's page lists the waiting invitation, not whose account the number is
    assert "Trần Thị Bình" not in an.get("/household").get_data(as_text=True)

    binh = client_for(app, "0987654321")
    profile = binh.get("/me").get_data(as_text=True)
    assert "Lời mời vào một hộ gia đình: 1" in profile
    page = binh.get("/household").get_data(as_text=True)
    assert "Nguyễn Văn An mời bạn vào hộ gia đình của họ." in page
    (invitation_id, *_rest), = invitations(app, invitee_id=people["binh"])
    assert post(binh, f"/household/invitations/{invitation_id}", {"answer": "yes"}).status_code == 302
    assert household_id_of(app, people["binh"]) == household
    assert invitations(app, invitee_id=people["binh"]) == []  # used up
    for client in (an, binh):
        text = client.get("/household").get_data(as_text=True)
        assert "Nguyễn Văn An" in text and "Trần Thị Bình" in text
    with app.app_context():
        actions = list(db.session.scalars(select(AuditLog.action).order_by(AuditLog.id)))
    assert actions[-3:] == ["household_created", "household_invited", "household_joined"]


def test_the_answer_is_the_same_whether_or_not_the_number_has_an_account(app, people) -> None:
    an = client_for(app, "0912345678")

    def answer(login: str) -> tuple[int, str, str, str]:
        response = post(an, "/household/invite", {"login": login})
        page = an.get("/household").get_data(as_text=True)
        flash = page[page.index('class="flash'):].split("</", 1)[0]
        line = page[page.index(f"<strong>{login}</strong>"):].split("</li>", 1)[0]
        line = re.sub(r'value="[^"]*"', "", line.replace(login, "LOGIN"))  # the CSRF token differs
        line = line.replace(f"/invitations/{line_id(app, login)}/", "/invitations/ID/")
        return response.status_code, response.headers["Location"], flash, line

    real, unknown = answer("0987654321"), answer("0977777777")
    assert real == unknown and SENT in real[2]  # the same words, and the same line in the list sent
    assert answer("khong.co.ai") == real
    assert "Trần Thị Bình" not in an.get("/household").get_data(as_text=True)
    # the same login again adds nothing
    assert answer("0987654321") == real
    assert [(row[2], login) for row, login in zip(invitations(app), ("0987654321", "0977777777", "khong.co.ai"),
                                                     strict=True)] == [(people["binh"], "0987654321"),
                                                                       (None, "0977777777"), (None, "khong.co.ai")]
    # what the inviter may know: their own number, or text that is no phone number nor username
    assert post(an, "/household/invite", {"login": "0912345678"}).status_code == 302
    assert "Đây là tài khoản của chính bạn." in an.get("/household").get_data(as_text=True)
    assert post(an, "/household/invite", {"login": "091234"}).status_code == 302
    assert len(invitations(app)) == 3
    # someone who signs up later with an invited number finds the invitation on their page
    make_user(app, "0977777777", full_name="Người Đến Sau", unit_code="26734")
    later = client_for(app, "0977777777")
    assert "Lời mời vào một hộ gia đình: 1" in later.get("/me").get_data(as_text=True)
    (invitation_id, *_rest), = invitations(app, invitee_login="0977777777")
    assert post(later, f"/household/invitations/{invitation_id}", {"answer": "yes"}).status_code == 302
    assert household_id_of(app, db_id(app, "0977777777")) == household_id_of(app, people["an"])


def line_id(app, login: str) -> int:
    (invitation_id, *_rest), = invitations(app, invitee_login=login)
    return invitation_id


def test_invitations_and_code_tries_are_rate_limited_per_account(app, people) -> None:
    app.config["LMS_HOUSEHOLD_LIMIT"] = "3 per hour"
    an = client_for(app, "0912345678")
    for number in ("0987654321", "0933333333", "0977777777"):
        assert post(an, "/household/invite", {"login": number}).status_code == 302
    before = state(app)
    refused = post(an, "/household/invite", {"login": "be.chi"})
    assert refused.status_code == 429
    assert "Bạn đã thử quá nhiều lần" in refused.get_data(as_text=True)
    assert state(app) == before  # Chi was not invited
    # the budget is the account's: code tries count against it too
    assert post(an, "/household/join", {"code": "ABCD-EFGH"}).status_code == 429
    # another account has its own budget
    dung = client_for(app, "0933333333")
    assert post(dung, "/household/join", {"code": "ABCD-EFGH"}).status_code == 422


def test_declining_keeps_the_answer_and_the_same_household_cannot_ask_again(app, people) -> None:
    an = client_for(app, "0912345678")
    post(an, "/household/invite", {"login": "0933333333"})
    dung = client_for(app, "0933333333")
    (invitation_id, *_rest), = invitations(app, invitee_id=people["dung"])
    assert post(dung, f"/household/invitations/{invitation_id}", {"answer": "no"}).status_code == 302
    assert household_id_of(app, people["dung"]) is None
    assert "Lời mời vào một hộ gia đình" not in dung.get("/me").get_data(as_text=True)
    post(an, "/household/invite", {"login": "0933333333"})
    assert invitations(app, invitee_id=people["dung"]) == [(invitation_id, household_id_of(app, people["an"]),
                                                            people["dung"], True)]
    # a declined invitation cannot be accepted afterwards
    assert post(dung, f"/household/invitations/{invitation_id}", {"answer": "yes"}).status_code == 404
    assert household_id_of(app, people["dung"]) is None


def test_nobody_else_may_answer_remove_or_withdraw(app, people) -> None:
    an = client_for(app, "0912345678")
    post(an, "/household/invite", {"login": "0987654321"})
    post(an, "/household/invite", {"login": "be.chi"})
    (to_binh, *_rest), = invitations(app, invitee_id=people["binh"])
    binh = client_for(app, "0987654321")
    post(binh, f"/household/invitations/{to_binh}", {"answer": "yes"})
    (to_chi, *_rest), = invitations(app, invitee_id=people["chi"])
    before = state(app)

    dung = client_for(app, "0933333333")  # not in this household
    assert post(dung, f"/household/invitations/{to_chi}", {"answer": "yes"}).status_code == 404
    assert post(dung, f"/household/invitations/{to_chi}/withdraw").status_code == 404
    assert post(dung, f"/household/members/{people['binh']}/remove").status_code == 404
    assert post(dung, f"/household/members/{people['an']}/remove").status_code == 404
    assert state(app) == before
    # Dũng's own page shows no one else's household
    page = dung.get("/household").get_data(as_text=True)
    assert "Nguyễn Văn An" not in page and "Trần Thị Bình" not in page
    assert "Nguyễn Văn An" not in dung.get("/me").get_data(as_text=True)
    # a member cannot answer an invitation meant for someone else either
    assert post(binh, f"/household/invitations/{to_chi}", {"answer": "yes"}).status_code == 404
    # without the CSRF token nothing happens
    assert dung.post(f"/household/invitations/{to_chi}", data={"answer": "yes"}).status_code == 400
    assert an.post("/household/invite", data={"login": "0933333333"}).status_code == 400
    assert an.post("/household/leave").status_code == 400
    assert state(app) == before


def test_one_household_per_person(app, people) -> None:
    linked(app, people, "binh")
    dung = client_for(app, "0933333333")
    post(dung, "/household/invite", {"login": "0987654321"})  # Dũng starts his own, asks Bình
    binh = client_for(app, "0987654321")
    (invitation_id, *_rest), = invitations(app, invitee_id=people["binh"])
    before = state(app)
    response = post(binh, f"/household/invitations/{invitation_id}", {"answer": "yes"})
    assert response.status_code == 302
    assert "Bạn đã ở trong một hộ gia đình" in binh.get("/household").get_data(as_text=True)
    assert state(app) == before
    assert household_id_of(app, people["binh"]) == household_id_of(app, people["an"])


def test_members_remove_and_leave_and_the_last_one_out_dissolves_the_household(app, people) -> None:
    linked(app, people, "binh", "chi")
    an, binh = client_for(app, "0912345678"), client_for(app, "0987654321")
    household = household_id_of(app, people["an"])
    post(an, "/household/invite", {"login": "0933333333"})  # still waiting when the household ends
    post(an, "/household/invite", {"login": "0944444444"})
    # any member may withdraw the household's unanswered invitation
    assert post(binh, f"/household/invitations/{line_id(app, '0944444444')}/withdraw").status_code == 302
    assert invitations(app, invitee_login="0944444444") == []
    assert post(binh, f"/household/members/{people['chi']}/remove").status_code == 302
    assert household_id_of(app, people["chi"]) is None
    assert post(an, "/household/leave").status_code == 302
    assert household_id_of(app, people["an"]) is None and household_id_of(app, people["binh"]) == household
    assert post(binh, "/household/leave").status_code == 302
    members, invites, count, _codes = state(app)
    assert members == [] and invites == [] and count == 0  # dissolved, its invitation with it
    # the removed person and the leavers can be asked again by a new household
    post(binh, "/household/invite", {"login": "be.chi"})
    assert len(invitations(app, invitee_id=people["chi"])) == 1


def test_a_code_given_in_person(app, people) -> None:
    an = client_for(app, "0912345678")
    assert post(an, "/household/code").status_code == 302
    _members, _invites, _count, (code,) = state(app)
    page = an.get("/household").get_data(as_text=True)
    assert f"{code[:4]}-{code[4:]}" in page
    dung = client_for(app, "0933333333")
    wrong = post(dung, "/household/join", {"code": "2222-2222"})
    assert wrong.status_code == 422 and "Mã này không dùng được" in wrong.get_data(as_text=True)
    assert household_id_of(app, people["dung"]) is None
    # typed by hand: lower case, a space instead of the dash
    assert post(dung, "/household/join", {"code": f"{code[:4].lower()} {code[4:]}"}).status_code == 302
    assert household_id_of(app, people["dung"]) == household_id_of(app, people["an"])
    # a new code ends the old one; an expired code does not work
    post(an, "/household/code")
    binh = client_for(app, "0987654321")
    assert post(binh, "/household/join", {"code": code}).status_code == 422
    from lms.households.models import Household

    with app.app_context():
        row = db.session.get(Household, household_id_of(app, people["an"]))
        row.join_code_expires_at = row.join_code_expires_at - timedelta(days=3)
        new_code = row.join_code
        db.session.commit()
    assert post(binh, "/household/join", {"code": new_code}).status_code == 422
    assert household_id_of(app, people["binh"]) is None


def test_the_badge_and_what_is_missing_on_each_members_page(app, people) -> None:
    linked(app, people, "binh", "chi")
    an, binh, chi = (client_for(app, login) for login in ("0912345678", "0987654321", "be.chi"))
    with app.app_context():
        add_certificate(people["an"], "citizens", date(2026, 1, 10))
        db.session.commit()
    for client in (an, binh):
        page = client.get("/me").get_data(as_text=True)
        assert "1/2 thành viên người lớn đã có chứng nhận." in page and "Gia đình số</span>" not in page
        assert "Nguyễn Bảo Chi" in page  # names are shared, progress is not
    with app.app_context():
        add_certificate(people["binh"], "citizens", date(2026, 2, 10))
        db.session.commit()
    # the child (born 2015) needs no certificate: every adult holds it
    for client in (an, binh, chi):
        page = client.get("/me").get_data(as_text=True)
        assert '<span class="badge ok">Gia đình số</span>' in page
        assert "Mọi thành viên người lớn đều đã có chứng nhận" in page
    # an adult whose birth year is unknown counts as an adult: the badge goes until they hold it
    make_user(app, "0944444444", full_name="Phạm Văn Em", unit_code="26734", birth_year=None)
    em = client_for(app, "0944444444")
    post(an, "/household/invite", {"login": "0944444444"})
    (invitation_id, *_rest), = invitations(app, invitee_id=db_id(app, "0944444444"))
    post(em, f"/household/invitations/{invitation_id}", {"answer": "yes"})
    assert "2/3 thành viên người lớn đã có chứng nhận." in an.get("/me").get_data(as_text=True)


def test_a_household_of_one_is_not_a_digital_household(app, people) -> None:
    an = client_for(app, "0912345678")
    post(an, "/household/code")  # makes a household with An alone
    with app.app_context():
        add_certificate(people["an"], "citizens", date(2026, 1, 10))
        db.session.commit()
    page = an.get("/me").get_data(as_text=True)
    assert "Gia đình số</span>" not in page and "ít nhất hai thành viên" in page


def db_id(app, username: str) -> int:
    from lms.accounts.models import User

    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username))
