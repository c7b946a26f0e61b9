"""Public records of recently checked certificates, kept per process, dropped at once when a
certificate's status changes.

A verification needs the certificate's public record (:func:`records.public_record`). On
PostgreSQL that read is a round trip costing ~0.2 ms of CPU between client and server, as much
as the rest of the page; a certificate shown at a desk, a notice board or a recruitment drive
is checked again and again. So each process keeps the records it has read, and answers a
repeat check without the database.

**A revocation shows on the next check.** Any change of a certificate's status (what
:func:`records.revoke` does, or any ORM assignment to ``Certificate.status``: see
:mod:`lms.certificates.status`) replaces the stamp file
``<instance>/certificates/revocations.stamp`` once its transaction has committed. Every look-up
``stat``s that file (~2 us) and empties the cache when it has changed: every gunicorn
worker and the ``lms`` CLI of a host share the instance folder. Several hosts on one database
must share it too (or set a small ``LMS_VERIFY_CACHE_SECONDS``): an entry is never used after
that many seconds (default 60), which also bounds how long other edits (a renamed course, a
status changed by hand in SQL) take to show. ``LMS_VERIFY_CACHE_SECONDS = 0`` turns it off.
Unknown codes are not kept, so the cache cannot be filled by guessing.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, current_app

from lms.certificates import records
from lms.certificates.codes import normalize_code
from lms.certificates.files import write_atomically
from lms.certificates.records import Public
from lms.signals import certificate_revoked

MAX_ENTRIES = 5_000  # a record ~1.5 KB, its pages ~1-2 KB each: ~15-40 MB a process at most
log = logging.getLogger(__name__)
Stamp = tuple[int, int] | None


def stamp_path(instance_path: str) -> Path:
    return Path(instance_path) / "certificates" / "revocations.stamp"


def read_stamp(path: Path) -> Stamp:
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_ino, found.st_mtime_ns


def bump_stamp(instance_path: str) -> None:
    """Tell every process of this host that some certificate's status changed.

    Runs after the change is committed, so it must not fail the request: if the instance
    folder cannot be written, the change still shows once cached entries age out."""
    try:
        # a new file replacing the old: a new inode, so two changes within one clock tick still differ
        write_atomically(stamp_path(instance_path), f"{time.time_ns()} {os.getpid()}\n".encode())
    except OSError:
        log.exception("cannot write %s: other processes see this certificate change only after "
                      "LMS_VERIFY_CACHE_SECONDS", stamp_path(instance_path))


@dataclass(slots=True)
class Entry:
    """A record as read at ``read_at``, and the verdict pages rendered from it (same lifetime)."""

    read_at: float
    record: Public
    pages: dict[tuple, tuple[bytes, bool]] = field(default_factory=dict)


class RecordCache:
    """Found records by canonical code."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.stamp: Stamp = read_stamp(path)
        self.entries: dict[str, Entry] = {}

    def entry(self, code: str, max_age: float) -> Entry | None:
        stamp = read_stamp(self.path)  # read before the database, so a change made meanwhile is seen next time
        if stamp != self.stamp:
            self.entries.clear()
            self.stamp = stamp
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
        cache = extras["cert_record_cache"] = RecordCache(stamp_path(current_app.instance_path))
    return cache.entry(canonical, max_age)


def public_record(code: str | None) -> Public | None:
    """:func:`records.public_record`, answered from this process's cache when it may be."""
    found = entry(code)
    return found.record if found is not None else None


# -- telling the other processes -----------------------------------------------------------


@certificate_revoked.connect
def _status_changed(app: Flask, *, code: str, status: str) -> None:
    bump_stamp(app.instance_path)
