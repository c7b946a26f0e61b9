"""The figures an official types for one unit and year: populations per audience (baselines)
and the VNeID figure the province reports. Read for the data page, saved in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from lms.accounts.models import User
from lms.accounts.services import audit
from lms.coverage import baselines
from lms.coverage.models import POPULATIONS, Baseline, ExternalFigure
from lms.db import db
from lms.units.models import AdminUnit


@dataclass
class UnitData:
    populations: dict[str, int | None] = field(default_factory=dict)
    source: str = ""
    vneid: int | None = None
    vneid_reported_on: date | None = None


def _own_baselines(unit: AdminUnit, year: int) -> dict[str, Baseline]:
    rows = db.session.scalars(select(Baseline).where(Baseline.unit_id == unit.id, Baseline.year == year))
    return {b.audience: b for b in rows}


def _vneid_figure(unit: AdminUnit, year: int) -> ExternalFigure | None:
    return db.session.scalar(select(ExternalFigure).where(
        ExternalFigure.unit_id == unit.id, ExternalFigure.year == year, ExternalFigure.indicator == "vneid"))


def read_unit_data(unit: AdminUnit, year: int) -> UnitData:
    """What the unit's own rows say (None where the sum of the units below applies)."""
    own = _own_baselines(unit, year)
    figure = _vneid_figure(unit, year)
    return UnitData(
        populations={group: own[group].population if group in own else None for group in POPULATIONS},
        source=next((b.source for b in own.values() if b.source), ""),
        vneid=figure.value if figure else None,
        vneid_reported_on=figure.reported_on if figure else None,
    )


def save_unit_data(unit: AdminUnit, year: int, data: UnitData, actor: User) -> None:
    """Set every population (None removes the unit's own figure) and the VNeID figure; audited, committed."""
    before = {group: b.population for group, b in _own_baselines(unit, year).items()}
    for group in POPULATIONS:
        baselines.set_baseline(unit, group, year, data.populations.get(group), data.source)
    if data.vneid is None:
        figure = _vneid_figure(unit, year)
        if figure is not None:
            db.session.delete(figure)
    else:
        baselines.save_vneid([(unit.id, year, data.vneid, data.vneid_reported_on)])
    audit(actor, "coverage_data", "unit", unit.code,
          {"year": year, "before": before, "after": dict(data.populations), "vneid": data.vneid})
    db.session.commit()
