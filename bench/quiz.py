"""Quiz throughput under gunicorn (2 workers): answer saves and submissions per second.

Beside a bare Flask page on the same gunicorn in the same run; on PostgreSQL and SQLite.
Run: .venv/bin/python bench/quiz.py [--seconds 8] [--engines postgres,sqlite]
Loopback only, bounded in time. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import sqlalchemy as sa
from wrkbench import REPO, fresh_postgres, gunicorn, lua_requests, wrk

COURSE = "an-toan-tren-mang"


def prepare(url: str, instance: Path, learners: int, submit_sets: int) -> tuple[list, list, dict]:
    """Users with tokens and running attempts; return save items, submit items, env."""
    from werkzeug.security import generate_password_hash

    from lms import create_app
    from lms.accounts.models import User
    from lms.accounts.services import issue_api_token
    from lms.courses.loader import import_courses
    from lms.courses.models import Course
    from lms.db import db
    from lms.quiz.answers import save_answer
    from lms.quiz.attempts import start_attempt
    from lms.schema import upgrade

    app = create_app({"LMS_INSTANCE_PATH": str(instance), "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url})
    registry = app.extensions["lms"].question_types
    saves, submits = [], []
    with app.app_context():
        upgrade()
        import_courses(REPO / "courses", registry)
        course = db.session.scalar(sa.select(Course).where(Course.slug == COURSE))
        course.quiz_settings = {**course.quiz_settings, "max_attempts": None, "time_limit_minutes": 120}
        password = generate_password_hash("bench-password", method="pbkdf2:sha256:1000")
        for n in range(learners + submit_sets):
            user = User(username=f"bench{n:05d}", full_name="Nguyễn Văn Bền", audience="citizens",
                        password_hash=password)
            db.session.add(user)
            db.session.flush()
            token, _row = issue_api_token(user, 24)
            attempt = start_attempt(user.id, course, registry)
            keys = {i["position"]: registry.get(i["qtype"]).key(i["config"])
                    for i in attempt.snapshot["questions"] if i["qtype"] not in ("description", "essay")}
            if n < learners:
                for position, response in keys.items():
                    saves.append((f"/api/v1/attempts/{attempt.id}/answers/{position}", token,
                                  json.dumps({"response": response})))
            else:
                for position, response in keys.items():
                    save_answer(attempt, position, response, registry)
                submits.append((f"/api/v1/attempts/{attempt.id}/submit", token, ""))
        db.session.commit()
        db.engine.dispose()
    env = {"LMS_INSTANCE_PATH": str(instance), "SECRET_KEY": "bench", "LMS_DATABASE_URL": url}
    return saves, submits, env


def run_engine(engine: str, seconds: int, work: Path, submit_sets: int = 2500) -> list[dict]:
    instance = Path(tempfile.mkdtemp(prefix=f"lms-bench-{engine}-"))
    url = fresh_postgres("lms_bench_quiz") if engine == "postgres" else f"sqlite:///{instance}/lms.sqlite3"
    saves, submits, env = prepare(url, instance, learners=200, submit_sets=submit_sets)
    rows = []
    # PostgreSQL: the default (durable: every acknowledged save is on disk) beside the opt-in
    # LMS_ASYNC_ANSWER_COMMIT (a crash may lose the last saves), in the same run on the same data
    async_env = {**env, "LMS_ASYNC_ANSWER_COMMIT": "true"}
    with (gunicorn("bench.bare_app:app", {}) as bare, gunicorn("lms:create_app()", env, path="/courses/") as lms,
          gunicorn("lms:create_app()", async_env, path="/courses/") as lms_async):
        for connections in (1, 16):
            base = wrk(bare + "/", connections, seconds)
            rows.append({"engine": engine, "what": "bare Flask page", "c": connections, **base})
            script = lua_requests(work / f"saves-{connections}.lua", "PUT", saves, False, min(connections, 2))
            result = wrk(lms, connections, seconds, script)
            rows.append({"engine": engine, "what": "answer save (PUT)", "c": connections, **result,
                         "ratio": result["rps"] / base["rps"]})
            if engine == "postgres":
                result = wrk(lms_async, connections, seconds, script)
                rows.append({"engine": engine, "what": "answer save (PUT), async commit opt-in", "c": connections,
                             **result, "ratio": result["rps"] / base["rps"]})
        for connections, share in ((1, slice(0, 500)), (16, slice(500, None))) if submits else ():
            script = lua_requests(work / f"submit-{connections}.lua", "POST", submits[share], True,
                                  min(connections, 2))
            result = wrk(lms, connections, seconds, script)
            rows.append({"engine": engine, "what": "submit + grade (POST)", "c": connections, **result})
    return rows


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--engines", default="postgres,sqlite")
    parser.add_argument("--submits", type=int, default=2500, help="attempts prepared for the submit runs (0: none)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="lms-wrk-"))
    rows = []
    for engine in args.engines.split(","):
        rows += run_engine(engine, args.seconds, work, args.submits)
    print("| engine | request | conns | req/s | p50 ms | p99 ms | vs bare | requests | non-2xx |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        ratio = f"{r['ratio']:.2f}" if "ratio" in r else ""
        print(f"| {r['engine']} | {r['what']} | {r['c']} | {r['rps']:,.0f} | {r['p50_ms']:.1f} | "
              f"{r['p99_ms']:.1f} | {ratio} | {r['requests']:,} | {r['non_2xx']} |")
    _ = statistics
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
