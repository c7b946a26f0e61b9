"""Certificates (issue 4): PDF render times, and verification under gunicorn beside a bare page.

1. PDFs, in-process through the Flask test client as a signed-in admin (request, permission
   check and file included): the first download of a certificate (rendered then kept), the same
   download again (served from its file), and a 100-certificate class as one PDF (per page).
   Also a fresh process's very first PDF (imports, fonts), for information.
   Goals: first < 100 ms, again < 5 ms, < 20 ms a page in the class batch.
2. Verification, gunicorn (2 workers) on loopback with wrk, in the same run as the bare Flask
   page (bench/bare_app.py) on the same gunicorn settings: the QR target ``/V/<token>`` (HTML)
   and ``GET /api/v1/certificates/<code>`` (JSON), cycling through distinct certificates. The
   rate limiter stays on (its limit raised) so its cost is counted. Each worker keeps the
   records it has read (``LMS_VERIFY_CACHE_SECONDS``, on by default; revocations empty it), so
   with the default settings most checks here are repeat checks; the "cache off" rows run a
   second server with the cache off, where every check reads the database, like the first
   check of a certificate. Every server and script runs once (2 s) before the measured rounds.
   wrk runs on the same 2 cores, and driving it with a Lua script (a path per request) costs
   it ~10% of the bare page's rate; so the bare page, the baseline of the ratios, is asked
   through the same kind of script with paths as long as the tokens, and its plain
   no-script rate is shown beside it.
   Goals: at least half the bare page's requests/s, p99 under 20 ms. For scale, the LMS's cheapest
   route (the key set, JSON, no database) runs in the same rounds: every LMS request pays the
   package's hooks (session, locale, security headers, compression check).

Run: .venv/bin/python bench/certs.py [--seconds 8] [--rounds 3] [--engines sqlite,postgres]
Loopback only, bounded in time. Prints Markdown (medians of the rounds, and ratios).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import sqlalchemy as sa
from wrkbench import REPO, fresh_postgres, gunicorn, lua_requests, wrk

COURSE = "an-toan-tren-mang"
BASE_URL = "https://hoc.example-province.gov.vn"
NAMES = ["Nguyễn Thị Ánh Tuyết", "Trần Văn Bình", "Lê Hoàng Ước", "Phạm Thị Ngọc Diệp", "Đặng Quốc Hưng"]


def prepare(url: str, instance: Path, learners: int) -> dict:
    """Units, courses, an admin, a teacher, and learners each holding a certificate; the first
    100 learners form one class."""
    from werkzeug.security import generate_password_hash

    from lms import create_app
    from lms.accounts.models import User
    from lms.accounts.services import set_roles
    from lms.certificates.issuing import issue
    from lms.classes.models import ClassCourse, Classroom, Enrollment
    from lms.courses.loader import import_courses
    from lms.courses.models import Course
    from lms.db import db
    from lms.schema import upgrade
    from lms.units.importer import UnitRow, import_units

    # the limit stays on, raised so that one load generator is not refused
    (instance / "lms.cfg").write_text('import os\nLMS_VERIFY_RATE_LIMIT = "100000000 per minute"\n'
                                      '# the cache-off rows start a second server with this set to 0\n'
                                      'LMS_VERIFY_CACHE_SECONDS = float(os.environ.get("BENCH_CACHE", 60))\n')
    config = {"LMS_INSTANCE_PATH": str(instance), "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url,
              "LMS_BASE_URL": BASE_URL}
    app = create_app(config)
    password = generate_password_hash("bench-password", method="pbkdf2:sha256:1000")
    with app.app_context():
        upgrade()
        import_units([UnitRow("79", "Thành phố Hồ Chí Minh", "province", None),
                      UnitRow("26734", "Phường Sài Gòn", "commune", "79")], "bench", "19/2025/QĐ-TTg")
        import_courses(REPO / "courses", app.extensions["lms"].question_types)
        course = db.session.scalar(sa.select(Course).where(Course.slug == COURSE))
        unit_id = db.session.scalar(sa.text("SELECT id FROM lms_units WHERE code = '26734'"))
        staff = {}
        for role in ("admin", "teacher"):
            user = User(username=f"bench-{role}", full_name=f"Bench {role}", password_hash=password)
            db.session.add(user)
            db.session.flush()
            set_roles(user, {role})
            staff[role] = (user.id, user.password_hash)
        classroom = Classroom(name="Lớp 100", teacher_id=staff["teacher"][0], audience="citizens", join_code="BENCH100")
        db.session.add(classroom)
        db.session.flush()
        db.session.add(ClassCourse(class_id=classroom.id, course_id=course.id, position=0))
        codes, tokens = [], []
        with app.test_request_context(base_url=BASE_URL):
            for n in range(learners):
                user = User(username=f"hv{n:05d}", full_name=f"{NAMES[n % len(NAMES)]} {n}", audience="citizens",
                            unit_id=unit_id, password_hash=password)
                db.session.add(user)
                db.session.flush()
                if n < 100:
                    db.session.add(Enrollment(class_id=classroom.id, user_id=user.id))
                cert = issue(user, "course", course.slug, course)
                codes.append(cert.code)
                tokens.append(cert.token)
        db.session.commit()
        class_id = classroom.id
        db.engine.dispose()
    env = {"LMS_INSTANCE_PATH": str(instance), "SECRET_KEY": "bench", "LMS_DATABASE_URL": url,
           "LMS_BASE_URL": BASE_URL}
    return {"app": app, "codes": codes, "tokens": tokens, "class_id": class_id, "staff": staff, "env": env}


def signed_in(app, user_id: int, password_hash: str):
    """A test client with a server-side session of this user (as a sign-in makes one)."""
    from lms.accounts.models import User
    from lms.accounts.services import start_session
    from lms.db import db

    client = app.test_client()
    with app.app_context():
        sid = start_session(db.session.get(User, user_id), timedelta(hours=1))
        db.session.commit()
    with client.session_transaction() as session:
        session["lms_sid"], session["lms_user_id"] = sid, user_id
    return client


def timed_get(client, path: str) -> tuple[float, bytes]:
    start = time.perf_counter()
    response = client.get(path)
    data = response.get_data()
    elapsed = time.perf_counter() - start
    assert response.status_code == 200 and data[:4] == b"%PDF", (path, response.status_code)
    return elapsed * 1000, data


COLD = r"""
import json, sys, time
t0 = time.perf_counter()
from lms import create_app
from lms.certificates.models import Certificate
from lms.certificates.pdfcache import pdf_file
from lms.certificates.downloads import credential_bytes
from lms.db import db
import sqlalchemy as sa
app = create_app(json.loads(sys.argv[1]))
with app.test_request_context():
    cert = db.session.scalar(sa.select(Certificate).where(Certificate.code == sys.argv[2]))
    t1 = time.perf_counter()
    pdf_file(cert, credential_bytes(cert))
    t2 = time.perf_counter()
print(json.dumps({"startup": t1 - t0, "first": t2 - t1}))
"""


def bench_pdfs(ctx: dict, samples: int) -> dict:
    app, codes = ctx["app"], ctx["codes"]
    # a fresh process: imports and app start-up, then its first PDF (fonts load here)
    cold = []
    config = {"LMS_INSTANCE_PATH": ctx["env"]["LMS_INSTANCE_PATH"], "SECRET_KEY": "bench",
              "SQLALCHEMY_DATABASE_URI": ctx["env"]["LMS_DATABASE_URL"], "LMS_BASE_URL": BASE_URL}
    for code in codes[-3:]:
        out = subprocess.run([sys.executable, "-c", COLD, json.dumps(config), code], capture_output=True,
                             text=True, check=True, cwd=REPO).stdout
        cold.append(json.loads(out.splitlines()[-1]))
    admin = signed_in(app, *ctx["staff"]["admin"])
    timed_get(admin, f"/certificates/{codes[-4]}/pdf")  # this process's renderer is built here
    first = [timed_get(admin, f"/certificates/{code}/pdf")[0] for code in codes[100:100 + samples]]
    again = [timed_get(admin, f"/certificates/{code}/pdf")[0] for code in codes[100:100 + samples] * 5]
    teacher = signed_in(app, *ctx["staff"]["teacher"])
    batch = []
    for _ in range(3):
        ms, data = timed_get(teacher, f"/certificates/class/{ctx['class_id']}.pdf")
        batch.append(ms)
    return {
        "cold_startup_ms": statistics.median(c["startup"] for c in cold) * 1000,
        "cold_first_ms": statistics.median(c["first"] for c in cold) * 1000,
        "first_ms": statistics.median(first), "first_p90_ms": sorted(first)[int(len(first) * 0.9)],
        "again_ms": statistics.median(again), "again_p90_ms": sorted(again)[int(len(again) * 0.9)],
        "batch_ms": statistics.median(batch), "batch_pages": 100, "batch_kib": len(data) // 1024,
        # the first class PDF also signs and keeps the credentials not yet downloaded (embedded in it)
        "batch_first_ms": batch[0],
    }


def lua_gets(path: Path, paths: list[str], accept: str, threads: int) -> Path:
    """wrkbench's request cycler; the bearer token slot is unused (public pages)."""
    script = lua_requests(path, "GET", [(p, "", "") for p in paths], False, threads)
    text = script.read_text(encoding="utf-8").replace('["Content-Type"] = "application/json"',
                                                      f'["Accept"] = "{accept}"')
    script.write_text(text, encoding="utf-8")
    return script


def bench_verify(ctx: dict, seconds: int, rounds: int, work: Path) -> list[dict]:
    tokens, codes = ctx["tokens"], ctx["codes"]
    runs: dict[tuple[str, int], list[dict]] = {}
    uncached = {**ctx["env"], "BENCH_CACHE": "0"}
    with (gunicorn("bench.bare_app:app", {}) as bare, gunicorn("lms:create_app()", ctx["env"], path="/verify") as lms,
          gunicorn("lms:create_app()", uncached, path="/verify") as cold):
        for connections in (1, 16):
            threads = min(connections, 2)
            html = lua_gets(work / f"v-{connections}.lua", [f"/V/{t}" for t in tokens], "text/html", threads)
            api = lua_gets(work / f"c-{connections}.lua", [f"/api/v1/certificates/{c}" for c in codes],
                           "application/json", threads)
            # the bare page is asked through the same kind of wrk script, with paths as long as the
            # tokens (it ignores the query): wrk shares the 2 cores, and its script costs it ~10%
            same_shape = lua_gets(work / f"b-{connections}.lua", [f"/?v={t}" for t in tokens], "text/html", threads)
            cases = (("bare Flask page", bare, same_shape),
                     ("(bare Flask page, wrk without a script)", bare + "/", None),
                     ("(LMS floor: keys JSON, no DB)", lms + "/.well-known/lms-keys.json", None),
                     ("verify /V/<token> (HTML)", lms, html),
                     ("verify by code (JSON API)", lms, api),
                     ("verify /V/<token> (HTML), cache off", cold, html),
                     ("verify by code (JSON API), cache off", cold, api))
            # every server and script once before measuring: templates compiled, pools and caches filled
            for _what, url, script in cases:
                wrk(url, connections, 2, script)
            for _ in range(rounds):
                for what, url, script in cases:
                    runs.setdefault((what, connections), []).append(wrk(url, connections, seconds, script))
    rows = []
    for (what, connections), results in runs.items():
        row = {"what": what, "c": connections}
        for key in ("rps", "p50_ms", "p99_ms"):
            row[key] = statistics.median(r[key] for r in results)
        row["requests"] = sum(r["requests"] for r in results)
        row["non_2xx"] = sum(r["non_2xx"] for r in results)
        rows.append(row)
    for row in rows:
        base = next(r for r in rows if r["what"] == "bare Flask page" and r["c"] == row["c"])
        row["ratio"] = row["rps"] / base["rps"]
    return rows


def machine() -> str:
    cpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    model = next((line.split(":", 1)[1].strip() for line in cpu.splitlines() if line.startswith("Model name")), "?")
    return f"{os.cpu_count()} cores, {model}, Python {platform.python_version()}"


def report(engine: str, pdf: dict | None, rows: list[dict]) -> str:
    ok = lambda good: "yes" if good else "**no**"  # noqa: E731
    lines = [f"### {engine}", ""]
    if pdf is not None:
        lines += [
             "| PDF | median ms | p90 ms | goal | met |", "|---|---|---|---|---|",
             f"| first download (render + keep) | {pdf['first_ms']:.1f} | {pdf['first_p90_ms']:.1f} | < 100 | "
             f"{ok(pdf['first_ms'] < 100)} |",
             f"| same download again (kept file) | {pdf['again_ms']:.2f} | {pdf['again_p90_ms']:.2f} | < 5 | "
             f"{ok(pdf['again_ms'] < 5)} |",
             f"| class of 100 as one PDF, per page | {pdf['batch_ms'] / pdf['batch_pages']:.1f} | | < 20 | "
             f"{ok(pdf['batch_ms'] / pdf['batch_pages'] < 20)} |",
             f"| (class of 100, whole PDF: {pdf['batch_ms'] / 1000:.2f} s, {pdf['batch_kib']} KiB; the first one, "
             f"signing the credentials it embeds: {pdf['batch_first_ms'] / 1000:.2f} s) | | | | |",
             f"| (fresh process: start-up {pdf['cold_startup_ms']:.0f} ms, then its first PDF "
             f"{pdf['cold_first_ms']:.0f} ms) | | | | |", ""]
    if rows:
        lines += [
             "| request | conns | req/s | p50 ms | p99 ms | vs bare | goal met | requests | non-2xx |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        bare = r["what"].startswith("bare")
        met = "" if bare or r["what"].startswith("(") else ok(r["ratio"] >= 0.5 and r["p99_ms"] < 20)
        ratio = "" if bare else f"{r['ratio']:.2f}"
        lines.append(f"| {r['what']} | {r['c']} | {r['rps']:,.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | "
                     f"{ratio} | {met} | {r['requests']:,} | {r['non_2xx']} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--learners", type=int, default=600)
    parser.add_argument("--samples", type=int, default=31)
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--only", choices=("pdf", "verify"), default=None)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="lms-wrk-"))
    out = [f"## Certificates (issue 4) — {date.today().isoformat()}", "", f"Machine: {machine()}.",
           f"`.venv/bin/python bench/certs.py --seconds {args.seconds} --rounds {args.rounds}`: medians of "
           f"{args.rounds} rounds; gunicorn 2 workers, {os.environ.get('BENCH_GUNICORN_THREADS', '1')} thread(s) "
           f"each; wrk on loopback; {args.learners} certificates.", ""]
    for engine in args.engines.split(","):
        instance = Path(tempfile.mkdtemp(prefix=f"lms-bench-certs-{engine}-"))
        url = fresh_postgres("lms_bench_certs") if engine == "postgres" else f"sqlite:///{instance}/lms.sqlite3"
        ctx = prepare(url, instance, args.learners)
        pdf = bench_pdfs(ctx, args.samples) if args.only != "verify" else None
        rows = bench_verify(ctx, args.seconds, args.rounds, work) if args.only != "pdf" else []
        out.append(report(engine, pdf, rows))
        print(out[-1], flush=True)
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
