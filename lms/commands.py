"""The LMS's click commands, gathered once: ``flask lms ...`` in a host app (the extension adds
:data:`lms_group`), ``lms ...`` standalone (:mod:`lms.cli` adds :data:`COMMANDS`)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from lms import setup_cli
from lms.accounts import cli as accounts_cli
from lms.certificates import cli as certificates_cli
from lms.classes import cli as classes_cli
from lms.courses import cli as courses_cli
from lms.coverage import cli as coverage_cli
from lms.quiz import cli as quiz_cli
from lms.units import cli as units_cli

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
