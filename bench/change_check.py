"""What the shared change check costs a verification (scale-out issue, item 2).

Every process keeps the certificate records it has verified; a revocation or key rotation on
any server bumps a counter in the database (``lms_change_counters``), and each process reads it
at most every ``LMS_VERIFY_CHANGE_SECONDS`` (1 s by default) before trusting its cache. Here:
``CounterWatch.moved(interval)`` as a verification calls it, on PostgreSQL, with the interval 0
(one read per check: the dearest setting) and 1 s (the default), alternated; per check, medians.

Run: .venv/bin/python bench/change_check.py [--checks 3000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from wrkbench import fresh_postgres


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--checks", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    from lms import create_app
    from lms.changes import CounterWatch
    from lms.db import db
    from lms.schema import upgrade

    url = fresh_postgres("lms_bench_change_check")
    app = create_app({"LMS_INSTANCE_PATH": tempfile.mkdtemp(prefix="lms-bench-"), "SECRET_KEY": "bench",
                      "SQLALCHEMY_DATABASE_URI": url})
    times: dict[float, list[float]] = {0.0: [], 1.0: []}
    loads = [os.getloadavg()[0]]
    with app.app_context():
        upgrade()
        for _round in range(args.rounds):
            for interval in times:
                watch = CounterWatch("certificates")
                watch.moved(0)  # a warm connection and compiled statement
                began = time.perf_counter()
                for _ in range(args.checks):
                    watch.moved(interval)
                times[interval].append((time.perf_counter() - began) / args.checks * 1e6)
            loads.append(os.getloadavg()[0])
        db.engine.dispose()
    print(f"{args.rounds} rounds x {args.checks} checks; load average {min(loads):.1f}-{max(loads):.1f}")
    for interval, runs in times.items():
        print(f"| look every {interval:g} s | {statistics.median(runs):.2f} us a check | "
              + " / ".join(f"{r:.2f}" for r in runs) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
