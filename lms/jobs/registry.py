"""Kinds of job: each domain registers the function that does the work, who may see it, and the
messages of the errors it may end with. The queue itself knows none of them.

A kind is registered at import of the domain's module (listed in :mod:`lms.extension`), so the
web servers and ``lms worker`` (which builds the same app) know the same kinds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lms.i18n import _l


@dataclass(frozen=True)
class JobResult:
    """The file a job made."""

    content: bytes
    filename: str
    mimetype: str


class JobError(Exception):
    """A job that cannot be done, for a reason the person should read: ``key`` names one of the
    kind's ``errors`` (or of :data:`COMMON_ERRORS`). Not retried: it would fail again."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


@dataclass
class JobContext:
    """What a job function is given: its parameters and a way to report progress."""

    job_id: int
    owner_id: int
    params: dict[str, Any]
    report: Callable[[int], None] = field(repr=False, default=lambda _percent: None)

    def progress(self, done: int, total: int) -> None:
        """``done`` of ``total`` steps made (shown as a percent; written at most once a second)."""
        self.report(max(0, min(99, done * 100 // total)) if total else 0)


@dataclass(frozen=True)
class JobKind:
    name: str
    #: what the job page calls it, e.g. "Certificates of the class"
    title: Any
    #: does the work; returns the file it made, or None for a job whose result is in the database
    #: (then ``done_url`` says where to see it)
    run: Callable[[JobContext], JobResult | None]
    #: (user, params) -> True for someone other than the owner who may see the job and its file
    #: (someone who could have started it); the owner always may
    may_view: Callable[[Any, dict], bool] | None = None
    #: params -> the URL of the page the job was started from
    back: Callable[[dict], str] | None = None
    errors: Mapping[str, Any] = field(default_factory=dict)
    #: params -> the page that shows a finished job's result, for a job that makes no file
    done_url: Callable[[dict], str] | None = None
    #: params -> False when the file must no longer be given out (e.g. its password sheet was deleted)
    available: Callable[[dict], bool] | None = None
    #: (params, when its last run started) -> True when what the file shows has changed since
    #: (e.g. a certificate in it was revoked, on any server): it is no longer given out either
    outdated: Callable[[dict, datetime], bool] | None = None


#: errors of any kind: the queue's own
COMMON_ERRORS: dict[str, Any] = {
    "failed": _l("Something went wrong while preparing the file. Please try again later."),
    "worker_lost": _l("The file could not be prepared: the server doing it stopped several times. "
                      "Please try again later."),
    "timeout": _l("Preparing the file took too long. Please try again later, or ask the administrator."),
    "unknown_kind": _l("This kind of file can no longer be prepared."),
}

_KINDS: dict[str, JobKind] = {}


def register(kind: JobKind) -> JobKind:
    """Add a kind; registering another kind under a taken name is a programming error."""
    known = _KINDS.get(kind.name)
    if known is not None and known.run is not kind.run:
        raise ValueError(f"job kind {kind.name!r} is registered twice")
    _KINDS[kind.name] = kind
    return kind


def get_kind(name: str) -> JobKind | None:
    return _KINDS.get(name)


def error_message(kind_name: str, key: str | None) -> Any:
    """The message of an error key, lazy (translated in the reader's language when shown)."""
    kind = _KINDS.get(kind_name)
    if kind is not None and key in kind.errors:
        return kind.errors[key]
    return COMMON_ERRORS.get(key or "failed", COMMON_ERRORS["failed"])
