"""Whole-page cache for the signed-in learner pages a phone opens most.

A cached page is keyed by everything it may show: the URL, the learner, the learner's page
version and the site's content version (both kept by database triggers in the same
transaction as every change, see :mod:`lms.pageversions`, read with the session in one query),
the locale and the local date. So a lesson marked done, an attempt graded, a certificate
revoked or a course re-imported changes the key and the next request renders afresh, on every
server. The cache is per process (bounded by bytes); nothing in it outlives its key's data.

The CSRF token is the one per-request part of these pages: they are rendered with a
placeholder in its place, and each response gets a fresh token for the browser's own session.
Pages that carry a flashed message, pages of a browser where an ambassador acts for a citizen
(they carry a banner), and non-200 or non-HTML responses, are never cached.

A page may have other per-request parts ("slots", e.g. a quiz's remaining time, which moves with
the clock): a view rendering for the cache puts :func:`slot_placeholder` there when
:func:`rendering_for_cache` says so, and whatever decides the key fills each slot for this request
with :func:`fill_slot`; every response, from the cache or fresh, gets the slots filled.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from functools import wraps
from typing import Any, Protocol

from flask import current_app, g, make_response, request, session
from flask_wtf.csrf import generate_csrf

from lms.clock import local_today
from lms.i18n import select_locale

PLACEHOLDER = "lms-csrf-placeholder-6f1d"


class _SignedIn(Protocol):
    user_id: int
    page_version: int
    content_version: int
    roles: frozenset[str]


class PageCache:
    """A least-recently-used map of page bodies, bounded by their total size in bytes."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.pages: OrderedDict[tuple, bytes] = OrderedDict()
        self.lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: tuple) -> bytes | None:
        with self.lock:
            body = self.pages.get(key)
            if body is None:
                self.misses += 1
                return None
            self.pages.move_to_end(key)
            self.hits += 1
            return body

    def put(self, key: tuple, body: bytes) -> None:
        if len(body) > self.max_bytes // 8:
            return
        with self.lock:
            old = self.pages.pop(key, None)
            if old is not None:
                self.size -= len(old)
            self.pages[key] = body
            self.size += len(body)
            while self.size > self.max_bytes:
                _key, dropped = self.pages.popitem(last=False)
                self.size -= len(dropped)

    def clear(self) -> None:
        with self.lock:
            self.pages.clear()
            self.size = 0


def page_cache() -> PageCache | None:
    extras = current_app.extensions["lms"].extras
    cache = extras.get("page_cache")
    if cache is None:
        max_bytes = int(current_app.config["LMS_PAGE_CACHE_BYTES"])
        if max_bytes <= 0:
            return None
        cache = extras["page_cache"] = PageCache(max_bytes)
    return cache


def fill_slot(name: str, value: str) -> None:
    """This request's text for the slot ``name`` of a cached page."""
    g.setdefault("lms_page_slots", {})[slot_placeholder(name)] = value


def slot_placeholder(name: str) -> str:
    return f"lms-slot-{name}-6f1d"


def rendering_for_cache() -> bool:
    """True while a view renders a page to be cached: per-request parts must be slot placeholders."""
    return bool(g.get("lms_page_rendering"))


def _key(state: _SignedIn, variant: Callable[..., tuple | None] | None, view_args: dict) -> tuple | None:
    if variant is None:
        learner: tuple = (state.user_id, state.page_version)
    else:
        shown = variant(state, **view_args)
        if shown is None:
            return None
        learner = ("shared", tuple(sorted(state.roles)), *shown)
    return (request.full_path, *learner, state.content_version, select_locale(), local_today().toordinal())


def cached_page(signed_in: Callable[[], _SignedIn | None], variant: Callable[..., tuple | None] | None = None,
                ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Serve a signed-in GET page from the cache when its key is unchanged.

    ``signed_in`` returns the request's signed-in state (account id, roles and versions) or None;
    anonymous requests are never cached here (they are cheap and public).

    By default a page is one learner's own (keyed by the account and its page version). With
    ``variant``, the page is shared by every signed-in learner for whom ``variant(state, **view_args)``
    returns the same tuple (with the same roles, which decide the menu): the variant must name
    everything on the page that differs between learners, and the page must show nothing else
    of them (no name). A lesson page, for example, differs only in "you have finished this lesson".
    A variant returning None says "not from the cache this time": the view runs as if uncached.
    """

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            state = signed_in()
            cache = page_cache()
            # a browser acting for a citizen (lms.ambassadors) shows a banner no other browser may get
            if (request.method != "GET" or state is None or cache is None or "_flashes" in session
                    or "lms_acting" in session):
                return view(*args, **kwargs)
            key = _key(state, variant, kwargs)
            if key is None:
                return view(*args, **kwargs)
            body = cache.get(key)
            if body is not None:
                response = make_response(_with_token(body))
                response.mimetype = "text/html"
                return response
            g.csrf_token = PLACEHOLDER  # Flask-WTF reads its per-request token from here
            g.lms_page_rendering = True
            try:
                response = make_response(view(*args, **kwargs))
            finally:
                g.pop("csrf_token", None)
                g.pop("lms_page_rendering", None)
            if response.mimetype != "text/html" or response.direct_passthrough:
                return response
            template = response.get_data()
            if response.status_code == 200 and "_flashes" not in session and not response.headers.get("Set-Cookie"):
                cache.put(key, template)
            response.set_data(_with_token(template))
            return response

        return wrapped

    return decorator


def _with_token(body: bytes) -> bytes:
    for placeholder, value in g.get("lms_page_slots", {}).items():
        body = body.replace(placeholder.encode(), value.encode())
    if PLACEHOLDER.encode() not in body:
        return body
    return body.replace(PLACEHOLDER.encode(), generate_csrf().encode())
