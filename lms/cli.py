"""The ``lms`` command line: ``lms ...`` standalone, ``flask lms ...`` inside a host app."""

from __future__ import annotations

import os
import sys

import click
import flask.cli as flask_cli
from flask import Flask
from flask.cli import FlaskGroup

from lms.app import create_app
from lms.commands import LazyCommands
from lms.envsettings import SettingError


def _create_app() -> Flask:
    try:
        return create_app()
    except SettingError as error:
        # a setting that cannot be read: say which, without a traceback
        click.echo(f"Error: {error}", err=True)
        sys.exit(2)


#: Flask's own options: still accepted (scripts may pass them), not listed in ``lms --help``
FLASK_OPTIONS = ("env_file", "app", "debug", "version")
#: the host-app group ``flask lms`` that the extension adds to the app's commands: ``lms lms users``
#: still runs, but ``lms --help`` lists each command once, at the top
HIDDEN_COMMANDS = ("lms",)


class _LMSFlaskGroup(LazyCommands, FlaskGroup):
    """``lms ...``: Flask's group (app loading, ``run``) with the LMS commands loaded on demand."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            if param.name in FLASK_OPTIONS and isinstance(param, click.Option):
                param.hidden = True

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name in super().list_commands(ctx) if name not in HIDDEN_COMMANDS]


@click.group(cls=_LMSFlaskGroup, create_app=_create_app, add_default_commands=False,
             help="bdhvs-lms: learning-management system for 'Bình dân học vụ số'.")
def main() -> None:
    os.environ.setdefault("FLASK_APP", "lms:create_app")


main.add_command(flask_cli.run_command)
