"""Page weight: every lesson page plus its CSS, as transferred with gzip (budget 30 KB); the
service worker plus every learner script together, as transferred with gzip (budget 15 KB); and
each course as downloaded for learning without a signal (its pages, images and offline quiz page,
as the phone keeps them, uncompressed; budget 150 KB a course).

Run: .venv/bin/python bench/page_weight.py  (uses a temporary SQLite database and courses/)
Prints a Markdown table; exit 1 if any lesson page breaks the budget.
"""

from __future__ import annotations

import re
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from lms import create_app  # noqa: E402
from lms.courses.models import Course  # noqa: E402
from lms.db import db  # noqa: E402
from lms.schema import upgrade  # noqa: E402

BUDGET = 30 * 1024
SCRIPT_BUDGET = 15 * 1024
COURSE_BUDGET = 150 * 1024
#: every script a learner's phone may run: the service worker and the learner pages' scripts
LEARNER_SCRIPTS = ("lms.js", "lms-quiz.js", "lms-offline.js")


def script_weight(client, html: str) -> list[tuple[str, int]]:
    """(name, gzip bytes) of /sw.js and each learner script, found through a page's links."""
    gzip = {"Accept-Encoding": "gzip"}
    rows = []
    worker = client.get("/sw.js", headers=gzip)
    assert worker.status_code == 200 and worker.headers.get("Content-Encoding") == "gzip"
    rows.append(("sw.js (with its settings)", len(worker.data)))
    for name in LEARNER_SCRIPTS:
        url = re.search(rf'"(/static/{re.escape(name)}\?v=\w+)"', html)
        url = url.group(1) if url else f"/static/{name}"
        response = client.get(url, headers=gzip)
        assert response.status_code == 200
        rows.append((name, len(response.data)))
    return rows


def downloads(app, client, slugs: list[str]) -> list[tuple[str, int, int, int, int]]:
    """(course, files, bytes kept on the phone, bytes transferred with gzip, offline quiz page
    gzip) of each course's "download to learn without a signal", as a signed-in learner."""
    from werkzeug.security import generate_password_hash

    from lms.accounts.models import User

    with app.app_context():
        db.session.add(User(username="0912999999", phone="0912999999", full_name="Bench", audience="citizens",
                            password_hash=generate_password_hash("mat-khau-bench-2026", method="pbkdf2:sha256:1000")))
        db.session.commit()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
    client.post("/login", data={"csrf_token": token, "login": "0912999999", "password": "mat-khau-bench-2026"})
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").get_data(as_text=True)).group(1)
    out = []
    for slug in slugs:
        # the shipped quizzes are timed: started online (the clock runs on the server), then downloaded
        client.post(f"/courses/{slug}/quiz/start", headers={"X-CSRFToken": token})
        pack = client.post(f"/courses/{slug}/offline", headers={"X-CSRFToken": token}).get_json()
        assert pack["quiz"], pack
        kept = sent = quiz = 0
        for item in pack["files"]:
            response = client.get(item["url"], headers={"Accept-Encoding": "gzip"})
            assert response.status_code == 200, item
            plain = client.get(item["url"])
            kept += len(plain.data)
            sent += len(response.data)
            if item["url"] == pack["quiz"]:
                quiz = len(response.data)
        out.append((slug, len(pack["files"]), kept, sent, quiz))
    return out


def main() -> int:
    instance = Path(tempfile.mkdtemp(prefix="lms-weight-"))
    app = create_app({"LMS_INSTANCE_PATH": str(instance), "SECRET_KEY": "bench",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance}/lms.sqlite3"})
    with app.app_context():
        upgrade()
        from lms.courses.loader import import_courses

        import_courses(REPO / "courses", app.extensions["lms"].question_types)
        lessons = [(c.slug, lesson.slug) for c in db.session.scalars(db.select(Course)) for lesson in c.lessons]
    client = app.test_client()
    gzip = {"Accept-Encoding": "gzip"}
    rows = []
    for slug, lesson in lessons:
        page = client.get(f"/courses/{slug}/lessons/{lesson}", headers=gzip)
        assert page.status_code == 200 and page.headers.get("Content-Encoding") == "gzip"
        html = client.get(f"/courses/{slug}/lessons/{lesson}").get_data(as_text=True)
        css_url = re.search(r'href="(/static/lms\.css\?v=\w+)"', html).group(1)
        css = client.get(css_url, headers=gzip)
        scripts = re.findall(r'<script src="([^"]+)"', html)
        script_bytes = sum(len(client.get(s, headers=gzip).data) for s in scripts)
        rows.append((slug, lesson, len(page.data), len(css.data), script_bytes, len(html.encode())))
    totals = [r[2] + r[3] + r[4] for r in rows]
    worst = max(rows, key=lambda r: r[2] + r[3] + r[4])
    print(f"lesson pages measured: {len(rows)}")
    print("| measure | bytes (gzip) |")
    print("|---|---|")
    print(f"| CSS (lms.css) | {rows[0][3]:,} |")
    print(f"| lesson HTML, median | {int(statistics.median(r[2] for r in rows)):,} |")
    print(f"| lesson HTML, largest ({worst[0]}/{worst[1]}) | {worst[2]:,} |")
    print(f"| lesson page + CSS (+ scripts), median | {int(statistics.median(totals)):,} |")
    print(f"| lesson page + CSS (+ scripts), largest | {max(totals):,} |")
    print(f"| budget | {BUDGET:,} |")
    print(f"| largest uncompressed lesson HTML | {max(r[5] for r in rows):,} |")
    scripts = script_weight(client, html)
    total = sum(size for _name, size in scripts)
    print()
    print("| script | bytes (gzip) |")
    print("|---|---|")
    for name, size in scripts:
        print(f"| {name} | {size:,} |")
    print(f"| together | {total:,} |")
    print(f"| budget | {SCRIPT_BUDGET:,} |")
    courses = downloads(app, client, sorted({slug for slug, _lesson in lessons}))
    print()
    print("| downloaded course | files | kept on the phone | transferred (gzip) | offline quiz page (gzip) |")
    print("|---|---|---|---|---|")
    for slug, files, kept, sent, quiz in courses:
        print(f"| {slug} | {files} | {kept:,} | {sent:,} | {quiz:,} |")
    print(f"| budget | | {COURSE_BUDGET:,} | | {BUDGET:,} |")
    over = [r for r, t in zip(rows, totals, strict=True) if t > BUDGET]
    if over:
        print(f"OVER BUDGET: {over}")
        return 1
    heavy = [c for c in courses if c[2] > COURSE_BUDGET or c[4] > BUDGET]
    if heavy:
        print(f"DOWNLOAD OVER BUDGET: {heavy}")
        return 1
    if total > SCRIPT_BUDGET:
        print(f"SCRIPTS OVER BUDGET: {total:,} > {SCRIPT_BUDGET:,}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
