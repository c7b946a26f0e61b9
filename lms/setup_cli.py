"""``lms init`` and ``lms seed-demo``."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from lms.demo import seed_demo
from lms.schema import make_revision, upgrade


@click.command("init")
@with_appcontext
def init_command() -> None:
    """Create or upgrade the database schema (safe to run again)."""
    upgrade()
    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    click.echo(f"Database ready: {url.split('@')[-1]}")


@click.command("make-migration")
@click.option("-m", "--message", required=True)
@with_appcontext
def make_migration_command(message: str) -> None:
    """Autogenerate a migration from the models (for developers)."""
    make_revision(message)


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Create demo accounts (idempotent) and print them."""
    for line in seed_demo(Path(current_app.instance_path)):
        click.echo(line)


commands = [init_command, make_migration_command, seed_demo_command]
