"""Create or upgrade the LMS schema with Alembic (``lms init``)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
#: the LMS's own Alembic version table: a host's history is never touched
VERSION_TABLE = "lms_alembic_version"


def alembic_config() -> Config:
    config = Config(str(MIGRATIONS_DIR / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def upgrade(revision: str = "head") -> None:
    """Run inside an app context; safe to run again (does nothing when up to date)."""
    command.upgrade(alembic_config(), revision)


def downgrade(revision: str) -> None:
    command.downgrade(alembic_config(), revision)


def make_revision(message: str) -> None:
    """Autogenerate a new migration from the models (developers only)."""
    command.revision(alembic_config(), message=message, autogenerate=True)
