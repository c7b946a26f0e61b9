"""Gia đình số counted per commune beside the coverage figures, on a hand-built population with known
answers (the same on SQLite and PostgreSQL), through the report, the dashboard, the exports and the API.

On 2026-06-30 (tests/coverage_helpers.REPORT_DAY), households (members: audience, commune, birth year):
  H1  2 adult citizens of 26734, both certified; a child (2015) without       -> 26734
  H2  2 adults of 26740: one certified, one revoked only                      -> no
  H3  1 certified adult of 26734, 2 certified adults of 26740 (mixed)         -> 26740 (most members)
  H4  certified adults: first joined in 00004 (Hà Nội), then one in 26734     -> 00004 (a tie: first joined)
  H5  2 adults of 26734; one certified 15 July                                -> no (yes on 31 December)
  H6  2 certified adults without a unit                                       -> no unit (country only)
  H7  1 certified adult of 26740 alone                                        -> no (one is not a household)
  H8  certified adult + adult of unknown birth year without, 26734            -> no (unknown = adult)
  H9  2 certified adults registered at province 79 itself                     -> 79, its own row
  H10 certified citizen + worker holding the citizens' path (not his), 26740  -> no
"""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from lms.coverage.report import build_report
from lms.households.counting import digital_households
from lms.units.services import by_code
from tests.conftest import login, make_user
from tests.coverage_helpers import REPORT_DAY, add_certificate
from tests.households_helpers import make_household

ON = "on=2026-06-30"
CERT_DAY = date(2026, 3, 1)


@pytest.fixture
def population(app, units):
    n = iter(range(1, 100))

    def person(unit: str | None, *, cert: date | None = CERT_DAY, status: str = "valid",
               audience: str = "citizens", holds: str | None = None, birth_year: int | None = 1980) -> int:
        user_id = make_user(app, f"gd-{next(n)}", audience=audience, unit_code=unit, birth_year=birth_year,
                            full_name="Người Thử")
        if cert is not None:
            with app.app_context():
                add_certificate(user_id, holds or audience, cert, status=status)
                from lms.db import db

                db.session.commit()
        return user_id

    ids = {}
    ids["H1"] = make_household(app, person("26734"), person("26734"), person("26734", cert=None, birth_year=2015,
                                                                           audience="students"))
    ids["H2"] = make_household(app, person("26740"), person("26740", status="revoked"))
    ids["H3"] = make_household(app, person("26734"), person("26740"), person("26740"))
    ids["H4"] = make_household(app, person("00004"), person("26734"))
    ids["H5"] = make_household(app, person("26734"), person("26734", cert=date(2026, 7, 15)))
    ids["H6"] = make_household(app, person(None), person(None))
    ids["H7"] = make_household(app, person("26740"))
    ids["H8"] = make_household(app, person("26734"), person("26734", cert=None, birth_year=None))
    ids["H9"] = make_household(app, person("79"), person("79"))
    ids["H10"] = make_household(app, person("26740"), person("26740", audience="workers", holds="citizens"))
    return ids


def unit_ids(app, *codes: str) -> dict[str, int]:
    with app.app_context():
        return {code: by_code(code).id for code in codes}


def test_counts_per_commune(app, population) -> None:
    units = unit_ids(app, "79", "26734", "26740", "00004")
    with app.app_context():
        assert digital_households(REPORT_DAY) == {
            units["26734"]: 1, units["26740"]: 1, units["00004"]: 1, units["79"]: 1, None: 1}
        # a province's scope: H4 has a member in 26734 but counts in Hà Nội, so not here
        assert digital_households(REPORT_DAY, "/79/") == {units["26734"]: 1, units["26740"]: 1, units["79"]: 1}
        assert digital_households(REPORT_DAY, "/01/") == {units["00004"]: 1}
        # on 31 December H5's second certificate counts too
        assert digital_households(date(2026, 12, 31), "/79/")[units["26734"]] == 2
        # before any certificate: none
        assert digital_households(date(2026, 2, 1)) == {}


def test_the_report_sums_them_beside_the_figures(app, population) -> None:
    with app.app_context():
        province = build_report(by_code("79"), 2026, REPORT_DAY)
        assert province.digital_households == 3
        rows = {row.node.code if row.node else "direct": row.digital_households for row in province.children}
        assert rows == {"26734": 1, "26740": 1, "direct": 1}
        commune = build_report(by_code("26734"), 2026, REPORT_DAY)
        assert commune.digital_households == 1
        country = build_report(None, 2026, REPORT_DAY)
        assert country.digital_households == 4 and country.unassigned_households == 1
        assert {row.node.code: row.digital_households for row in country.children} == {"79": 3, "01": 1}
        assert build_report(by_code("79"), 2026, date(2026, 12, 31)).digital_households == 4


@pytest.fixture
def official(app, population, client):
    make_user(app, "canbo", roles={"official"}, audience="officials", unit_code="79", full_name="Lê Văn Cán",
              locale="en")
    login(client, "canbo")
    return client


def test_dashboard_and_exports(official) -> None:
    page = official.get(f"/coverage/?unit=79&year=2026&{ON}").get_data(as_text=True)
    assert 'Digital households</span> <strong>3</strong>' in page
    assert page.count('<small class="households">Digital households: 1</small>') == 3  # 2 communes, own row
    codes = list(csv.DictReader(io.StringIO(
        official.get(f"/coverage/export-codes.csv?unit=79&year=2026&{ON}").data.decode("utf-8-sig"))))
    assert list(codes[0])[-1] == "digital_households"  # added last: the other columns keep their places
    by_unit = {row["unit_code"]: row["digital_households"] for row in codes}
    assert by_unit == {"79": "3", "26734": "1", "26740": "1", "": "1"}
    shown = list(csv.reader(io.StringIO(
        official.get(f"/coverage/export.csv?unit=79&year=2026&{ON}").data.decode("utf-8-sig"))))
    assert shown[0][-1] == "Digital households" and shown[1][-1] == "3"
    book = load_workbook(io.BytesIO(official.get(f"/coverage/export.xlsx?unit=79&year=2026&{ON}").data))
    units = book.worksheets[1]
    header = [c.value for c in units[1]]
    assert header[-1] == "Digital households"
    assert {row[0]: row[-1] for row in units.iter_rows(min_row=2, values_only=True)} == {
        "26734": 1, "26740": 1, None: 1}
    summary = [row for row in book.worksheets[0].iter_rows(values_only=True) if row[0] == "Digital households"]
    assert summary[0][1] == 3


def test_api(app, official) -> None:
    response = official.post("/api/v1/auth/token", json={"username": "canbo", "password": "mat-khau-tot-2026"})
    headers = {"Authorization": "Bearer " + response.json["token"]}
    body = official.get(f"/api/v1/coverage?unit=79&year=2026&{ON}", headers=headers).json
    assert body["digital_households"] == 3
    assert {u["code"]: u["digital_households"] for u in body["units"]} == {"26734": 1, "26740": 1}
