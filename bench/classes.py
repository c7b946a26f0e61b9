"""Classes (issue 5): importing a 10,000-row roster, and the progress page of a 500-learner class.

1. Roster import, end to end as the pages do it: read and check the CSV, classify every row
   against the database and store the preview (``create_upload``), then import the valid rows
   (``import_upload``: one-time passwords hashed on every core, accounts, enrollments, the
   encrypted password sheet). 5 % of the rows are existing accounts, to be linked.
   Goal: under 10 s for 10,000 rows.
2. The class progress page (learner x course table) of a 500-learner class with 5 courses,
   through the Flask test client as a signed-in teacher. Goal: under 300 ms, with the same
   number of SQL queries for 50 and 500 learners.

Run: .venv/bin/python bench/classes.py [--runs 3] [--rows 10000] [--learners 500] [--database-url URL]
Each run uses a fresh SQLite file (or the given database, emptied first). Prints Markdown.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa

REPO = Path(__file__).resolve().parent.parent
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ"]
MIDDLE = ["Văn", "Thị", "Hữu", "Ngọc", "Minh", "Thanh", "Quốc", "Thu"]
GIVEN = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hồng",
    "Khánh",
    "Lan",
    "Long",
    "Mai",
    "Nam",
    "Ngân",
    "Phúc",
    "Quân",
    "Sơn",
    "Tâm",
    "Thảo",
    "Trang",
    "Tuấn",
    "Uyên",
    "Việt",
    "Yến",
]


def machine() -> str:
    cpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    model = next(
        (line.split(":", 1)[1].strip() for line in cpu.splitlines() if line.startswith("Model name")), "?"
    )
    return f"nproc {os.cpu_count()}, {model}, Python {platform.python_version()}, SQLAlchemy {sa.__version__}"


def name(rng: random.Random) -> str:
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def make_app(url: str, instance: Path):
    from lms import create_app
    from lms.db import db
    from lms.schema import upgrade

    app = create_app(
        {
            "LMS_INSTANCE_PATH": str(instance),
            "SECRET_KEY": "bench-secret",
            "SQLALCHEMY_DATABASE_URI": url,
            "LMS_COURSES_DIR": str(REPO / "courses"),
        }
    )
    with app.app_context():
        if not url.startswith("sqlite"):
            db.drop_all()
            db.session.execute(sa.text("DROP TABLE IF EXISTS lms_alembic_version"))
            db.session.commit()
        upgrade()
    return app


def make_user(username: str, full_name: str, roles: set[str] | None = None) -> int:
    from werkzeug.security import generate_password_hash

    from lms.accounts.models import User
    from lms.accounts.services import set_roles
    from lms.db import db

    user = User(
        username=username,
        full_name=full_name,
        audience="citizens",
        password_hash=generate_password_hash("bench-password-2026", method="pbkdf2:sha256:1000"),
    )
    db.session.add(user)
    db.session.flush()
    set_roles(user, roles or set())
    db.session.commit()
    return user.id


def roster_file(rows: int, existing: list[str], rng: random.Random) -> bytes:
    lines = ["Họ và tên,Số điện thoại,Năm sinh,Email"]
    for n in range(rows):
        if n < len(existing):
            login = existing[n]
        elif n % 5 == 0:
            login = f"hocvien.{n:06d}"
        else:
            login = f"09{n:08d}"
        email = f"hv{n}@example.vn" if n % 7 == 0 else ""
        lines.append(f"{name(rng)},{login},{rng.randint(1945, 2008)},{email}")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def bench_import(url_for_run, rows: int, runs: int) -> dict:
    from lms.accounts.models import User
    from lms.classes import enroll, passwords, roster
    from lms.classes.models import Classroom
    from lms.classes.services import new_join_code
    from lms.db import db

    totals, previews, imports, hashing = [], [], [], []
    for run in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            app = make_app(url_for_run(run, Path(tmp)), Path(tmp))
            rng = random.Random(run)
            with app.test_request_context("/"):
                teacher_id = make_user("co.lan", "Phạm Thị Lan", {"teacher"})
                existing = []
                for n in range(rows // 20):
                    login = f"09{n:08d}"
                    db.session.add(User(username=login, phone=login, full_name=name(rng), password_hash="x"))
                    existing.append(login)
                db.session.commit()
                classroom = Classroom(
                    name="Lớp đại trà",
                    teacher_id=teacher_id,
                    audience="citizens",
                    uses_path=True,
                    join_code=new_join_code(),
                )
                db.session.add(classroom)
                db.session.commit()
                teacher = db.session.get(User, teacher_id)
                data = roster_file(rows, existing, rng)
                start = time.perf_counter()
                table = roster.read_roster(data)
                upload = enroll.create_upload(classroom, teacher, "bench.csv", table)
                middle = time.perf_counter()
                outcome = enroll.import_upload(upload, classroom, teacher)
                end = time.perf_counter()
                assert outcome.created + outcome.linked == rows, outcome
                assert outcome.linked == len(existing), outcome
                t0 = time.perf_counter()
                passwords.hash_many([passwords.new_one_time_password() for _ in range(rows)])
                hashing.append(time.perf_counter() - t0)
                db.session.remove()
                db.engine.dispose()
            totals.append(end - start)
            previews.append(middle - start)
            imports.append(end - middle)
    return {"total": totals, "preview": previews, "import": imports, "hashing": hashing}


def seed_class(app, learners: int, courses: list, teacher_id: int, rng: random.Random) -> int:
    """A class of ``learners`` with lessons, attempts, results and certificates spread among them."""
    from lms.certificates.models import Certificate
    from lms.classes.models import ClassCourse, Classroom, Enrollment
    from lms.classes.services import new_join_code
    from lms.courses.models import CourseResult, Lesson, LessonProgress
    from lms.db import db, now_utc
    from lms.quiz.models import Attempt

    classroom = Classroom(
        name=f"Lớp {learners}", teacher_id=teacher_id, audience="citizens", join_code=new_join_code()
    )
    db.session.add(classroom)
    db.session.flush()
    for position, course in enumerate(courses):
        db.session.add(ClassCourse(class_id=classroom.id, course_id=course.id, position=position))
    lessons = {
        c.id: list(db.session.scalars(sa.select(Lesson.id).where(Lesson.course_id == c.id))) for c in courses
    }
    now = now_utc()
    from lms.accounts.models import User

    users = list(
        db.session.scalars(
            sa.insert(User).returning(User.id, sort_by_parameter_order=True),
            [
                {
                    "username": f"c{classroom.id}u{n:05d}",
                    "full_name": name(rng),
                    "audience": "citizens",
                    "password_hash": "x",
                    "birth_year": 1960,
                    "locale": "vi",
                    "must_change_password": False,
                    "created_at": now,
                }
                for n in range(learners)
            ],
        )
    )
    db.session.execute(
        sa.insert(Enrollment),
        [
            {
                "class_id": classroom.id,
                "user_id": u,
                "enrolled_at": now,
                "source": "roster",
                "created_account": False,
            }
            for u in users
        ],
    )
    progress, attempts, results, certificates = [], [], [], []
    for u in users:
        for course in courses:
            done = rng.randint(0, len(lessons[course.id]))
            for lesson_id in lessons[course.id][:done]:
                progress.append(
                    {
                        "user_id": u,
                        "lesson_id": lesson_id,
                        "completed_at": now - timedelta(days=rng.randint(0, 20)),
                    }
                )
            if done and rng.random() < 0.6:
                scores = [rng.choice([40.0, 60.0, 80.0, 100.0]) for _ in range(rng.randint(1, 2))]
                for number, score in enumerate(scores, start=1):
                    attempts.append(
                        {
                            "user_id": u,
                            "course_id": course.id,
                            "number": number,
                            "state": "finished",
                            "started_at": now - timedelta(days=3),
                            "submitted_at": now - timedelta(days=3),
                            "snapshot": {},
                            "current_position": 1,
                            "score_percent": score,
                            "passed": score >= 80,
                        }
                    )
                passed = max(scores) >= 80
                results.append(
                    {
                        "user_id": u,
                        "course_id": course.id,
                        "grade_percent": max(scores),
                        "best_percent": max(scores),
                        "attempts_finished": len(scores),
                        "passed": passed,
                        "passed_at": now if passed else None,
                    }
                )
                if passed:
                    code = f"B{u:07d}{course.id:03d}"
                    certificates.append(
                        {
                            "code": code,
                            "user_id": u,
                            "kind": "course",
                            "subject": course.slug,
                            "course_id": course.id,
                            "full_name": "x",
                            "masked_name": "x",
                            "issued_at": now,
                            "issued_on": date.today(),
                            "key_id": "bench",
                            "token": "x",
                            "status": "valid",
                        }
                    )
    for model, values in (
        (LessonProgress, progress),
        (Attempt, attempts),
        (CourseResult, results),
        (Certificate, certificates),
    ):
        for start in range(0, len(values), 2000):
            db.session.execute(sa.insert(model), values[start : start + 2000])
    db.session.commit()
    return classroom.id


class Counter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *args: object, **kwargs: object) -> None:
        self.count += 1


def bench_progress(url: str, work: Path, learners: int, requests: int) -> dict:
    import re

    from lms.courses.loader import import_courses
    from lms.courses.models import Course, Lesson
    from lms.db import db

    app = make_app(url, work)
    rng = random.Random(7)
    with app.app_context():
        import_courses(REPO / "courses", app.extensions["lms"].question_types)
        # five courses with a quiz and several lessons
        candidates = db.session.scalars(
            sa.select(Course).where(Course.archived.is_(False)).order_by(Course.slug)
        )
        courses = [
            c
            for c in candidates
            if (c.quiz_settings or {})
            and len(db.session.scalars(sa.select(Lesson.id).where(Lesson.course_id == c.id)).all()) >= 2
        ][:5]
        assert len(courses) == 5
        teacher_id = make_user("co.lan", "Phạm Thị Lan", {"teacher"})
        big = seed_class(app, learners, courses, teacher_id, rng)
        small = seed_class(app, max(1, learners // 10), courses, teacher_id, rng)
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/login", data={"csrf_token": token, "login": "co.lan", "password": "bench-password-2026"}
    )
    assert response.status_code == 302
    queries = {}
    for class_id in (small, big):
        counter = Counter()
        with app.app_context():
            sa.event.listen(db.engine, "before_cursor_execute", counter)
        response = client.get(f"/teach/classes/{class_id}/")
        with app.app_context():
            sa.event.remove(db.engine, "before_cursor_execute", counter)
        assert response.status_code == 200
        queries[class_id] = counter.count
    body = client.get(f"/teach/classes/{big}/")
    html = body.get_data()
    assert html.count(b"<tr data-status=") == learners
    times = []
    for _ in range(3):
        client.get(f"/teach/classes/{big}/")
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(f"/teach/classes/{big}/")
        times.append(time.perf_counter() - start)
        assert response.status_code == 200
    gzip = client.get(f"/teach/classes/{big}/", headers={"Accept-Encoding": "gzip"})
    with app.app_context():
        db.engine.dispose()
    return {
        "times": times,
        "queries_small": queries[small],
        "queries_big": queries[big],
        "small": max(1, learners // 10),
        "html_bytes": len(html),
        "gzip_bytes": len(gzip.get_data()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--learners", type=int, default=500)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file per run")
    args = parser.parse_args()

    def url_for_run(run: int, tmp: Path) -> str:
        return args.database_url or f"sqlite:///{tmp}/bench-{run}.sqlite3"

    imported = bench_import(url_for_run, args.rows, args.runs)
    with tempfile.TemporaryDirectory() as tmp:
        page = bench_progress(url_for_run(99, Path(tmp)), Path(tmp), args.learners, args.requests)
    med = statistics.median
    total, page_ms = med(imported["total"]), med(page["times"]) * 1000
    engine = "PostgreSQL" if args.database_url and "postgres" in args.database_url else "SQLite (file, WAL)"
    print(f"Machine: {machine()}. Database: {engine}.\n")
    print(f"### Roster import: {args.rows:,} rows, {args.runs} runs\n")
    print("| measure | median | runs |")
    print("|---|---|---|")
    for key, label in (
        ("total", "whole import (read, check, preview, import)"),
        ("preview", "read + check + classify + store preview"),
        ("import", "import valid rows (hash, insert, sheet)"),
        ("hashing", f"of which: hashing {args.rows:,} one-time passwords alone"),
    ):
        values = imported[key]
        print(f"| {label} | {med(values):.2f} s | {', '.join(f'{v:.2f}' for v in values)} |")
    print(
        f"\nGoal 10 s: median {total:.2f} s, ratio measured/goal = {total / 10:.2f} "
        f"({args.rows / total:,.0f} rows/s).\n"
    )
    print(f"### Progress page: {args.learners} learners x 5 courses, {args.requests} requests\n")
    times = sorted(page["times"])
    p90 = times[int(0.9 * (len(times) - 1))] * 1000
    print("| measure | value |")
    print("|---|---|")
    print(f"| median | {page_ms:.0f} ms |")
    print(f"| p90 | {p90:.0f} ms |")
    print(
        f"| SQL queries, {page['small']} learners / {args.learners} learners | {page['queries_small']} / "
        f"{page['queries_big']} |"
    )
    print(f"| HTML, raw / gzip | {page['html_bytes']:,} / {page['gzip_bytes']:,} bytes |")
    print(f"\nGoal 300 ms: ratio measured/goal = {page_ms / 300:.2f}.")


if __name__ == "__main__":
    main()
