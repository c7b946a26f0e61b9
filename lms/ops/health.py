"""Readiness: can this server answer learners? The database answers, Redis (when configured)
answers, and the schema is at the newest migration (a server started before ``lms init`` ran,
or after a deploy whose migration has not run yet, must not take traffic)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from limits.storage import storage_from_string
from sqlalchemy import text

from lms.certificates.issuing import keystore
from lms.certificates.keys import KeyStoreError
from lms.certificates.sealing import SealError
from lms.db import db


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def database() -> Check:
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # any failure means "not ready", said in the detail
        return Check("database", False, type(error).__name__)
    return Check("database", True, db.engine.dialect.name)


def redis() -> Check | None:
    uri = str(current_app.config.get("LMS_RATELIMIT_STORAGE_URI") or "")
    if not uri.startswith(("redis://", "rediss://", "redis+")):
        return None  # the embedded default needs no Redis
    try:
        ok = storage_from_string(uri, socket_connect_timeout=1, socket_timeout=1).check()
    except Exception as error:  # as above
        return Check("redis", False, type(error).__name__)
    return Check("redis", bool(ok), "ping" if ok else "no answer")


def job_queue() -> Check | None:
    """The job queue's Redis (``LMS_REDIS_URL``), when jobs go to ``lms worker``."""
    uri = str(current_app.config.get("LMS_REDIS_URL") or "")
    if not uri:
        return None  # jobs run in a thread of the app: nothing more to reach
    try:
        from redis import Redis  # only where a queue is configured

        ok = bool(Redis.from_url(uri, socket_connect_timeout=1, socket_timeout=1).ping())
    except Exception as error:  # as above
        return Check("job_queue", False, type(error).__name__)
    return Check("job_queue", ok, "ping" if ok else "no answer")


def migrations() -> Check:
    # Alembic loads only when readiness is asked, never in a worker's start-up
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from lms.schema import VERSION_TABLE, alembic_config

    heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())
    try:
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
            current = set(context.get_current_heads())
    except Exception as error:  # as above
        return Check("migrations", False, type(error).__name__)
    if current != heads:
        return Check("migrations", False, f"database at {sorted(current) or 'nothing'}, code at {sorted(heads)}")
    return Check("migrations", True, ",".join(sorted(heads)))


def signing_key() -> Check:
    """This server can sign certificates: the active key opens with its key-encryption key (a
    server given another LMS_KEY_ENCRYPTION_KEY than the others must not take traffic)."""
    try:
        store = keystore(create=False)
        if not store.kids():
            return Check("signing_key", True, "none yet (made with the first certificate)")
        kid, _key = store.signing_key()
    except (KeyStoreError, SealError) as error:
        return Check("signing_key", False, str(error))
    return Check("signing_key", True, kid)


def readiness() -> list[Check]:
    found = [database()]
    if found[0].ok:
        found.append(migrations())
    if found[-1].ok and len(found) == 2:
        found.append(signing_key())
    for extra in (redis(), job_queue()):
        if extra is not None:
            found.append(extra)
    return found
