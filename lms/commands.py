"""The LMS's click commands, gathered once: ``flask lms ...`` in a host app (the extension adds
:data:`lms_group`), ``lms ...`` standalone (:mod:`lms.cli` adds :data:`COMMANDS`)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

import lms.accounts.cli as accounts_cli
import lms.certificates.cli as certificates_cli
import lms.classes.cli as classes_cli
import lms.courses.cli as courses_cli
import lms.coverage.cli as coverage_cli
import lms.quiz.cli as quiz_cli
import lms.setup_cli as setup_cli
import lms.units.cli as units_cli

#: each module's ``commands``: a list of click commands or groups
COMMANDS: tuple[click.Command, ...] = tuple(
    command
    for module in (setup_cli, accounts_cli, courses_cli, quiz_cli, units_cli, certificates_cli, coverage_cli,
                   classes_cli)
    for command in module.commands
)

lms_group = AppGroup("lms", help="Manage the learning-management system.")
for _command in COMMANDS:
    lms_group.add_command(_command)
