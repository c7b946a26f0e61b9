"""The 10 October mix against two app servers, a worker, PostgreSQL and Redis on this machine.

Virtual learners, each a browser with its own cookies, take turns on two gunicorn servers (separate
instance folders, one PostgreSQL database, one Redis: a load balancer's round robin) while a
worker runs: sign in, open the path, read a lesson and mark it done, open the quiz, start it, save
every answer (right ones: the harness reads the attempt's frozen questions from the database),
submit, read the result, and verify a certificate by its code. Officials open their province's
dashboard. Every action is timed; at the end every passed attempt must have its certificate.

Run: .venv/bin/python bench/peakday.py [--seconds 120] [--users 16] [--officials 2]
Loopback only, bounded in time. Prints Markdown tables (per action, and totals).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import requests
import sqlalchemy as sa
from wrkbench import BIN, REPO, fresh_postgres, gunicorn, workers_cpu_seconds

PASSWORD = "bench-peak-password-2026"
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def prepare(url: str, instance: Path, learners: int, officials: int) -> dict:
    """The real curriculum and unit list, learners of the citizens' path, officials of a province,
    and certificates to verify."""
    from werkzeug.security import generate_password_hash

    from lms import create_app
    from lms.accounts.models import User
    from lms.accounts.services import set_roles
    from lms.courses.loader import import_courses
    from lms.db import db
    from lms.schema import upgrade
    from lms.units.importer import import_units, official_rows, official_version
    from lms.units.models import AdminUnit

    app = create_app({"LMS_INSTANCE_PATH": str(instance), "SECRET_KEY": "bench-peak", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        import_courses(REPO / "courses", app.extensions["lms"].question_types)
        import_units(official_rows(), "vietnam-provinces", official_version())
        province = db.session.scalar(sa.select(AdminUnit).where(AdminUnit.level == "province").order_by(AdminUnit.code))
        communes = db.session.scalars(sa.select(AdminUnit.id).where(AdminUnit.parent_id == province.id)).all()
        # the default (scrypt) hash: signing in costs what it costs in production
        digest = generate_password_hash(PASSWORD)
        for n in range(learners):
            db.session.add(User(username=f"peak{n:05d}", full_name="Nguyễn Văn Học", audience="citizens",
                                unit_id=communes[n % len(communes)], birth_year=1970, password_hash=digest))
        for n in range(officials):
            user = User(username=f"canbo{n:03d}", full_name="Lê Văn Cán", audience=None, unit_id=province.id,
                        password_hash=digest)
            db.session.add(user)
            db.session.flush()
            set_roles(user, {"official"})
        db.session.commit()
        code = province.code
        db.engine.dispose()
    return {"province": code}


def right_answers(engine: sa.Engine, registry, attempt_id: int) -> dict[int, object]:
    with engine.connect() as conn:
        snapshot = conn.execute(sa.text("SELECT snapshot FROM lms_attempts WHERE id = :id"),
                                {"id": attempt_id}).scalar()
    if isinstance(snapshot, str):
        import json

        snapshot = json.loads(snapshot)
    return {item["position"]: registry.get(item["qtype"]).key(item["config"]) for item in snapshot["questions"]
            if item["qtype"] not in ("description", "essay")}


class Recorder:
    def __init__(self) -> None:
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.statuses: dict[tuple[str, int], int] = defaultdict(int)  # (action, status) of each error
        self.lock = threading.Lock()

    def timed(self, action: str, call, *args, expect=(200, 302), **kwargs):
        started = time.perf_counter()
        try:
            response = call(*args, timeout=30, allow_redirects=False, **kwargs)
            ok = response.status_code in expect
        except requests.RequestException:
            response, ok = None, False
        elapsed = time.perf_counter() - started
        with self.lock:
            self.times[action].append(elapsed)
            if not ok:
                self.errors[action] += 1
                self.statuses[(action, response.status_code if response is not None else 0)] += 1
        return response


def token_of(html: str) -> str:
    match = CSRF.search(html)
    return (match.group(1) or match.group(2)) if match else ""


def learner_loop(n: int, users: int, servers: list[str], until: float, rec: Recorder, engine, registry,
                 passed: list) -> None:
    rng = random.Random(n)
    turn = n
    mine = list(range(n, LEARNERS, users))
    while time.monotonic() < until:
        web = requests.Session()

        def url(path: str) -> str:
            nonlocal turn
            turn += 1
            return servers[turn % len(servers)] + path  # round robin, like the load balancer

        page = rec.timed("sign-in page", web.get, url("/login"))
        if page is None:
            continue
        rec.timed("sign in", web.post, url("/login"), data={
            # each browser its own learners (n, n + users, ...): one person is not on two phones at once
            "csrf_token": token_of(page.text), "login": f"peak{mine[rng.randrange(len(mine))]:05d}",
            "password": PASSWORD})
        home = rec.timed("open the path", web.get, url("/"))
        slug = "an-toan-tren-mang"
        lesson = rec.timed("read a lesson", web.get, url(f"/courses/{slug}/lessons/01-nhan-biet-lua-dao"))
        if home is None or lesson is None:
            continue
        rec.timed("mark lesson done", web.post, url(f"/courses/{slug}/lessons/01-nhan-biet-lua-dao/done"),
                  data={"csrf_token": token_of(lesson.text)})
        overview = rec.timed("open the quiz", web.get, url(f"/courses/{slug}/quiz"))
        if overview is None:
            continue
        started = rec.timed("start the quiz", web.post, url(f"/courses/{slug}/quiz/start"),
                            data={"csrf_token": token_of(overview.text)})
        found = re.search(r"/attempts/(\d+)/", started.headers.get("Location", "")) if started is not None else None
        if not found:
            continue
        attempt = int(found.group(1))
        question = rec.timed("open a question", web.get, url(f"/attempts/{attempt}/q/1"))
        token = token_of(question.text) if question is not None else ""
        for position, response in right_answers(engine, registry, attempt).items():
            rec.timed("save an answer", web.put, url(f"/attempts/{attempt}/answers/{position}"),
                      json={"response": response}, headers={"X-CSRFToken": token})
        summary = rec.timed("open the summary", web.get, url(f"/attempts/{attempt}/summary"))
        done = rec.timed("submit", web.post, url(f"/attempts/{attempt}/submit"),
                         data={"csrf_token": token_of(summary.text) if summary is not None else ""})
        if done is not None and done.status_code == 302:
            rec.timed("read the result", web.get, url(f"/attempts/{attempt}/result"))
            passed.append(attempt)
        code = pick_code(engine)
        if code:
            rec.timed("verify a certificate", web.get, url(f"/verify?code={code}"))


def pick_code(engine) -> str | None:
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT code FROM lms_certificates ORDER BY random() LIMIT 1")).scalar()


def official_loop(n: int, servers: list[str], until: float, rec: Recorder, province: str) -> None:
    web = requests.Session()
    page = rec.timed("sign-in page", web.get, servers[n % 2] + "/login")
    rec.timed("sign in", web.post, servers[n % 2] + "/login",
              data={"csrf_token": token_of(page.text), "login": f"canbo{n:03d}", "password": PASSWORD})
    turn = n
    while time.monotonic() < until:
        turn += 1
        rec.timed("province dashboard", web.get, servers[turn % 2] + f"/coverage/?unit={province}")
        time.sleep(1.0)  # an official reads the page before opening the next


LEARNERS = 200


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--users", type=int, default=16, help="concurrent learners (browsers)")
    parser.add_argument("--officials", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per app server")
    args = parser.parse_args()
    url = fresh_postgres("lms_bench_peak")
    folders = [Path(tempfile.mkdtemp(prefix=f"lms-peak-{name}-")) for name in "AB"]
    setup = prepare(url, folders[0], LEARNERS, args.officials)
    from lms.certificates.sealing import new_kek

    # what every server of a deployment shares: the secret key and the key that opens the signing keys
    env = {"SECRET_KEY": "bench-peak", "LMS_DATABASE_URL": url, "LMS_KEY_ENCRYPTION_KEY": new_kek(),
           "LMS_RATELIMIT_STORAGE_URI": REDIS,
           "LMS_REDIS_URL": REDIS, "LMS_VERIFY_RATE_LIMIT": "100000 per minute",
           "LMS_SIGNIN_LIMIT_ADDRESS": "100000 per minute", "LMS_SIGNIN_LIMIT_ACCOUNT_ADDRESS": "100000 per minute",
           "LMS_SIGNIN_LIMIT_ACCOUNT": "100000 per minute"}
    from lms import create_app

    app = create_app({"LMS_INSTANCE_PATH": str(folders[0]), "SECRET_KEY": "bench-peak", "SQLALCHEMY_DATABASE_URI": url})
    registry = app.extensions["lms"].question_types
    engine = sa.create_engine(url, pool_size=args.users + 4)
    worker = None
    if (BIN / "lms").exists():
        worker = subprocess.Popen([str(BIN / "lms"), "worker"], env={**os.environ, **env,
                                  "LMS_INSTANCE_PATH": str(folders[1])}, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, cwd=REPO)
    rec, passed = Recorder(), []
    load = [os.getloadavg()[0]]
    try:
        with (gunicorn("lms:create_app()", {**env, "LMS_INSTANCE_PATH": str(folders[0])}, workers=args.workers,
                       path="/healthz") as a,
              gunicorn("lms:create_app()", {**env, "LMS_INSTANCE_PATH": str(folders[1])}, workers=args.workers,
                       path="/healthz") as b):
            cpu_before = workers_cpu_seconds(a) + workers_cpu_seconds(b)
            until = time.monotonic() + args.seconds
            threads = [threading.Thread(target=learner_loop,
                                        args=(n, args.users, [a, b], until, rec, engine, registry, passed))
                       for n in range(args.users)]
            threads += [threading.Thread(target=official_loop, args=(n, [a, b], until, rec, setup["province"]))
                        for n in range(args.officials)]
            started = time.monotonic()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            wall = time.monotonic() - started
            cpu = workers_cpu_seconds(a) + workers_cpu_seconds(b) - cpu_before
            load.append(os.getloadavg()[0])
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(15)
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT a.id, a.passed, (SELECT count(*) FROM lms_certificates c WHERE c.user_id = a.user_id "
            "AND c.status = 'valid') FROM lms_attempts a WHERE a.id = ANY(:ids)"), {"ids": passed}).all()
    passed_attempts = [r for r in rows if r[1]]
    missing = [r[0] for r in passed_attempts if not r[2]]
    total = sum(len(t) for t in rec.times.values())
    print(f"{args.seconds} s, {args.users} learners + {args.officials} officials, 2 servers x {args.workers} "
          f"workers + worker, load {load[0]:.1f} -> {load[-1]:.1f}\n")
    print("| action | count | per second | p50 ms | p99 ms | errors |")
    print("|---|---|---|---|---|---|")
    for action, times in rec.times.items():
        times.sort()
        p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
        print(f"| {action} | {len(times):,} | {len(times) / wall:.1f} | {statistics.median(times) * 1000:.1f} | "
              f"{p99 * 1000:.1f} | {rec.errors.get(action, 0)} |")
    print(f"\nall actions: {total:,} in {wall:.0f} s = {total / wall:.1f}/s; errors {sum(rec.errors.values())}; "
          f"app workers' CPU {cpu:.1f} s = {1000 * cpu / max(total, 1):.2f} ms per action")
    if rec.statuses:
        print("errors by status (0: no answer): " + ", ".join(
            f"{action} {status} x{count}" for (action, status), count in sorted(rec.statuses.items())))
    print(f"attempts submitted {len(passed)}, passed {len(passed_attempts)}, passed without a certificate "
          f"{len(missing)}")
    return 0 if not missing and not sum(rec.errors.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
