"""Change counters in the database: how every server learns that something it caches changed.

A process that caches what the database says (the verification cache of certificate records,
for example) keeps the counter's value beside its cache. Whoever changes the data bumps the
counter in the same transaction, so the news is committed with the change, on every server
that shares the database, whatever the state of any server's folder. A :class:`CounterWatch`
reads the counter at most once per interval (one indexed one-row read, through
:mod:`lms.fastread`), so a change shows everywhere within that interval at a cost of one
round trip per process per interval, not one per request.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import BigInteger, Connection, String, bindparam, insert, select, update
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import db
from lms.fastread import read_one

#: the counters the LMS keeps (the migration creates a row for each)
CERTIFICATES = "certificates"
#: certificate signing keys (a key made or rotated: lms.certificates.keyring)
SIGNING_KEYS = "signing_keys"


class ChangeCounter(db.Model):
    __tablename__ = "lms_change_counters"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


_TABLE = ChangeCounter.__table__
_READ = select(_TABLE.c.value).where(_TABLE.c.name == bindparam("name"))


def bump(connection: Connection, name: str) -> None:
    """Add one to the counter, inside the caller's transaction (it commits or rolls back with it)."""
    done = connection.execute(update(_TABLE).where(_TABLE.c.name == name).values(value=_TABLE.c.value + 1))
    if not done.rowcount:
        connection.execute(insert(_TABLE).values(name=name, value=1))


def read(name: str) -> int:
    """The counter's committed value (0 before its first change)."""
    row = read_one("change_counter_read", _READ, {"name": name})
    return int(row[0]) if row is not None else 0


def read_in_session(name: str) -> int:
    """The counter's value through the session's own connection: for a caller inside a transaction
    (issuing a certificate), which must not take a second pooled connection while it holds one
    (twenty concurrent submits would exhaust the pool, and on SQLite wait on each other's lock)."""
    value = db.session.execute(_READ, {"name": name}).scalar()
    return int(value) if value is not None else 0


class CounterWatch:
    """Says whether a counter moved since the last look, looking at most every ``interval`` seconds."""

    def __init__(self, name: str, reader: Callable[[str], int] | None = None) -> None:
        self.name = name
        self.reader = reader or read
        self.value: int | None = None
        self.looked_at = float("-inf")

    def moved(self, interval: float) -> bool:
        now = time.monotonic()
        if now - self.looked_at < interval:
            return False
        self.looked_at = now
        value = self.reader(self.name)
        moved = value != self.value
        self.value = value
        return moved

    def forget(self) -> None:
        """Look again on the next call (this process made the change itself)."""
        self.looked_at = float("-inf")
