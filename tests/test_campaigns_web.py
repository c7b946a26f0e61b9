"""Campaign pages as each role uses them: declaring (with the permission rules), the public page,
the honour roll, the public screens, the portal block and its JSON feed."""

from __future__ import annotations

from sqlalchemy import func, select

from lms.campaigns.models import Campaign
from lms.db import db
from tests.campaign_helpers import build_campaign_population
from tests.conftest import login, make_user, post_form
from tests.coverage_helpers import build_population

FORM = {"name": "Ngày hội toàn dân học tập số 2026", "starts_on": "2026-10-10", "ends_on": "2026-10-12",
        "units": "79", "audiences": ["citizens", "workers"], "slug": ""}


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Campaign.id)))


def test_an_official_declares_a_campaign_for_their_province(units, courses, client) -> None:
    app = units
    build_campaign_population(app)
    make_user(app, "canbo79", roles={"official"}, unit_code="79", audience="officials")
    login(client, "canbo79")
    response = post_form(client, "/campaigns/new", FORM)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/campaigns/ngay-hoi-toan-dan-hoc-tap-so-2026")
    page = client.get("/campaigns/ngay-hoi-toan-dan-hoc-tap-so-2026").get_data(as_text=True)
    assert "Ngày hội toàn dân học tập số 2026" in page
    assert '<meta property="og:title" content="Ngày hội toàn dân học tập số 2026">' in page
    # the board: the small ward first, the commune without a baseline apart, the rule written under it
    assert page.index("Phường Tân Định") < page.index("Phường Sài Gòn") < page.index("Xã Nhỏ Xinh")
    assert "6,67" in page and "0,83" in page
    assert "điểm phần trăm" in page
    # the honour roll is a PDF
    pdf = client.get("/campaigns/ngay-hoi-toan-dan-hoc-tap-so-2026/honour-roll.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    # the list shows it to anyone
    client.get("/logout")
    assert "Ngày hội toàn dân học tập số 2026" in client.get("/campaigns/").get_data(as_text=True)


def test_an_official_may_not_declare_for_another_unit(units, client) -> None:
    app = units
    make_user(app, "canbo-phuong", roles={"official"}, unit_code="26734", audience="officials")
    login(client, "canbo-phuong")
    response = post_form(client, "/campaigns/new", FORM)  # the whole province: above their ward
    assert response.status_code == 403
    response = post_form(client, "/campaigns/new", FORM | {"units": "26734,00004"})  # one of them elsewhere
    assert response.status_code == 403
    assert _count(app) == 0
    response = post_form(client, "/campaigns/new", FORM | {"units": "26734"})
    assert response.status_code == 302 and _count(app) == 1


def test_learners_and_visitors_may_not_declare(units, client) -> None:
    app = units
    make_user(app, "0912345678", unit_code="26734")
    assert client.get("/campaigns/new").status_code == 302  # to the sign-in page
    login(client)
    assert client.get("/campaigns/new").status_code == 403
    page = client.get("/campaigns/")
    assert page.status_code == 200
    assert _count(app) == 0


def test_bad_input_is_answered_in_the_form(units, client) -> None:
    app = units
    make_user(app, "quantri", roles={"admin"}, audience=None)
    login(client, "quantri")
    response = post_form(client, "/campaigns/new", FORM | {"ends_on": "2026-10-01"})
    assert response.status_code == 422
    assert "không thể trước ngày đầu" in response.get_data(as_text=True)
    response = post_form(client, "/campaigns/new", FORM | {"ends_on": "9999-12-31"})
    assert response.status_code == 422 and "Vui lòng kiểm tra" in response.get_data(as_text=True)
    response = post_form(client, "/campaigns/new", FORM | {"units": "99999"})
    assert response.status_code == 422 and "99999" in response.get_data(as_text=True)
    response = post_form(client, "/campaigns/new", {k: v for k, v in FORM.items() if k != "audiences"})
    assert response.status_code == 422
    assert post_form(client, "/campaigns/new", FORM).status_code == 302
    response = post_form(client, "/campaigns/new", FORM)  # the same web address twice
    assert response.status_code == 422
    assert _count(app) == 1
    assert client.get("/campaigns/no-such-campaign").status_code == 404
    assert client.get("/display/figures?unit=99999").status_code == 404


def test_screens_and_the_block_hold_no_name(units, courses, client) -> None:
    app = units
    build_campaign_population(app)
    distinctive = ["Zyxwuv Độc Nhất", "Qqqrrr Vô Song"]
    for n, name in enumerate(distinctive):
        make_user(app, f"09100000{n}", unit_code="26734", full_name=name)
    make_user(app, "quantri", roles={"admin"}, audience=None, full_name="Wwwvvv Quản Trị")
    login(client, "quantri")
    assert post_form(client, "/campaigns/new", FORM).status_code == 302
    pages = ["/display/figures", "/display/figures?unit=79", "/display/campaigns/ngay-hoi-toan-dan-hoc-tap-so-2026",
             "/embed/figures?unit=79", "/embed/figures.json?unit=79"]
    for url in pages:  # signed in as someone with a distinctive name too: the screens never show who looks
        body = client.get(url).get_data(as_text=True)
        for name in [*distinctive, "Wwwvvv", "Người Dự", "cd-c1", "0910000000"]:
            assert name not in body, (url, name)
        assert "<script" not in body
    display = client.get("/display/figures?unit=79")
    assert '<meta http-equiv="refresh" content="60">' in display.get_data(as_text=True)
    # WCAG 2.2.1: a viewer can turn the refresh off
    assert 'href="/display/figures?refresh=0&amp;unit=79"' in display.get_data(as_text=True)
    still = client.get("/display/figures?unit=79&refresh=0").get_data(as_text=True)
    assert 'http-equiv="refresh"' not in still and "Thành phố Hồ Chí Minh" in still


def test_only_the_embed_block_may_be_framed_by_another_origin(units, client) -> None:
    block = client.get("/embed/figures?unit=79")
    assert block.status_code == 200
    assert "X-Frame-Options" not in block.headers
    assert "frame-ancestors *" in block.headers["Content-Security-Policy"]
    for url in ["/login", "/coverage/public", "/display/figures", "/campaigns/", "/"]:
        response = client.get(url)
        assert response.headers["X-Frame-Options"] == "SAMEORIGIN", url
        assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"], url


def test_the_feed_equals_the_report(units, client) -> None:
    app = units
    build_population(app)
    from datetime import date

    from lms.clock import local_today
    from lms.coverage.report import build_report, default_date
    from lms.units.services import by_code

    response = client.get("/embed/figures.json?unit=79")
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Cache-Control"] == "public, max-age=60"
    data = response.get_json()
    today = local_today()
    with app.app_context():
        report = build_report(by_code("79"), today.year, default_date(today.year, today))
    assert data["unit"] == "79" and data["as_of"] == report.on.isoformat()
    for code, figure in report.figures.items():
        got = data["audiences"].get(code) or data[code]
        assert got["covered"] == figure.covered and got["population"] == figure.population, code
        assert got["percent"] == (None if figure.percent is None else float(figure.percent)), code
    assert isinstance(date.fromisoformat(data["as_of"]), date)
    assert client.post("/embed/figures.json?unit=79").status_code == 405
    assert client.get("/embed/figures.json?unit=99999").status_code == 404


def test_the_embed_documentation_is_for_officials(units, client) -> None:
    app = units
    make_user(app, "canbo79", roles={"official"}, unit_code="79", audience="officials")
    make_user(app, "0912345678", unit_code="26734")
    login(client)
    assert client.get("/embed").status_code == 403
    client.get("/logout")
    login(client, "canbo79")
    page = client.get("/embed").get_data(as_text=True)
    assert "&lt;iframe src=&#34;http://localhost/embed/figures?unit=79&#34;" in page or \
        "&lt;iframe src=\"http://localhost/embed/figures?unit=79\"" in page
    assert "http://localhost/embed/figures.json?unit=79" in page
    assert 'data-copy="snippet"' in page
