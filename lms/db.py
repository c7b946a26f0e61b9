"""Database handle shared by every LMS package.

The LMS keeps its tables in its own metadata (all prefixed ``lms_``) so that a host
application's schema and Alembic history never collide with ours.
"""

from __future__ import annotations

import functools
import os
import weakref
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from flask import g, has_request_context
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import DateTime, Engine, MetaData, Select, TypeDecorator
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


#: the Flask-SQLAlchemy bind key of ``LMS_DATABASE_REPLICA_URL``
REPLICA = "replica"
F = TypeVar("F", bound=Callable[..., Any])


def replica_wanted() -> bool:
    return has_request_context() and bool(g.get("lms_replica"))


class RoutingSession(FlaskSession):
    """Sends the SELECTs of a request marked :func:`reads_from_replica` to the replica, when one is
    configured; everything else (a flush, an INSERT/UPDATE/DELETE, raw SQL text) goes to the
    primary, so a write such a page makes still lands (and the replica is never asked to write)."""

    def get_bind(self, mapper: Any = None, clause: Any = None, bind: Any = None, **kwargs: Any) -> Any:
        if bind is None and not self._flushing and isinstance(clause, Select) and replica_wanted():
            replica = self._db.engines.get(REPLICA)
            if replica is not None:
                return replica
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


db = SQLAlchemy(model_class=Base, session_options={"class_": RoutingSession})


def read_engine() -> Engine:
    """The replica's engine inside a request marked :func:`reads_from_replica`, else the primary's."""
    if replica_wanted():
        replica = db.engines.get(REPLICA)
        if replica is not None:
            return replica
    return db.engine


def reads_from_replica(view: F) -> F:
    """Mark a view whose reads may come from ``LMS_DATABASE_REPLICA_URL`` (a read-only copy that may
    lag a little): the coverage dashboards and the public pages. Without a replica: no change."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        g.lms_replica = True
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def now_utc() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every engine (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


#: every engine of every app in this process, for :func:`_forget_pooled_connections_in_child`
_ENGINES: weakref.WeakSet[Engine] = weakref.WeakSet()


def keep_pools_fork_safe(engines: list[Engine]) -> None:
    """Make a forked child (a gunicorn worker of a preloaded app) open its own connections.

    A database connection cannot be shared by two processes: after a fork the child's pools are
    replaced with empty ones (``dispose(close=False)``, SQLAlchemy's advice: the parent's sockets
    are left alone for the parent). Whatever the server (gunicorn ``--preload``, uWSGI), so no
    server hook has to remember it.
    """
    _ENGINES.update(engines)


def _forget_pooled_connections_in_child() -> None:
    for engine in list(_ENGINES):
        engine.dispose(close=False)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pooled_connections_in_child)
