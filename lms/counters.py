"""Counters for rate limits, on the ``limits`` library: the storage of ``LMS_RATELIMIT_STORAGE_URI``
(Redis shares the counts between workers and servers), and in memory for a while when that
storage fails, so that a counter being down never stops sign-in or verification."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

from limits import RateLimitItem
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter, RateLimiter

log = logging.getLogger(__name__)
#: after a storage failure, count in this process's memory this long before trying it again
RETRY_STORAGE_SECONDS = 30.0
L = TypeVar("L", bound=RateLimiter)
T = TypeVar("T")


class QuietMemoryStorage(MemoryStorage):
    """limits' in-process storage without its expiry thread: ``MemoryStorage`` starts a new
    ``threading.Timer`` whenever the last one (10 ms) has ended, i.e. on nearly every hit under
    load, which cost ~1 ms a request here. Expired counters are already dropped when read; this
    sweeps the rest inline once a minute. ``memory://`` in ``LMS_RATELIMIT_STORAGE_URI`` uses it."""

    STORAGE_SCHEME = ["lms-memory"]
    SWEEP_SECONDS = 60.0

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: str) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._next_sweep = time.monotonic() + self.SWEEP_SECONDS

    def _MemoryStorage__schedule_expiry(self) -> None:
        now = time.monotonic()
        if now >= self._next_sweep:
            self._next_sweep = now + self.SWEEP_SECONDS
            self._MemoryStorage__expire_events()


def storage_uri(configured: str | None) -> str:
    """The storage for ``LMS_RATELIMIT_STORAGE_URI``: redis://, memcached://... as given."""
    uri = configured or "memory://"
    return "lms-memory://" + uri[len("memory://"):] if uri.startswith("memory://") else uri


class ResilientCounter(Generic[L]):
    """A ``limits`` strategy on the configured storage; when the storage fails, the same strategy
    on this process's memory for :data:`RETRY_STORAGE_SECONDS` (made on the first failure)."""

    def __init__(self, uri: str | None, strategy: type[L], what: str) -> None:
        self.storage: Storage = storage_from_string(storage_uri(uri), wrap_exceptions=True)
        self.primary: L = strategy(self.storage)
        self.fallback: L | None = None
        self._strategy = strategy
        self._what = what
        self._down_until = 0.0

    def run(self, action: Callable[[L], T]) -> T:
        """``action`` on the counting strategy in force (the fallback while the storage is down)."""
        if self.fallback is not None and time.monotonic() < self._down_until:
            return action(self.fallback)
        try:
            return action(self.primary)
        except Exception:
            log.warning("%s counter storage failed; counting in memory for %ss", self._what,
                        RETRY_STORAGE_SECONDS, exc_info=True)
            self._down_until = time.monotonic() + RETRY_STORAGE_SECONDS
            if self.fallback is None:
                self.fallback = self._strategy(QuietMemoryStorage())
            return action(self.fallback)


def app_counter(what: str) -> ResilientCounter[MovingWindowRateLimiter]:
    """This app's moving-window counter for ``what`` (made once per app, on the configured storage):
    the budgets of a domain that counts in its own service functions rather than through a limiter object."""
    from flask import current_app  # the kernel's other users need no application

    extras = current_app.extensions["lms"].extras
    key = f"counter:{what}"
    counter = extras.get(key)
    if counter is None:
        counter = extras.setdefault(key, ResilientCounter(
            current_app.config.get("LMS_RATELIMIT_STORAGE_URI"), MovingWindowRateLimiter, what))
    return counter


def spend_all(what: str, budgets: Iterable[tuple[RateLimitItem, str, str]]) -> bool:
    """Count one use against every ``(limit, scope, key)`` of ``budgets`` in the app's counter ``what``;
    False, and nothing counted, when any one of them is spent (a refused try must not use up the others)."""
    budgets = list(budgets)

    def hit(counter: MovingWindowRateLimiter) -> bool:
        if not all(counter.test(item, scope, key) for item, scope, key in budgets):
            return False
        for item, scope, key in budgets:
            counter.hit(item, scope, key)
        return True

    return app_counter(what).run(hit)
