"""A household, its members (one household per person) and the invitations its members send."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.db import UTCDateTime, db, now_utc


class Household(db.Model):
    """A group of accounts that live together. It exists while it has a member; the last one to
    leave deletes it (its invitations go with it)."""

    __tablename__ = "lms_households"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    #: the code a member gives in person (families often share one phone); typing it is accepting.
    #: Kept readable so members can show it again; it expires, and making a new one ends the old
    join_code: Mapped[str | None] = mapped_column(String(16), unique=True)
    join_code_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    members: Mapped[list[HouseholdMember]] = relationship(
        back_populates="household", cascade="all, delete-orphan", passive_deletes=True,
        order_by="HouseholdMember.joined_at",
    )


class HouseholdMember(db.Model):
    """The user id is the key: a person belongs to at most one household."""

    __tablename__ = "lms_household_members"

    user_id: Mapped[int] = mapped_column(ForeignKey("lms_users.id", ondelete="CASCADE"), primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("lms_households.id", ondelete="CASCADE"), index=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    household: Mapped[Household] = relationship(back_populates="members")
    user: Mapped[User] = relationship(lazy="joined")


class HouseholdInvitation(db.Model):
    """A member asked the person with this phone number or username to join. Accepting deletes it
    (the person is a member then); declining keeps it, so the same household cannot ask again.

    It is kept whether or not an account has that login, so the inviter's list of invitations looks
    the same either way (lms.households.services); a person who signs up later with that phone
    number or username finds it on their page."""

    __tablename__ = "lms_household_invitations"
    __table_args__ = (UniqueConstraint("household_id", "invitee_login"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("lms_households.id", ondelete="CASCADE"), index=True)
    #: what the inviter typed, normalised as sign-in does (0xxxxxxxxx or a lower-case username)
    invitee_login: Mapped[str] = mapped_column(String(64), index=True)
    #: the account with that login when the invitation was sent (None: none had it then)
    invitee_id: Mapped[int | None] = mapped_column(ForeignKey("lms_users.id", ondelete="CASCADE"), index=True)
    inviter_id: Mapped[int | None] = mapped_column(ForeignKey("lms_users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    household: Mapped[Household] = relationship()
    inviter: Mapped[User | None] = relationship(foreign_keys=[inviter_id], lazy="joined")
