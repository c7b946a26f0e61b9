"""Database handle shared by every LMS package.

The LMS keeps its tables in its own metadata (all prefixed ``lms_``) so that a host
application's schema and Alembic history never collide with ours.
"""

from __future__ import annotations

import functools
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
