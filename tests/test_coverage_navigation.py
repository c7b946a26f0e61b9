"""Coverage pages an official can navigate (search, sort by gap, the 10 furthest behind, pages of
communes, shares too small to round) and exports in the user's language."""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook

from lms.coverage.baselines import save_baselines
from lms.db import db
from lms.units.services import by_code
from tests.conftest import login, make_user
from tests.coverage_helpers import build_population

ON = "year=2026&on=2026-06-30"


def _add_communes(app, rows: list[tuple[str, str]]) -> None:
    from lms.units.importer import UnitRow, import_units

    with app.app_context():
        import_units([UnitRow("79", "Thành phố Hồ Chí Minh", "province", None)]
                     + [UnitRow(code, name, "commune", "79") for code, name in rows], "test", "test-list")


@pytest.fixture
def official(app, units, client):
    build_population(app)
    with app.app_context():  # officials of 26740: a5 alone, out of 520,000
        save_baselines([(by_code("26740").id, "officials", 2026, 520_000)])
        db.session.commit()
    make_user(app, "canbo", roles={"official"}, audience=None, unit_code="79", full_name="Lê Văn Cán")
    login(client, "canbo")
    return client


def _units_in_table(html: str) -> list[str]:
    return re.findall(r"\?unit=(\d{5})&amp;year=2026", html.split('id="units-table"', 1)[1])


def test_search_a_commune_with_or_without_diacritics(app, official) -> None:
    _add_communes(app, [("03127", "Phường Điện Biên Phủ")])
    for query in ("dien bien", "Điện Biên", "DIEN  BIEN phu", "03127"):
        html = official.get(f"/coverage/?unit=79&{ON}&q={query}").get_data(as_text=True)
        assert _units_in_table(html) == ["03127"], query
        assert 'id="behind"' not in html  # a search shows the matches only
    html = official.get(f"/coverage/?unit=79&{ON}&q=tan").get_data(as_text=True)
    assert _units_in_table(html) == ["26740"]
    nothing = official.get(f"/coverage/?unit=79&{ON}&q=khong+co").get_data(as_text=True)
    assert 'id="units-table"' not in nothing and "Không có đơn vị nào" in nothing


def test_sort_by_percent_or_gap_and_the_communes_furthest_behind(official) -> None:
    # citizens: 26734 met its own count target (2 of 2); 26740 0% of 79's 10%: 10 points missing
    gap = official.get(f"/coverage/?unit=79&{ON}&ind=citizens&sort=gap&dir=desc").get_data(as_text=True)
    assert _units_in_table(gap)[:2] == ["26740", "26734"]
    assert "10 điểm phần trăm" in gap.split('id="units-table"', 1)[1]
    low = official.get(f"/coverage/?unit=79&{ON}&ind=citizens&sort=percent&dir=asc").get_data(as_text=True)
    assert _units_in_table(low)[0] == "26740"
    behind = low.split('id="behind"', 1)[1].split("</section>", 1)[0]
    assert "xa mục tiêu nhất" in behind
    assert re.findall(r"\?unit=(\d{5})", behind) == ["26740"]  # the one that met its target is not listed


def test_the_furthest_behind_are_the_lowest_share_of_their_target(app, units) -> None:
    from decimal import Decimal

    from lms.coverage.report import Figure, UnitRow, furthest_behind
    from lms.coverage.targets import TargetValue
    from lms.coverage.tree import Node

    def row(code: str, covered: int, population: int, target: TargetValue) -> UnitRow:
        node = Node(int(code), code, f"Xã {code}", "commune", 1, f"/79/{code}/")
        figures = {a: Figure(a, 0, None) for a in ("officials", "students", "workers", "citizens")}
        figures["citizens"] = Figure("citizens", covered, population, True, target)
        return UnitRow(node, figures)

    percent70 = TargetValue("citizens", "percent", 70, "")
    rows = [row(f"{n:05d}", n, 100, percent70) for n in range(1, 25)]  # 1% .. 24% against 70%
    rows.append(row("00099", 5, 10, TargetValue("citizens", "count", 100, "")))  # 5 of 100 persons: 5%
    rows.append(row("00098", 80, 100, percent70))  # met: never listed
    picked = furthest_behind(rows, "citizens")
    assert len(picked) == 10
    assert [r.node.code for r, _f in picked][:6] == ["00001", "00002", "00003", "00099", "00004", "00005"]
    assert picked[0][1].reached == Decimal(1) / 70
    assert furthest_behind(rows, "all")[0][1].indicator == "citizens"  # "all": the audience furthest behind


def test_a_province_with_many_communes_shows_a_page_at_a_time(app, official) -> None:
    _add_communes(app, [(f"{90000 + n}", f"Xã Thử {n:02d}") for n in range(30)])
    first = official.get(f"/coverage/?unit=79&{ON}").get_data(as_text=True)
    assert len(_units_in_table(first)) == 15 and "Trang 1/3" in first
    third = official.get(f"/coverage/?unit=79&{ON}&page=3").get_data(as_text=True)
    assert _units_in_table(third) == ["90028", "90029"]  # 32 communes and "registered directly": 33 rows
    assert "Registered directly" in third or "Đăng ký trực tiếp" in third
    assert official.get(f"/coverage/?unit=79&{ON}&page=99").status_code == 200  # the last page


def test_a_share_of_1_in_520000_is_not_shown_as_0(official) -> None:
    html = official.get(f"/coverage/?unit=79&{ON}&ind=officials").get_data(as_text=True)
    row = html.split('id="units-table"', 1)[1].split("26740", 1)[1].split("</tr>", 1)[0]
    assert "&lt; 0,1%" in row and ">0%<" not in row
    text = official.get(f"/coverage/export.csv?unit=79&{ON}").data.decode("utf-8-sig")
    line = next(r for r in csv.reader(io.StringIO(text), delimiter=";") if r[2] == "26740" and r[5].startswith("Cán"))
    assert line[10] == "< 0,1%" and line[9] == "0,00"
    book = load_workbook(io.BytesIO(official.get(f"/coverage/export.xlsx?unit=79&{ON}").data))
    units = book.worksheets[1]
    cell = next(r for r in units.iter_rows(min_row=2) if r[0].value == "26740")[4]  # officials: %
    assert cell.value == pytest.approx(1 / 520_000) and '"< 0,1%"' in cell.number_format


def test_exports_speak_vietnamese_and_keep_the_codes_variant(official) -> None:
    response = official.get(f"/coverage/export.csv?unit=79&{ON}")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Type"].count("charset") == 1
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Năm", "Tính đến ngày", "Mã đơn vị", "Đơn vị"]
    citizens = next(r for r in rows if r[2] == "79" and r[5] == "Người dân")
    assert citizens[6:11] == ["3", "30", "Đủ", "10,00", "10%"] and citizens[14] == "Đạt chỉ tiêu"
    assert "met" not in response.get_data(as_text=True).split("\n", 1)[1]
    codes = official.get(f"/coverage/export-codes.csv?unit=79&{ON}")
    assert codes.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "_codes.csv" in codes.headers["Content-Disposition"]
    machine = list(csv.DictReader(io.StringIO(codes.data.decode("utf-8-sig"))))
    by_key = {(r["unit_code"], r["indicator"]): r for r in machine}
    assert (by_key[("79", "citizens")]["percent"], by_key[("79", "citizens")]["status"]) == ("10.00", "met")
    book = load_workbook(io.BytesIO(official.get(f"/coverage/export.xlsx?unit=79&{ON}").data))
    summary = book.worksheets[0]
    assert [c.value for c in summary[4]][:3] == ["Chỉ số", "Đã đạt chuẩn", "Dân số"]
    citizens_row = [c for c in summary[8]]
    assert isinstance(citizens_row[3].value, float) and "%" in citizens_row[3].number_format
    assert citizens_row[6].value == "Đạt chỉ tiêu"


def test_an_english_user_gets_english_words_and_dot_decimals(app, units, client) -> None:
    build_population(app)
    make_user(app, "official2", roles={"official"}, audience=None, unit_code="79", locale="en")
    login(client, "official2")
    text = client.get(f"/coverage/export.csv?unit=79&{ON}").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "Year"
    citizens = next(r for r in rows if r[2] == "79" and r[5] == "Citizens")
    assert citizens[9:11] == ["10.00", "10%"] and citizens[14] == "Target met"


def test_the_vietnamese_csv_writes_dates_the_vietnamese_way(official) -> None:
    text = official.get(f"/coverage/export.csv?unit=79&{ON}").data.decode("utf-8-sig")
    assert next(csv.reader(io.StringIO(text.split("\r\n", 1)[1]), delimiter=";"))[:2] == ["2026", "30/06/2026"]
