"""Personal sign-in cards: a QR code that signs one citizen in on any phone.

* **Single purpose.** A card signs in the one account it was made for, and only while that
  account is a citizen's (no role but learner): a card can never open a staff account, even one
  that gained a role after the card was made.
* **Only a hash is kept.** The token (22 URL-safe characters, 128 bits) is shown once, on the
  card; the database keeps its SHA-256 (:func:`lms.accounts.services.secret_digest`), like session
  ids and API tokens. Reprinting means a new card, and a new card ends the old one.
* **Revocable** by the citizen (their account page) or by an ambassador who looks after them.
* **Rate-limited.** Every use, right or wrong, is counted per client address and per card
  (``LMS_CARD_LIMIT_ADDRESS``, ``LMS_CARD_LIMIT_CARD``, the sign-in throttle's storage): guessing
  is bounded, and a copied card cannot be used in a flood.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping

from sqlalchemy import select, update

from lms.accounts.models import User
from lms.accounts.services import SignInBlocked, audit, secret_digest
from lms.accounts.throttle import SignInLimits, client_key, parse_limits, throttle_for_app
from lms.ambassadors.models import SignInCard
from lms.ambassadors.services import is_citizen
from lms.db import db, now_utc

TOKEN_BYTES = 16


def card_limits(config: Mapping[str, object]) -> SignInLimits:
    return SignInLimits(pair=(), address=parse_limits(config.get("LMS_CARD_LIMIT_ADDRESS")),
                        account=parse_limits(config.get("LMS_CARD_LIMIT_CARD")))


def card_digest(token: str) -> str:
    return secret_digest("card:" + (token or "")[:64])


def revoke_cards(user: User, by: User) -> int:
    """End every card of the account; the number ended (the caller commits)."""
    result = db.session.execute(
        update(SignInCard).where(SignInCard.user_id == user.id, SignInCard.revoked_at.is_(None))
        .values(revoked_at=now_utc(), revoked_by_id=by.id)
    )
    if result.rowcount:
        audit(by, "revoke_signin_card", "user", user.id, {"by": "owner" if by.id == user.id else "ambassador"})
    return result.rowcount or 0


def issue_card(user: User, by: User) -> str:
    """A new card for a citizen (the caller checked who may); returns its token, to show once.
    The citizen's earlier cards stop working."""
    if not is_citizen(user):
        raise ValueError("sign-in cards are for citizens' accounts only")
    revoke_cards(user, by)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    db.session.add(SignInCard(user_id=user.id, token_hash=card_digest(token), created_by_id=by.id))
    audit(by, "issue_signin_card", "user", user.id, {})
    return token


def active_card(user_id: int) -> SignInCard | None:
    return db.session.scalar(select(SignInCard).where(SignInCard.user_id == user_id,
                                                      SignInCard.revoked_at.is_(None)))


def sign_in_with_card(token: str, address: str, config: Mapping[str, object]) -> User | None:
    """The account the card signs in, or None (unknown, revoked, or no longer a citizen's).
    Raises :class:`SignInBlocked` while this client or this card must wait, before looking."""
    digest = card_digest(token)
    card = db.session.scalar(select(SignInCard).where(SignInCard.token_hash == digest))
    limits = card_limits(config)
    account = f"card:{card.id}" if card is not None else "card:unknown"
    where = "card|" + client_key(address)  # apart from the password sign-in's address budget
    throttle = throttle_for_app()
    wait = throttle.wait_seconds(account, where, limits)
    if wait:
        raise SignInBlocked(wait)
    throttle.failed(account, where, limits)  # every use counts, right or wrong (see the module's note)
    if card is None or not hmac.compare_digest(card.token_hash, digest) or card.revoked_at is not None:
        return None
    user = db.session.get(User, card.user_id)
    if not is_citizen(user):
        return None
    card.last_used_at = now_utc()
    audit(user, "card_sign_in", "user", user.id, {"card": card.id})
    return user
