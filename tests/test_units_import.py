"""Administrative units: CSV import (validated, one transaction) and the official post-2025 list."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lms.db import db
from lms.i18n import _
from lms.units.importer import UnitImportError, UnitRow, import_units, official_rows, official_version
from lms.units.models import AdminUnit


def _csv(tmp_path, body: str, name: str = "units.csv"):
    path = tmp_path / name
    path.write_text("code,name,level,parent_code\n" + body, encoding="utf-8")
    return path


def _units(app) -> dict[str, AdminUnit]:
    with app.app_context():
        return {u.code: (u.name, u.level, u.path, u.list_version) for u in db.session.scalars(select(AdminUnit))}


def test_csv_import_with_an_older_district_level(app, runner, tmp_path) -> None:
    path = _csv(tmp_path, "79,Thành phố Hồ Chí Minh,province,\n760,Quận 1,district,79\n"
                          "26734,Phường Bến Nghé,commune,760\n26740,Phường Tân Định,commune,79\n")
    result = runner.invoke(args=["lms", "units", "import", str(path), "--list-version", "test-2024"])
    assert result.exit_code == 0, result.output
    assert "units: 4 new, 0 updated" in result.output
    units = _units(app)
    assert units["26734"] == ("Phường Bến Nghé", "commune", "/79/760/26734/", "test-2024")
    assert units["26740"][2] == "/79/26740/"


def test_csv_errors_name_file_and_line_and_import_nothing(app, runner, tmp_path) -> None:
    path = _csv(tmp_path, "79,Thành phố Hồ Chí Minh,province,\n"
                          "7,Tỉnh Một Số,province,\n"  # line 3: one digit
                          "26734,,commune,79\n"  # line 4: no name
                          "26740,Phường Tân Định,ward,79\n"  # line 5: unknown level
                          "26743,Phường Mồ Côi,commune,88\n"  # line 6: unknown parent
                          "79,Trùng,province,\n"  # line 7: twice
                          "26750,Phường Lạ,commune,26734\n"  # line 8: a commune under a commune
                          "01,Hà Nội,province,79\n")  # line 9: a province with a parent
    result = runner.invoke(args=["lms", "units", "import", str(path)])
    assert result.exit_code != 0
    with app.app_context():  # the command speaks the default locale: compare with the catalogue's words
        expected = (
            (3, _("The code of a %(level)s has %(n)d digits.", level="province", n=2)),
            (4, _("The name is empty.")),
            (5, _("Unknown level “%(level)s” (use province, district or commune).", level="ward")),
            (6, _("Unknown parent code “%(code)s”.", code="88")),
            (7, _("The code %(code)s appears twice.", code="79")),
            (8, _("A %(level)s cannot be under a %(parent)s.", level="commune", parent="commune")),
            (9, _("A province has no parent.")),
        )
    for line, message in expected:
        assert f"{path}:{line}: {message}" in result.output, (line, result.output)
    assert "nothing was imported" in result.output
    assert _units(app) == {}


def test_csv_with_wrong_columns_or_encoding(app, runner, tmp_path) -> None:
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("ma,ten,cap,cha\n79,X,province,\n", encoding="utf-8")
    with app.app_context():
        columns = _("The columns must be exactly: %(columns)s.", columns="code,name,level,parent_code")
        not_utf8 = _("The file is not UTF-8 text.")
    assert f"{wrong}:1: {columns}" in runner.invoke(args=["lms", "units", "import", str(wrong)]).output
    latin = tmp_path / "latin.csv"
    latin.write_bytes(b"code,name,level,parent_code\n01,H\xe0 N\xf4i,province,\n")  # Latin-1, as old Excel saves
    assert f"{latin}:1: {not_utf8}" in runner.invoke(args=["lms", "units", "import", str(latin)]).output
    assert runner.invoke(args=["lms", "units", "import"]).exit_code != 0  # neither FILE nor --official


def test_moving_a_unit_moves_the_units_below_it(app, tmp_path) -> None:
    with app.app_context():
        import_units([UnitRow("79", "HCM", "province", None), UnitRow("760", "Quận 1", "district", "79"),
                      UnitRow("26734", "Bến Nghé", "commune", "760"), UnitRow("75", "Đồng Nai", "province", None)],
                     "a", "v1")
        # a later list moves the district (not mentioned: its commune) to another province
        import_units([UnitRow("760", "Quận 1", "district", "75")], "b", "v2")
    units = _units(app)
    assert units["760"][2] == "/75/760/" and units["26734"][2] == "/75/760/26734/"
    assert units["26734"][3] == "v1" and units["760"][3] == "v2"  # each unit keeps the list it came from


def test_failed_import_rolls_back(app) -> None:
    with app.app_context():
        with pytest.raises(UnitImportError):
            import_units([UnitRow("79", "HCM", "province", None, 2), UnitRow("26734", "X", "commune", "99", 3)],
                         "f.csv", "v")
        assert db.session.scalar(select(func.count()).select_from(AdminUnit)) == 0


@pytest.mark.slow
def test_official_list(app, runner) -> None:
    result = runner.invoke(args=["lms", "units", "import", "--official"])
    assert result.exit_code == 0, result.output
    assert "units: 3355 new, 0 updated" in result.output
    with app.app_context():
        provinces = db.session.scalars(select(AdminUnit).where(AdminUnit.level == "province")).all()
        communes = db.session.scalars(select(AdminUnit).where(AdminUnit.level == "commune")).all()
        assert len(provinces) == 34 and len(communes) == 3321
        assert all(len(p.code) == 2 and p.code.isdigit() and p.path == f"/{p.code}/" for p in provinces)
        assert all(len(c.code) == 5 and c.code.isdigit() for c in communes)
        assert all(c.path == f"/{c.parent.code}/{c.code}/" for c in communes)
        by_code = {u.code: u for u in provinces + communes}
        assert by_code["01"].name == "Thành phố Hà Nội" and by_code["79"].name == "Thành phố Hồ Chí Minh"
        assert by_code["00004"].parent.code == "01"  # surviving communes keep their GSO code
        version = by_code["79"].list_version
        assert version == official_version() and version.startswith("19/2025/QĐ-TTg; vietnam-provinces ")
    again = runner.invoke(args=["lms", "units", "import", "--official"])
    assert "units: 0 new, 3355 updated" in again.output  # idempotent
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AdminUnit)) == 3355


def test_official_rows_are_well_formed() -> None:
    rows = official_rows()
    assert sum(r.level == "province" for r in rows) == 34 and sum(r.level == "commune" for r in rows) == 3321
    assert len({r.code for r in rows}) == len(rows)
