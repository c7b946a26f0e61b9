"""Page versions: a number per learner that moves whenever anything on their pages changes.

The signed-in learner pages (path, catalogue, course, lesson) are cached whole, per process,
under the learner's page version and the site's content version (:mod:`lms.web.pagecache`).
The versions are kept by database triggers, not by the code that writes: every writer (ORM,
Core statements, the CLI, another server) moves them in the same transaction as its change, so
a cached page can never outlive the data it shows, on any server that shares the database.

- ``lms_page_versions.version`` (one row per learner, created on first change): lessons done,
  course results, attempts starting, ending or being graded (not answer saves or moving between
  questions: those pages are not cached), certificates issued or revoked, enrolments and
  invitations, quiz overrides, roles, and any change to the account row itself.
- the ``content`` change counter (:mod:`lms.changes`): courses, lessons, path steps, question
  banks and questions, units; i.e. a course import or re-import, a path change, a unit import.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Connection, Integer, text
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import db

CONTENT = "content"

#: table -> its column holding the learner's id, and the UPDATE columns that matter (None: any)
LEARNER_TABLES: dict[str, tuple[str, tuple[str, ...] | None]] = {
    "lms_lesson_progress": ("user_id", None),
    "lms_course_results": ("user_id", None),
    "lms_attempts": ("user_id", ("state", "deadline", "submitted_at", "score_percent", "passed")),
    "lms_certificates": ("user_id", None),
    "lms_enrollments": ("user_id", None),
    "lms_class_invitations": ("user_id", None),
    "lms_quiz_overrides": ("user_id", None),
    "lms_user_roles": ("user_id", None),
    "lms_users": ("id", None),
}
CONTENT_TABLES = ("lms_courses", "lms_lessons", "lms_path_steps", "lms_question_banks", "lms_questions",
                  "lms_units")


class PageVersion(db.Model):
    __tablename__ = "lms_page_versions"

    # no foreign key: the triggers run inside the account's own inserts and deletes
    user_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger, default=0)


def _events(columns: tuple[str, ...] | None) -> list[tuple[str, str]]:
    update = "UPDATE" if columns is None else "UPDATE OF " + ", ".join(columns)
    return [("ins", "INSERT"), ("upd", update), ("del", "DELETE")]


def create_triggers(conn: Connection) -> None:
    """Install (or reinstall) every page-version trigger on this database."""
    drop_triggers(conn)
    if conn.dialect.name == "postgresql":
        conn.execute(text("""
CREATE OR REPLACE FUNCTION lms_bump_page_version() RETURNS trigger AS $$
DECLARE learner bigint;
BEGIN
  IF TG_OP = 'DELETE' THEN learner := (to_jsonb(OLD) ->> TG_ARGV[0])::bigint;
  ELSE learner := (to_jsonb(NEW) ->> TG_ARGV[0])::bigint; END IF;
  IF learner IS NOT NULL THEN
    INSERT INTO lms_page_versions (user_id, version) VALUES (learner, 1)
    ON CONFLICT (user_id) DO UPDATE SET version = lms_page_versions.version + 1;
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql"""))
        conn.execute(text("""
CREATE OR REPLACE FUNCTION lms_bump_content_version() RETURNS trigger AS $$
BEGIN
  INSERT INTO lms_change_counters (name, value) VALUES ('content', 1)
  ON CONFLICT (name) DO UPDATE SET value = lms_change_counters.value + 1;
  RETURN NULL;
END $$ LANGUAGE plpgsql"""))
        for table, (column, columns) in LEARNER_TABLES.items():
            for suffix, event in _events(columns):
                conn.execute(text(
                    f"CREATE TRIGGER lms_pv_{table}_{suffix} AFTER {event} ON {table} "  # noqa: S608 - constant names
                    f"FOR EACH ROW EXECUTE FUNCTION lms_bump_page_version('{column}')"))
        for table in CONTENT_TABLES:
            conn.execute(text(
                f"CREATE TRIGGER lms_cv_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION lms_bump_content_version()"))
        return
    for table, (column, columns) in LEARNER_TABLES.items():
        for suffix, event in _events(columns):
            row = "OLD" if suffix == "del" else "NEW"
            conn.execute(text(
                f"CREATE TRIGGER lms_pv_{table}_{suffix} AFTER {event} ON {table} "  # noqa: S608 - constant names
                f"WHEN {row}.{column} IS NOT NULL BEGIN "
                f"INSERT INTO lms_page_versions (user_id, version) VALUES ({row}.{column}, 1) "
                f"ON CONFLICT (user_id) DO UPDATE SET version = version + 1; END"))
    for table in CONTENT_TABLES:
        for suffix, event in _events(None):
            conn.execute(text(
                f"CREATE TRIGGER lms_cv_{table}_{suffix} AFTER {event} ON {table} BEGIN "  # noqa: S608 - constant names
                f"INSERT INTO lms_change_counters (name, value) VALUES ('content', 1) "
                f"ON CONFLICT (name) DO UPDATE SET value = value + 1; END"))


def drop_triggers(conn: Connection) -> None:
    postgres = conn.dialect.name == "postgresql"
    for table in LEARNER_TABLES:
        for suffix, _event in _events(None):
            on = f" ON {table}" if postgres else ""
            conn.execute(text(f"DROP TRIGGER IF EXISTS lms_pv_{table}_{suffix}{on}"))
    for table in CONTENT_TABLES:
        names = [f"lms_cv_{table}"] if postgres else [f"lms_cv_{table}_{s}" for s, _e in _events(None)]
        for name in names:
            on = f" ON {table}" if postgres else ""
            conn.execute(text(f"DROP TRIGGER IF EXISTS {name}{on}"))
    if postgres:
        conn.execute(text("DROP FUNCTION IF EXISTS lms_bump_page_version()"))
        conn.execute(text("DROP FUNCTION IF EXISTS lms_bump_content_version()"))
