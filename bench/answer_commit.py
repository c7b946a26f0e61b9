"""What a durable answer save costs on PostgreSQL, and what wins it back (scale-out issue, item 6).

The save's own code (``lms.quiz.answers.store``: the checked upsert and its commit) run by
threads, each with its own connection, as gunicorn's workers would, without HTTP in between:
the differences left are the commit's. Settings, alternated round by round on the same data:

* ``durable, 3 round trips``: BEGIN, the statement, COMMIT (the driver sends each apart); the
  commit waits for the WAL flush. The default before 3 December, still the checked path's;
* ``async``: ``LMS_ASYNC_ANSWER_COMMIT=true`` (``SET LOCAL synchronous_commit TO OFF``, one more
  statement; a database crash may lose the last saves);
* ``durable, delay N``: the default with PostgreSQL's group commit, ``commit_delay=N`` µs and
  ``commit_siblings=2`` for the session (what an operator sets with ``ALTER ROLE lms SET ...``
  or in postgresql.conf);
* ``durable, 1 round trip``: the same statement in autocommit mode (no BEGIN, no COMMIT sent:
  the statement is its own transaction, still waiting for the flush): what the API's fast path
  does by default since 3 December (``lms.quiz.answers._one_round_trip``).

Run: .venv/bin/python bench/answer_commit.py [--rounds 5] [--seconds 3] [--threads 1,16]
Prints a Markdown table of medians (saves per second, per-save latency) with the load average.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import sqlalchemy as sa
from wrkbench import REPO, fresh_postgres

COURSE = "an-toan-tren-mang"
GRACE = 30


def prepare(url: str, learners: int) -> list[tuple[int, int, object]]:
    """Running attempts of ``learners`` learners; (attempt id, position, right response) each."""
    from werkzeug.security import generate_password_hash

    from lms import create_app
    from lms.accounts.models import User
    from lms.courses.loader import import_courses
    from lms.courses.models import Course
    from lms.db import db
    from lms.quiz.attempts import start_attempt
    from lms.schema import upgrade

    app = create_app({"LMS_INSTANCE_PATH": tempfile.mkdtemp(prefix="lms-bench-commit-"), "SECRET_KEY": "bench",
                      "SQLALCHEMY_DATABASE_URI": url})
    registry = app.extensions["lms"].question_types
    saves = []
    with app.app_context():
        upgrade()
        import_courses(REPO / "courses", registry)
        course = db.session.scalar(sa.select(Course).where(Course.slug == COURSE))
        course.quiz_settings = {**course.quiz_settings, "max_attempts": None, "time_limit_minutes": 600}
        password = generate_password_hash("bench-password", method="pbkdf2:sha256:1000")
        for n in range(learners):
            user = User(username=f"bench{n:05d}", full_name="Nguyễn Văn Bền", audience="citizens",
                        password_hash=password)
            db.session.add(user)
            db.session.flush()
            attempt = start_attempt(user.id, course, registry)
            saves += [(attempt.id, i["position"], registry.get(i["qtype"]).key(i["config"]))
                      for i in attempt.snapshot["questions"] if i["qtype"] not in ("description", "essay")]
        db.session.commit()
        db.engine.dispose()
    return saves


def make_app(url: str, async_commit: bool = False, delay: int = 0):
    from sqlalchemy import event

    from lms import create_app
    from lms.db import db

    app = create_app({"LMS_INSTANCE_PATH": tempfile.mkdtemp(prefix="lms-bench-commit-"), "SECRET_KEY": "bench",
                      "SQLALCHEMY_DATABASE_URI": url, "LMS_ASYNC_ANSWER_COMMIT": async_commit})
    if delay:
        with app.app_context():
            @event.listens_for(db.engine, "connect")
            def _group_commit(dbapi_connection, _record) -> None:
                with dbapi_connection.cursor() as cursor:
                    cursor.execute(f"SET commit_delay = {int(delay)}")
                    cursor.execute("SET commit_siblings = 2")
                dbapi_connection.commit()
    return app


def run(app, saves: list, threads: int, seconds: float, one_round_trip: bool) -> tuple[float, float]:
    """Saves per second and median latency (ms) with ``threads`` threads for ``seconds``."""
    from lms.db import db, now_utc
    from lms.quiz.answers import _save_if_running, store

    stop = threading.Event()
    counts, latencies = [0] * threads, [[] for _ in range(threads)]
    start_line = threading.Barrier(threads + 1)

    def worker(index: int) -> None:
        mine = saves[index::threads]
        with app.app_context():
            connection = db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") \
                if one_round_trip else None
            statement = _save_if_running("postgresql", False)
            store(*mine[0][:2], mine[0][2], now_utc(), GRACE)  # a warm connection and statement
            start_line.wait()
            n = 0
            while not stop.is_set():
                attempt_id, position, response = mine[n % len(mine)]
                now = now_utc()
                began = time.perf_counter()
                if connection is not None:
                    connection.execute(statement, {"attempt_id": attempt_id, "position": position,
                                                   "response": response, "now": now,
                                                   "cutoff": now - timedelta(seconds=GRACE)}).first()
                else:
                    assert store(attempt_id, position, response, now, GRACE)
                latencies[index].append(time.perf_counter() - began)
                n += 1
            counts[index] = n
            if connection is not None:
                connection.close()
            db.session.remove()

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    start_line.wait()
    began = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - began
    with app.app_context():
        db.engine.dispose()  # at most `threads` connections open at a time: PostgreSQL is shared
    return sum(counts) / elapsed, statistics.median([x for per in latencies for x in per]) * 1000


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=3)
    parser.add_argument("--threads", default="1,16")
    parser.add_argument("--delays", default="100,1000", help="commit_delay values (µs) to try")
    args = parser.parse_args()
    url = fresh_postgres("lms_bench_answer_commit")
    saves = prepare(url, 64)
    settings = {"durable, 3 round trips": (make_app(url), False), "async (opt-in)": (make_app(url, True), False),
                "durable, 1 round trip": (make_app(url), True)}
    for delay in [int(d) for d in args.delays.split(",") if d]:
        settings[f"durable, commit_delay {delay} µs"] = (make_app(url, delay=delay), False)
    results: dict[tuple[str, int], list[tuple[float, float]]] = {}
    loads = [os.getloadavg()[0]]
    for round_ in range(args.rounds):
        for threads in (int(t) for t in args.threads.split(",")):
            names = list(settings)
            names = names[round_ % len(names):] + names[:round_ % len(names)]  # vary who goes first
            for name in names:
                app, one_trip = settings[name]
                results.setdefault((name, threads), []).append(run(app, saves, threads, args.seconds, one_trip))
        loads.append(os.getloadavg()[0])
    print(f"rounds {args.rounds} x {args.seconds} s; load average (1 min) {min(loads):.1f}-{max(loads):.1f}")
    print("| setting | threads | saves/s (median) | runs | median latency ms | vs durable, 3 trips |")
    print("|---|---|---|---|---|---|")
    for threads in (int(t) for t in args.threads.split(",")):
        base = statistics.median(r[0] for r in results[("durable, 3 round trips", threads)])
        for name in settings:
            runs = results[(name, threads)]
            rate = statistics.median(r[0] for r in runs)
            spread = " / ".join(f"{r[0]:,.0f}" for r in runs)
            print(f"| {name} | {threads} | {rate:,.0f} | {spread} | "
                  f"{statistics.median(r[1] for r in runs):.2f} | {rate / base:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
