"""Database triggers that keep ``lms_covered_people`` exact, on PostgreSQL and SQLite.

Why triggers and not application code: certificates are issued, revoked and edited by other
packages (and by hand in psql during an audit); a trigger runs in the same transaction as
every such change, so the table can never drift from the definition.

A person's row is recomputed from scratch on every change that can affect it (cheap: one
person's few certificates), so the logic is the definition itself, not an increment.

Caution for future migrations: on SQLite, a ``batch_alter_table`` that has to copy
``lms_users`` or ``lms_certificates`` (a new constraint, a dropped or retyped column; not a new
nullable column or an index) fails with "error in trigger lms_coverage_...: no such table".
Wrap it: ``with triggers_suspended(op.get_bind()): ...``. tests/test_coverage_schema.py fails
when the triggers are missing at head.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.engine import Connection

#: the definition, for one person (``:uid``); also used by :func:`rebuild` for everyone
PERSON_ROW = """
SELECT u.id, u.unit_id, u.audience, MIN(c.issued_on)
FROM lms_users u JOIN lms_certificates c ON c.user_id = u.id
WHERE {where} AND u.audience IS NOT NULL
  AND c.kind = 'path' AND c.status = 'valid' AND c.subject = u.audience
GROUP BY u.id, u.unit_id, u.audience
"""
INSERT = "INSERT INTO lms_covered_people (user_id, unit_id, audience, covered_on) "

TRIGGER_NAMES = (
    "lms_coverage_cert_insert", "lms_coverage_cert_update", "lms_coverage_cert_delete",
    "lms_coverage_user_update", "lms_coverage_user_delete",
)
CERT_COLUMNS = "user_id, kind, subject, status, issued_on"
FUNCTIONS = ("lms_coverage_on_certificate()", "lms_coverage_on_user()", "lms_coverage_refresh(integer)")


def _refresh_sqlite(person: str) -> str:
    # DDL from constants only (person is "NEW.user_id" and the like): nothing comes from a user
    return (
        f"DELETE FROM lms_covered_people WHERE user_id = {person};\n"  # noqa: S608
        + INSERT + PERSON_ROW.format(where=f"u.id = {person}") + ";\n"
    )


def _sqlite_statements() -> list[str]:
    return [
        "CREATE TRIGGER lms_coverage_cert_insert AFTER INSERT ON lms_certificates BEGIN\n"
        + _refresh_sqlite("NEW.user_id") + "END",
        f"CREATE TRIGGER lms_coverage_cert_update AFTER UPDATE OF {CERT_COLUMNS} ON lms_certificates BEGIN\n"
        + _refresh_sqlite("OLD.user_id") + _refresh_sqlite("NEW.user_id") + "END",
        "CREATE TRIGGER lms_coverage_cert_delete AFTER DELETE ON lms_certificates BEGIN\n"
        + _refresh_sqlite("OLD.user_id") + "END",
        "CREATE TRIGGER lms_coverage_user_update AFTER UPDATE OF unit_id, audience ON lms_users BEGIN\n"
        + _refresh_sqlite("NEW.id") + "END",
        "CREATE TRIGGER lms_coverage_user_delete AFTER DELETE ON lms_users BEGIN\n"
        "DELETE FROM lms_covered_people WHERE user_id = OLD.id;\nEND",
    ]


def _postgres_statements() -> list[str]:
    refresh = (
        "CREATE OR REPLACE FUNCTION lms_coverage_refresh(uid integer) RETURNS void LANGUAGE sql AS $$\n"  # noqa: S608
        "DELETE FROM lms_covered_people WHERE user_id = uid;\n"
        + INSERT + PERSON_ROW.format(where="u.id = uid") + ";\n$$"
    )
    on_cert = """CREATE OR REPLACE FUNCTION lms_coverage_on_certificate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM lms_coverage_refresh(OLD.user_id); END IF;
  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.user_id <> OLD.user_id) THEN
    PERFORM lms_coverage_refresh(NEW.user_id);
  END IF;
  RETURN NULL;
END $$"""
    on_user = """CREATE OR REPLACE FUNCTION lms_coverage_on_user() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN DELETE FROM lms_covered_people WHERE user_id = OLD.id;
  ELSE PERFORM lms_coverage_refresh(NEW.id); END IF;
  RETURN NULL;
END $$"""
    cert = "FOR EACH ROW EXECUTE FUNCTION lms_coverage_on_certificate()"
    user = "FOR EACH ROW EXECUTE FUNCTION lms_coverage_on_user()"
    return [
        refresh, on_cert, on_user,
        f"CREATE TRIGGER lms_coverage_cert_insert AFTER INSERT ON lms_certificates {cert}",
        f"CREATE TRIGGER lms_coverage_cert_update AFTER UPDATE OF {CERT_COLUMNS} ON lms_certificates {cert}",
        f"CREATE TRIGGER lms_coverage_cert_delete AFTER DELETE ON lms_certificates {cert}",
        "CREATE TRIGGER lms_coverage_user_update AFTER UPDATE OF unit_id, audience ON lms_users FOR EACH ROW "
        "WHEN (OLD.unit_id IS DISTINCT FROM NEW.unit_id OR OLD.audience IS DISTINCT FROM NEW.audience) "
        "EXECUTE FUNCTION lms_coverage_on_user()",
        f"CREATE TRIGGER lms_coverage_user_delete AFTER DELETE ON lms_users {user}",
    ]


def drop_triggers(conn: Connection) -> None:
    postgres = conn.dialect.name == "postgresql"
    for name in TRIGGER_NAMES:
        table = "lms_certificates" if "_cert_" in name else "lms_users"
        conn.execute(text(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgres else "")))
    if postgres:
        for function in FUNCTIONS:
            conn.execute(text(f"DROP FUNCTION IF EXISTS {function}"))


def create_triggers(conn: Connection) -> None:
    """(Re)create the triggers; safe to call again."""
    drop_triggers(conn)
    statements = _postgres_statements() if conn.dialect.name == "postgresql" else _sqlite_statements()
    for statement in statements:
        conn.execute(text(statement))


def installed_triggers(conn: Connection) -> set[str]:
    if conn.dialect.name == "postgresql":
        query = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgname LIKE 'lms_coverage_%'"
    else:
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'lms_coverage_%'"
    return {row[0] for row in conn.execute(text(query))}


def rebuild(conn: Connection) -> int:
    """Refill the whole table from the definition (after a bulk load with triggers off)."""
    conn.execute(text("DELETE FROM lms_covered_people"))
    conn.execute(text(INSERT + PERSON_ROW.format(where="1 = 1")))
    return conn.execute(text("SELECT COUNT(*) FROM lms_covered_people")).scalar_one()


@contextmanager
def triggers_suspended(conn: Connection) -> Iterator[None]:
    """For a migration that rebuilds lms_users or lms_certificates: triggers off, then back and a refill."""
    drop_triggers(conn)
    yield
    create_triggers(conn)
    rebuild(conn)
