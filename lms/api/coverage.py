"""``GET /coverage``: coverage figures of a unit and the units below, for officials and admins."""

from __future__ import annotations

from datetime import date

from flask import jsonify, request
from flask.typing import ResponseReturnValue

from lms.api.auth import api_error, token_required
from lms.api.blueprint import bp
from lms.api.openapi import TEXT, register_paths
from lms.audiences import AUDIENCES
from lms.clock import local_today
from lms.coverage.report import Figure, build_report, default_date
from lms.i18n import _
from lms.units.services import by_code


def _number(value: object) -> float | None:
    return None if value is None else float(value)


def figure_json(figure: Figure) -> dict:
    target = figure.target
    return {
        "covered": figure.covered,
        "population": figure.population,
        "percent": _number(figure.percent),
        "target_percent": target.value if target is not None and target.kind == "percent" else None,
        # added beside the contract's four keys
        "target_count": int(target.value) if target is not None and target.kind == "count" else None,
        "baseline": figure.baseline_status,
        "status": figure.status,
    }


@bp.get("/coverage")
@token_required("official", "admin")
def coverage() -> ResponseReturnValue:
    code = request.args.get("unit", "").strip()
    unit = by_code(code) if code else None
    if code and unit is None:
        return api_error(404, "unknown_unit", _("Unknown unit code “%(code)s”.", code=code))
    today = local_today()
    raw_year = request.args.get("year")  # absent: this year; anything but 2000..2100 is refused
    year = int(raw_year) if raw_year is not None and raw_year.isascii() and raw_year.isdigit() else today.year
    if raw_year is not None and not (raw_year.isascii() and raw_year.isdigit() and 2000 <= year <= 2100):
        return api_error(400, "bad_year", _("Please check the year."))
    try:
        on = date.fromisoformat(request.args["on"]) if "on" in request.args else default_date(year, today)
    except ValueError:
        return api_error(400, "bad_date", _("Write the date as YYYY-MM-DD."))
    report = build_report(unit, year, on)
    return jsonify({
        "unit": unit.code if unit is not None else None,
        "year": year,
        "audiences": {f.indicator: figure_json(f) for f in report.audiences},
        "unit_name": unit.name if unit is not None else None,
        "as_of": on.isoformat(),
        "all": figure_json(report.figures["all"]),
        "vneid": figure_json(report.figures["vneid"]),
        "digital_households": report.digital_households,
        "units": [{"code": row.node.code, "name": row.node.name,
                   "audiences": {a: figure_json(row.figures[a]) for a in AUDIENCES},
                   "digital_households": row.digital_households}
                  for row in report.children if row.node is not None],
    })


_FIGURE = {"type": "object", "properties": {
    "covered": {"type": ["integer", "null"]}, "population": {"type": ["integer", "null"]},
    "percent": {"type": ["number", "null"]}, "target_percent": {"type": ["number", "null"]},
    "target_count": {"type": ["integer", "null"]},
    "baseline": {"type": "string", "enum": ["ok", "partial", "none"]},
    "status": {"type": "string", "enum": ["met", "near", "behind", "none"]}}}

register_paths({"/coverage": {"get": {
    "summary": "Universal digital skills coverage of a unit (and the units below) for a year",
    "security": [{"bearer": []}],
    "parameters": [
        {"name": "unit", "in": "query", "schema": TEXT,
         "description": "official code (2 digits: province, 5: commune); omit for the whole country"},
        {"name": "year", "in": "query", "schema": {"type": "integer", "minimum": 2000, "maximum": 2100}},
        {"name": "on", "in": "query", "schema": {"type": "string", "format": "date"},
         "description": "report date; default today, or 31 December for a past year"},
    ],
    "responses": {
        "200": {"description": "Figures per audience", "content": {"application/json": {"schema": {
            "type": "object", "required": ["unit", "year", "audiences"], "properties": {
                "unit": {"type": ["string", "null"]}, "year": {"type": "integer"},
                "audiences": {"type": "object", "additionalProperties": _FIGURE},
                "unit_name": {"type": ["string", "null"]}, "as_of": {"type": "string", "format": "date"},
                "all": _FIGURE, "vneid": _FIGURE, "digital_households": {"type": "integer"},
                "units": {"type": "array", "items": {"type": "object"}}}}}}},
        "4XX": {"description": "Error", "content": {"application/json": {"schema": {
            "$ref": "#/components/schemas/Error"}}}},
    },
}}})
