"""``lms coverage ...``: CSV imports (validated, all or nothing), targets, reports, check and rebuild."""

from __future__ import annotations

import csv
import io
import subprocess

from sqlalchemy import func, select, text

from lms.coverage.models import Baseline, CoveredPerson, ExternalFigure, Target
from lms.db import db
from lms.i18n import _
from lms.units.services import by_code
from tests.coverage_helpers import build_population


def _write(path, text_: str):
    path.write_text(text_, encoding="utf-8")
    return str(path)


def test_baselines_import(app, units, runner, tmp_path) -> None:
    good = _write(tmp_path / "b.csv", "\ufeffunit_code,audience,year,population\n"
                  "26734,citizens,2026,1200\n79,officials,2026,5400\n79,adults,2026,900000\n")
    result = runner.invoke(args=["lms", "coverage", "baselines", good, "--source", "Cục Thống kê"])
    assert result.exit_code == 0, result.output
    assert "3 new, 0 updated" in result.output
    again = _write(tmp_path / "c.csv", "unit_code,audience,year,population\n26734,citizens,2026,1300\n")
    assert "0 new, 1 updated" in runner.invoke(args=["lms", "coverage", "baselines", again]).output
    with app.app_context():
        baseline = db.session.scalar(select(Baseline).where(Baseline.unit_id == by_code("26734").id))
        assert baseline.population == 1300 and baseline.source == "Cục Thống kê"


def test_baselines_import_reports_every_problem_and_imports_nothing(app, units, runner, tmp_path) -> None:
    bad = _write(tmp_path / "bad.csv", "unit_code,audience,year,population\n"
                 "26734,citizens,2026,10\n"
                 "99999,citizens,2026,10\n"
                 "26734,aliens,2026,10\n"
                 "26734,workers,20x6,-4\n"
                 "26734,citizens,2026,11\n")
    result = runner.invoke(args=["lms", "coverage", "baselines", bad])
    assert result.exit_code != 0
    with app.app_context():  # the command speaks the default locale: compare with the catalogue's words
        expected = [
            (3, _("Unknown unit code “%(code)s”.", code="99999")),
            (4, _("Unknown audience “%(name)s” (use %(options)s).", name="aliens",
                  options="officials, students, workers, citizens, adults")),
            (5, _("Please check the year.")),
            (5, _("The population must be a whole number, 0 or more.")),
            (6, _("The same unit, audience and year are already on line %(line)d.", line=2)),
        ]
        columns_message = _("The columns must be: %(columns)s.", columns="unit_code,audience,year,population")
    for line, message in expected:
        assert f"{bad}:{line}: {message}" in result.output, (line, result.output)
    assert "5 problem(s); nothing was imported" in result.output
    columns = _write(tmp_path / "cols.csv", "unit,audience,year,population\n79,citizens,2026,1\n")
    assert columns_message in runner.invoke(args=["lms", "coverage", "baselines", columns]).output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Baseline)) == 0


def test_vneid_import(app, units, runner, tmp_path) -> None:
    path = _write(tmp_path / "v.csv", "unit_code,year,confirmed,reported_on\n79,2026,450000,2026-06-30\n"
                  "01,2026,12,\n")
    result = runner.invoke(args=["lms", "coverage", "vneid", path])
    assert result.exit_code == 0, result.output
    bad = _write(tmp_path / "w.csv", "unit_code,year,confirmed,reported_on\n79,2026,many,30/06/2026\n")
    result = runner.invoke(args=["lms", "coverage", "vneid", bad])
    with app.app_context():
        date_message, number_message = _("Write the date as YYYY-MM-DD."), _(
            "The number must be a whole number, 0 or more.")
    assert result.exit_code != 0
    assert f"{bad}:2: {date_message}" in result.output and f"{bad}:2: {number_message}" in result.output
    with app.app_context():
        figures = {f.unit.code: (f.value, f.reported_on) for f in db.session.scalars(select(ExternalFigure))}
        assert figures["79"][0] == 450000 and figures["01"] == (12, None)


def test_targets_commands(app, units, runner) -> None:
    with app.app_context():  # the migration seeded them; the PostgreSQL fixture empties every table
        db.session.execute(text("DELETE FROM lms_targets"))
        db.session.commit()
    assert "default targets added: 10" in runner.invoke(args=["lms", "coverage", "targets", "defaults"]).output
    assert "default targets added: 0" in runner.invoke(args=["lms", "coverage", "targets", "defaults"]).output
    result = runner.invoke(args=["lms", "coverage", "targets", "set", "--indicator", "vneid", "--year", "2025",
                                 "--value", "50", "--unit", "79", "--source", "Tuyên Quang-style"])
    assert result.exit_code == 0, result.output
    listing = runner.invoke(args=["lms", "coverage", "targets", "list", "--year", "2025"]).output
    assert "default  citizens" in listing and "70%" in listing and "79       vneid" in listing
    assert runner.invoke(args=["lms", "coverage", "targets", "set", "--indicator", "citizens", "--year", "2025",
                               "--value", "101"]).exit_code != 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Target)) == 11


def test_report_command_writes_each_format(app, units, runner, tmp_path) -> None:
    build_population(app)
    result = runner.invoke(args=["lms", "coverage", "report", "--unit", "79", "--year", "2026",
                                 "--on", "2026-06-30", "--format", "csv", "--out", str(tmp_path / "r.csv")])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO((tmp_path / "r.csv").read_text(encoding="utf-8-sig"))))
    assert next(r for r in rows if r["unit_code"] == "79" and r["indicator"] == "citizens")["covered"] == "3"
    for fmt, magic in (("xlsx", b"PK"), ("pdf", b"%PDF")):
        out = tmp_path / f"r.{fmt}"
        result = runner.invoke(args=["lms", "coverage", "report", "--unit", "79", "--year", "2026", "--format", fmt,
                                     "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert out.read_bytes().startswith(magic)
    pdf_text = subprocess.run(["pdftotext", str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True).stdout
    assert "Phường Sài Gòn" in " ".join(pdf_text.split())  # a table cell may wrap the name
    assert runner.invoke(args=["lms", "coverage", "report", "--unit", "12345"]).exit_code != 0
    assert runner.invoke(args=["lms", "coverage", "report", "--on", "June"]).exit_code != 0


def test_check_and_rebuild(app, units, runner) -> None:
    build_population(app)
    result = runner.invoke(args=["lms", "coverage", "check", "--on", "2026-12-31"])
    assert result.exit_code == 0 and "ok: 7 covered persons" in result.output
    with app.app_context():  # drift made by hand (triggers off): check finds it, rebuild mends it
        db.session.execute(text("DELETE FROM lms_covered_people WHERE audience = 'officials'"))
        db.session.commit()
    result = runner.invoke(args=["lms", "coverage", "check", "--on", "2026-12-31"])
    assert result.exit_code != 0 and "differs: unit" in result.output
    assert "covered persons: 7" in runner.invoke(args=["lms", "coverage", "rebuild"]).output
    assert runner.invoke(args=["lms", "coverage", "check", "--on", "2026-12-31"]).exit_code == 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CoveredPerson)) == 7
