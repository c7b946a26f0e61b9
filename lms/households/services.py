"""Households: invite, accept or decline, join with a code, leave, remove. Plain functions.

Nobody becomes a member without acting themselves: accepting their own invitation, or typing a
code a member gave them. Each function that changes something checks the acting person's right
to do it (a member of that household, the invited person) and commits.

Invitations say nothing about the person asked: whether the phone number or username has an
account or is already in a household, the inviter sees the same answer and the same line in the
list of invitations sent (the login they typed, "waiting"), because the invitation is kept either
way; a person who signs up later with that login finds it. Only the person's own "no" shows
("declined"). lms.households.limits bounds the tries.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError

from lms.accounts.models import User
from lms.accounts.services import AccountError, audit, find_by_login, resolve_login
from lms.clock import local_today
from lms.db import db, now_utc
from lms.households.models import Household, HouseholdInvitation, HouseholdMember
from lms.households.rules import Standing, certified, standing
from lms.i18n import _

#: a household larger than this is not one family: it stops a code shared in a group chat
MAX_MEMBERS = 12
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # no 0/O, 1/I/L, U/V confusion when read aloud
CODE_LENGTH = 8
CODE_DAYS = 2


class HouseholdError(Exception):
    """A refusal the person can act on; ``message`` is in their language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def membership(user_id: int) -> HouseholdMember | None:
    return db.session.get(HouseholdMember, user_id)


def household_of(user_id: int) -> Household | None:
    member = membership(user_id)
    return member.household if member is not None else None


def members(household: Household) -> list[User]:
    """The members, first joined first."""
    return [m.user for m in household.members]


def standing_of(household: Household) -> Standing:
    """Today's answer for the member's page."""
    today = local_today()
    rows = db.session.execute(
        select(User.birth_year, certified(today))
        .join(HouseholdMember, HouseholdMember.user_id == User.id)
        .where(HouseholdMember.household_id == household.id)
    ).all()
    return standing([(birth_year, bool(held)) for birth_year, held in rows], today.year)


def _addressed_to(user: User):
    """SQL: the invitation is this person's: sent to their account, or to their login before they had one."""
    logins = [login for login in (user.username, user.phone) if login]
    return or_(HouseholdInvitation.invitee_id == user.id,
               and_(HouseholdInvitation.invitee_id.is_(None), HouseholdInvitation.invitee_login.in_(logins)))


def pending_for(user: User) -> list[HouseholdInvitation]:
    """The person's unanswered invitations, oldest first."""
    return list(db.session.scalars(
        select(HouseholdInvitation)
        .where(_addressed_to(user), HouseholdInvitation.declined_at.is_(None))
        .order_by(HouseholdInvitation.created_at, HouseholdInvitation.id)
    ))


def sent_by(household: Household) -> list[HouseholdInvitation]:
    """The household's invitations, with the login each was sent to (never the account's name)."""
    return list(db.session.scalars(
        select(HouseholdInvitation)
        .where(HouseholdInvitation.household_id == household.id)
        .order_by(HouseholdInvitation.created_at, HouseholdInvitation.id)
    ))


def _count(household_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(HouseholdMember).where(HouseholdMember.household_id == household_id))


def _found(user: User) -> Household:
    """The person's household, made (with them as its first member) when they have none."""
    household = household_of(user.id)
    if household is None:
        household = Household()
        db.session.add(household)
        try:
            db.session.flush()
            db.session.add(HouseholdMember(user_id=user.id, household_id=household.id))
            db.session.flush()
        except IntegrityError:
            # the same person's other request made one a moment ago (one household per person): use it
            db.session.rollback()
            found = household_of(user.id)
            if found is None:
                raise
            return found
        audit(user, "household_created", "household", household.id, {})
    return household


def invite(inviter: User, login: str) -> None:
    """Invite the person with this phone number or username into the inviter's household.

    Stored the same way whether or not an account has that login. Raises HouseholdError only for
    what the inviter may know: the text is neither a phone number nor a username, their household
    is full, or it is their own login."""
    try:
        wanted, _phone = resolve_login(login)
    except AccountError as error:
        raise HouseholdError(error.message) from None
    if wanted in (inviter.username, inviter.phone):
        raise HouseholdError(_("This is your own account."))
    household = _found(inviter)
    if _count(household.id) >= MAX_MEMBERS:
        db.session.commit()
        raise HouseholdError(_("A household has at most %(n)d members.", n=MAX_MEMBERS))
    known = db.session.scalar(select(HouseholdInvitation.id).where(
        HouseholdInvitation.household_id == household.id, HouseholdInvitation.invitee_login == wanted))
    if known is None:
        invitee = find_by_login(wanted)
        invitation = HouseholdInvitation(household_id=household.id, invitee_login=wanted,
                                         invitee_id=invitee.id if invitee is not None else None,
                                         inviter_id=inviter.id)
        db.session.add(invitation)
        db.session.flush()
        audit(inviter, "household_invited", "household", household.id, {"invitation_id": invitation.id})
    db.session.commit()


def own_invitation(user: User, invitation_id: int) -> HouseholdInvitation | None:
    """The person's own unanswered invitation with this id, or None (anyone else's: None too)."""
    return db.session.scalar(select(HouseholdInvitation).where(
        HouseholdInvitation.id == invitation_id, _addressed_to(user), HouseholdInvitation.declined_at.is_(None)))


def _join(user: User, household: Household) -> None:
    if membership(user.id) is not None:
        raise HouseholdError(_("You are already in a household. Leave it first to join another one."))
    if _count(household.id) >= MAX_MEMBERS:
        raise HouseholdError(_("A household has at most %(n)d members.", n=MAX_MEMBERS))
    db.session.add(HouseholdMember(user_id=user.id, household_id=household.id))
    try:
        db.session.flush()
    except IntegrityError:  # the same person joining twice at once, or the household just dissolved
        db.session.rollback()
        raise HouseholdError(_("You are already in a household. Leave it first to join another one.")) from None


def accept(invitation: HouseholdInvitation, user: User) -> Household:
    """The invited person says yes: they become a member; the invitation is used up (their invitations
    from other households stay: they may leave and accept one later)."""
    household = invitation.household
    _join(user, household)
    db.session.delete(invitation)
    audit(user, "household_joined", "household", household.id, {"via": "invitation"})
    db.session.commit()
    return household


def decline(invitation: HouseholdInvitation, user: User) -> None:
    """Kept as declined: the same household cannot ask this person again."""
    invitation.declined_at = now_utc()
    audit(user, "household_invitation_declined", "household", invitation.household_id, {})
    db.session.commit()


def withdraw(member: User, invitation_id: int) -> bool:
    """A member takes back an unanswered invitation of their own household; False when it is not one.
    A declined one stays: withdrawing it would let the household ask the person again."""
    own = membership(member.id)
    invitation = db.session.get(HouseholdInvitation, invitation_id)
    if own is None or invitation is None or invitation.household_id != own.household_id \
            or invitation.declined_at is not None:
        return False
    db.session.delete(invitation)
    audit(member, "household_invitation_withdrawn", "household", own.household_id, {})
    db.session.commit()
    return True


def _remove(member: HouseholdMember, actor: User) -> None:
    household_id = member.household_id
    db.session.delete(member)
    db.session.flush()
    if _count(household_id) == 0:
        # the last one out: the household and its invitations go (nothing is left to show anyone)
        db.session.delete(db.session.get(Household, household_id))
        audit(actor, "household_dissolved", "household", household_id, {})


def leave(user: User) -> bool:
    """False when the person is in no household."""
    member = membership(user.id)
    if member is None:
        return False
    audit(user, "household_left", "household", member.household_id, {})
    _remove(member, user)
    db.session.commit()
    return True


def remove(actor: User, user_id: int) -> bool:
    """A member takes another member out (a wrong link); False unless both are in the same household."""
    own, other = membership(actor.id), membership(user_id)
    if own is None or other is None or other.household_id != own.household_id or user_id == actor.id:
        return False
    audit(actor, "household_member_removed", "household", own.household_id, {"user_id": user_id})
    _remove(other, actor)
    db.session.commit()
    return True


def new_code(member: User) -> str:
    """A fresh code for the member's household (made if they have none); the old code stops working."""
    household = _found(member)
    for _attempt in range(5):
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if db.session.scalar(select(Household.id).where(Household.join_code == code)) is None:
            break
    household.join_code = code
    household.join_code_expires_at = now_utc() + timedelta(days=CODE_DAYS)
    audit(member, "household_code_made", "household", household.id, {})
    db.session.commit()
    return code


def normalize_code(text: str) -> str:
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())


def live_code(household: Household) -> str | None:
    """The household's code while it works."""
    if household.join_code is None or household.join_code_expires_at is None:
        return None
    return household.join_code if household.join_code_expires_at > now_utc() else None


def join_with_code(user: User, text: str) -> Household:
    """Join the household whose live code this is: typing it is the person's own yes."""
    code = normalize_code(text)
    household = db.session.scalar(select(Household).where(Household.join_code == code)) if code else None
    if household is None or live_code(household) is None:
        raise HouseholdError(_("This code does not work. Ask a member of the household for a new one."))
    _join(user, household)
    # an invitation from the same household is answered by joining
    for invitation in pending_for(user):
        if invitation.household_id == household.id:
            db.session.delete(invitation)
    audit(user, "household_joined", "household", household.id, {"via": "code"})
    db.session.commit()
    return household


def format_code(code: str) -> str:
    """Read aloud in two halves: ABCD-EFGH."""
    return f"{code[:4]}-{code[4:]}"
