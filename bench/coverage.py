"""Coverage figures at national scale: 1,000,000 learners, 700,000 path certificates.

34 provinces x 100 communes. Times what the dashboard computes (``build_report``: figures
per audience, drill-down, baselines, targets, month-by-month trend) for one province and for
the whole country, on PostgreSQL and on SQLite; also the definition evaluated directly on
users x certificates, which the covered-persons table replaces. Goal: < 500 ms on PostgreSQL.

Run: .venv/bin/python bench/coverage.py [--engines postgres,sqlite] [--learners 1000000]
     [--certificates 700000] [--repeat 7] [--out bench/RESULTS-coverage.md]

PostgreSQL: a dedicated database ``lms_bench_coverage`` on 127.0.0.1:5432 (dropped and made
again); SQLite: a temporary file. Seeding uses COPY / executemany with the coverage triggers
off, then ``rebuild`` (what ``lms coverage rebuild`` does) and ``check`` at full scale.
"""

from __future__ import annotations

import argparse
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

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PG_DB = "lms_bench_coverage"
AUDIENCES = ("officials", "students", "workers", "citizens")
PROVINCES, COMMUNES = 34, 100
FIRST_DAY, DAYS = date(2025, 4, 1), 600  # certificates from 1 Apr 2025 to late Nov 2026
REPORT_YEAR, REPORT_DAY = 2026, date(2026, 11, 27)
CHUNK = 50_000


def units() -> list[tuple[str, str, str, str | None]]:
    rows = []
    for p in range(1, PROVINCES + 1):
        rows.append((f"{p:02d}", f"Tỉnh {p:02d}", "province", None))
        rows += [(f"{p * 1000 + c:05d}", f"Xã {p:02d}-{c:02d}", "commune", f"{p:02d}") for c in range(COMMUNES)]
    return rows


def users(n: int, commune_ids: list[int], rng: random.Random):
    """(username, password_hash, must_change_password, full_name, audience, unit_id, locale, created_at)."""
    created = "2025-04-01 00:00:00+00:00"
    for i in range(n):
        yield (f"b{i:07d}", "x", False, "Nguyễn Văn Bền", AUDIENCES[i % 4], rng.choice(commune_ids), "vi", created)


def certificates(n_learners: int, n_certs: int, rng: random.Random):
    """Path certificates: ~97% one valid per person; 1.5% revoked and replaced, 1.5% revoked only."""
    chosen = rng.sample(range(1, n_learners + 1), n_certs - n_certs * 15 // 1000)
    replaced = set(chosen[: n_certs * 15 // 1000])
    revoked_only = set(chosen[len(replaced): len(replaced) + n_certs * 15 // 1000])
    serial = 0
    for user_id in chosen:
        audience = AUDIENCES[(user_id - 1) % 4]
        day = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
        issues = [("revoked", day), ("valid", day + timedelta(days=3))] if user_id in replaced else [
            ("revoked" if user_id in revoked_only else "valid", day)]
        for status, on in issues:
            serial += 1
            yield (f"B{serial:09d}", user_id, "path", audience, audience, "Nguyễn Văn Bền", "Nguyễn V. B.",
                   on.isoformat(), f"{on.isoformat()} 03:00:00+00:00", "BENCH", "x", status)


USER_COLUMNS = "username, password_hash, must_change_password, full_name, audience, unit_id, locale, created_at"
CERT_COLUMNS = ("code, user_id, kind, subject, audience, full_name, masked_name, issued_on, issued_at, key_id, "
                "token, status")


def _copy(raw, table: str, columns: str, rows) -> None:
    with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def seed(app, engine_name: str, learners: int, certs: int) -> dict[str, float]:
    from lms.coverage.triggers import create_triggers, drop_triggers, rebuild
    from lms.db import db
    from lms.schema import upgrade
    from lms.units.importer import UnitRow, import_units

    rng = random.Random(2026)
    timings = {}
    with app.app_context():
        upgrade()
        import_units([UnitRow(*u) for u in units()], "bench", "bench")
        commune_ids = list(db.session.scalars(sa.text("SELECT id FROM lms_units WHERE level = 'commune'")))
        started = time.perf_counter()
        with db.engine.begin() as conn:
            drop_triggers(conn)  # a bulk load refills the covered-persons table once, at the end
        raw = db.engine.raw_connection()
        try:
            if engine_name == "postgres":
                _copy(raw.driver_connection, "lms_users", USER_COLUMNS, users(learners, commune_ids, rng))
                _copy(raw.driver_connection, "lms_certificates", CERT_COLUMNS, certificates(learners, certs, rng))
            else:
                cursor = raw.cursor()
                for table, columns, rows in (("lms_users", USER_COLUMNS, users(learners, commune_ids, rng)),
                                             ("lms_certificates", CERT_COLUMNS, certificates(learners, certs, rng))):
                    marks = ", ".join("?" * len(columns.split(",")))
                    batch = []
                    for row in rows:
                        batch.append(row)
                        if len(batch) == CHUNK:
                            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", batch)  # noqa: S608
                            batch = []
                    cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", batch)  # noqa: S608
            raw.commit()
        finally:
            raw.close()
        timings["load users + certificates (s)"] = time.perf_counter() - started
        started = time.perf_counter()
        with db.engine.begin() as conn:
            covered = rebuild(conn)
            create_triggers(conn)
        timings["rebuild covered-persons table (s)"] = time.perf_counter() - started
        timings["covered persons"] = covered
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE" if engine_name == "postgres" else "ANALYZE"))
        seed_targets_and_baselines(db)
    return timings


def seed_targets_and_baselines(db) -> None:
    """Baselines per commune for the report year, so percents and roll-ups are computed too."""
    rows = [{"unit_id": uid, "audience": a, "year": REPORT_YEAR, "population": 2600, "source": "bench"}
            for uid in db.session.scalars(sa.text("SELECT id FROM lms_units WHERE level = 'commune'"))
            for a in (*AUDIENCES, "adults")]
    db.session.execute(sa.text("INSERT INTO lms_baselines (unit_id, audience, year, population, source) "
                               "VALUES (:unit_id, :audience, :year, :population, :source)"), rows)
    db.session.commit()


def timed(fn, repeat: int) -> tuple[float, float]:
    fn()  # warm the caches once, as a dashboard that is in use has them
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), min(samples)


def measure(app, repeat: int) -> dict[str, tuple[float, float]]:
    from lms.coverage.measure import Scope, counts, live_counts
    from lms.coverage.report import build_report
    from lms.db import db
    from lms.units.services import by_code

    results = {}
    with app.app_context():
        province = by_code("17")

        def report(unit):
            def run() -> None:
                build_report(unit, REPORT_YEAR, REPORT_DAY)
                db.session.rollback()  # a fresh transaction per "request"
            return run

        results["dashboard figures, one province (100 communes)"] = timed(report(province), repeat)
        results["dashboard figures, whole country (34 provinces)"] = timed(report(None), repeat)
        results["definition on users x certificates, whole country"] = timed(
            lambda: live_counts(Scope(None), REPORT_DAY), max(3, repeat // 2))
        fast, live = counts(Scope(None), REPORT_DAY), live_counts(Scope(None), REPORT_DAY)
        assert fast == live, "covered-persons table differs from the definition"
        results["check: table == definition"] = (float(sum(fast.values())), 0.0)
        results["trigger cost: issue + revoke 200 certificates, one commit each"] = trigger_cost(db)
    return results


def trigger_cost(db) -> tuple[float, float]:
    """Milliseconds per certificate change including its trigger (median, min)."""
    user_ids = list(db.session.scalars(sa.text(
        "SELECT u.id FROM lms_users u WHERE NOT EXISTS (SELECT 1 FROM lms_certificates c WHERE c.user_id = u.id) "
        "ORDER BY u.id LIMIT 200")))
    samples = []
    for n, user_id in enumerate(user_ids):
        started = time.perf_counter()
        db.session.execute(sa.text(
            "INSERT INTO lms_certificates (code, user_id, kind, subject, audience, full_name, masked_name, issued_on,"
            " issued_at, key_id, token, status) SELECT :code, id, 'path', audience, audience, 'x', 'x', :on, :at,"
            " 'B', 'x', 'valid' FROM lms_users WHERE id = :uid"),
            {"code": f"T{n:08d}", "on": REPORT_DAY, "at": "2026-11-27 03:00:00+00:00", "uid": user_id})
        db.session.commit()
        db.session.execute(sa.text("UPDATE lms_certificates SET status = 'revoked' WHERE code = :code"),
                           {"code": f"T{n:08d}"})
        db.session.commit()
        samples.append((time.perf_counter() - started) * 1000 / 2)
    return statistics.median(samples), min(samples)


def machine() -> str:
    lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines()
    model = next((line.split(":", 1)[1].strip() for line in lscpu if line.startswith("Model name")), "?")
    cores = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    return f"{cores} cores (nproc), {model} (lscpu), Python {platform.python_version()}"


def run_engine(name: str, args: argparse.Namespace, workdir: Path) -> tuple[dict, dict]:
    from lms import create_app

    if name == "postgres":
        admin = sa.create_engine(args.pg_admin, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{PG_DB}"'))
        admin.dispose()
        url = args.pg_admin.rsplit("/", 1)[0] + "/" + PG_DB
    else:
        url = "sqlite:///" + str(workdir / "coverage.sqlite3")
    instance = workdir / f"instance-{name}"
    app = create_app({"LMS_INSTANCE_PATH": str(instance), "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url})
    seeding = seed(app, name, args.learners, args.certificates)
    print(f"{name}: seeded {seeding}", file=sys.stderr)
    return seeding, measure(app, args.repeat)


def markdown(results: dict[str, tuple[dict, dict]], args: argparse.Namespace) -> str:
    lines = [
        f"## Coverage figures (issue 6) — {date.today().isoformat()}", "",
        f"Machine: {machine()}.", "",
        f"`.venv/bin/python bench/coverage.py`: {args.learners:,} learners, {args.certificates:,} path "
        f"certificates (1.5% revoked and re-issued, 1.5% revoked), {PROVINCES} provinces x {COMMUNES} communes, "
        f"baselines per commune; report {REPORT_YEAR} as of {REPORT_DAY}. Milliseconds, median of "
        f"{args.repeat} after one warm-up (min in brackets).", "",
        "| measure | " + " | ".join(results) + " |",
        "|---|" + "---:|" * len(results),
    ]
    keys = list(next(iter(results.values()))[1])
    for key in keys:
        cells = []
        for _seeding, timings in results.values():
            median, low = timings[key]
            cells.append(f"{median:,.0f} persons" if key.startswith("check") else f"{median:,.1f} ({low:,.1f})")
        lines.append(f"| {key} | " + " | ".join(cells) + " |")
    for key in next(iter(results.values()))[0]:
        cells = [f"{seeding[key]:,.1f}" if isinstance(seeding[key], float) else f"{seeding[key]:,}"
                 for seeding, _t in results.values()]
        lines.append(f"| seeding: {key} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", default="postgres,sqlite")
    parser.add_argument("--learners", type=int, default=1_000_000)
    parser.add_argument("--certificates", type=int, default=700_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--pg-admin", default=PG_ADMIN)
    parser.add_argument("--out", type=Path, default=None, help="also write the Markdown section here")
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory(prefix="lms-bench-coverage-") as workdir:
        for name in args.engines.split(","):
            results[name] = run_engine(name, args, Path(workdir))
    text = markdown(results, args)
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
