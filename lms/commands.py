"""The LMS's click commands, gathered once: ``flask lms ...`` in a host app (the extension adds
:data:`lms_group`), ``lms ...`` standalone (:mod:`lms.cli` adds the same commands).

The command modules load on first use of the command line, never in a web worker: ``lms init``
pulls in Alembic (and with it Mako and Pygments), other commands their domain's batch code.
"""

from __future__ import annotations

import functools

import click
from flask.cli import AppGroup


@functools.cache
def load_commands() -> tuple[click.Command, ...]:
    """Each CLI module's ``commands`` (click commands or groups), in the order ``--help`` lists them."""
    # imported here, on first use of the CLI: lms.setup_cli loads Alembic, Mako and Pygments (~230 ms
    # and several MB) that a web worker never uses
    import lms.accounts.cli as accounts_cli
    import lms.certificates.cli as certificates_cli
    import lms.classes.cli as classes_cli
    import lms.courses.cli as courses_cli
    import lms.coverage.cli as coverage_cli
    import lms.jobs.cli as jobs_cli
    import lms.quiz.cli as quiz_cli
    import lms.setup_cli as setup_cli
    import lms.units.cli as units_cli

    return tuple(
        command
        for module in (setup_cli, accounts_cli, courses_cli, quiz_cli, units_cli, certificates_cli,
                       coverage_cli, classes_cli, jobs_cli)
        for command in module.commands
    )


class LazyCommands(click.Group):
    """A group whose LMS commands load when the command line first asks for them (``--help``, or
    running one); commands added with ``add_command`` (e.g. ``run``) work as in any group."""

    def _lms_commands(self) -> dict[str, click.Command]:
        return {command.name: command for command in load_commands() if command.name}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(self._lms_commands()))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self._lms_commands().get(cmd_name) or super().get_command(ctx, cmd_name)


class LazyAppGroup(LazyCommands, AppGroup):
    """``flask lms``: the lazy commands, each run inside the app context as AppGroup does."""


lms_group = LazyAppGroup("lms", help="Manage the learning-management system.")
