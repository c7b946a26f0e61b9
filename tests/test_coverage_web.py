"""Coverage pages, exports and the JSON API, on the hand-built population (tests/coverage_helpers.py)."""

from __future__ import annotations

import csv
import io
import re
import subprocess

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from lms.coverage.models import Baseline, ExternalFigure, Target
from lms.db import db
from lms.units.services import by_code
from tests.conftest import login, make_user, post_form
from tests.coverage_helpers import build_population

ON = "on=2026-06-30"
NAMES = [f"Học Viên A{n}" for n in range(1, 11)]


@pytest.fixture
def official(app, units, client):
    build_population(app)
    # pages in English, so that the assertions do not change when the Vietnamese catalogue grows
    make_user(app, "canbo", roles={"official"}, audience="officials", unit_code="79", full_name="Lê Văn Cán",
              locale="en")
    login(client, "canbo")
    return client


def test_only_officials_and_admins(app, units, client) -> None:
    assert client.get("/coverage/").status_code == 302  # to the sign-in page
    make_user(app, "0911111111")
    login(client, "0911111111")
    assert client.get("/coverage/").status_code == 403
    assert client.get("/coverage/export.csv").status_code == 403
    assert client.get("/coverage/data?unit=79").status_code == 403
    assert client.get("/coverage/targets").status_code == 403
    make_user(app, "quantri", roles={"admin"}, audience=None)
    login(client, "quantri")
    assert client.get("/coverage/").status_code == 200


def test_dashboard_shows_figures_charts_and_drill_down(official) -> None:
    response = official.get(f"/coverage/?unit=79&year=2026&{ON}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    # the CSP forbids both inline scripts and style attributes (the site's own lms.js file is allowed)
    assert not re.search(r"<script(?![^>]*\bsrc=)", html) and " style=" not in html
    assert html.count("<svg") == 2  # bars and the month-by-month trend, drawn on the server
    assert "10%" in html and "25%" in html  # citizens 3/30, officials 1/4
    assert "no baseline" in html  # students in 79
    assert "baseline incomplete" in html  # workers: one commune of two
    assert 'href="/coverage/?unit=26734&amp;year=2026&amp;on=2026-06-30"' in html  # drill-down link
    assert "Registered directly in this unit" in html  # a8
    for name in NAMES:
        assert name not in html  # figures, never names


def test_dashboard_sort_links_order_the_table(official) -> None:
    def order(query: str) -> list[str]:
        html = official.get(f"/coverage/?unit=79&year=2026&{ON}&{query}").get_data(as_text=True)
        table = html.split('id="units-table"', 1)[1]
        return re.findall(r"\?unit=(\d{5})&amp;year=2026", table)

    assert order("ind=citizens&sort=percent&dir=desc") == ["26734", "26740"]
    assert order("ind=citizens&sort=percent&dir=asc") == ["26740", "26734"]
    assert order("ind=all&sort=covered&dir=asc") == ["26740", "26734"]
    assert order("sort=name") == ["26734", "26740"]  # Phường Sài Gòn, Phường Tân Định
    html = official.get(f"/coverage/?unit=79&{ON}&ind=citizens&sort=percent&dir=desc").get_data(as_text=True)
    assert 'aria-sort="descending"' in html


def test_dashboard_rejects_bad_input(official) -> None:
    assert official.get("/coverage/?unit=99999").status_code == 404
    assert official.get("/coverage/?year=1900").status_code == 400
    assert official.get("/coverage/?on=30-06-2026").status_code == 400
    assert official.get("/coverage/?sort=drop%20table&dir=sideways&ind=nobody").status_code == 200
    assert official.get("/coverage/export.doc").status_code == 404


def test_public_summary_has_totals_only(app, units, client) -> None:
    build_population(app)
    # always as of today (after 15 July 2026, so a4 counts: 4 of 30); a chosen date is ignored
    html = client.get(f"/coverage/public?unit=79&year=2026&{ON}&lang=en").get_data(as_text=True)
    assert "<svg" in html and "13.3%" in html
    assert "Phường Sài Gòn" not in html  # no units below
    for name in NAMES:
        assert name not in html


def test_csv_export(official) -> None:
    # the columns of the "codes" CSV are a contract (export.csv speaks the user's language)
    response = official.get(f"/coverage/export-codes.csv?unit=79&year=2026&{ON}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="pho-cap-ky-nang-so_79_2026_2026-06-30_codes.csv"' in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads the accents right
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    by_key = {(r["unit_code"], r["indicator"]): r for r in rows}
    citizens = by_key[("79", "citizens")]
    assert (citizens["covered"], citizens["population"], citizens["percent"], citizens["target"],
            citizens["status"]) == ("3", "30", "10.00", "10.0", "met")
    assert by_key[("79", "students")]["baseline"] == "none" and by_key[("79", "students")]["percent"] == ""
    assert by_key[("26734", "citizens")]["target_kind"] == "count"
    assert by_key[("26734", "vneid")]["percent"] == "37.50"
    assert {r["unit_name"] for r in rows} >= {"Thành phố Hồ Chí Minh", "Phường Sài Gòn", "Phường Tân Định"}


def test_xlsx_export(official) -> None:
    response = official.get(f"/coverage/export.xlsx?unit=79&year=2026&{ON}")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    summary, units, trend = book.worksheets
    rows = list(summary.iter_rows(min_row=5, values_only=True))  # officials, students, workers, citizens, ...
    assert rows[3][1:5] == (3, 30, pytest.approx(0.10), pytest.approx(0.10))  # citizens against 10%
    assert rows[1][3] == "no baseline"  # students
    assert summary.cell(5, 4).number_format.endswith(";0.0%")
    names = [row[1] for row in units.iter_rows(min_row=2, values_only=True)]
    assert "Phường Sài Gòn" in names
    months = [row for row in trend.iter_rows(min_row=2, values_only=True)]
    assert len(months) == 6 and months[-1][4] == 3  # citizens at the end of June


def test_pdf_report(official, tmp_path) -> None:
    response = official.get(f"/coverage/export.pdf?unit=79&year=2026&{ON}")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    path = tmp_path / "report.pdf"
    path.write_bytes(response.data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Thành phố Hồ Chí Minh" in text
    assert "Phường Tân Định" in text and "10%" in text and "25%" in text
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert "595.276 x 841.89 pts (A4)" in info


def test_unit_data_page_edits_baselines_and_vneid(app, official) -> None:
    page = "/coverage/data?unit=26740&year=2026"
    assert 'value="20"' in official.get(page).get_data(as_text=True)  # citizens' population
    response = post_form(official, page, {"officials": "7", "students": "", "workers": "", "citizens": "",
                                          "adults": "40", "source": "Thống kê 2026", "vneid": "12",
                                          "vneid_reported_on": "2026-06-15"})
    assert response.status_code == 302
    with app.app_context():
        unit = by_code("26740")
        rows = {b.audience: b for b in db.session.scalars(select(Baseline).where(
            Baseline.unit_id == unit.id, Baseline.year == 2026))}
        assert {a: b.population for a, b in rows.items()} == {"officials": 7, "adults": 40}  # citizens removed
        assert rows["officials"].source == "Thống kê 2026"
        figure = db.session.scalar(select(ExternalFigure).where(ExternalFigure.unit_id == unit.id))
        assert figure.value == 12 and figure.reported_on.isoformat() == "2026-06-15"
    bad = post_form(official, page, {"officials": "-3"})
    assert bad.status_code == 422
    assert official.post(page, data={"officials": "5"}).status_code == 400  # no CSRF token


def test_targets_page_sets_and_removes_targets(app, official) -> None:
    html = official.get("/coverage/targets?year=2026").get_data(as_text=True)
    assert "Kế hoạch 370-KH/TU" in html
    response = post_form(official, "/coverage/targets?year=2026", {
        "unit_code": "79", "indicator": "vneid", "year": "2026", "kind": "count", "value": "1000000",
        "source": "Kế hoạch của TP HCM"})
    assert response.status_code == 302
    with app.app_context():
        target = db.session.scalar(select(Target).where(Target.unit_id == by_code("79").id,
                                                        Target.indicator == "vneid"))
        assert (target.indicator, target.kind, target.value) == ("vneid", "count", 1_000_000)
        target_id = target.id
    assert post_form(official, "/coverage/targets?year=2026", {
        "unit_code": "79", "indicator": "citizens", "year": "2026", "kind": "percent", "value": "150"},
    ).status_code == 422  # over 100%
    # an official of 79 changes neither another province's targets nor the defaults for everyone
    for other in ("01", ""):
        assert post_form(official, "/coverage/targets?year=2026", {
            "unit_code": other, "indicator": "citizens", "year": "2026", "kind": "percent", "value": "50"},
        ).status_code == 403
    with app.app_context():
        assert db.session.scalar(select(Target).where(Target.unit_id == by_code("01").id,
                                                      Target.value == 50)) is None
    assert post_form(official, "/coverage/targets?year=2026", {
        "unit_code": "88888", "indicator": "citizens", "year": "2026", "kind": "percent", "value": "50"},
    ).status_code == 422
    post_form(official, "/coverage/targets?year=2026", {}, action=f"/coverage/targets/{target_id}/delete?year=2026")
    with app.app_context():
        assert db.session.get(Target, target_id) is None


def _token(client, username: str) -> dict:
    response = client.post("/api/v1/auth/token", json={"username": username, "password": "mat-khau-tot-2026"})
    return {"Authorization": "Bearer " + response.json["token"]}


def test_api(app, units, client) -> None:
    build_population(app)
    make_user(app, "canbo", roles={"official"}, audience="officials", unit_code="79")
    headers = _token(client, "canbo")
    body = client.get(f"/api/v1/coverage?unit=79&year=2026&{ON}", headers=headers).json
    assert body["unit"] == "79" and body["year"] == 2026 and body["as_of"] == "2026-06-30"
    assert body["audiences"]["citizens"] == {
        "covered": 3, "population": 30, "percent": 10.0, "target_percent": 10.0, "target_count": None,
        "baseline": "ok", "status": "met"}
    assert body["audiences"]["students"]["population"] is None and body["audiences"]["students"]["percent"] is None
    assert set(body["audiences"]) == {"officials", "students", "workers", "citizens"}
    assert {u["code"] for u in body["units"]} == {"26734", "26740"}
    country = client.get("/api/v1/coverage?year=2026&" + ON, headers=headers).json
    assert country["unit"] is None and country["audiences"]["citizens"]["covered"] == 3
    assert client.get("/api/v1/coverage?unit=79").status_code == 401
    assert client.get("/api/v1/coverage?unit=12345", headers=headers).json["error"]["code"] == "unknown_unit"
    assert client.get("/api/v1/coverage?on=yesterday", headers=headers).status_code == 400
    make_user(app, "0922222222")
    assert client.get("/api/v1/coverage", headers=_token(client, "0922222222")).status_code == 403
    document = client.get("/api/v1/openapi.json").json
    assert "/coverage" in document["paths"] and "get" in document["paths"]["/coverage"]


def test_an_official_edits_only_their_own_units_data(app, official) -> None:
    """The official (unit 79) may change 79 and its communes, not Hà Nội (01); nothing is stored."""
    assert post_form(official, "/coverage/data?unit=26734&year=2026", {"officials": "40"}).status_code == 302
    refused = post_form(official, "/coverage/data?unit=01&year=2026", {"officials": "40"},
                        action="/coverage/data?unit=01&year=2026")
    assert refused.status_code == 403
    with app.app_context():
        assert db.session.scalar(select(Baseline).where(Baseline.unit_id == by_code("01").id,
                                                        Baseline.population == 40)) is None
