"""Outreach pages as each role uses them: an official records, lists, changes and deletes their
units' activities and downloads the periodic report (CSV, Excel, PDF; a province's Excel and PDF
through a job); another official, a learner and a visitor get 403 or 404 and nothing changes; bad
input is answered in Vietnamese and changes nothing."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from lms.accounts.models import AuditLog
from lms.db import db
from lms.outreach.models import OutreachActivity
from tests.conftest import csrf_from, login, make_user, post_form
from tests.coverage_helpers import build_population
from tests.jobs_helpers import wait_for
from tests.outreach_helpers import add_activities

FORM = {"unit": "26734", "kind": "broadcast", "starts_on": "2026-05-01", "ends_on": "2026-05-31",
        "reached": "1200", "note": "Phát thanh mỗi sáng trên loa phường"}
Q2 = "period=quarter&year=2026&quarter=2"


def _activities(app) -> list[tuple]:
    with app.app_context():
        return [tuple(row) for row in db.session.execute(select(
            OutreachActivity.id, OutreachActivity.unit_id, OutreachActivity.kind, OutreachActivity.starts_on,
            OutreachActivity.ends_on, OutreachActivity.reached, OutreachActivity.note).order_by(OutreachActivity.id))]


@pytest.fixture
def officials(app, units):
    make_user(app, "canbo79", roles={"official"}, audience="officials", unit_code="79", full_name="Lê Văn Tỉnh")
    make_user(app, "canbo-phuong", roles={"official"}, audience="officials", unit_code="26734",
              full_name="Trần Văn Phường")
    make_user(app, "canbo01", roles={"official"}, audience="officials", unit_code="01", full_name="Ngô Thị Hà")
    make_user(app, "0912345678", unit_code="26734")
    return app


def test_an_official_records_lists_changes_and_deletes(officials, client) -> None:
    app = officials
    login(client, "canbo79")
    page = client.get("/outreach/new").get_data(as_text=True)
    # the province official picks among their province and its wards; the kinds in the guidance's words
    assert 'value="79" selected' in page and 'value="26734"' in page and 'value="00004"' not in page
    assert "Sinh hoạt chi bộ, đoàn thể" in page and "hệ thống truyền thanh cơ sở" in page
    assert "màn hình Led" in page and "Ngày hội toàn dân học tập số" in page
    response = post_form(client, "/outreach/new", FORM)
    assert response.status_code == 302 and response.location.endswith("/outreach/?unit=26734")
    [(activity_id, _unit, kind, start, end, reached, note)] = _activities(app)
    assert (kind, str(start), str(end), reached, note) == ("broadcast", "2026-05-01", "2026-05-31", 1200,
                                                           FORM["note"])
    listing = client.get("/outreach/?unit=79&period=year&year=2026").get_data(as_text=True)
    assert "Phát thanh mỗi sáng" in listing and "Phường Sài Gòn" in listing and "1.200" in listing
    # the ward's official sees and changes it too (it is their ward); the unit moves to the other ward? no: 403
    response = post_form(client, f"/outreach/{activity_id}/edit", FORM | {"reached": "1500", "ends_on": ""})
    assert response.status_code == 302
    [(_id, _unit, _kind, start, end, reached, _note)] = _activities(app)
    assert (reached, end) == (1500, start)  # an empty last day: the same day
    response = post_form(client, f"/outreach/{activity_id}/edit", {},
                         action=f"/outreach/{activity_id}/delete")
    assert response.status_code == 302 and _activities(app) == []
    with app.app_context():
        actions = list(db.session.scalars(select(AuditLog.action).where(AuditLog.object_type == "outreach_activity")
                                          .order_by(AuditLog.id)))
    assert actions == ["outreach_record", "outreach_update", "outreach_delete"]


def test_other_officials_learners_and_visitors_change_nothing(officials, client) -> None:
    app = officials
    ids = add_activities(app)
    before = _activities(app)
    saigon = ids["26734-meeting"]
    # a visitor is sent to sign in; a learner is refused
    assert client.get("/outreach/").status_code == 302
    assert client.get("/outreach/report").status_code == 302
    login(client, "0912345678")
    for url in ("/outreach/", "/outreach/new", f"/outreach/{saigon}/edit", "/outreach/report",
                "/outreach/report.csv"):
        assert client.get(url).status_code == 403, url
    token = csrf_from(client.get("/").get_data(as_text=True))
    assert client.post("/outreach/new", data=FORM | {"csrf_token": token}).status_code == 403
    assert client.post(f"/outreach/{saigon}/delete", data={"csrf_token": token}).status_code == 403
    # Hà Nội's official: another province's activities do not exist for them, its units are refused
    login(client, "canbo01")
    assert client.get(f"/outreach/{saigon}/edit").status_code == 404
    assert post_form(client, "/outreach/new", FORM | {"reached": "1"},
                     action=f"/outreach/{saigon}/edit").status_code == 404
    assert post_form(client, "/outreach/new", {}, action=f"/outreach/{saigon}/delete").status_code == 404
    assert post_form(client, "/outreach/new", FORM).status_code == 403  # recording for 26734
    assert client.get("/outreach/?unit=79").status_code == 403
    assert client.get(f"/outreach/report?unit=79&{Q2}").status_code == 403
    assert client.get(f"/outreach/report.xlsx?unit=26734&{Q2}").status_code == 403
    # a ward's official: not the province above, not the other ward
    login(client, "canbo-phuong")
    tandinh = ids["26740-visual"]
    assert client.get(f"/outreach/{tandinh}/edit").status_code == 404
    assert post_form(client, "/outreach/new", FORM | {"unit": "79"}).status_code == 403
    assert post_form(client, "/outreach/new", FORM | {"unit": "26740"}).status_code == 403
    # moving their own activity to a unit outside theirs is refused too
    assert post_form(client, f"/outreach/{saigon}/edit", FORM | {"unit": "26740"}).status_code == 403
    assert client.get(f"/outreach/report?unit=79&{Q2}").status_code == 403
    assert client.get(f"/outreach/report?unit=26734&{Q2}").status_code == 200
    assert _activities(app) == before
    # the ward's list shows its own activities only
    listing = client.get("/outreach/?period=year&year=2026").get_data(as_text=True)
    assert "Sinh hoạt chi bộ khu phố 3" in listing and "Băng rôn tại chợ" not in listing


@pytest.mark.parametrize(("change", "message"), [
    ({"reached": "-5"}, "từ 0 đến 20.000.000"),
    ({"reached": "20000001"}, "từ 0 đến 20.000.000"),
    ({"reached": "mười"}, "Viết một số nguyên"),
    ({"reached": ""}, "Vui lòng điền"),
    ({"kind": "hát karaoke"}, "Chọn một hình thức"),
    ({"starts_on": "31/05/2026"}, "YYYY-MM-DD"),
    ({"starts_on": ""}, "Vui lòng điền"),
    ({"ends_on": "2026-04-30"}, "không thể trước ngày đầu"),
    ({"starts_on": "1999-05-01", "ends_on": "1999-05-02"}, "Vui lòng kiểm tra"),
    ({"ends_on": "2027-06-01"}, "tối đa một năm"),
    ({"unit": "99999"}, "99999"),
    ({"note": "x" * 1001}, "tối đa 1000 ký tự"),
])
def test_bad_input_is_answered_in_vietnamese_and_changes_nothing(officials, client, change, message) -> None:
    app = officials
    login(client, "canbo79")
    response = post_form(client, "/outreach/new", FORM | change)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert message in body, body[body.find('class="error"') - 200:][:600]
    assert FORM["note"] in body or "note" in change  # what was typed stays in the form
    assert _activities(app) == []


def test_bad_periods_are_refused_with_a_message(officials, client) -> None:
    login(client, "canbo79")
    for query, message in (("period=week", "Chọn tháng, quý, năm"), ("period=month&month=13", "từ 1 đến 12"),
                           ("period=custom&from=2026-05-01&to=2026-04-01", "không thể trước ngày đầu"),
                           ("period=custom&from=x&to=2026-04-01", "YYYY-MM-DD")):
        response = client.get(f"/outreach/report?{query}")
        assert response.status_code == 400 and message in response.get_data(as_text=True), query
    assert client.get("/outreach/report?unit=99999").status_code == 404
    assert client.get("/outreach/report.docx").status_code == 404


def test_the_report_page_and_its_files(officials, client) -> None:
    app = officials
    build_population(app)
    add_activities(app)
    login(client, "canbo79")
    page = client.get(f"/outreach/report?{Q2}").get_data(as_text=True)
    assert "Quý II/2026" in page and "Thành phố Hồ Chí Minh" in page
    assert "6.550" in page and "5.000" in page and "1.250" in page
    assert "Phường Sài Gòn" in page and "Phường Tân Định" in page
    # a province's Excel and PDF are jobs; the CSV is made on the request
    assert f'action="/outreach/report.pdf?unit=79&amp;{Q2.replace("&", "&amp;")}"' in page
    answer = client.get(f"/outreach/report.csv?unit=79&{Q2}")
    assert answer.status_code == 200 and answer.data.startswith("\ufeff".encode())
    assert 'filename="bao-cao-tuyen-truyen_79_2026-Q2.csv"' in answer.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(answer.data.decode("utf-8-sig")), delimiter=";"))
    header = rows[0]
    assert header[:5] == ["Từ ngày", "Đến ngày", "Dòng", "Mã đơn vị", "Đơn vị"]
    assert "Truyền thanh cơ sở: số hoạt động" in header and "Tổng số người được tiếp cận" in header
    assert "Người dân: đạt phổ cập cuối kỳ" in header
    lines = {row[3] + ("*" if row[2] == "Chính đơn vị" else ""): dict(zip(header, row, strict=True))
             for row in rows[1:]}
    assert [row[2] for row in rows[1:]] == ["Tổng cộng", "Chính đơn vị", "Đơn vị cấp dưới", "Đơn vị cấp dưới"]
    total = next(dict(zip(header, r, strict=True)) for r in rows[1:] if r[2] == "Tổng cộng")
    assert total["Từ ngày"] == "01/04/2026" and total["Đến ngày"] == "30/06/2026"
    assert total["Tổng số hoạt động"] == "4" and total["Tổng số người được tiếp cận"] == "6550"
    assert total["Người dân: đạt phổ cập cuối kỳ"] == "3" and total["Người dân: mới đạt trong kỳ"] == "1"
    assert total["Người dân: %"] == "10,00"
    assert lines["26734"]["Truyền thanh cơ sở: số người được tiếp cận"] == "1200"
    assert lines["79*"]["Tin, bài: số hoạt động"] == "1"
    # a ward's Excel and PDF are plain links
    ward = client.get(f"/outreach/report?unit=26734&{Q2}").get_data(as_text=True)
    assert f'href="/outreach/report.xlsx?unit=26734&amp;{Q2.replace("&", "&amp;")}"' in ward
    book = load_workbook(io.BytesIO(client.get(f"/outreach/report.xlsx?unit=26734&{Q2}").data))
    summary, listing = book.worksheets[0], book.worksheets[2]
    values = list(summary.iter_rows(values_only=True))
    assert ("Tổng cộng", 2, 1250) in [r[:3] for r in values]
    assert [r[5] for r in listing.iter_rows(min_row=2, values_only=True)] == [1200, 50]  # latest first
    pdf = client.get(f"/outreach/report.pdf?unit=26734&{Q2}")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_a_province_report_is_prepared_by_a_job(officials, client) -> None:
    app = officials
    build_population(app)
    add_activities(app)
    login(client, "canbo79")
    page = client.get(f"/outreach/report?{Q2}").get_data(as_text=True)
    started = client.post(f"/outreach/report.xlsx?unit=79&{Q2}", data={"csrf_token": csrf_from(page)})
    assert started.status_code == 303
    job_id = int(started.location.rsplit("/", 1)[-1])
    job = wait_for(app, job_id, lambda j: j.status == "done", "laid out")
    assert job.result_name == "bao-cao-tuyen-truyen_79_2026-Q2.xlsx"
    job_page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "Báo cáo tuyên truyền" in job_page and f"/outreach/report?unit=79&amp;{Q2.replace('&', '&amp;')}" in job_page
    book = load_workbook(io.BytesIO(client.get(f"/jobs/{job_id}/download").data))
    units = list(book.worksheets[1].iter_rows(values_only=True))
    assert units[1][:3] == ("Tổng cộng", "79", "Thành phố Hồ Chí Minh")
    assert len(book.worksheets[2]["A"]) == 5  # a header and the quarter's four activities
    pdf = client.post(f"/outreach/report.pdf?unit=79&{Q2}", data={"csrf_token": csrf_from(page)})
    pdf_id = int(pdf.location.rsplit("/", 1)[-1])
    wait_for(app, pdf_id, lambda j: j.status == "done", "laid out")
    assert client.get(f"/jobs/{pdf_id}/download").data.startswith(b"%PDF")
    # without a token nothing starts; another province's official may not see the job nor start one
    assert client.post(f"/outreach/report.pdf?unit=79&{Q2}").status_code == 400
    login(client, "canbo01")
    assert client.get(f"/jobs/{job_id}").status_code == 404
    page = client.get("/outreach/report").get_data(as_text=True)
    assert client.post(f"/outreach/report.pdf?unit=79&{Q2}", data={"csrf_token": csrf_from(page)}).status_code == 403
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutreachActivity)) == 7


def test_seed_demo_records_a_few_activities_the_official_reports(app, units, runner) -> None:
    import json
    from pathlib import Path

    assert runner.invoke(args=["lms", "seed-demo"]).exit_code == 0
    assert runner.invoke(args=["lms", "seed-demo"]).exit_code == 0  # nothing added twice
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutreachActivity)) == 6
    password = json.loads((Path(app.instance_path) / "demo-accounts.json").read_text())["canbo"]
    client = app.test_client()
    login(client, "canbo", password)
    # the official's landing page (their province's coverage) links to the activities and the report
    with app.app_context():
        from lms.accounts.models import User

        code = db.session.scalar(select(User).where(User.username == "canbo")).unit.code
    dashboard = client.get(f"/coverage/?unit={code}").get_data(as_text=True)
    assert f'href="/outreach/?unit={code}"' in dashboard and f'href="/outreach/report?unit={code}"' in dashboard
    listing = client.get("/outreach/?period=custom&from=2020-01-01&to=2027-12-31").get_data(as_text=True)
    assert "Phát trên loa truyền thanh" in listing and "6 hoạt động." in listing


def test_an_admin_records_for_any_unit_and_reports_on_the_country(officials, client) -> None:
    app = officials
    add_activities(app)
    make_user(app, "quantri", roles={"admin"}, audience=None)
    login(client, "quantri")
    form = client.get("/outreach/new").get_data(as_text=True)
    assert '<select id="unit"' not in form and 'id="unit" name="unit"' in form  # an admin types a code
    response = post_form(client, "/outreach/new", FORM | {"unit": "00004", "kind": "day_1010",
                                                          "starts_on": "2026-10-10", "ends_on": ""})
    assert response.status_code == 302
    page = client.get("/outreach/report?period=year&year=2026").get_data(as_text=True)
    assert "Toàn quốc" in page and "Thành phố Hà Nội" in page and "Thành phố Hồ Chí Minh" in page
    answer = client.get("/outreach/report.csv?period=year&year=2026")
    rows = list(csv.reader(io.StringIO(answer.data.decode("utf-8-sig")), delimiter=";"))
    header, total = rows[0], rows[1]
    line = dict(zip(header, total, strict=True))
    assert line["Dòng"] == "Tổng cộng" and line["Tổng số hoạt động"] == "8"  # the seven and the new one
    assert line["Ngày hội 10/10: số hoạt động"] == "2"
    assert 'filename="bao-cao-tuyen-truyen_VN_2026.csv"' in answer.headers["Content-Disposition"]
