"""Digital ambassadors: an official makes one; the ambassador registers a citizen, prints their
sign-in card, acts for them on one device; the permission checks of each step."""

from __future__ import annotations

from sqlalchemy import func, select

from lms.accounts.models import AuditLog, User, UserSession
from lms.ambassadors.models import HelpAction, Helped, HelpVisit, SignInCard
from lms.courses.models import LessonProgress
from lms.db import db
from tests.ambassadors_helpers import PASSWORD, ambassador, card_sign_in, register, signed_in, user_named
from tests.conftest import csrf_from, login, make_user, post_form, vi


def _count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_official_makes_an_ambassador_of_their_unit_only(app, units) -> None:
    make_user(app, "canbo", PASSWORD, roles={"official"}, audience=None, unit_code="79")
    volunteer = make_user(app, "0912000001", PASSWORD, unit_code="26740", full_name="Võ Văn Tình")
    far = make_user(app, "0912000002", PASSWORD, unit_code="00004", full_name="Đinh Thị Xa")
    no_commune = make_user(app, "0912000003", PASSWORD, full_name="Không Có Xã")
    official = signed_in(app, "canbo")
    page = official.get("/ambassadors").get_data(as_text=True)
    assert vi("No digital ambassador yet.") in page
    for login_ in ("0912000002", "0912000003", "khong-co"):
        refused = post_form(official, "/ambassadors", {"login": login_})
        assert refused.status_code == 422
        assert vi("No account of a commune of your unit has this phone number or username.") in \
            refused.get_data(as_text=True)
    done = post_form(official, "/ambassadors", {"login": "0912000001"})
    assert done.status_code == 302
    with app.app_context():
        assert db.session.get(User, volunteer).has_role("ambassador")
        assert not db.session.get(User, far).has_role("ambassador")
        assert not db.session.get(User, no_commune).has_role("ambassador")
        assert db.session.scalar(select(AuditLog).where(AuditLog.action == "set_roles",
                                                        AuditLog.actor_label == "canbo")).object_id == str(volunteer)
    assert "Võ Văn Tình" in official.get("/ambassadors").get_data(as_text=True)
    # a learner and an ambassador have no such page; another province's official cannot withdraw
    assert signed_in(app, "0912000002").get("/ambassadors").status_code == 403
    assert signed_in(app, "0912000001").get("/ambassadors").status_code == 403
    make_user(app, "canbo2", PASSWORD, roles={"official"}, audience=None, unit_code="01")
    other = signed_in(app, "canbo2")
    assert "Võ Văn Tình" not in other.get("/ambassadors").get_data(as_text=True)
    page = other.get("/ambassadors").get_data(as_text=True)
    assert other.post(f"/ambassadors/{volunteer}/withdraw", data={"csrf_token": csrf_from(page)}).status_code == 404
    with app.app_context():
        assert db.session.get(User, volunteer).has_role("ambassador")
    page = official.get("/ambassadors").get_data(as_text=True)
    assert official.post(f"/ambassadors/{volunteer}/withdraw", data={"csrf_token": csrf_from(page)}).status_code == 302
    with app.app_context():
        assert not db.session.get(User, volunteer).has_role("ambassador")


def test_cli_grants_the_role(app, units, runner) -> None:
    make_user(app, "0912000001", PASSWORD, unit_code="26740")
    result = runner.invoke(args=["lms", "users", "set-role", "0912000001", "ambassador"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "0912000001")).has_role("ambassador")


def test_ambassador_registers_a_citizen_and_the_card_signs_them_in(app, units, courses) -> None:
    ambassador(app)
    helper = signed_in(app, "daisu")
    assert helper.get("/").headers["Location"] == "/ambassador"  # their page is their home
    page, token = register(helper, phone="0912 000 777")
    html = page.get_data(as_text=True)
    assert "<svg" in html and "Lê Thị Mai" in html and f"/card/{token}" in html
    assert f"/card/{token}" not in helper.get(page.request.path).get_data(as_text=True)  # shown once
    citizen = user_named(app, "Lê Thị Mai")
    assert (citizen.phone, citizen.username, citizen.audience, citizen.birth_year) == \
        ("0912000777", "0912000777", "citizens", 1958)
    with app.app_context():
        assert db.session.get(User, citizen.id).unit.code == "26734"  # the ambassador's commune
        card = db.session.scalar(select(SignInCard))
        assert card.user_id == citizen.id and len(card.token_hash) == 64 and token not in card.token_hash
        assert db.session.get(Helped, (db.session.scalar(select(User.id).where(User.username == "daisu")),
                                       citizen.id)).registered
    # no password yet: signing in with one never works
    phone = app.test_client()
    wrong = post_form(phone, "/login", {"login": "0912000777", "password": "!card-only"})
    assert wrong.status_code == 401
    # the card's page asks first: a GET signs nobody in and does not say whose card it is
    asked = phone.get(f"/card/{token}")
    assert asked.status_code == 200 and "Lê Thị Mai" not in asked.get_data(as_text=True)
    assert phone.get("/me").status_code == 302
    signed = card_sign_in(phone, token)
    assert signed.status_code == 302 and signed.headers["Location"] == "/"
    with app.app_context():
        assert db.session.scalar(select(AuditLog.object_id).where(AuditLog.action == "card_sign_in")) == str(citizen.id)
    home = phone.get("/").get_data(as_text=True)
    assert "Lê Thị Mai" in home
    assert phone.get("/ambassador").status_code == 403  # the card gives the citizen's account only
    # later, the citizen chooses a password (there is no old one to type)
    profile = phone.get("/me").get_data(as_text=True)
    assert 'id="my-card"' in profile
    chosen = post_form(phone, "/my-card", {"new_password": "hoa-mai-vang-58", "confirm": "hoa-mai-vang-58"},
                       action="/my-card/password")
    assert chosen.status_code == 302
    assert phone.get("/me").status_code == 200  # still signed in, with a new session
    login(app.test_client(), "0912000777", "hoa-mai-vang-58")
    again = post_form(phone, "/my-card", {"new_password": "x-y-z-abc-123", "confirm": "x-y-z-abc-123"},
                      action="/my-card/password")
    assert again.status_code == 422  # only a first password here; the account page changes it


def test_registration_checks_what_is_typed(app, units) -> None:
    ambassador(app)
    make_user(app, "0912000888", PASSWORD, unit_code="26734")
    helper = signed_in(app, "daisu")
    for data, message in (
        ({"full_name": "", "birth_year": "1960", "phone": ""}, "Please fill in this field."),
        ({"full_name": "Lê Thị Mai", "birth_year": "1800", "phone": ""}, "Please check the birth year."),
        ({"full_name": "Lê Thị Mai", "birth_year": "1960", "phone": "12345"},
         "This is not a Vietnamese mobile number (10 digits, e.g. 0912345678)."),
    ):
        response = post_form(helper, "/ambassador/register", data)
        assert response.status_code == 422, data
        assert vi(message) in response.get_data(as_text=True), data
    taken = post_form(helper, "/ambassador/register", {"full_name": "Lê Thị Mai", "birth_year": "1960",
                                                      "phone": "0912000888"})
    assert taken.status_code == 422
    assert _count(app, User) == 2
    # without a phone: a login of "ds" and eight digits
    register(helper, full_name="Trần Văn Không", phone="")
    assert user_named(app, "Trần Văn Không").username.startswith("ds")


def test_a_revoked_or_replaced_card_stops_working(app, units) -> None:
    ambassador(app)
    helper = signed_in(app, "daisu")
    _page, first = register(helper)
    citizen = user_named(app, "Lê Thị Mai")
    card_page = helper.get(f"/ambassador/people/{citizen.id}/card").get_data(as_text=True)
    replaced = helper.post(f"/ambassador/people/{citizen.id}/card", data={"csrf_token": csrf_from(card_page)})
    assert replaced.status_code == 302
    second_page = helper.get(replaced.headers["Location"]).get_data(as_text=True)
    second = second_page.split("/card/", 1)[1].split("<", 1)[0]
    refused = card_sign_in(app.test_client(), first)
    assert refused.status_code == 401
    assert vi("This card does not work (it was replaced or ended). Ask your ambassador for a new one.") in \
        refused.get_data(as_text=True)
    phone = app.test_client()
    assert card_sign_in(phone, second).status_code == 302
    # the citizen ends it on their own page
    page = phone.get("/my-card").get_data(as_text=True)
    assert phone.post("/my-card/revoke", data={"csrf_token": csrf_from(page)}).status_code == 302
    assert card_sign_in(app.test_client(), second).status_code == 401
    # the ambassador makes a third and ends it ("lost or stolen")
    card_page = helper.get(f"/ambassador/people/{citizen.id}/card").get_data(as_text=True)
    third_page = helper.get(helper.post(f"/ambassador/people/{citizen.id}/card",
                                        data={"csrf_token": csrf_from(card_page)}).headers["Location"])
    third = third_page.get_data(as_text=True).split("/card/", 1)[1].split("<", 1)[0]
    helper.post(f"/ambassador/people/{citizen.id}/card/revoke", data={"csrf_token": csrf_from(card_page)})
    assert card_sign_in(app.test_client(), third).status_code == 401
    assert _count(app, SignInCard, SignInCard.revoked_at.is_(None)) == 0


def test_a_card_never_opens_a_staff_account(app, units) -> None:
    ambassador(app)
    helper = signed_in(app, "daisu")
    _page, token = register(helper)
    citizen = user_named(app, "Lê Thị Mai")
    from lms.accounts.services import set_roles

    with app.app_context():
        set_roles(db.session.get(User, citizen.id), {"teacher"})
        db.session.commit()
    phone = app.test_client()
    assert card_sign_in(phone, token).status_code == 401
    assert phone.get("/me").status_code == 302


def test_card_sign_in_is_rate_limited(app, units) -> None:
    app.config["LMS_CARD_LIMIT_ADDRESS"] = "3 per minute"
    ambassador(app)
    _page, token = register(signed_in(app, "daisu"))
    phone = app.test_client()
    for guess in ("aaaaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbbbb", "cccccccccccccccccccccc"):
        assert card_sign_in(phone, guess).status_code == 401
    blocked = card_sign_in(phone, token)  # even the right card must wait now, from this address
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    assert phone.get("/me").status_code == 302
    other = app.test_client()
    assert card_sign_in(other, token, environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 302


def test_acting_as_a_citizen_records_the_work_as_theirs_helped_by_the_ambassador(app, units, courses) -> None:
    amb_id = ambassador(app)
    helper = signed_in(app, "daisu")
    register(helper)
    citizen = user_named(app, "Lê Thị Mai")
    page = helper.get("/ambassador").get_data(as_text=True)
    assert "Lê Thị Mai" in page and vi("Helped today") in page
    acted = helper.post(f"/ambassador/people/{citizen.id}/act", data={"csrf_token": csrf_from(page)})
    assert acted.status_code == 302 and acted.headers["Location"] == "/"
    acting_home = helper.get("/")
    home = acting_home.get_data(as_text=True)
    assert 'id="acting"' in home and "Lê Thị Mai" in home
    assert "X-LMS-Offline" not in acting_home.headers  # the phone keeps none of the citizen's pages
    # nor downloads a course for them: no download box, and the download's addresses refuse
    assert 'id="offline-box"' not in home
    assert 'id="offline-box"' not in helper.get("/courses/dien-thoai/").get_data(as_text=True)
    assert helper.get("/courses/dien-thoai/offline.json").status_code == 403
    assert helper.post("/courses/dien-thoai/offline", data={"csrf_token": csrf_from(home)}).status_code == 403
    # the device is the citizen's now: no ambassador page, no officials' page
    assert helper.get("/ambassador").status_code == 403
    assert helper.get("/ambassadors").status_code == 403
    lesson = helper.get("/courses/dien-thoai/lessons/01-bat-may").get_data(as_text=True)
    done = helper.post("/courses/dien-thoai/lessons/01-bat-may/done", data={"csrf_token": csrf_from(lesson)})
    assert done.status_code == 302
    with app.app_context():
        progress = db.session.scalar(select(LessonProgress))
        assert progress.user_id == citizen.id
        visit = db.session.scalar(select(HelpVisit))
        assert (visit.ambassador_id, visit.citizen_id, visit.ended_at) == (amb_id, citizen.id, None)
        action = db.session.scalar(select(HelpAction))
        assert (action.visit_id, action.action, action.object_id) == (visit.id, "lesson_done", progress.lesson_id)
        assert action.at is not None
    # a course without a quiz is passed with its last lesson: the pass is "helped by" too
    lesson = helper.get("/courses/mat-khau/lessons/01-mat-khau-manh").get_data(as_text=True)
    helper.post("/courses/mat-khau/lessons/01-mat-khau-manh/done", data={"csrf_token": csrf_from(lesson)})
    with app.app_context():
        from lms.courses.models import Course

        mat_khau = db.session.scalar(select(Course.id).where(Course.slug == "mat-khau"))
        recorded = set(db.session.execute(select(HelpAction.action, HelpAction.object_id)))
        assert ("course_passed", mat_khau) in recorded and len(recorded) == 3
        acting_sessions = db.session.scalar(select(func.count()).select_from(UserSession)
                                            .where(UserSession.user_id == citizen.id))
        assert acting_sessions == 1
    # back to the list, without signing in again; the citizen's session on this device is over
    back = helper.post("/ambassador/back", data={"csrf_token": csrf_from(home)})
    assert back.status_code == 302 and back.headers["Location"] == "/ambassador"
    page = helper.get("/ambassador").get_data(as_text=True)
    assert 'id="acting"' not in page and "Lê Thị Mai" in page
    assert vi("%(done)d of %(total)d courses passed", done=1, total=2) in page
    with app.app_context():
        assert db.session.scalar(select(HelpVisit)).ended_at is not None
        assert db.session.scalar(select(func.count()).select_from(UserSession)
                                 .where(UserSession.user_id == citizen.id)) == 0
    # the citizen's own phone, signed in later, never shows the banner (nor a cached page with it)
    assert 'id="acting"' not in helper.get("/").get_data(as_text=True)


def test_signing_out_while_acting_signs_the_device_out(app, units) -> None:
    ambassador(app)
    helper = signed_in(app, "daisu")
    register(helper)
    citizen = user_named(app, "Lê Thị Mai")
    page = helper.get("/ambassador").get_data(as_text=True)
    helper.post(f"/ambassador/people/{citizen.id}/act", data={"csrf_token": csrf_from(page)})
    me = helper.get("/me").get_data(as_text=True)
    helper.post("/logout", data={"csrf_token": csrf_from(me)})
    assert helper.get("/ambassador").status_code == 302  # to the sign-in page: nobody is signed in
    assert helper.post("/ambassador/back", data={"csrf_token": csrf_from(helper.get("/login").get_data(
        as_text=True))}).headers["Location"] == "/"


def test_an_ambassador_acts_only_for_their_own_people_of_their_commune(app, units) -> None:
    ambassador(app)
    ambassador(app, "daisu2", full_name="Bùi Văn Hai")
    ambassador(app, "daisu3", unit_code="26740", full_name="Tạ Thị Ba")
    teacher = make_user(app, "co.lan", PASSWORD, roles={"teacher"}, unit_code="26734", full_name="Cô Lan")
    stranger = make_user(app, "0912000999", PASSWORD, unit_code="26734", full_name="Người Lạ")
    helper = signed_in(app, "daisu")
    register(helper)
    citizen = user_named(app, "Lê Thị Mai")
    with app.app_context():
        amb = db.session.scalar(select(User.id).where(User.username == "daisu"))
        db.session.add(Helped(ambassador_id=amb, citizen_id=teacher))  # even if linked by hand
        db.session.commit()
    other = signed_in(app, "daisu2")
    far = signed_in(app, "daisu3")
    for client, user_id in ((other, citizen.id), (far, citizen.id), (helper, stranger), (helper, teacher)):
        page = client.get("/ambassador").get_data(as_text=True)
        token = csrf_from(page)
        for url in (f"/ambassador/people/{user_id}/act", f"/ambassador/people/{user_id}/card",
                    f"/ambassador/people/{user_id}/card/revoke"):
            assert client.post(url, data={"csrf_token": token}).status_code == 404, url
        assert client.get(f"/ambassador/people/{user_id}/card").status_code == 404
        assert 'id="acting"' not in client.get("/ambassador").get_data(as_text=True)
    assert _count(app, HelpVisit) == 0 and _count(app, SignInCard) == 1
    # a learner is not an ambassador; the role is withdrawn: nothing works any more
    learner = signed_in(app, "0912000999")
    assert learner.get("/ambassador").status_code == 403
    assert learner.get("/ambassador/register").status_code == 403
    from lms.accounts.services import set_roles

    with app.app_context():
        set_roles(db.session.scalar(select(User).where(User.username == "daisu")), set())
        db.session.commit()
    assert helper.get("/ambassador").status_code == 403
    # a citizen who moved to another commune is out of reach
    with app.app_context():
        set_roles(db.session.scalar(select(User).where(User.username == "daisu")), {"ambassador"})
        moved = db.session.get(User, citizen.id)
        moved.unit_id = db.session.scalar(select(User.unit_id).where(User.username == "daisu3"))
        db.session.commit()
    page = helper.get("/ambassador").get_data(as_text=True)
    assert "Lê Thị Mai" not in page
    assert helper.post(f"/ambassador/people/{citizen.id}/act", data={"csrf_token": csrf_from(page)}).status_code == 404


def test_someone_with_an_account_asks_for_help_with_their_password(app, units) -> None:
    ambassador(app)
    make_user(app, "0912000555", "hoa-cuc-trang-55", unit_code="26734", full_name="Phạm Văn Tư")
    make_user(app, "0912000556", "hoa-cuc-trang-56", unit_code="26740", full_name="Ở Xã Khác")
    make_user(app, "co.lan", PASSWORD, roles={"teacher"}, unit_code="26734", full_name="Cô Lan")
    helper = signed_in(app, "daisu")
    wrong = post_form(helper, "/ambassador/add", {"login": "0912000555", "password": "sai-mat-khau"})
    assert wrong.status_code == 422
    for login_, password in (("0912000556", "hoa-cuc-trang-56"), ("co.lan", PASSWORD)):
        assert post_form(helper, "/ambassador/add", {"login": login_, "password": password}).status_code == 422
    assert _count(app, Helped) == 0
    ok = post_form(helper, "/ambassador/add", {"login": "0912000555", "password": "hoa-cuc-trang-55"})
    assert ok.status_code == 302
    assert "Phạm Văn Tư" in helper.get("/ambassador").get_data(as_text=True)
    assert _count(app, Helped, Helped.registered.is_(False)) == 1


def test_an_ambassador_gives_their_people_a_one_time_password(app, units) -> None:
    ambassador(app)
    helper = signed_in(app, "daisu")
    register(helper)
    citizen = user_named(app, "Lê Thị Mai")
    stranger = make_user(app, "0912000999", PASSWORD, unit_code="26734", full_name="Người Lạ")
    page = helper.get(f"/help/password?login={citizen.username}")
    assert page.status_code == 200
    given = post_form(helper, "/help/password", {}, action=f"/help/password/{citizen.id}")
    assert given.status_code == 200
    assert helper.post(f"/help/password/{stranger}",
                       data={"csrf_token": csrf_from(page.get_data(as_text=True))}).status_code in (403, 404)
    with app.app_context():
        assert db.session.get(User, citizen.id).must_change_password
        assert not db.session.get(User, stranger).must_change_password


def test_officials_see_their_ambassadors_ranked(app, units) -> None:
    make_user(app, "canbo", PASSWORD, roles={"official"}, audience=None, unit_code="79")
    ambassador(app, "daisu1", full_name="Một Người")
    ambassador(app, "daisu2", unit_code="26740", full_name="Hai Người")
    ambassador(app, "daisu3", unit_code="00004", full_name="Ba Hà Nội")
    first, second = signed_in(app, "daisu1"), signed_in(app, "daisu2")
    register(first, full_name="Công Dân Một")
    for name in ("Công Dân Hai", "Công Dân Ba"):
        register(second, full_name=name)
    page = signed_in(app, "canbo").get("/ambassadors").get_data(as_text=True)
    assert page.index("Hai Người") < page.index("Một Người")  # two people helped before one
    assert "Ba Hà Nội" not in page  # another province
    make_user(app, "admin", PASSWORD, roles={"admin"}, audience=None)
    assert "Ba Hà Nội" in signed_in(app, "admin").get("/ambassadors").get_data(as_text=True)


def test_the_demo_has_an_ambassador_who_helps_a_citizen(app, units, runner) -> None:
    import json
    from pathlib import Path

    result = runner.invoke(args=["lms", "seed-demo"])
    assert result.exit_code == 0 and "daisu" in result.output and "ambassador" in result.output
    passwords = json.loads((Path(app.instance_path) / "demo-accounts.json").read_text())
    client = app.test_client()
    login(client, "daisu", passwords["daisu"])
    assert "Nguyễn Văn An" in client.get("/ambassador").get_data(as_text=True)
    assert runner.invoke(args=["lms", "seed-demo"]).exit_code == 0  # again: nothing twice
    assert _count(app, Helped) == 1


def test_the_ambassadors_page_shows_each_persons_path_and_certificates(app, units, courses) -> None:
    from lms.courses.models import Course
    from lms.courses.results import record_pass

    ambassador(app)
    make_user(app, "canbo", PASSWORD, roles={"official"}, audience=None, unit_code="79")
    helper = signed_in(app, "daisu")
    register(helper)
    citizen = user_named(app, "Lê Thị Mai")
    with app.app_context():
        record_pass(citizen.id, db.session.scalar(select(Course).where(Course.slug == "dien-thoai")))
        db.session.commit()
    page = helper.get("/ambassador").get_data(as_text=True)
    assert vi("%(done)d of %(total)d courses passed", done=1, total=2) in page
    assert "Mật khẩu an toàn" in page  # where they are now: the next course of the path
    assert "1 chứng nhận" in page  # the course certificate the pass issued
    ranking = signed_in(app, "canbo").get("/ambassadors").get_data(as_text=True)
    import re

    # one person helped, one certificate earned by the people helped
    assert re.search(r"Phan Thị Sứ.*?</td>\s*<td>1</td>\s*<td>1", ranking, flags=re.S), ranking


def test_a_long_list_shows_the_most_recent_first_and_the_rest_on_request(app, units) -> None:
    from datetime import timedelta

    from lms.accounts.services import NewAccount, create_accounts
    from lms.db import now_utc

    amb = ambassador(app)
    with app.app_context():
        unit_id = db.session.get(User, amb).unit_id
        ids = create_accounts([NewAccount(username=f"ds{i:08d}", full_name=f"Người Số {i}", password_hash="x",
                                          audience="citizens", unit_id=unit_id) for i in range(35)])
        for n, user_id in enumerate(ids):
            db.session.add(Helped(ambassador_id=amb, citizen_id=user_id, registered=True,
                                  created_at=now_utc() - timedelta(days=3, minutes=n)))
        db.session.commit()
    helper = signed_in(app, "daisu")
    page = helper.get("/ambassador").get_data(as_text=True)
    assert page.count('class="card person"') == 30 and "Người Số 0<" in page and "Người Số 34<" not in page
    assert 'id="show-all"' in page and "(35 người)" in page
    everyone = helper.get("/ambassador?all=1").get_data(as_text=True)
    assert everyone.count('class="card person"') == 35 and 'id="show-all"' not in everyone


def _state(app) -> tuple:
    from lms.accounts.models import UserRole

    with app.app_context():
        return (
            tuple(db.session.execute(select(Helped.ambassador_id, Helped.citizen_id).order_by(Helped.citizen_id))),
            tuple(db.session.execute(select(SignInCard.id, SignInCard.revoked_at).order_by(SignInCard.id))),
            db.session.scalar(select(func.count()).select_from(HelpVisit)),
            tuple(db.session.execute(select(UserRole.user_id, UserRole.role).order_by(UserRole.user_id))),
            tuple(db.session.execute(select(User.id, User.password_hash).order_by(User.id))),
        )


def test_every_route_refuses_those_it_is_not_for_and_changes_nothing(app, units) -> None:
    from flask import url_for

    amb = ambassador(app)
    make_user(app, "canbo2", PASSWORD, roles={"official"}, audience=None, unit_code="01")
    ambassador(app, "daisu3", unit_code="26740", full_name="Tạ Thị Ba")
    make_user(app, "0912000999", PASSWORD, unit_code="26734", full_name="Người Lạ")
    register(signed_in(app, "daisu"))
    citizen = user_named(app, "Lê Thị Mai")
    routes = []
    with app.test_request_context("/"):
        for rule in app.url_map.iter_rules():
            if rule.endpoint.startswith("lms_ambassadors.") and "token" not in rule.arguments:
                values = {"user_id": amb if rule.endpoint.endswith("withdraw") else citizen.id} \
                    if "user_id" in rule.arguments else {}
                routes += [(m, url_for(rule.endpoint, **values)) for m in sorted(rule.methods & {"GET", "POST"})]
    assert len(routes) >= 14, routes
    data = {"full_name": "Kẻ Xấu", "birth_year": "1990", "phone": "", "login": "0912000001", "password": "x",
            "new_password": "mat-khau-moi-2026", "confirm": "mat-khau-moi-2026"}
    before = _state(app)
    open_to_all = {"/ambassador/back", "/my-card", "/my-card/revoke", "/my-card/password"}  # each acts on oneself
    for who in ("daisu3", "canbo2", "0912000999"):
        client = signed_in(app, who)
        token = csrf_from(client.get("/me").get_data(as_text=True))
        for method, url in routes:
            person = url.startswith("/ambassador/people/")
            if who == "daisu3" and not person and url.startswith("/ambassador"):
                continue  # their own list, registering into their own commune: theirs to use
            response = client.get(url) if method == "GET" else client.post(url, data={**data, "csrf_token": token})
            assert response.status_code < 500, (who, method, url)
            if (person or url == "/ambassador" or url.startswith("/ambassador/")) and url not in open_to_all:
                assert response.status_code in (403, 404), (who, method, url, response.status_code)
            if url.startswith("/ambassadors") and who != "canbo2":
                assert response.status_code == 403, (who, method, url)
    after = _state(app)
    # only "Người Lạ" (a citizen with a password) could reach /my-card/password, and was refused
    assert after == before
    # bad input: an unknown person, a huge token, no CSRF
    helper = signed_in(app, "daisu")
    assert helper.get("/ambassador/people/999999/card").status_code == 404
    assert card_sign_in(app.test_client(), "x" * 5000).status_code in (401, 404)
    assert app.test_client().post(f"/card/{'a' * 22}", data={}).status_code == 400
    assert helper.post(f"/ambassador/people/{citizen.id}/act", data={}).status_code == 400
    assert _state(app) == before
