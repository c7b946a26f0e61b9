"""Job queue (scale-out issue, item 3): what a job costs besides its own work.

1. Bookkeeping per job (lms.jobs): record it (``create_job``), claim it, run a job that does
   nothing, keep its 100 KB file (encrypted) and mark it done (``execute``), then read the file
   back as the download does. SQLite file (WAL) and, with ``--database-url``, PostgreSQL.
2. A class's certificates PDF laid out in one pass (the request) against in parts of 25 pages
   with progress (the job): the parts' cost on the same views.

Run: .venv/bin/python bench/jobs.py [--jobs 50] [--pages 200] [--runs 3] [--database-url URL]
Prints Markdown (medians).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def bookkeeping(url: str | None, jobs: int) -> dict[str, float]:
    from sqlalchemy import text

    from lms import create_app
    from lms.db import db
    from lms.jobs import services
    from lms.jobs.registry import JobKind, JobResult, register
    from lms.jobs.runners import execute
    from lms.schema import upgrade
    from tests.conftest import make_user

    instance = Path(tempfile.mkdtemp(prefix="bench-jobs-"))
    url = url or f"sqlite:///{instance}/lms.sqlite3"
    app = create_app({"SECRET_KEY": "bench", "LMS_INSTANCE_PATH": str(instance), "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        if url.startswith("postgresql"):
            db.session.execute(text("DROP TABLE IF EXISTS lms_job_files, lms_jobs CASCADE"))
            db.session.commit()
        upgrade()
        db.session.execute(text("DELETE FROM lms_job_files"))
        db.session.execute(text("DELETE FROM lms_jobs"))
        db.session.commit()
    owner = make_user(app, f"bench{os.getpid()}", roles={"teacher"})
    payload = os.urandom(100 * 1024)
    register(JobKind("bench_noop", "bench", lambda _context: JobResult(payload, "x.bin", "application/octet-stream")))
    create, run, read = [], [], []
    for _ in range(jobs):
        with app.app_context():
            t0 = time.perf_counter()
            job_id = services.create_job("bench_noop", owner, {"n": 1}).id
            t1 = time.perf_counter()
        assert execute(app, job_id) == "done"
        t2 = time.perf_counter()
        with app.app_context():
            assert services.file_content(job_id) == payload
            db.session.remove()
        t3 = time.perf_counter()
        create.append(t1 - t0)
        run.append(t2 - t1)
        read.append(t3 - t2)
    with app.app_context():
        db.engine.dispose()
    return {"create": statistics.median(create) * 1000, "claim+run+finish": statistics.median(run) * 1000,
            "read file": statistics.median(read) * 1000}


def parts(pages: int, runs: int) -> dict[str, float]:
    from lms.certificates.pdf import default_renderer, render_batch_pdf

    views = [{"full_name": f"Nguyễn Văn Học {i}", "kind": "course", "title": "Sử dụng điện thoại thông minh",
              "issued_on": date(2026, 12, 3), "issuer": "Ban Chỉ đạo", "code": f"BENCH{i:05d}",
              "verify_url": f"https://hoc.example.vn/V/{i:020d}", "audience": "citizens",
              "unit_name": "Phường Sài Gòn", "lookup_url": "hoc.example.vn/verify"} for i in range(pages)]
    default_renderer().warm_up()
    one, split = [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        render_batch_pdf(views)
        t1 = time.perf_counter()
        render_batch_pdf(views, progress=lambda _done, _total: None)
        t2 = time.perf_counter()
        one.append(t1 - t0)
        split.append(t2 - t1)
    return {"one pass": statistics.median(one), "in parts of 25": statistics.median(split)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=50)
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    engine = "PostgreSQL" if args.database_url else "SQLite"
    cost = bookkeeping(args.database_url, args.jobs)
    print(f"### Bookkeeping per job, {engine}, median of {args.jobs} jobs\n")
    print("| step | ms |\n|---|---|")
    for step, ms in cost.items():
        print(f"| {step} | {ms:.2f} |")
    timing = parts(args.pages, args.runs)
    print(f"\n### A {args.pages}-page class PDF, median of {args.runs} runs\n")
    print("| layout | s | ms a page |\n|---|---|---|")
    for how, seconds in timing.items():
        print(f"| {how} | {seconds:.2f} | {seconds * 1000 / args.pages:.1f} |")


if __name__ == "__main__":
    main()
