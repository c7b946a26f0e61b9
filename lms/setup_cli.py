"""``lms init``, ``lms seed-demo`` and ``lms config``."""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask import Config, current_app
from flask.cli import with_appcontext

from lms.certificates import keyring
from lms.certificates.keys import KeyStoreError
from lms.certificates.sealing import SealError
from lms.config import DEFAULTS
from lms.db import db
from lms.demo import seed_demo
from lms.envsettings import KINDS, masked
from lms.schema import make_revision, upgrade


@click.command("init")
@with_appcontext
def init_command() -> None:
    """Create or upgrade the database schema (safe to run again)."""
    upgrade()
    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    click.echo(f"Database ready: {url.split('@')[-1]}")
    # the signing keys live in the database: carry an instance folder's old keys over, or make a first one
    try:
        kid, _written = keyring.ensure()
        db.session.commit()
    except (KeyStoreError, SealError) as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    click.echo(f"Certificate signing key: {kid}")


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


@click.command("config")
@with_appcontext
def config_command() -> None:
    """Print the effective settings and where each comes from (secrets masked)."""
    app = current_app
    from_file = Config(app.instance_path)
    from_file.from_pyfile("lms.cfg", silent=True)
    names = sorted({*DEFAULTS, *KINDS, "TRUSTED_HOSTS"})
    shown = [("LMS_INSTANCE_PATH", app.instance_path,
              "environment" if "LMS_INSTANCE_PATH" in os.environ else "default"),
             ("SQLALCHEMY_DATABASE_URI", app.config.get("SQLALCHEMY_DATABASE_URI"),
              "environment" if "LMS_DATABASE_URL" in os.environ else "lms.cfg or default"),
             ("SECRET_KEY", app.config.get("SECRET_KEY"),
              "environment" if "SECRET_KEY" in os.environ else "<instance>/secret_key"),
             ("LMS_KEY_ENCRYPTION_KEY", app.config.get("LMS_KEY_ENCRYPTION_KEY") or os.environ.get(
                 "LMS_KEY_ENCRYPTION_KEY") or "(the file)",
              "environment" if os.environ.get("LMS_KEY_ENCRYPTION_KEY") else "<instance>/key_encryption_key")]
    for name in names:
        env_name = "LMS_TRUSTED_HOSTS" if name == "TRUSTED_HOSTS" else name
        source = "environment" if os.environ.get(env_name) else "lms.cfg" if name in from_file else "default"
        shown.append((name, app.config.get(name), source))
    width = max(len(name) for name, _value, _source in shown)
    for name, value, source in shown:
        click.echo(f"{name:<{width}}  {masked(name, value)}  [{source}]")


commands = [init_command, make_migration_command, seed_demo_command, config_command]
