"""Invitations to a class: a roster named an existing account whose details did not agree with
the row (or a staff account), so the person decides. They see their pending invitations right
after signing in; saying yes enrolls them exactly as the class's join code does
(:func:`lms.classes.services.join_class`, which also answers the invitation); saying no is kept.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from lms.accounts.models import User
from lms.accounts.services import audit
from lms.classes.models import ClassInvitation, Classroom
from lms.classes.services import has_ended, join_class
from lms.db import db, now_utc


@dataclass
class Pending:
    invitation: ClassInvitation
    classroom: Classroom


def pending(user: User) -> list[Pending]:
    """The person's unanswered invitations to classes that still accept learners, oldest first."""
    found = db.session.scalars(
        select(ClassInvitation)
        .options(joinedload(ClassInvitation.classroom).joinedload(Classroom.teacher))
        .where(ClassInvitation.user_id == user.id, ClassInvitation.answered_at.is_(None))
        .order_by(ClassInvitation.created_at, ClassInvitation.id)
    )
    return [Pending(i, i.classroom) for i in found if not has_ended(i.classroom)]


def has_pending(user: User) -> bool:
    return bool(pending(user))


def pending_one(user: User, invitation_id: int) -> ClassInvitation | None:
    """The person's own unanswered invitation with this id, or None."""
    invitation = db.session.get(ClassInvitation, invitation_id)
    if invitation is None or invitation.user_id != user.id or invitation.answered_at is not None:
        return None
    return invitation


def accept(invitation: ClassInvitation, user: User) -> bool:
    """Join the class (as with its code); raises ``ClassError`` when the class has ended."""
    return join_class(invitation.classroom, user)


def decline(invitation: ClassInvitation, user: User) -> None:
    """Keep the answer: the person stays out of the class, and the teacher is told nothing more."""
    invitation.answered_at = now_utc()
    invitation.accepted = False
    audit(user, "class_invitation_declined", "class", invitation.class_id, {"invitation_id": invitation.id})
    db.session.commit()
