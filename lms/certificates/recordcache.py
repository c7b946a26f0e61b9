"""Public records of recently checked certificates, kept per process, dropped at once when a
certificate's status changes.

A verification needs the certificate's public record (:func:`records.public_record`). On
PostgreSQL that read is a round trip costing ~0.2 ms of CPU between client and server, as much
as the rest of the page; a certificate shown at a desk, a notice board or a recruitment drive
is checked again and again. So each process keeps the records it has read, and answers a
repeat check without the database.

**A revocation shows within a second everywhere, at once where it was made.** Any change of a
certificate's status (what :func:`records.revoke` does, or any ORM assignment to
``Certificate.status``: see :mod:`lms.certificates.status`) bumps the ``certificates`` change
counter in the database in the same transaction. Each process looks at that counter at most
every ``LMS_VERIFY_CHANGE_SECONDS`` (default 1) before answering from its cache, and empties the
cache when it moved: every worker of every server sharing the database, with no shared folder.
The process that made the change empties its cache at once (:data:`lms.signals.certificate_revoked`).
An entry is never used after ``LMS_VERIFY_CACHE_SECONDS`` (default 60), which bounds how long
other edits (a renamed course, a status changed by hand in SQL) take to show;
``LMS_VERIFY_CACHE_SECONDS = 0`` turns the cache off.
Unknown codes are not kept, so the cache cannot be filled by guessing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from flask import Flask, current_app

import lms.changes as changes
from lms.certificates import records
from lms.certificates.codes import normalize_code
from lms.certificates.records import Public
from lms.changes import CounterWatch
from lms.signals import certificate_revoked

MAX_ENTRIES = 5_000  # a record ~1.5 KB, its pages ~1-2 KB each: ~15-40 MB a process at most
@dataclass(slots=True)
class Entry:
    """A record as read at ``read_at``, and the verdict pages rendered from it (same lifetime)."""

    read_at: float
    record: Public
    pages: dict[tuple, tuple[bytes, bool]] = field(default_factory=dict)


class RecordCache:
    """Found records by canonical code."""

    def __init__(self) -> None:
        self.watch = CounterWatch(changes.CERTIFICATES)
        self.entries: dict[str, Entry] = {}

    def entry(self, code: str, max_age: float, look_every: float) -> Entry | None:
        # the counter is read before the record, so a change made meanwhile is seen next time
        if self.watch.moved(look_every):
            self.entries.clear()
        now = time.monotonic()
        kept = self.entries.get(code)
        if kept is not None and now - kept.read_at < max_age:
            return kept
        record = records.public_record(code)
        if record is None:
            self.entries.pop(code, None)
            return None
        while len(self.entries) >= MAX_ENTRIES:
            try:
                self.entries.pop(next(iter(self.entries)), None)  # the oldest read
            except (StopIteration, RuntimeError):  # emptied or changed by another thread meanwhile
                break
        kept = self.entries[code] = Entry(now, record)
        return kept


def entry(code: str | None) -> Entry | None:
    """The certificate's cache entry (a fresh, unkept one when the cache is off), or None if unknown."""
    canonical = normalize_code(code or "")
    if canonical is None:
        return None
    max_age = float(current_app.config.get("LMS_VERIFY_CACHE_SECONDS") or 0)
    if max_age <= 0:
        record = records.public_record(canonical)
        return Entry(0.0, record) if record is not None else None
    extras = current_app.extensions["lms"].extras
    cache = extras.get("cert_record_cache")
    if cache is None:
        cache = extras["cert_record_cache"] = RecordCache()
    return cache.entry(canonical, max_age, float(current_app.config.get("LMS_VERIFY_CHANGE_SECONDS", 1)))


def public_record(code: str | None) -> Public | None:
    """:func:`records.public_record`, answered from this process's cache when it may be."""
    found = entry(code)
    return found.record if found is not None else None


# -- telling the other processes -----------------------------------------------------------


@certificate_revoked.connect
def _status_changed(app: Flask, *, code: str, status: str) -> None:
    """This process made the change: forget what it kept now, not at the next look."""
    cache = app.extensions["lms"].extras.get("cert_record_cache")
    if cache is not None:
        cache.entries.clear()
        cache.watch.forget()
