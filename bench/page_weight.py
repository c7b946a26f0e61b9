"""Page weight: every lesson page plus its CSS, as transferred with gzip (budget 30 KB); and the
service worker plus every learner script together, as transferred with gzip (budget 15 KB).

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
#: every script a learner's phone may run: the service worker and the learner pages' scripts
LEARNER_SCRIPTS = ("lms.js", "lms-quiz.js")


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
    over = [r for r, t in zip(rows, totals, strict=True) if t > BUDGET]
    if over:
        print(f"OVER BUDGET: {over}")
        return 1
    if total > SCRIPT_BUDGET:
        print(f"SCRIPTS OVER BUDGET: {total:,} > {SCRIPT_BUDGET:,}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
