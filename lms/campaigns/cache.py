"""A small per-app cache for public pages: figures may be a minute old, and a public URL must not
cost a full count per visit (a TV refreshing every minute, a portal with many readers)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from flask import current_app

T = TypeVar("T")
MAX_ENTRIES = 512


def cached(key: tuple, seconds: float, compute: Callable[[], T]) -> T:
    """``compute()``'s value, kept ``seconds``; plain data only (never ORM objects)."""
    store: dict = current_app.extensions["lms"].extras.setdefault("campaigns_cache", {})
    hit = store.get(key)
    if hit is not None and hit[0] > time.monotonic():
        return hit[1]
    if len(store) >= MAX_ENTRIES:
        store.clear()
    value = compute()
    store[key] = (time.monotonic() + seconds, value)
    return value
