"""The province page on a 360 px phone, in real Chromium: short, searchable without diacritics,
and the communes furthest behind first. Prints the page height (reported in the README)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from lms import create_app
from lms.db import db
from lms.schema import upgrade
from tests.conftest import base_config, make_user, require_chromium
from tests.test_browser import shot

pytestmark = pytest.mark.browser
#: at most this tall at 360 px (it was 12,800 px with every commune listed)
MAX_HEIGHT = 6000


@pytest.fixture(scope="module")
def province_server(tmp_path_factory: pytest.TempPathFactory):
    """The official unit list, the biggest province's populations, and its official."""
    require_chromium()
    instance = tmp_path_factory.mktemp("coverage-browser")
    app = create_app(base_config(instance, f"sqlite:///{instance}/lms.sqlite3") | {"TESTING": False})
    with app.app_context():
        upgrade()
        from lms.demo import seed_populations
        from lms.units.importer import import_units, official_rows, official_version
        from lms.units.models import AdminUnit

        import_units(official_rows(), "official", official_version())
        parent = AdminUnit.__table__.alias()
        biggest = db.session.execute(
            select(parent.c.code, func.count()).join(AdminUnit, AdminUnit.parent_id == parent.c.id)
            .group_by(parent.c.code).order_by(func.count().desc())).first()
        province = db.session.scalar(select(AdminUnit).where(AdminUnit.code == biggest[0]))
        seed_populations(province, 2026)
        dien_bien = db.session.scalar(select(AdminUnit).where(AdminUnit.code == "11"))
        seed_populations(dien_bien, 2026)
        db.session.commit()
        code, communes = province.code, biggest[1]
        db.session.remove()
    make_user(app, "canbo", roles={"official"}, audience=None, unit_code=code)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", code, communes
    server.shutdown()


def test_province_page_is_short_on_a_phone(province_server, browser) -> None:
    url, code, communes = province_server
    context = browser.new_context(viewport={"width": 360, "height": 640}, device_scale_factor=1, locale="vi-VN")
    page = context.new_page()
    page.goto(url + "/login")
    page.fill("#login", "canbo")
    page.fill("#password", "mat-khau-tot-2026")
    page.click("button[type=submit], input[type=submit]")
    page.goto(f"{url}/coverage/?unit={code}&year=2026")
    height = page.evaluate("document.documentElement.scrollHeight")
    print(f"\nprovince {code} with {communes} communes: page height at 360 px = {height} px")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert height <= MAX_HEIGHT
    shot(page, "coverage-province-phone.png")
    # search without diacritics: "dien bien" finds the communes named "Điện Biên ..."
    page.goto(f"{url}/coverage/?unit=11&year=2026")
    page.fill("#cov-q", "dien bien")
    page.click("#cov-search button")
    names = page.locator("#units-table tbody td:first-child a").all_inner_texts()
    assert names and all("Điện Biên" in name for name in names)
    context.close()


def test_upload_populations_in_the_browser(province_server, browser, tmp_path) -> None:
    url, code, _communes = province_server
    context = browser.new_context(viewport={"width": 360, "height": 640}, device_scale_factor=1, locale="vi-VN",
                                  java_script_enabled=False)
    page = context.new_page()
    page.goto(url + "/login")
    page.fill("#login", "canbo")
    page.fill("#password", "mat-khau-tot-2026")
    page.click("button[type=submit], input[type=submit]")
    page.goto(f"{url}/coverage/data?year=2026")
    assert page.url.endswith(f"/coverage/data?unit={code}&year=2026")
    page.click("text=Nhiều đơn vị một lúc")
    with page.expect_download() as download:
        page.click("text=Mẫu (CSV) >> nth=0")
    template = download.value.path().read_text(encoding="utf-8-sig").splitlines()
    filled = [template[0], template[6].rstrip(",") + ",1234", template[7].rstrip(",") + ",mười"]
    path = tmp_path / "dan-so.csv"
    path.write_text("\n".join(filled) + "\n", encoding="utf-8")
    page.set_input_files("#upload", str(path))
    page.click("#submit")
    assert page.locator("#upload-rows tr[data-status=error]").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "coverage-upload-preview.png")
    page.click("#import")
    assert "Đã nhập 1 dòng" in page.content()
    context.close()
