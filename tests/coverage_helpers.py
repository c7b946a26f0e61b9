"""A hand-built population with known coverage answers (see tests/test_coverage_measure.py)."""

from __future__ import annotations

from datetime import date
from itertools import count

from lms.db import db
from tests.conftest import make_user

_codes = count(1)
REPORT_DAY = date(2026, 6, 30)


def add_certificate(user_id: int, subject: str, issued_on: date, *, status: str = "valid", kind: str = "path",
                    audience: str | None = None) -> int:
    """A certificate row as the certificates package stores it (call inside an app context)."""
    from lms.certificates.models import Certificate

    cert = Certificate(
        code=f"TEST-{next(_codes):06d}", user_id=user_id, kind=kind, subject=subject,
        audience=audience or (subject if kind == "path" else None), full_name="Người Thử", masked_name="N. T.",
        issued_on=issued_on, key_id="TEST", token="x", status=status,
    )
    db.session.add(cert)
    db.session.flush()
    return cert.id


def build_population(app) -> dict[str, int]:
    """Users a1..a10 (ids returned), their certificates, baselines, and targets for 2026.

    Known answers on 2026-06-30 (see the test module's docstring for each person's role).
    """
    from lms.coverage.baselines import save_baselines, save_vneid
    from lms.coverage.targets import ensure_default_targets, set_target
    from lms.units.services import by_code

    people = {
        "a1": ("citizens", "26734"), "a2": ("citizens", "26734"), "a3": ("citizens", "26740"),
        "a4": ("citizens", "26740"), "a5": ("officials", "26740"), "a6": ("workers", "26734"),
        "a7": ("students", "00004"), "a8": ("citizens", "79"), "a9": ("citizens", None),
        "a10": ("officials", "26734"),
    }
    ids = {name: make_user(app, f"hv-{name}", audience=audience, unit_code=unit, full_name=f"Học Viên {name.upper()}")
           for name, (audience, unit) in people.items()}
    with app.app_context():
        add_certificate(ids["a1"], "citizens", date(2026, 2, 10))
        add_certificate(ids["a1"], "an-toan-tren-mang", date(2026, 2, 9), kind="course")  # second certificate
        add_certificate(ids["a2"], "citizens", date(2026, 1, 5), status="revoked")
        add_certificate(ids["a2"], "citizens", date(2026, 3, 15))  # re-issued after the revocation
        add_certificate(ids["a3"], "citizens", date(2026, 2, 1), status="revoked")
        add_certificate(ids["a4"], "citizens", date(2026, 7, 15))  # after the report date
        add_certificate(ids["a5"], "officials", date(2025, 11, 20))  # before the year
        add_certificate(ids["a6"], "citizens", date(2026, 2, 2))  # a path, but not the worker's own
        add_certificate(ids["a7"], "students", date(2026, 5, 1))
        add_certificate(ids["a8"], "citizens", date(2026, 4, 1))  # registered at the province itself
        add_certificate(ids["a9"], "citizens", date(2026, 4, 2))  # registered without a unit
        add_certificate(ids["a10"], "an-toan-tren-mang", date(2026, 4, 3), kind="course")  # course only
        unit = {code: by_code(code).id for code in ("79", "26734", "26740", "01", "00004")}
        save_baselines([
            (unit["26734"], "citizens", 2026, 10), (unit["26740"], "citizens", 2026, 20),
            (unit["79"], "officials", 2026, 4), (unit["26734"], "workers", 2026, 5),
            (unit["01"], "students", 2026, 2), (unit["26734"], "adults", 2026, 8),
            (unit["26734"], "citizens", 2025, 999),  # another year: never used for 2026
        ])
        save_vneid([(unit["26734"], 2026, 3, date(2026, 6, 1))])
        ensure_default_targets()
        set_target("citizens", 2026, 10, unit=by_code("79"), source="test")
        set_target("citizens", 2026, 2, kind="count", unit=by_code("26734"), source="test")
        db.session.commit()
    return ids
