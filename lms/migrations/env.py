"""Alembic environment for the LMS's own tables (``lms_*``, version table ``lms_alembic_version``).

A host application's tables and Alembic history are never touched.
"""

from __future__ import annotations

from alembic import context
from flask import current_app

import lms.models  # noqa: F401 - registers every table
from lms.db import db
from lms.schema import VERSION_TABLE

target_metadata = db.metadata


def include_object(obj, name, type_, reflected, compare_to):
    if type_ == "table":
        return bool(name) and name.startswith("lms_")
    return True


def run_migrations() -> None:
    engine = db.engine
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            version_table=VERSION_TABLE,
            include_object=include_object,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported")
assert current_app, "run migrations through `lms init` inside the app context"
run_migrations()
