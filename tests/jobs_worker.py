"""``python -m tests.jobs_worker``: ``lms worker`` for the job-queue tests (no tests here);
``python -m tests.jobs_worker run-one JOB_ID``: one job run as the app's thread would, without Redis.

With ``LMS_TEST_SLOW_PART_SECONDS`` set, the class certificates PDF is laid out one page at a
time and waits that long after each page, so a test can kill the worker in the middle of a job.
With ``LMS_TEST_HOLD_AFTER_PART`` set, it stops for good after the first page (its heartbeat goes
on): the job stays half done until the test kills the process, however loaded the machine is.
Production code has no such hook: the wrapping happens here, in the test's worker process only.
"""

from __future__ import annotations

import os
import sys
import threading
import time

import lms.certificates.pdf as pdf
from lms.cli import main

delay = float(os.environ.get("LMS_TEST_SLOW_PART_SECONDS") or 0)
hold = bool(os.environ.get("LMS_TEST_HOLD_AFTER_PART"))
if delay or hold:
    original = pdf.CertificateRenderer.render_in_parts

    def slow_parts(self, views, progress, credentials=None, part=1):
        def slowly(done: int, total: int) -> None:
            progress(done, total)
            if hold:
                threading.Event().wait()  # until SIGKILL: the job's other threads (its heartbeat) go on
            time.sleep(delay)

        return original(self, views, slowly, credentials, part=1)

    pdf.CertificateRenderer.render_in_parts = slow_parts


def run_one(job_id: int) -> None:
    """Run one job in this process as an app's background thread would (no Redis)."""
    from lms.app import create_app
    from lms.jobs.runners import execute

    execute(create_app(), job_id)


if __name__ == "__main__":
    if sys.argv[1:2] == ["run-one"]:
        run_one(int(sys.argv[2]))
    else:
        sys.exit(main(["worker", *sys.argv[1:]]))
