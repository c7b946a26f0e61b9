"""``lms units import FILE.csv`` and ``lms units import --official``."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from lms.units.importer import UnitImportError, import_units, official_rows, official_version, read_csv


@click.group("units")
def units() -> None:
    """Manage administrative units."""


@units.command("import")
@click.argument("file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--official", is_flag=True, help="Load the official list after the 2025 reform.")
@click.option("--list-version", default=None, help="Label of the list edition (CSV import).")
@with_appcontext
def import_command(file: Path | None, official: bool, list_version: str | None) -> None:
    """Import units (columns code,name,level,parent_code), validated first, in one transaction."""
    if official == (file is not None):
        raise click.UsageError("give either FILE.csv or --official")
    try:
        if official:
            counts = import_units(official_rows(), "vietnam-provinces", official_version())
        else:
            counts = import_units(read_csv(file), str(file), list_version or file.name)
    except UnitImportError as error:
        for problem in error.problems:
            click.echo(f"error: {problem}", err=True)
        raise click.ClickException(f"{len(error.problems)} problem(s); nothing was imported") from error
    click.echo(f"units: {counts['created']} new, {counts['updated']} updated")


commands = [units]
