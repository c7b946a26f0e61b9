"""``lms coverage ...``: baselines, VNeID figures, targets, reports, and the covered-persons table."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click
from flask.cli import with_appcontext

from lms.clock import local_today
from lms.coverage.baselines import CoverageImportError, read_baselines, read_vneid, save_baselines, save_vneid
from lms.coverage.exports import filename, render
from lms.coverage.measure import Scope, counts, live_counts
from lms.coverage.report import build_report, default_date
from lms.coverage.targets import TargetError, ensure_default_targets, set_target, year_targets
from lms.coverage.triggers import create_triggers, rebuild
from lms.db import db
from lms.units.services import by_code

CSV_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.group("coverage")
def coverage() -> None:
    """Coverage statistics against the province's targets."""


def _fail_on_problems(error) -> None:
    for problem in error.problems:
        click.echo(f"error: {problem}", err=True)
    raise click.ClickException(f"{len(error.problems)} problem(s); nothing was imported")


@coverage.command("baselines")
@click.argument("file", type=CSV_FILE)
@click.option("--source", default="", help="Where the headcounts come from (kept with each value).")
@with_appcontext
def baselines_command(file: Path, source: str) -> None:
    """Import populations: columns unit_code,audience,year,population (validated, one transaction)."""
    try:
        counts = save_baselines(read_baselines(file), source)
    except CoverageImportError as error:
        _fail_on_problems(error)
    db.session.commit()
    click.echo(f"baselines: {counts['created']} new, {counts['updated']} updated")


@coverage.command("vneid")
@click.argument("file", type=CSV_FILE)
@with_appcontext
def vneid_command(file: Path) -> None:
    """Import adults confirmed on VNeID: columns unit_code,year,confirmed[,reported_on]."""
    try:
        n = save_vneid(read_vneid(file))
    except CoverageImportError as error:
        _fail_on_problems(error)
    db.session.commit()
    click.echo(f"VNeID figures: {n} saved")


@coverage.group("targets")
def targets_group() -> None:
    """List or set targets."""


@targets_group.command("list")
@click.option("--year", type=int, default=None)
@with_appcontext
def targets_list(year: int | None) -> None:
    year = year or local_today().year
    for code, target in year_targets(year):
        unit = code or "default"
        value = f"{target.value:g}%" if target.kind == "percent" else f"{int(target.value)} persons"
        click.echo(f"{year}  {unit:<8} {target.indicator:<10} {value:>14}  {target.source}")


@targets_group.command("defaults")
@with_appcontext
def targets_defaults() -> None:
    """Restore Plan 370-KH/TU's default targets where an indicator and year have none."""
    n = ensure_default_targets()
    db.session.commit()
    click.echo(f"default targets added: {n}")


@targets_group.command("set")
@click.option("--indicator", required=True, type=click.Choice(["officials", "students", "workers", "citizens",
                                                              "vneid"]))
@click.option("--year", required=True, type=int)
@click.option("--value", required=True, type=float)
@click.option("--kind", type=click.Choice(["percent", "count"]), default="percent")
@click.option("--unit", "unit_code", default=None, help="Unit code; omit for the default of every unit.")
@click.option("--source", default="")
@with_appcontext
def targets_set(indicator: str, year: int, value: float, kind: str, unit_code: str | None,
                source: str) -> None:
    unit = by_code(unit_code) if unit_code else None
    if unit_code and unit is None:
        raise click.ClickException(f"unknown unit code {unit_code}")
    try:
        set_target(indicator, year, value, kind=kind, unit=unit, source=source)
    except TargetError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo("target saved")


@coverage.command("report")
@click.option("--unit", "unit_code", default=None, help="Unit code; omit for the whole country.")
@click.option("--year", type=int, default=None)
@click.option("--on", "on", default=None,
              help="Report date YYYY-MM-DD (default: today, or 31 Dec of a past year).")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "pdf"]), default="csv")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Output file (default: standard output for CSV, else a named file here).")
@with_appcontext
def report_command(unit_code: str | None, year: int | None, on: str | None, fmt: str,
                   out: Path | None) -> None:
    """Write the report of a unit and year as CSV, XLSX or PDF."""
    unit = by_code(unit_code) if unit_code else None
    if unit_code and unit is None:
        raise click.ClickException(f"unknown unit code {unit_code}")
    today = local_today()
    year = year or today.year
    try:
        day = date.fromisoformat(on) if on else default_date(year, today)
    except ValueError as error:
        raise click.ClickException("write the date as YYYY-MM-DD") from error
    report = build_report(unit, year, day)
    data = render(report, fmt)
    if out is None and fmt == "csv":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    target = out or Path(filename(report, fmt))
    target.write_bytes(data)
    click.echo(f"written: {target} ({len(data)} bytes)", err=True)


@coverage.command("check")
@click.option("--on", "on", default=None, help="Date to compare at (default: today).")
@with_appcontext
def check_command(on: str | None) -> None:
    """Compare the covered-persons table with the definition; exit 1 when they differ."""
    day = date.fromisoformat(on) if on else local_today()
    fast, live = counts(Scope(None), day), live_counts(Scope(None), day)
    if fast != live:
        for key in sorted(set(fast) | set(live), key=str):
            if fast.get(key) != live.get(key):
                click.echo(f"differs: unit {key[0]} {key[1]}: table {fast.get(key, 0)}, definition "
                           f"{live.get(key, 0)}", err=True)
        raise click.ClickException("the covered-persons table differs; run `lms coverage rebuild`")
    click.echo(f"ok: {sum(fast.values())} covered persons on {day.isoformat()}")


@coverage.command("rebuild")
@with_appcontext
def rebuild_command() -> None:
    """Refill the covered-persons table from certificates and users, and reinstall its triggers."""
    conn = db.session.connection()
    create_triggers(conn)
    n = rebuild(conn)
    db.session.commit()
    click.echo(f"covered persons: {n}")


commands = [coverage]
