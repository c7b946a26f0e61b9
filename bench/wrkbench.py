"""Shared helpers for benchmarks: gunicorn on loopback, wrk runs, result parsing.

Every load goes to 127.0.0.1 only and is bounded in time.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
#: gunicorn's gthread worker: a thread can run Python while another waits for the database,
#: and keep-alive connections are reused (the sync worker closes every connection)
THREADS = int(os.environ.get("BENCH_GUNICORN_THREADS", "1"))


#: url -> gunicorn master pid of the servers running now (for CPU accounting)
SERVERS: dict[str, int] = {}

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def fresh_postgres(name: str) -> str:
    """An empty PostgreSQL database on 127.0.0.1 for one benchmark (dropped first if it exists)."""
    import sqlalchemy as sa

    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + name


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(app: str, env: dict, workers: int = 2, path: str = "/", threads: int = THREADS):
    port = free_port()
    # BENCH_SERVER_LOG=FOLDER keeps each server's log (tracebacks of any 500) as FOLDER/gunicorn-<port>.log
    folder = os.environ.get("BENCH_SERVER_LOG")
    log = open(Path(folder) / f"gunicorn-{port}.log", "wb") if folder else subprocess.PIPE  # noqa: SIM115
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--threads", str(threads), "--log-level", "warning",
         # gunicorn.conf.py (read from the folder) recycles workers every ~5,000 requests: not during a run
         "--max-requests", "0", app],
        env={"LMS_BASE_URL": f"http://127.0.0.1:{port}", **os.environ, **env}, cwd=REPO,
        stdout=subprocess.DEVNULL, stderr=log,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url + path, timeout=2).read()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                said = process.stderr.read().decode()[-2000:] if process.stderr else f"see {folder}"
                raise RuntimeError(said) from None
            time.sleep(0.3)
    SERVERS[url] = process.pid
    try:
        yield url
    finally:
        SERVERS.pop(url, None)
        process.terminate()
        process.wait(15)


def wrk(url: str, connections: int, seconds: int, script: Path | None = None,
        headers: dict[str, str] | None = None) -> dict:
    threads = min(connections, 2)
    args = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--latency", "--timeout", "5s"]
    for name, value in (headers or {}).items():
        args += ["-H", f"{name}: {value}"]
    if script is not None:
        args += ["-s", str(script)]
    out = subprocess.run([*args, url], capture_output=True, text=True, timeout=seconds + 60, check=True).stdout
    return parse_wrk(out)


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(us|ms|s)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def parse_wrk(out: str) -> dict:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": rps, "p50_ms": p50, "p99_ms": p99, "requests": total,
            "non_2xx": int(non2xx.group(1)) if non2xx else 0, "socket_errors": errors.group(1) if errors else ""}


def lua_requests(path: Path, method: str, items: list[tuple[str, str, str]], stop_when_done: bool,
                 threads: int) -> Path:
    """A wrk script cycling through (path, bearer token, JSON body) items, split between threads."""
    rows = ",\n".join(
        "{%s, %s, %s}" % (_lua(p), _lua(t), _lua(b)) for p, t, b in items  # noqa: UP031
    )
    path.write_text(f"""
local items = {{ {rows} }}
local counter = 0
local threads = {{}}
function setup(thread)
  thread:set("id", counter)
  table.insert(threads, thread)
  counter = counter + 1
end
function init(args)
  index = id + 1
  step = {threads}
end
function request()
  if index > #items then
    {"wrk.thread:stop()" if stop_when_done else "index = ((index - 1) % #items) + 1"}
    index = ((index - 1) % #items) + 1
  end
  local item = items[index]
  index = index + step
  return wrk.format("{method}", item[1], {{["Authorization"] = "Bearer " .. item[2],
    ["Content-Type"] = "application/json"}}, item[3])
end
""", encoding="utf-8")
    return path


def _lua(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def workers_cpu_seconds(url: str) -> float:
    """User + system CPU seconds used so far by the gunicorn workers serving ``url`` (Linux /proc)."""
    master = SERVERS[url]
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in children:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / ticks
