"""Campaign figures and emulation board at province scale, on the coverage bench's population.

Seeds like bench/coverage.py (34 provinces x 100 communes, learners and path certificates spread
from April 2025 to November 2026), then times, for a one-province campaign of 30 days and for a
one-day campaign (10 October), ``figures.totals`` (learners, lessons, certificates, coverage gained)
and ``figures.board`` (100 communes ranked against their baselines). Lessons and attempts are not
seeded: their two queries run on empty tables here.

Run: .venv/bin/python bench/campaigns.py [--engine sqlite|postgres] [--learners 200000]
     [--certificates 140000] [--repeat 7]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa

from bench.coverage import PG_ADMIN, machine, seed

PG_DB = "lms_bench_campaigns"


def timed(fn, repeat: int) -> tuple[float, float, float]:
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - started) * 1000)
    return statistics.median(runs), min(runs), max(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", default="sqlite", choices=("sqlite", "postgres"))
    parser.add_argument("--learners", type=int, default=200_000)
    parser.add_argument("--certificates", type=int, default=140_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    from lms import create_app

    workdir = Path(tempfile.mkdtemp(prefix="bench-campaigns-"))
    if args.engine == "postgres":
        admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{PG_DB}"'))
        admin.dispose()
        url = PG_ADMIN.rsplit("/", 1)[0] + "/" + PG_DB
    else:
        url = "sqlite:///" + str(workdir / "campaigns.sqlite3")
    app = create_app({"LMS_INSTANCE_PATH": str(workdir / "instance"), "SECRET_KEY": "bench",
                      "SQLALCHEMY_DATABASE_URI": url})
    seeding = seed(app, args.engine, args.learners, args.certificates)
    with app.app_context():
        from lms.campaigns import figures
        from lms.campaigns.services import declare
        from lms.db import db
        from lms.units.services import by_code

        month = declare("Tháng cao điểm", date(2026, 10, 1), date(2026, 10, 30), [by_code("01")],
                        ["officials", "students", "workers", "citizens"], None)
        day = declare("Ngày hội 10/10", date(2026, 10, 10), date(2026, 10, 10), [by_code("01")], ["citizens"], None)
        db.session.commit()
        print(f"# Campaigns bench — {date.today().isoformat()}, {args.engine}, {machine()}")
        print(f"learners {args.learners:,}, certificates {args.certificates:,}, covered {seeding['covered persons']:,}")
        print("| campaign | measure | median ms | min | max | result |")
        print("|---|---|---|---|---|---|")
        for campaign in (month, day):
            for name, fn in (("totals", figures.totals), ("board", figures.board)):
                result = fn(campaign)
                med, low, high = timed(lambda fn=fn, campaign=campaign: fn(campaign), args.repeat)
                shown = (f"gained {result.gained:,}, certificates {result.certificates:,}" if name == "totals"
                         else f"{len(result.ranked)} ranked, first {result.ranked[0].points} points")
                print(f"| {campaign.name} | {name} | {med:.0f} | {low:.0f} | {high:.0f} | {shown} |")


if __name__ == "__main__":
    main()
