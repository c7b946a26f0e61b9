"""Public screens and the portal block: aggregate figures only, never a name or a person.

* ``/display/figures?unit=CODE`` and ``/display/campaigns/<slug>``: full-screen pages for a TV or a
  commune's electronic board; plain HTML and CSS, refreshed by ``<meta http-equiv="refresh">``.
* ``/embed/figures?unit=CODE``: a small block for an ``<iframe>`` on a province's portal. The only
  LMS page any origin may frame: its own CSP says ``frame-ancestors *`` and it drops
  X-Frame-Options (``g.lms_frameable``, read by ``lms.hooks``); every other page keeps ``'self'``.
* ``/embed/figures.json?unit=CODE``: the same figures as JSON, ``Access-Control-Allow-Origin: *``.
* ``/embed``: the officials' page with the snippet and the feed's address.
"""

from __future__ import annotations

from flask import abort, g, jsonify, make_response, render_template, request, url_for
from flask.typing import ResponseReturnValue

from lms.accounts.auth import current_user, roles_required
from lms.audiences import AUDIENCES
from lms.campaigns.blueprint import bp
from lms.campaigns.cache import cached
from lms.campaigns.public import campaign_or_404, live, phase
from lms.clock import local_today
from lms.coverage import present
from lms.coverage.report import Figure, Report, build_report, default_date
from lms.units.models import AdminUnit
from lms.units.services import by_code

#: public screens' figures may be this many seconds old; browsers and proxies may keep them as long
SECONDS = 60
#: the only CSP that lets another origin frame a page: the embed block's
EMBED_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; object-src 'none'; "
             "base-uri 'none'; form-action 'none'; frame-ancestors *")


def _unit() -> AdminUnit | None:
    code = request.args.get("unit", "").strip()[:12]
    unit = by_code(code) if code else None
    if code and unit is None:
        abort(404)
    return unit


def public_report(unit: AdminUnit | None) -> Report:
    """This year's report as of today, counted at most once a minute per unit."""
    today = local_today()
    on = default_date(today.year, today)
    return cached(("report", unit.code if unit else "", on), SECONDS, lambda: build_report(unit, today.year, on))


def _public(response, seconds: int = SECONDS):
    response.headers["Cache-Control"] = f"public, max-age={seconds}"
    return response


def _refresh() -> tuple[int | None, str, str]:
    """The refresh interval (None: the viewer turned it off, WCAG 2.2.1) and the links to switch it."""
    args = {k: v for k, v in request.args.items() if k in ("unit",)}
    view_args = request.view_args or {}
    off = url_for(request.endpoint, refresh="0", **view_args, **args)
    on = url_for(request.endpoint, **view_args, **args)
    return (None if request.args.get("refresh") == "0" else SECONDS), off, on


@bp.route("/display/figures")
def display_figures() -> ResponseReturnValue:
    report = public_report(_unit())
    refresh, off, on = _refresh()
    response = make_response(render_template("lms/campaigns/display_figures.html", report=report, p=present,
                                             refresh=refresh, refresh_off=off, refresh_on=on))
    return _public(response)


@bp.route("/display/campaigns/<slug>")
def display_campaign(slug: str) -> ResponseReturnValue:
    campaign = campaign_or_404(slug)
    totals, board = live(campaign)
    refresh, off, on = _refresh()
    response = make_response(render_template("lms/campaigns/display_campaign.html", campaign=campaign,
                                             totals=totals, leaders=board.ranked[:5], phase=phase(campaign),
                                             p=present, refresh=refresh, refresh_off=off, refresh_on=on))
    return _public(response)


@bp.route("/embed/figures")
def embed_figures() -> ResponseReturnValue:
    report = public_report(_unit())
    g.lms_frameable = True
    response = make_response(render_template("lms/campaigns/embed_figures.html", report=report, p=present,
                                             page_url=url_for("lms_coverage.public", _external=True,
                                                              unit=report.unit.code if report.unit else None)))
    response.headers["Content-Security-Policy"] = EMBED_CSP
    return _public(response)


def figure_json(figure: Figure) -> dict:
    """The public part of a figure, with the same keys as the API's ``/api/v1/coverage``."""
    return {"covered": figure.covered, "population": figure.population,
            "percent": None if figure.percent is None else float(figure.percent)}


def feed(report: Report) -> dict:
    return {
        "unit": report.unit.code if report.unit is not None else None,
        "unit_name": report.unit.name if report.unit is not None else None,
        "year": report.year,
        "as_of": report.on.isoformat(),
        "audiences": {a: figure_json(report.figures[a]) for a in AUDIENCES},
        "all": figure_json(report.figures["all"]),
        "vneid": figure_json(report.figures["vneid"]),
        "page": url_for("lms_coverage.public", _external=True,
                        unit=report.unit.code if report.unit is not None else None),
    }


@bp.get("/embed/figures.json")
def embed_feed() -> ResponseReturnValue:
    response = jsonify(feed(public_report(_unit())))
    # public aggregates only: any page may read them (no cookies are sent or needed)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return _public(response)


@bp.route("/embed")
@roles_required("official", "admin")
def embed_help() -> ResponseReturnValue:
    user = current_user()
    unit = _unit() or user.unit
    args = {"unit": unit.code} if unit is not None else {}
    return render_template("lms/campaigns/embed_help.html", unit=unit,
                           block_url=url_for(".embed_figures", _external=True, **args),
                           feed_url=url_for(".embed_feed", _external=True, **args),
                           display_url=url_for(".display_figures", _external=True, **args))
