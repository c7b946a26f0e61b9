"""The outreach pages on a 360 px phone, in real Chromium: an official records an activity with
the form and finds it in the periodic report; no page scrolls sideways, axe-core finds no
violation, tap targets and text are large enough (the checks of tests/test_browser_a11y.py)."""

from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from lms import create_app
from lms.schema import upgrade
from tests.conftest import base_config, make_user, require_chromium
from tests.coverage_helpers import build_population
from tests.outreach_helpers import add_activities
from tests.test_browser import shot
from tests.test_browser_a11y import AXE, CHECKS, WCAG

pytestmark = pytest.mark.browser
PASSWORD = "mat-khau-tot-2026"
Q2 = "unit=79&period=quarter&year=2026&quarter=2"


@pytest.fixture(scope="module")
def outreach_server(tmp_path_factory: pytest.TempPathFactory):
    require_chromium()
    instance = tmp_path_factory.mktemp("outreach-browser")
    app = create_app(base_config(instance, f"sqlite:///{instance}/lms.sqlite3") | {"TESTING": False})
    with app.app_context():
        upgrade()
        from lms.units.importer import UnitRow, import_units

        import_units([UnitRow("79", "Thành phố Hồ Chí Minh", "province", None),
                      UnitRow("26734", "Phường Sài Gòn", "commune", "79"),
                      UnitRow("26740", "Phường Tân Định", "commune", "79"),
                      UnitRow("01", "Thành phố Hà Nội", "province", None),
                      UnitRow("00004", "Phường Ba Đình", "commune", "01")], "test", "test-list")
    build_population(app)
    ids = add_activities(app)
    make_user(app, "canbo", PASSWORD, roles={"official"}, audience="officials", unit_code="79",
              full_name="Lê Văn Cán")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", ids
    server.shutdown()


def test_an_official_records_and_reports_on_a_phone(outreach_server, browser) -> None:
    url, ids = outreach_server
    context = browser.new_context(viewport={"width": 360, "height": 640}, device_scale_factor=1, locale="vi-VN",
                                  bypass_csp=True)
    page = context.new_page()
    page.goto(url + "/login")
    page.fill("#login", "canbo")
    page.fill("#password", PASSWORD)
    page.click("#submit")
    page.wait_for_load_state("load")
    page.goto(url + "/outreach/new")
    page.select_option("#unit", "26740")
    page.check("input[name=kind][value=community]")
    page.fill("#starts_on", "2026-06-12")
    page.fill("#reached", "350")
    page.fill("#note", "Tổ công nghệ số cộng đồng đến từng hộ")
    shot(page, "outreach-record-phone.png")
    page.click("button.primary")
    page.wait_for_load_state("load")
    assert "Đã ghi nhận hoạt động." in page.content()
    page.goto(f"{url}/outreach/report?{Q2}")
    by_kind = page.locator("#by-kind tbody tr").all_inner_texts()
    assert any("Sinh hoạt chính trị - xã hội" in row and "350" in row for row in by_kind)
    assert "6.900" in page.locator("#by-kind").inner_text()  # 6,550 and the new 350
    shot(page, "outreach-report-phone.png")
    context.close()
    problems = audit(browser, url, ids, 360)
    assert not problems, "\n".join(problems)


def test_the_pages_on_a_laptop(outreach_server, browser) -> None:
    url, ids = outreach_server
    problems = audit(browser, url, ids, 1280)
    assert not problems, "\n".join(problems)


def audit(browser, url: str, ids: dict, width: int) -> list[str]:
    """axe-core and the size checks on every outreach page, signed in as the province's official."""
    context = browser.new_context(viewport={"width": width, "height": 800}, device_scale_factor=1, locale="vi-VN",
                                  bypass_csp=True)
    page = context.new_page()
    page.goto(url + "/login")
    page.fill("#login", "canbo")
    page.fill("#password", PASSWORD)
    page.click("#submit")
    page.wait_for_load_state("load")
    axe = AXE.read_text(encoding="utf-8")
    problems = []
    for path in ("/outreach/?period=year&year=2026", "/outreach/new", f"/outreach/{ids['26734-meeting']}/edit",
                 f"/outreach/report?{Q2}", "/outreach/report?unit=26734&period=year&year=2026"):
        page.goto(url + path)
        page.wait_for_load_state("load")
        if page.evaluate("document.documentElement.scrollWidth") > width:
            problems.append(f"{path}: scrolls sideways")
        page.add_script_tag(content=axe)
        found = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG)
        problems += [f"{path}: {v['id']} {[' '.join(n['target']) for n in v['nodes']][:3]}"
                     for v in found["violations"]]
        measured = page.evaluate(CHECKS)
        problems += [f"{path}: tap target under 24x24: {s}" for s in measured["small"]]
        if width <= 360:
            problems += [f"{path}: text under 14 px: {t}" for t in measured["tiny"]]
    context.close()
    return problems
