"""Signed-in learner pages under gunicorn, beside a bare Flask page in the same run.

The path page, the catalogue, a course page, a lesson page and a quiz question page, each as one
signed-in learner's browser would ask for it (session cookie), on gunicorn with 2 sync workers and
wrk on loopback at 8 connections. For each: requests per second as a share of the bare Flask page
(``bench/bare_app.py``, same gunicorn settings, measured before and after the pages), p50, p99, and
the CPU milliseconds the gunicorn workers spent per request (from /proc; the database server's own
CPU is not in it). The machine's load average is printed with each row. Then answer saves (the
API's PUT, the same learner's running attempt, every question in turn) on the same server, and each
worker's RSS and PSS (``/proc/PID/smaps_rollup``) after all of it (issue 19, item 3: at most 100 MB).

Run: .venv/bin/python bench/reads.py [--seconds 6] [--engines postgres,sqlite]
Goal (issue 19): every page at least 0.20 of the bare page, p99 under 30 ms, on PostgreSQL.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import statistics
import sys
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import sqlalchemy as sa
from wrkbench import REPO, SERVERS, fresh_postgres, gunicorn, lua_requests, workers_cpu_seconds, wrk

COURSE = "an-toan-tren-mang"
PASSWORD = "bench-reads-password-2026"
CONNECTIONS = 8


def prepare(url: str, instance: Path) -> tuple[dict, dict]:
    """One learner of the citizens' path with two lessons read and a running quiz attempt."""
    from werkzeug.security import generate_password_hash

    from lms import create_app
    from lms.accounts.models import User
    from lms.courses.loader import import_courses
    from lms.courses.models import Course
    from lms.courses.services import mark_lesson_done
    from lms.db import db
    from lms.quiz.attempts import start_attempt
    from lms.schema import upgrade

    app = create_app({"LMS_INSTANCE_PATH": str(instance), "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url})
    registry = app.extensions["lms"].question_types
    with app.app_context():
        upgrade()
        import_courses(REPO / "courses", registry)
        course = db.session.scalar(sa.select(Course).where(Course.slug == COURSE))
        user = User(username="bench-reader", full_name="Nguyễn Thị Đọc", audience="citizens",
                    password_hash=generate_password_hash(PASSWORD))
        db.session.add(user)
        db.session.flush()
        for lesson in course.lessons[:2]:
            mark_lesson_done(user.id, lesson)
        attempt = start_attempt(user.id, course, registry)
        db.session.commit()
        pages = {
            "path page (/)": "/",
            "catalogue": "/courses/",
            "course page": f"/courses/{COURSE}/",
            "lesson page": f"/courses/{COURSE}/lessons/{course.lessons[2].slug}",
            "quiz question": f"/attempts/{attempt.id}/q/2",
        }
        saves = [
            (f"/api/v1/attempts/{attempt.id}/answers/{item['position']}",
             json.dumps({"response": registry.get(item["qtype"]).key(item["config"])}))
            for item in attempt.snapshot["questions"] if item["qtype"] not in ("description", "essay")
        ]
        db.engine.dispose()
    env = {"LMS_INSTANCE_PATH": str(instance), "SECRET_KEY": "bench", "LMS_DATABASE_URL": url}
    return pages, saves, env


def session_cookie(base: str) -> str:
    """Sign in through the real form and return the Cookie header a browser would send."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/login").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page)
    body = urllib.parse.urlencode({"csrf_token": token.group(1), "login": "bench-reader", "password": PASSWORD})
    opener.open(base + "/login", data=body.encode()).read()
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    assert "session=" in cookie, "sign-in failed"
    return cookie


def api_token(base: str) -> str:
    request = urllib.request.Request(base + "/api/v1/auth/token", method="POST",
                                     data=json.dumps({"username": "bench-reader", "password": PASSWORD}).encode(),
                                     headers={"Content-Type": "application/json"})
    return json.loads(urllib.request.urlopen(request).read())["token"]


def workers_memory_mb(url: str) -> list[tuple[float, float]]:
    """(RSS, PSS) in MB of each gunicorn worker serving ``url``."""
    master = SERVERS[url]
    found = []
    for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split():
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
        rss = int(re.search(r"^Rss:\s+(\d+)", text, re.M).group(1))
        pss = int(re.search(r"^Pss:\s+(\d+)", text, re.M).group(1))
        found.append((rss / 1024, pss / 1024))
    return found


def measure(url: str, path: str, seconds: int, headers: dict | None = None) -> dict:
    load = os.getloadavg()[0]
    before = workers_cpu_seconds(url)
    result = wrk(url + path, CONNECTIONS, seconds, headers=headers)
    used = workers_cpu_seconds(url) - before
    return {**result, "cpu_ms": 1000 * used / max(result["requests"], 1), "load": load}


def run_engine(engine: str, seconds: int) -> list[dict]:
    instance = Path(tempfile.mkdtemp(prefix=f"lms-bench-reads-{engine}-"))
    url = fresh_postgres("lms_bench_reads") if engine == "postgres" else f"sqlite:///{instance}/lms.sqlite3"
    pages, saves, env = prepare(url, instance)
    rows = []
    with gunicorn("bench.bare_app:app", {}) as bare, gunicorn("lms:create_app()", env, path="/courses/") as lms:
        cookie = {"Cookie": session_cookie(lms), "Accept-Encoding": "gzip"}
        for path in pages.values():  # warm every worker's caches once
            wrk(lms + path, 2, 1, headers=cookie)
        bares = [measure(bare, "/", seconds)]
        for name, path in pages.items():
            result = measure(lms, path, seconds, cookie)
            assert result["non_2xx"] == 0, f"{name}: {result['non_2xx']} non-2xx responses"
            rows.append({"engine": engine, "what": name, **result})
        bares.append(measure(bare, "/", seconds))
        token = api_token(lms)
        script = lua_requests(instance / "saves.lua", "PUT", [(p, token, b) for p, b in saves], False, 2)
        load = os.getloadavg()[0]
        before = workers_cpu_seconds(lms)
        saved = wrk(lms, CONNECTIONS, seconds, script)
        used = workers_cpu_seconds(lms) - before
        assert saved["non_2xx"] == 0, f"answer saves: {saved['non_2xx']} non-2xx responses"
        rows.append({"engine": engine, "what": "answer save (API PUT)", **saved, "load": load,
                     "cpu_ms": 1000 * used / max(saved["requests"], 1)})
        memory = workers_memory_mb(lms)
    base = statistics.median(b["rps"] for b in bares)
    for row in rows:
        row["ratio"] = row["rps"] / base
    rows.insert(0, {"engine": engine, "what": "bare Flask page (median of before/after)", **bares[0],
                    "rps": base, "ratio": 1.0, "cpu_ms": statistics.median(b["cpu_ms"] for b in bares)})
    rows.append({"engine": engine, "memory": memory})
    return rows


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=6)
    parser.add_argument("--engines", default="postgres,sqlite")
    args = parser.parse_args()
    rows = []
    for engine in args.engines.split(","):
        rows += run_engine(engine, args.seconds)
    print("| engine | page | req/s | vs bare | p50 ms | p99 ms | worker CPU ms/req | load | non-2xx |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        if "memory" in r:
            continue
        print(f"| {r['engine']} | {r['what']} | {r['rps']:,.0f} | {r['ratio']:.2f} | {r['p50_ms']:.1f} | "
              f"{r['p99_ms']:.1f} | {r['cpu_ms']:.2f} | {r['load']:.1f} | {r['non_2xx']} |")
    print()
    print("| engine | worker | RSS MB | PSS MB |  (after the reads and the answer saves)")
    print("|---|---|---|---|")
    for r in rows:
        for i, (rss, pss) in enumerate(r.get("memory", []), start=1):
            print(f"| {r['engine']} | {i} | {rss:.1f} | {pss:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
