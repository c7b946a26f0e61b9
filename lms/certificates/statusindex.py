"""Where a new certificate's bit goes in the W3C Bitstring Status Lists (:mod:`.statuslists`)."""

from __future__ import annotations

import secrets

from sqlalchemy import func, select

from lms.certificates import statuslist
from lms.certificates.models import Certificate
from lms.db import db

_TRIES = 16
_random = secrets.SystemRandom()


def allocate_index() -> int:
    """A free random index in the newest list; a new list once random picks keep colliding
    (so a list fills to about 85 %, and its order tells nothing about issuance)."""
    top = db.session.scalar(select(func.max(Certificate.status_index)))
    number = statuslist.list_number(top) if top is not None else 0
    for _ in range(_TRIES):
        candidate = number * statuslist.LIST_SIZE + _random.randrange(statuslist.LIST_SIZE)
        taken = db.session.scalar(select(Certificate.id).where(Certificate.status_index == candidate))
        if taken is None:
            return candidate
    return (number + 1) * statuslist.LIST_SIZE + _random.randrange(statuslist.LIST_SIZE)
