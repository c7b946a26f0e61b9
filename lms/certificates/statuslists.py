"""The published revocation lists: W3C Bitstring Status Lists, kept signed in the database.

* :func:`lms.certificates.statusindex.allocate_index` gives a new certificate its random
  ``status_index``;
* :func:`refresh` rewrites the signed list of every range a status change touched, inside the
  transaction that made the change (called at the flush by :mod:`.status`), so the list a
  wallet fetches is committed with the revocation, never before, never after;
* :func:`published` is what ``GET /credentials/status/<n>`` serves.

Concurrent revocations cannot lose each other's bit: :mod:`.status` bumps the ``certificates``
change counter first (an ``UPDATE`` of one row, which holds that row's lock until commit), so
the revocations are serialised, and each list is rebuilt from the certificates table, which
then includes every committed revocation (PostgreSQL's READ COMMITTED takes a new snapshot per
statement; SQLite has one writer at a time).
"""

from __future__ import annotations

import json

from sqlalchemy import Connection, func, insert, select, update

import lms.changes as changes
from lms.certificates import statuslist
from lms.certificates.credential import did_web, lower_url, sign_credential
from lms.certificates.issuing import keystore
from lms.certificates.models import Certificate, StatusList
from lms.certificates.urls import base_url
from lms.db import db, now_utc

#: the route's path under the LMS (views.status_list); fixed here because the CLI has no request
LIST_PATH = "/credentials/status/"
_CERTS, _LISTS = Certificate.__table__, StatusList.__table__


def list_url(number: int) -> str:
    return lower_url(base_url()) + f"{LIST_PATH}{number}"


def entry_for(index: int) -> dict:
    """The ``credentialStatus`` of the certificate with this status index."""
    return statuslist.status_entry(list_url(statuslist.list_number(index)), index)


def _revoked_positions(connection: Connection, number: int) -> list[int]:
    first = number * statuslist.LIST_SIZE
    rows = connection.execute(
        select(_CERTS.c.status_index).where(
            _CERTS.c.status == "revoked", _CERTS.c.status_index >= first,
            _CERTS.c.status_index < first + statuslist.LIST_SIZE,
        )
    )
    return [index - first for (index,) in rows]


def build(connection: Connection, number: int) -> tuple[str, int]:
    """List ``number`` signed now, from the certificates as ``connection`` sees them: (JSON, revoked)."""
    positions = _revoked_positions(connection, number)
    unsigned = statuslist.status_list_credential(list_url(number), did_web(base_url()), positions,
                                                 valid_from=now_utc())
    text = json.dumps(sign_credential(unsigned, keystore()), ensure_ascii=False, separators=(",", ":"))
    return text, len(positions)


def refresh(connection: Connection, numbers: set[int]) -> None:
    """Rebuild, sign and store these lists, in the caller's transaction."""
    for number in sorted(numbers):
        text, revoked = build(connection, number)
        values = {"credential": text, "revoked": revoked, "updated_at": now_utc()}
        done = connection.execute(update(_LISTS).where(_LISTS.c.number == number).values(**values))
        if not done.rowcount:
            connection.execute(insert(_LISTS).values(number=number, purpose=statuslist.PURPOSE, **values))


def refresh_all() -> list[int]:
    """Rebuild every list in use (``lms certs status-lists``), e.g. after statuses were edited in SQL."""
    top = db.session.scalar(select(func.max(Certificate.status_index)))
    numbers = set(range(statuslist.list_number(top) + 1)) if top is not None else set()
    refresh(db.session.connection(), numbers)
    return sorted(numbers)


def in_use(number: int) -> bool:
    first = number * statuslist.LIST_SIZE
    return db.session.scalar(
        select(Certificate.id).where(Certificate.status_index >= first,
                                     Certificate.status_index < first + statuslist.LIST_SIZE).limit(1)
    ) is not None


def published(number: int) -> str | None:
    """The signed list as stored; None for a list no certificate uses.

    A list in use but not stored yet (no status in its range has changed since the migration
    gave existing certificates their indexes), or stored under an older LMS address, is built,
    stored and committed now, once, under the same lock as a revocation (the change counter).
    """
    stored = db.session.get(StatusList, number)
    if stored is not None and json.loads(stored.credential).get("id") == list_url(number):
        return stored.credential
    if stored is None and not in_use(number):
        return None
    connection = db.session.connection()
    changes.bump(connection, changes.CERTIFICATES)  # waits for a revocation in progress
    refresh(connection, {number})
    text = connection.execute(select(_LISTS.c.credential).where(_LISTS.c.number == number)).scalar_one()
    db.session.commit()
    return text
