"""Start-up and memory of the web workers: ``gunicorn -w 2 'lms:create_app()'``.

For each of ``--runs`` starts: the time from launching gunicorn to the first answer of a learner page
(the catalogue), then each worker's RSS and PSS (``/proc/PID/smaps_rollup``) once both workers have
answered, and again after ``--requests`` more requests to learner pages (home, catalogue, a course,
a lesson). Also the modules one ``create_app()`` plus a lesson page imports, in a fresh interpreter.

    .venv/bin/python bench/startup.py --runs 5
    .venv/bin/python bench/startup.py --runs 5 --code /tmp/older-checkout   # the same, on other code

SQLite in a temporary instance folder, the repository's courses. Binds 127.0.0.1 only and stops the
gunicorn it started. Prints one Markdown table row per measure, with the date, machine and load.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
MODULES = """
import sys
from lms import create_app
app = create_app({"LMS_COURSES_DIR": sys.argv[1]})
client = app.test_client()
assert client.get(sys.argv[2]).status_code == 200
heavy = ("alembic", "mako", "pygments", "openpyxl", "weasyprint")
print(len(sys.modules), " ".join(h for h in heavy if h in sys.modules) or "-")
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, timeout: float = 10.0) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, ""


def memory_kb(pid: int) -> tuple[int, int]:
    """RSS and PSS of one process, in kB."""
    text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    rss = int(re.search(r"^Rss:\s+(\d+)", text, re.M).group(1))
    pss = int(re.search(r"^Pss:\s+(\d+)", text, re.M).group(1))
    return rss, pss


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def workers_in(log: Path) -> set[str]:
    return set(log.read_text().replace("<", " ").replace(">", " ").split()) if log.exists() else set()


def hammer(urls: list[str], count: int, threads: int = 4) -> None:
    """``count`` GETs spread over the URLs, ``threads`` at a time; every answer must be 200."""
    lock, todo = threading.Lock(), list(range(count))

    def run() -> None:
        while True:
            with lock:
                if not todo:
                    return
                i = todo.pop()
            status, _ = get(urls[i % len(urls)])
            assert status == 200, (status, urls[i % len(urls)])

    pool = [threading.Thread(target=run) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()


def one_run(env: dict, code: Path, paths: list[str], requests: int, extra: list[str]) -> dict:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = Path(env["LMS_INSTANCE_PATH"]) / f"access-{port}.log"
    started = time.perf_counter()
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "--access-logfile", str(log),
         "--access-logformat", "%(p)s", *extra, "lms:create_app()"],
        env=env, cwd=code, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = started + 60
        while True:
            try:
                status, _ = get(base + "/courses/", timeout=5)
                if status == 200:
                    break
            except OSError:
                pass
            if time.perf_counter() > deadline or server.poll() is not None:
                raise RuntimeError("gunicorn did not answer within 60 s")
            time.sleep(0.01)
        first = time.perf_counter() - started
        # CPU used until the first answer, which the machine's load does not inflate: the master's, and
        # the least of the workers' (the one that answered had loaded the app)
        cpu = cpu_seconds(server.pid) + min(cpu_seconds(c) for c in children(server.pid))
        # both workers have loaded the app and answered a page before "after start" is read
        deadline = time.perf_counter() + 30
        while len(workers_in(log)) < 2 and time.perf_counter() < deadline:
            hammer([base + "/courses/"], 4, threads=2)
        pids = [int(p) for p in workers_in(log)]
        after_start = [memory_kb(pid) for pid in pids]
        hammer([base + p for p in paths], requests)
        after_requests = [memory_kb(pid) for pid in pids]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    return {"first": first, "cpu": cpu, "after_start": after_start, "after_requests": after_requests}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--code", type=Path, default=REPO, help="checkout whose lms package is measured")
    parser.add_argument("--preload", action="store_true", help="gunicorn --preload (gunicorn.conf.py's default now)")
    parser.add_argument("--no-preload", action="store_true", help="LMS_PRELOAD=0: each worker imports the app")
    args = parser.parse_args()
    code = args.code.resolve()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="lms-startup-") as tmp:
        env = {**os.environ, "PYTHONPATH": str(code), "LMS_INSTANCE_PATH": tmp, "LMS_BASE_URL": "http://127.0.0.1",
               "LMS_COURSES_DIR": str(REPO / "courses")}
        if args.no_preload:
            env["LMS_PRELOAD"] = "0"
        # bytecode made beforehand, as the Dockerfile does (PYTHONDONTWRITEBYTECODE may be set here too)
        subprocess.run([sys.executable, "-m", "compileall", "-q", "lms"], cwd=code, check=True, capture_output=True)
        cli = [sys.executable, "-c", "from lms.cli import main; main()"]
        subprocess.run([*cli, "init"], env=env, cwd=code, check=True, capture_output=True)
        subprocess.run([*cli, "courses", "import", str(REPO / "courses")], env=env, cwd=code, check=True,
                       capture_output=True)
        # the pages: home, catalogue, the first course and its first lesson, found on a running app
        probe = subprocess.run(
            [sys.executable, "-c", "import sys, re\nfrom lms import create_app\nc = create_app().test_client()\n"
             "course = re.search(r'href=\"(/courses/[^/\"]+/)\"', c.get('/courses/').get_data(as_text=True)).group(1)\n"
             "lesson = re.search(r'href=\"(' + course + 'lessons/[^\"]+)\"', c.get(course).get_data(as_text=True))"
             ".group(1)\nprint(course, lesson)"],
            env=env, cwd=code, check=True, capture_output=True, text=True)
        course, lesson = probe.stdout.split()
        paths = ["/", "/courses/", course, lesson]
        modules = subprocess.run([sys.executable, "-c", MODULES, str(REPO / "courses"), lesson],
                                 env=env, cwd=code, check=True, capture_output=True, text=True).stdout.split(maxsplit=1)
        extra = ["--preload"] if args.preload else []
        runs = [one_run(env, code, paths, args.requests, extra) for _ in range(args.runs)]
    load_after = os.getloadavg()

    def med(values: list[float]) -> float:
        return statistics.median(values)

    firsts = [r["first"] for r in runs]
    rows = {
        "first response after start, s": (med(firsts), f"{min(firsts):.2f}–{max(firsts):.2f}"),
    }
    cpus = [r["cpu"] for r in runs]
    rows["CPU until then (master + a worker), s"] = (med(cpus), f"{min(cpus):.2f}–{max(cpus):.2f}")
    for when in ("after_start", "after_requests"):
        rss = [kb / 1024 for r in runs for kb, _ in r[when]]
        pss = [kb / 1024 for r in runs for _, kb in r[when]]
        label = "after start" if when == "after_start" else f"after {args.requests} requests"
        rows[f"RSS per worker {label}, MB"] = (med(rss), f"{min(rss):.1f}–{max(rss):.1f}")
        rows[f"PSS per worker {label}, MB"] = (med(pss), f"{min(pss):.1f}–{max(pss):.1f}")
    print(f"date {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} cores; {platform.processor() or ''}"
          f" Python {platform.python_version()}; code: {code}; runs: {args.runs}"
          f"{'; gunicorn --preload' if args.preload else ''}{'; LMS_PRELOAD=0' if args.no_preload else ''}")
    print(f"load average (1/5/15 min) before {load_before[0]:.2f}/{load_before[1]:.2f}/{load_before[2]:.2f}, "
          f"after {load_after[0]:.2f}/{load_after[1]:.2f}/{load_after[2]:.2f}")
    print(f"modules after create_app() and a lesson page: {modules[0]}; heavy ones loaded: {modules[1].strip()}")
    print("| measure | median | range |\n|---|---|---|")
    for name, (value, spread) in rows.items():
        print(f"| {name} | {value:.2f} | {spread} |")


if __name__ == "__main__":
    main()
