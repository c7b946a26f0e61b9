"""What the operations layer adds to each request (scale-out issue, item 4): a request id, the
request counter and latency histogram, a verification counter; single-process and prometheus'
multiprocess mode (what gunicorn runs). Also the cached key store a certificate issue reads.

    PYTHONPATH=. .venv/bin/python bench/ops_overhead.py [--n 200000]

Prints medians of 5 runs, in microseconds per request.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROUND = """
import statistics, time
from lms import metrics
from lms.logs import request_id_from
def one():
    request_id_from(None)
    metrics.observe_request("lms_certificates.verify_token", "GET", 200, 0.0012)
    metrics.verified("valid")
def run(n):
    start = time.perf_counter()
    for _ in range(n):
        one()
    return (time.perf_counter() - start) / n * 1e6
print(statistics.median(run({n}) for _ in range(5)))
"""


def per_request(n: int, multiprocess: bool) -> float:
    env = {**os.environ}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    with tempfile.TemporaryDirectory() as folder:
        if multiprocess:
            env["PROMETHEUS_MULTIPROC_DIR"] = folder
        out = subprocess.run([sys.executable, "-c", ROUND.format(n=n)], env=env, check=True,
                             capture_output=True, text=True).stdout
    return float(out)


def keystore_call(n: int) -> float:
    """issuing.keystore() once the keys are loaded: one clock read, the counter read at most every second."""
    from lms import create_app
    from lms.certificates.issuing import keystore
    from lms.db import db
    from lms.schema import upgrade

    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"LMS_INSTANCE_PATH": folder, "SECRET_KEY": "bench",
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/lms.sqlite3"})
        with app.app_context():
            upgrade()
            keystore()
            db.session.commit()
            runs = []
            for _ in range(5):
                start = time.perf_counter()
                for _ in range(n):
                    keystore()
                runs.append((time.perf_counter() - start) / n * 1e6)
            return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200_000)
    args = parser.parse_args()
    print("request id + request counter + latency histogram + verification counter, per request:")
    print(f"  one process:            {per_request(args.n, False):.2f} us")
    print(f"  multiprocess (gunicorn): {per_request(args.n, True):.2f} us")
    print(f"issuing.keystore(), keys cached (SQLite): {keystore_call(args.n // 10):.2f} us")


if __name__ == "__main__":
    main()
