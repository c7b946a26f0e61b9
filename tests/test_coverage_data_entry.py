"""Officials never lose what they type: forms only for units they may change, typed values kept
on an error, and populations / VNeID figures uploaded through the web with a preview."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from lms.accounts.models import AuditLog
from lms.coverage.models import Baseline, ExternalFigure
from lms.db import db
from lms.units.services import by_code
from tests.conftest import csrf_from, login, make_user, post_form


def _baselines(app) -> set[tuple[str, str, int, int]]:
    with app.app_context():
        return {(b.unit.code, b.audience, b.year, b.population) for b in db.session.scalars(select(Baseline))}


@pytest.fixture
def commune_official(app, units, client):
    """An official of one commune (26734) of province 79."""
    make_user(app, "canboxa", roles={"official"}, audience="officials", unit_code="26734", full_name="Lê Văn Xã")
    login(client, "canboxa")
    return client


@pytest.fixture
def official(app, units, client):
    make_user(app, "canbo", roles={"official"}, audience="officials", unit_code="79", full_name="Lê Văn Cán")
    login(client, "canbo")
    return client


def test_a_form_for_a_unit_above_the_official_is_never_rendered(app, commune_official) -> None:
    # the data page opens on the official's own unit
    assert commune_official.get("/coverage/data?year=2026").headers["Location"] == "/coverage/data?unit=26734&year=2026"
    own = commune_official.get("/coverage/data?unit=26734&year=2026").get_data(as_text=True)
    assert '<form method="post"' in own and 'name="officials"' in own
    for unit in ("79", "01", "26740"):  # the province above, another province, a neighbour
        page = commune_official.get(f"/coverage/data?unit={unit}&year=2026")
        html = page.get_data(as_text=True)
        assert page.status_code == 200
        assert 'name="officials"' not in html and 'name="vneid"' not in html
        assert "<form method=\"post\" novalidate" not in html and 'type="submit"' not in html.split("<main", 1)[-1]
        assert "/coverage/data?unit=26734" in html  # a way back to the unit they may change
        refused = commune_official.post(f"/coverage/data?unit={unit}&year=2026",
                                        data={"csrf_token": csrf_from(own), "officials": "40"})
        assert refused.status_code == 403
    assert _baselines(app) == set()
    # the crumbs do not lead to the province's page as if it could be changed
    assert 'href="/coverage/data?unit=79' not in own


def test_the_pick_page_lists_only_units_the_user_may_change(app, units, client) -> None:
    make_user(app, "canbo0", roles={"official"}, audience="officials", unit_code=None)
    login(client, "canbo0")
    html = client.get("/coverage/data").get_data(as_text=True)
    assert "<select" not in html and "Thành phố Hồ Chí Minh" not in html
    make_user(app, "quantri", roles={"admin"}, audience=None)
    login(client, "quantri")
    html = client.get("/coverage/data").get_data(as_text=True)
    assert "Thành phố Hồ Chí Minh" in html and "Thành phố Hà Nội" in html


def test_a_validation_error_keeps_every_typed_value(app, official) -> None:
    typed = {"officials": "120", "students": "mười", "workers": "-3", "citizens": "4500", "adults": "9000",
             "source": "Thống kê 2026", "vneid": "2500", "vneid_reported_on": "2026-13-45"}
    response = post_form(official, "/coverage/data?unit=26734&year=2026", typed)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    for name, value in typed.items():
        assert re.search(rf'name="{name}"[^>]*value="{re.escape(value)}"', html) or \
            re.search(rf'value="{re.escape(value)}"[^>]*name="{name}"', html), name
    assert "Chưa lưu" in html or "Nothing was saved" in html
    assert _baselines(app) == set()


def _upload(client, unit: str, data: bytes, name: str = "dan-so.csv", kind: str = "baselines"):
    page = f"/coverage/data/upload?unit={unit}&year=2026"
    return post_form(client, page, {"kind": kind, "upload": (io.BytesIO(data), name)},
                     content_type="multipart/form-data")


BAD_FILE = ("Mã đơn vị,Tên đơn vị (không đọc),Đối tượng,Năm,Số người\r\n"
            "26734,Phường Sài Gòn,Người dân,2026,4500\r\n"
            "26740,Phường Tân Định,officials,2026,120\r\n"
            "99999,?,Người dân,2026,10\r\n"          # unknown unit
            "00004,Phường Ba Đình,Người dân,2026,10\r\n"  # another province's commune
            "26740,Phường Tân Định,Người dân,2026,-5\r\n"    # not a number
            "26740,Phường Tân Định,Người dân,2026,\r\n").encode()  # empty: skipped


def test_a_population_upload_with_bad_rows_imports_nothing_until_confirmed(app, official) -> None:
    preview = _upload(official, "79", BAD_FILE)
    html = preview.get_data(as_text=True)
    assert preview.status_code == 422
    statuses = dict(re.findall(r'data-line="(\d+)" data-status="(\w+)"', html))
    assert statuses == {"2": "new", "3": "new", "4": "error", "5": "error", "6": "error", "7": "skip"}
    assert "Không có mã đơn vị" in html or "Mã đơn vị" in html  # problems in Vietnamese
    assert "không thuộc" in html  # 00004 is outside the official's province
    assert _baselines(app) == set()  # nothing stored by the preview
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', html).group(1)
    done = official.post("/coverage/data/upload/confirm?unit=79&year=2026",
                         data={"csrf_token": csrf_from(html), "token": token})
    assert done.status_code == 302
    assert _baselines(app) == {("26734", "citizens", 2026, 4500), ("26740", "officials", 2026, 120)}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.action == "coverage_upload_baselines")) == 1


def test_an_official_of_another_province_gets_403_and_nothing_changes(app, official, client) -> None:
    html = _upload(official, "79", BAD_FILE).get_data(as_text=True)
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', html).group(1)
    other = app.test_client()
    make_user(app, "canbohn", roles={"official"}, audience="officials", unit_code="01")
    login(other, "canbohn")
    assert _upload(other, "79", BAD_FILE).status_code == 403
    page = other.get("/coverage/data/upload?unit=01&year=2026").get_data(as_text=True)
    for unit in ("79", "01"):  # the other official's token, replayed: refused
        refused = other.post(f"/coverage/data/upload/confirm?unit={unit}&year=2026",
                             data={"csrf_token": csrf_from(page), "token": token})
        assert refused.status_code == 403
    assert other.get("/coverage/data/template-baselines.csv?unit=79").status_code == 403
    forged = official.post("/coverage/data/upload/confirm?unit=79&year=2026",
                           data={"csrf_token": csrf_from(html), "token": token[:-3] + "abc"})
    assert forged.status_code == 403
    assert _baselines(app) == set()


def test_templates_list_the_officials_units_and_an_xlsx_of_vneid_figures_imports(app, official) -> None:
    csv_file = official.get("/coverage/data/template-baselines.csv?unit=79&year=2026")
    assert csv_file.status_code == 200 and csv_file.headers["Content-Type"] == "text/csv; charset=utf-8"
    text = csv_file.data.decode("utf-8-sig")
    assert text.splitlines()[0] == "Mã đơn vị,Tên đơn vị (không đọc),Đối tượng,Năm,Số người"
    assert "26740,Phường Tân Định," in text and "00004" not in text
    book = load_workbook(io.BytesIO(official.get("/coverage/data/template-vneid.xlsx?unit=79&year=2026").data))
    rows = list(book.active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["79", "26734", "26740"]
    # filled in Excel: numbers as numbers, a date as a date
    filled = Workbook()
    for row in rows[:1] + [("26734", "Phường Sài Gòn", 2026, 1500, None), ("26740", "x", 2026, None, None)]:
        filled.active.append(list(row))
    out = io.BytesIO()
    filled.save(out)
    preview = _upload(official, "79", out.getvalue(), "vneid.xlsx", kind="vneid")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200, html[:2000]
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', html).group(1)
    official.post("/coverage/data/upload/confirm?unit=79&year=2026",
                  data={"csrf_token": csrf_from(html), "token": token})
    with app.app_context():
        figure = db.session.scalar(select(ExternalFigure))
        assert (figure.unit_id, figure.value) == (by_code("26734").id, 1500)


def test_an_unreadable_upload_says_why_in_vietnamese(official) -> None:
    response = _upload(official, "79", b"ten,tuoi\r\nAn,3\r\n")
    assert response.status_code == 422
    assert "Thiếu cột" in response.get_data(as_text=True) or "Columns missing" in response.get_data(as_text=True)


def test_the_targets_form_offers_only_the_officials_units(app, commune_official) -> None:
    from lms.coverage.targets import set_target

    with app.app_context():
        set_target("citizens", 2026, 60, unit=by_code("01"), source="Hà Nội")
        set_target("citizens", 2026, 65, unit=by_code("26734"), source="Sài Gòn")
        db.session.commit()
    html = commune_official.get("/coverage/targets?year=2026").get_data(as_text=True)
    select_html = html.split('<select id="unit_code"', 1)[1].split("</select>", 1)[0]
    assert re.findall(r'value="(\d+)"', select_html) == ["26734"]
    assert html.count("/delete?year=2026") == 1  # its own unit's target only, not Hà Nội's
    response = post_form(commune_official, "/coverage/targets?year=2026", {
        "unit_code": "26734", "indicator": "citizens", "year": "2026", "kind": "percent", "value": "75"})
    assert response.status_code == 302


def test_the_web_upload_and_the_command_line_apply_the_same_rules(app, official, runner, tmp_path) -> None:
    """Same file, same problems on the same lines: the web reuses the CLI's checks (the web adds
    only "a unit within yours", so the file here stays inside 79)."""
    text = ("unit_code,audience,year,population\n26734,citizens,2026,10\n99999,citizens,2026,10\n"
            "26734,aliens,2026,10\n26740,workers,1800,x\n26734,citizens,2026,11\n")
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    cli = runner.invoke(args=["lms", "coverage", "baselines", str(path)])
    assert cli.exit_code != 0 and "nothing was imported" in cli.output
    cli_lines = {int(m) for m in re.findall(r"bad\.csv:(\d+)", cli.output)}
    html = _upload(official, "79", text.encode()).get_data(as_text=True)
    web_lines = {int(n) for n, s in re.findall(r'data-line="(\d+)" data-status="(\w+)"', html) if s == "error"}
    assert cli_lines == web_lines == {3, 4, 5, 6}
    assert _baselines(app) == set()
