"""One-row reads for the hottest public paths, through the driver's cursor.

SQLAlchemy compiles the statement and supplies each column's result conversion (dates,
JSON, :class:`lms.db.UTCDateTime`), once per engine; each read is then one ``execute`` and one
``fetchone`` on a pooled connection. On PostgreSQL the connection is switched to autocommit
for the read (a local flag in psycopg, no round trip), so the read is one round trip, with no
``BEGIN`` or ``ROLLBACK``. Measured on the verification look-up (a 4-table join by code):
PostgreSQL ~0.31 ms of client CPU through ``Connection.execute`` and ~0.13 ms here; SQLite
~45 and ~16 us. Use it for a read that runs on nearly every request of a busy public page
and returns a row; everything else should use the session.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import Engine, Select

from lms.db import db, read_engine

IDLE = 0  # libpq's PQTRANS_IDLE: psycopg's TransactionStatus.IDLE (psycopg2's too)


@dataclass(frozen=True)
class CompiledRead:
    sql: str
    positional: tuple[str, ...] | None  # parameter order for drivers with "?" placeholders
    converters: tuple[Callable[[Any], Any] | None, ...]


def compile_read(statement: Select, engine: Engine) -> CompiledRead:
    """The statement as the driver's SQL text, with a result converter per column."""
    dialect = engine.dialect
    compiled = statement.compile(dialect=dialect)
    converters = tuple(
        column.type.dialect_impl(dialect).result_processor(dialect, None) for column in statement.selected_columns
    )
    positional = tuple(compiled.positiontup) if compiled.positional and compiled.positiontup else None
    return CompiledRead(str(compiled), positional, converters)


def first_row(engine: Engine, read: CompiledRead, params: dict[str, Any]) -> Sequence[Any] | None:
    """The first row of ``read`` with these parameters, converted like SQLAlchemy would."""
    bound: Any = [params[name] for name in read.positional] if read.positional is not None else params
    proxied = engine.raw_connection()
    try:
        connection = proxied.driver_connection
        # only from idle: a pool configured not to reset connections may hand one over mid-transaction
        autocommit = engine.dialect.name == "postgresql" and connection.info.transaction_status == IDLE
        if autocommit:
            connection.autocommit = True
        try:
            cursor = connection.cursor()
            cursor.execute(read.sql, bound)
            row = cursor.fetchone()
            cursor.close()
        except Exception as error:
            if engine.dialect.is_disconnect(error, connection, None):
                proxied.invalidate(error)  # a dead connection must not go back to the pool
            raise
        finally:
            if autocommit and proxied.is_valid:
                connection.autocommit = False
    finally:
        proxied.close()
    if row is None:
        return None
    return [value if convert is None or value is None else convert(value)
            for convert, value in zip(read.converters, row, strict=True)]


def read_one(name: str, statement: Select, params: dict[str, Any]) -> Sequence[Any] | None:
    """:func:`first_row` of ``statement`` on this app's engine (the replica's in a request marked
    :func:`lms.db.reads_from_replica`), compiled once per app and engine (kept in the app's LMS
    state under ``name``)."""
    engine = read_engine()
    extras = current_app.extensions["lms"].extras
    key = (name, engine is not db.engine)
    cached = extras.get(key)
    if cached is None or cached[0] is not engine:
        cached = extras[key] = (engine, compile_read(statement, engine))
    return first_row(engine, cached[1], params)
