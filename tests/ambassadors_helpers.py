"""Shared steps of the ambassadors' tests."""

from __future__ import annotations

import re

from sqlalchemy import select

from lms.accounts.models import User
from lms.db import db
from tests.conftest import login, make_user, post_form

PASSWORD = "mat-khau-tot-2026"
CARD_RE = re.compile(r'class="muted card-url">[^<]*?/card/([A-Za-z0-9_-]+)<')


def ambassador(app, username: str = "daisu", unit_code: str = "26734", full_name: str = "Phan Thị Sứ") -> int:
    return make_user(app, username, PASSWORD, roles={"ambassador"}, audience=None, unit_code=unit_code,
                     full_name=full_name)


def signed_in(app, username: str):
    client = app.test_client()
    login(client, username, PASSWORD)
    return client


def register(client, full_name: str = "Lê Thị Mai", birth_year: str = "1958", phone: str = ""):
    """Register a person; the response of the card page it leads to, and the card's token."""
    response = post_form(client, "/ambassador/register",
                         {"full_name": full_name, "birth_year": birth_year, "phone": phone})
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    page = client.get(response.headers["Location"])
    match = CARD_RE.search(page.get_data(as_text=True))
    assert match, "no card on the page"
    return page, match.group(1)


def user_named(app, full_name: str) -> User:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.full_name == full_name))
        db.session.expunge(user)
        return user


def card_sign_in(client, token: str, **kwargs):
    return post_form(client, f"/card/{token}", {}, **kwargs)
