"""``lms seed-demo`` shows the product (figures, two provinces, staff on their own pages);
``lms --help`` lists the LMS's commands once; ``make run`` takes ``PORT=``."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import func, select

from lms.accounts.models import User
from lms.coverage.models import Baseline, ExternalFigure
from lms.db import db
from lms.units.services import children
from tests.conftest import REPO, login


def _seed(app, runner) -> dict[str, str]:
    result = runner.invoke(args=["lms", "seed-demo"])
    assert result.exit_code == 0, result.output
    return json.loads((Path(app.instance_path) / "demo-accounts.json").read_text())


def test_seed_demo_gives_the_dashboard_figures_on_first_run(app, units, runner) -> None:
    passwords = _seed(app, runner)
    with app.app_context():
        official = db.session.scalar(select(User).where(User.username == "canbo"))
        province = official.unit
        assert province.level == "province"
        communes = children(province)
        ids = [u.id for u in communes] + [province.id]
        populations = db.session.scalar(select(func.count()).select_from(Baseline).where(Baseline.unit_id.in_(ids)))
        assert communes and populations == 5 * len(communes)  # four audiences and the adults, per commune
        assert db.session.scalar(select(func.count()).select_from(ExternalFigure)) == len(communes)
        code = province.code
    again = runner.invoke(args=["lms", "seed-demo"])  # nothing added twice, an official's figures kept
    assert again.exit_code == 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Baseline)) == populations
    client = app.test_client()
    login(client, "canbo", passwords["canbo"])
    html = client.get(f"/coverage/?unit={code}").get_data(as_text=True)
    assert "no baseline" not in html and "không có dân số" not in html.lower()
    assert re.search(r'class="cov-pct">\d', html)  # a percent, not "no baseline"


def test_demo_accounts_live_in_two_provinces(app, units, runner) -> None:
    _seed(app, runner)
    with app.app_context():
        provinces = {(u.unit.path.strip("/").split("/")[0]) for u in db.session.scalars(select(User))
                     if u.unit is not None}
        assert len(provinces) == 2
        second = db.session.scalar(select(User).where(User.username == "canbo2"))
        assert second.has_role("official") and second.unit.code != db.session.scalar(
            select(User).where(User.username == "canbo")).unit.code


def test_demo_teacher_and_official_land_on_their_own_pages(app, units, runner) -> None:
    passwords = _seed(app, runner)
    with app.app_context():
        staff = {u.username: u for u in db.session.scalars(select(User).where(
            User.username.in_(["giaovien", "canbo", "kiemtra", "admin"])))}
        assert {name: user.audience for name, user in staff.items()} == dict.fromkeys(staff)
        province = staff["canbo"].unit.code
    for username, landing in (("giaovien", "/teach/"), ("canbo", f"/coverage/?unit={province}"),
                              ("kiemtra", "/verify")):
        client = app.test_client()
        signed_in = login(client, username, passwords[username])
        home = client.get(signed_in.headers.get("Location", "/"))
        assert home.status_code == 302 and home.headers["Location"] == landing, username
        assert client.get(landing).status_code == 200


def test_lms_help_lists_each_command_once_without_flask_options(app) -> None:
    from lms.cli import main

    result = CliRunner().invoke(main, ["--help"], env={"LMS_INSTANCE_PATH": app.instance_path})
    assert result.exit_code == 0
    listed = re.findall(r"^  ([a-z-]+) ", result.output.split("Commands:", 1)[1], flags=re.M)
    assert len(listed) == len(set(listed)) and "lms" not in listed and "seed-demo" in listed
    for flask_option in ("--env-file", "--app", "--debug", "--version"):
        assert flask_option not in result.output
    # still accepted: they are part of the command line scripts may already use
    assert CliRunner().invoke(main, ["--version"]).exit_code == 0
    nested = CliRunner().invoke(main, ["lms", "users", "--help"], env={"LMS_INSTANCE_PATH": app.instance_path})
    assert nested.exit_code == 0 and "Manage accounts" in nested.output


def test_make_run_takes_a_port() -> None:
    plan = subprocess.run(["make", "-n", "run", "PORT=8123"], cwd=REPO, capture_output=True, text=True,
                          check=True, timeout=60).stdout
    assert "run --host 127.0.0.1 --port 8123" in plan and "http://127.0.0.1:8123" in plan


def test_demo_family_is_a_digital_household(app, units, runner) -> None:
    passwords = _seed(app, runner)
    assert runner.invoke(args=["lms", "seed-demo"]).exit_code == 0  # nothing added twice
    from lms.households.models import Household

    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Household)) == 1
    client = app.test_client()
    login(client, "0911111103", passwords["0911111103"])  # the child's page shows it too
    page = client.get("/me").get_data(as_text=True)
    assert '<span class="badge ok">Gia đình số</span>' in page and "Nguyễn Thị Mai" in page
    official = app.test_client()
    login(official, "canbo", passwords["canbo"])
    with app.app_context():
        code = db.session.scalar(select(User).where(User.username == "canbo")).unit.code
    html = official.get(f"/coverage/?unit={code}").get_data(as_text=True)
    assert re.search(r'Gia đình số: <strong>1</strong>', html)
