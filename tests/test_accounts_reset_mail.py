"""Password-reset links by e-mail, against a real SMTP server (aiosmtpd) on 127.0.0.1 that each
test starts on a free port and stops: the link arrives, works once, expires, and asking for one
tells nothing about who has an account."""

from __future__ import annotations

import re
import socket
import time
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from sqlalchemy import select, update

from lms.accounts.models import PasswordResetLink, User
from lms.db import db, now_utc
from tests.conftest import login, make_user, post_form, vi

LINK_RE = re.compile(r"http://localhost(/(?:reset|confirm-email)/[A-Za-z0-9_-]+)")
NEW = "cay-tre-xanh-2026"


class Inbox:
    """aiosmtpd handler: keeps every message it is given."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted"

    def wait_for(self, count: int) -> list:
        """The first ``count`` messages, once they are here (the app sends from a thread)."""
        deadline = time.monotonic() + 20
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.messages) >= count, f"{len(self.messages)} message(s) arrived, {count} expected"
        return self.messages[:count]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def inbox(app):
    from aiosmtpd.controller import Controller

    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    app.config.update(LMS_MAIL_SERVER="127.0.0.1", LMS_MAIL_PORT=controller.port, LMS_MAIL_USE_TLS=False,
                      LMS_MAIL_SENDER="Bình dân học vụ số <khong-tra-loi@hoc.example.vn>")
    yield handler
    controller.stop()


def _with_email(app, username: str, email: str, confirmed: bool = True, **kwargs) -> int:
    user_id = make_user(app, username, **kwargs)
    with app.app_context():
        user = db.session.get(User, user_id)
        user.email, user.email_verified_at = email, now_utc() if confirmed else None
        db.session.commit()
    return user_id


def _ask(client, email: str):
    return post_form(client, "/forgot", {"email": email}, action="/forgot/email")


def _link(message) -> str:
    match = LINK_RE.search(message.get_content())
    assert match, message.get_content()
    return match.group(1)


def test_the_link_arrives_works_once_and_a_reused_link_is_refused(app, client, inbox) -> None:
    _with_email(app, "0912345678", "an.nguyen@example.vn")
    elsewhere = app.test_client()
    login(elsewhere)
    assert 'action="/forgot/email"' in client.get("/forgot").get_data(as_text=True)  # offered with mail set up
    asked = _ask(client, "  An.Nguyen@Example.VN ")
    assert asked.status_code == 200
    [message] = inbox.wait_for(1)
    assert message["To"] == "an.nguyen@example.vn" and "Đặt mật khẩu mới" in message["Subject"]
    body = message.get_content()
    assert "Chào Nguyễn Văn An" in body and "30 phút" in body
    link = _link(message)
    with app.app_context():
        stored = db.session.scalar(select(PasswordResetLink))
        assert link.rsplit("/", 1)[1] not in stored.token_hash and len(stored.token_hash) == 64
    form = client.get(link)
    assert form.status_code == 200 and 'name="confirm"' in form.get_data(as_text=True)
    assert form.headers["Referrer-Policy"] == "no-referrer" and "no-store" in form.headers["Cache-Control"]
    weak = post_form(client, link, {"new_password": "12345678", "confirm": "12345678"})
    assert weak.status_code == 422  # the link is still good after a refused password
    done = post_form(client, link, {"new_password": NEW, "confirm": NEW})
    assert done.status_code == 302 and done.headers["Location"] == "/"
    assert client.get("/me").status_code == 200
    assert elsewhere.get("/me").status_code == 302  # every other session ended
    login(app.test_client(), "0912345678", NEW)
    reused = app.test_client().get(link)
    assert reused.status_code == 410
    assert vi("This link has already been used. Each link works only once: ask for a new one.") in \
        reused.get_data(as_text=True)
    again = post_form(app.test_client(), "/forgot", {}, action=link)
    assert again.status_code == 410


def test_an_expired_link_is_refused_in_plain_words(app, client, inbox) -> None:
    _with_email(app, "0912345678", "an.nguyen@example.vn")
    _ask(client, "an.nguyen@example.vn")
    link = _link(inbox.wait_for(1)[0])
    with app.app_context():
        db.session.execute(update(PasswordResetLink).values(expires_at=now_utc() - timedelta(seconds=1)))
        db.session.commit()
    expired = client.get(link)
    assert expired.status_code == 410
    assert vi("This link has expired. Links work for %(minutes)d minutes: ask for a new one.", minutes=30) in \
        expired.get_data(as_text=True)
    assert client.get("/reset/not-a-real-token").status_code == 404
    with app.app_context():
        assert db.session.scalar(select(User.must_change_password)) is False


def test_an_unknown_address_gets_the_same_page_and_no_mail(app, client, inbox) -> None:
    _with_email(app, "0912345678", "an.nguyen@example.vn")
    unknown = _ask(client, "nobody@example.vn")
    known = _ask(app.test_client(), "an.nguyen@example.vn")
    assert unknown.status_code == known.status_code == 200

    def text(response) -> str:
        return re.sub(r'value="[^"]*"', "", response.get_data(as_text=True)).replace("nobody@example.vn", "X") \
            .replace("an.nguyen@example.vn", "X")

    assert text(unknown) == text(known)
    inbox.wait_for(1)
    time.sleep(0.3)  # the unknown address's request came first: nothing else is on its way
    assert [m["To"] for m in inbox.messages] == ["an.nguyen@example.vn"]


def test_a_shared_address_gets_a_link_for_each_account_and_sending_is_limited(app, client, inbox) -> None:
    _with_email(app, "0912345678", "nha@example.vn")
    _with_email(app, "0912345679", "nha@example.vn", full_name="Nguyễn Thị Bình")
    _ask(client, "nha@example.vn")
    messages = inbox.wait_for(2)
    assert {_link(m) for m in messages}.__len__() == 2
    assert any("0912345679" in m.get_content() for m in messages)
    assert _ask(client, "nha@example.vn").status_code == 200
    assert _ask(client, "nha@example.vn").status_code == 200
    limited = _ask(client, "nha@example.vn")  # LMS_RESET_MAIL_LIMIT: 3 an hour to one address
    assert limited.status_code == 429
    assert vi("Too many links were asked for. Please wait an hour and try again.") in limited.get_data(as_text=True)
    assert _ask(client, "not an address").status_code == 422


def test_an_address_nobody_confirmed_gets_no_link(app, client, inbox) -> None:
    """A roster typed it, or the owner has not confirmed it: it cannot receive the power to reset."""
    _with_email(app, "0912345678", "typed.by.teacher@example.vn", confirmed=False)
    _with_email(app, "0912345679", "sentinel@example.vn", full_name="Nguyễn Thị Bình")
    assert _ask(client, "typed.by.teacher@example.vn").status_code == 200
    _ask(app.test_client(), "sentinel@example.vn")
    inbox.wait_for(1)
    time.sleep(0.3)
    assert [m["To"] for m in inbox.messages] == ["sentinel@example.vn"]


def test_the_owner_confirms_a_new_address_with_a_button(app, client, inbox) -> None:
    make_user(app)
    login(client)
    saved = post_form(client, "/me", {"email": "an@example.vn", "password": "mat-khau-tot-2026"}, action="/me/email")
    assert vi("We have sent a link to %(email)s. Open it and press the button to confirm the address.",
              email="an@example.vn") in client.get(saved.headers["Location"]).get_data(as_text=True)
    [message] = inbox.wait_for(1)
    assert message["To"] == "an@example.vn" and "Xác nhận" in message["Subject"]
    link = _link(message)
    assert link.startswith("/confirm-email/")
    assert client.get(link).status_code == 200  # opening it (a mail scanner may) confirms nothing
    with app.app_context():
        assert db.session.scalar(select(User.email_verified_at)) is None
    assert client.get("/reset/" + link.rsplit("/", 1)[1]).status_code == 404  # not a reset link
    done = post_form(client, link, {})
    assert done.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(User.email_verified_at)) is not None
    assert post_form(app.test_client(), "/forgot", {}, action=link).status_code == 410  # once
    _ask(app.test_client(), "an@example.vn")
    assert _link(inbox.wait_for(2)[1]).startswith("/reset/")  # now the address gets reset links
    # a new address is unconfirmed again, and the old address's link would not confirm it
    post_form(client, "/me", {"email": "an2@example.vn", "password": "mat-khau-tot-2026"}, action="/me/email")
    with app.app_context():
        assert db.session.scalar(select(User.email_verified_at)) is None
    stale = _link(inbox.wait_for(3)[2])
    post_form(client, "/me", {"email": "an3@example.vn", "password": "mat-khau-tot-2026"}, action="/me/email")
    refused = post_form(client, stale, {})
    assert refused.status_code == 410
    assert vi("This link was sent to an address that is no longer on your account.") in \
        refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User.email_verified_at)) is None
