"""Helpers for the household tests: people, a signed-in client each, and household state read back."""

from __future__ import annotations

from sqlalchemy import func, select

from lms.db import db
from tests.conftest import csrf_from, login


def client_for(app, login_name: str):
    client = app.test_client()
    login(client, login_name)
    return client


def token(client, url: str = "/household") -> str:
    return csrf_from(client.get(url).get_data(as_text=True))


def post(client, url: str, data: dict | None = None):
    """A POST from the household page, with that page's CSRF token (as the browser sends it)."""
    return client.post(url, data={"csrf_token": token(client), **(data or {})})


def household_id_of(app, user_id: int) -> int | None:
    from lms.households.models import HouseholdMember

    with app.app_context():
        member = db.session.get(HouseholdMember, user_id)
        return member.household_id if member is not None else None


def invitations(app, **where) -> list:
    """(id, household_id, invitee_id, declined) of the invitation rows matching ``where``."""
    from lms.households.models import HouseholdInvitation

    with app.app_context():
        query = select(HouseholdInvitation).filter_by(**where).order_by(HouseholdInvitation.id)
        return [(i.id, i.household_id, i.invitee_id, i.declined_at is not None)
                for i in db.session.scalars(query)]


def state(app) -> tuple:
    """Everything the household tables hold, to show that a refused request changed nothing."""
    from lms.households.models import Household, HouseholdInvitation, HouseholdMember

    with app.app_context():
        members = sorted(db.session.execute(select(HouseholdMember.user_id, HouseholdMember.household_id)).all())
        invites = sorted(db.session.execute(
            select(HouseholdInvitation.id, HouseholdInvitation.invitee_id, HouseholdInvitation.declined_at)).all())
        count = db.session.scalar(select(func.count()).select_from(Household))
        codes = sorted(db.session.scalars(select(Household.join_code)).all(), key=str)
        return members, invites, count, codes


def make_household(app, *user_ids: int) -> int:
    """A household with these members, joined in this order (as accepted invitations leave it)."""
    from datetime import timedelta

    from lms.db import now_utc
    from lms.households.models import Household, HouseholdMember

    with app.app_context():
        household = Household()
        db.session.add(household)
        db.session.flush()
        start = now_utc()
        for n, user_id in enumerate(user_ids):
            db.session.add(HouseholdMember(user_id=user_id, household_id=household.id,
                                           joined_at=start + timedelta(minutes=n)))
        db.session.commit()
        return household.id
