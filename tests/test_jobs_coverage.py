"""The coverage jobs: a province's report as Excel and PDF prepared off the request, and
``coverage rebuild`` started by an admin from the dashboard."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from lms.db import db
from lms.jobs.models import Job
from tests.conftest import csrf_from, login, make_user
from tests.coverage_helpers import build_population
from tests.jobs_helpers import wait_for

ON = "on=2026-06-30"


@pytest.fixture
def official(app, units, client):
    build_population(app)
    make_user(app, "canbo", roles={"official"}, audience="officials", unit_code="79", full_name="Lê Văn Cán",
              locale="en")
    login(client, "canbo")
    return client


def start(client, fmt: str, query: str) -> int:
    page = client.get(f"/coverage/?{query}").get_data(as_text=True)
    action = f"/coverage/export.{fmt}?{query}".replace("&", "&amp;")
    assert f'action="{action}"' in page, page[page.find("cov-exports") - 20:][:900]
    started = client.post(f"/coverage/export.{fmt}?{query}", data={"csrf_token": csrf_from(page)})
    assert started.status_code == 303
    return int(started.location.rsplit("/", 1)[-1])


def test_a_province_report_is_prepared_by_a_job(app, client, official) -> None:
    query = f"unit=79&year=2026&{ON}"
    job_id = start(client, "xlsx", query)
    job = wait_for(app, job_id, lambda j: j.status == "done", "laid out")
    assert job.result_name == "pho-cap-ky-nang-so_79_2026_2026-06-30.xlsx"
    answer = client.get(f"/jobs/{job_id}/download")
    assert answer.status_code == 200
    summary = load_workbook(io.BytesIO(answer.data)).worksheets[0]
    assert list(summary.iter_rows(min_row=5, values_only=True))[3][1:3] == (3, 30)  # as the direct export
    pdf_id = start(client, "pdf", query)
    wait_for(app, pdf_id, lambda j: j.status == "done", "laid out")
    assert client.get(f"/jobs/{pdf_id}/download").data.startswith(b"%PDF")
    # the direct address still answers with the file (a script may rely on it)
    assert client.get(f"/coverage/export.pdf?{query}").data.startswith(b"%PDF")
    # a commune's report stays a plain link; a learner may neither start nor see a report job
    assert 'href="/coverage/export.pdf?unit=26734' in client.get(f"/coverage/?unit=26734&year=2026&{ON}").get_data(
        as_text=True)
    make_user(app, "0911111111")
    login(client, "0911111111")
    assert client.get(f"/jobs/{job_id}").status_code == 404
    assert client.post(f"/coverage/export.pdf?{query}").status_code in (400, 403)
    make_user(app, "canbo2", roles={"official"}, audience="officials", unit_code="01")
    login(client, "canbo2")  # another official could have made the same report: may see it
    assert client.get(f"/jobs/{job_id}/download").status_code == 200


def test_an_admin_rebuilds_the_coverage_table_as_a_job(app, client, official) -> None:
    assert "/coverage/rebuild" not in client.get("/coverage/").get_data(as_text=True)  # officials: no
    make_user(app, "quantri", roles={"admin"}, audience=None)
    login(client, "quantri")
    page = client.get("/coverage/").get_data(as_text=True)
    assert 'action="/coverage/rebuild"' in page
    started = client.post("/coverage/rebuild", data={"csrf_token": csrf_from(page)})
    job_id = int(started.location.rsplit("/", 1)[-1])
    wait_for(app, job_id, lambda j: j.status == "done", "rebuilt")
    assert 'href="/coverage/"' in client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert app.test_cli_runner().invoke(args=["lms", "coverage", "check"]).exit_code == 0
    with app.app_context():
        assert db.session.get(Job, job_id).result_name is None
