"""Who runs a job: RQ workers (``lms worker``) when ``LMS_REDIS_URL`` is set, else a background
thread of this app process (the embedded default: ``make run`` needs no Redis and no worker).

Either way :func:`execute` does the work, with the same bookkeeping (lms.jobs.services): claim
the queued job, beat every few seconds while it runs, keep its file in the database. If Redis
cannot be reached when a job is submitted, the job runs in this process's thread instead of
failing the request.
"""

from __future__ import annotations

import logging
import queue
import threading
import time

from flask import Flask, current_app

from lms import metrics
from lms.db import db
from lms.jobs import services
from lms.jobs.registry import JobContext, JobError, get_kind

log = logging.getLogger(__name__)


def settings(app: Flask) -> dict:
    config = app.config
    stale = float(config["LMS_JOB_STALE_SECONDS"])
    return {"stale": stale, "beat": max(0.2, stale / 4), "max_attempts": int(config["LMS_JOB_MAX_ATTEMPTS"]),
            "timeout": int(config["LMS_JOB_TIMEOUT_SECONDS"]), "queue": str(config["LMS_JOB_QUEUE"])}


def uses_redis(app: Flask) -> bool:
    runner = str(app.config.get("LMS_JOB_RUNNER") or "auto")
    return runner == "rq" or (runner == "auto" and bool(app.config.get("LMS_REDIS_URL")))


# -- doing one job ---------------------------------------------------------------------------


class _Heart(threading.Thread):
    """Writes the job's heartbeat every ``every`` seconds, and its progress within a second of a
    change. Only this thread writes them, never the job's own: on SQLite the job's transaction
    may hold the write lock, and a write from its own thread would wait for itself."""

    def __init__(self, engine, claim: services.Claim, every: float) -> None:
        super().__init__(name=f"lms-job-{claim.job_id}-heartbeat", daemon=True)
        self.engine, self.claim, self.every = engine, claim, every
        self.percent: int | None = None
        self.stop = threading.Event()

    def run(self) -> None:
        written, last = None, time.monotonic()
        while not self.stop.wait(min(1.0, self.every)):
            percent = self.percent
            if percent == written and time.monotonic() - last < self.every:
                continue
            try:
                services.beat(self.engine, self.claim, percent)
                written, last = percent, time.monotonic()
            except Exception:  # a missed beat is harmless; the next one may get through
                log.warning("job %s: heartbeat failed", self.claim.job_id, exc_info=True)


def execute(app: Flask, job_id: int) -> str:
    """Run the queued job ``job_id`` now, in this thread; its final status ("skipped" when it was
    not queued any more: another runner has it or it ended). Counted in ``/metrics`` (lms_jobs)."""
    outcome, kind_name = _execute(app, job_id)
    if outcome in ("done", "failed"):
        metrics.job_finished(kind_name, outcome == "done")
    return outcome


def _execute(app: Flask, job_id: int) -> tuple[str, str]:
    with app.app_context():
        engine = db.engine
        claim = services.claim(engine, job_id)
        if claim is None:
            return "skipped", ""
        kind = get_kind(claim.kind)
        if kind is None:
            services.fail(engine, claim, "unknown_kind")
            return "failed", claim.kind
        heart = _Heart(engine, claim, settings(app)["beat"])

        def report(percent: int) -> None:
            heart.percent = percent

        heart.start()
        try:
            result = kind.run(JobContext(claim.job_id, claim.owner_id, claim.params, report))
        except JobError as error:
            db.session.rollback()
            services.fail(engine, claim, error.key)
            return "failed", claim.kind
        except Exception as error:  # noqa: BLE001 - any other failure is the queue's "failed"
            db.session.rollback()
            timed_out = type(error).__name__ == "JobTimeoutException"  # rq.timeouts, raised by the worker
            log.exception("job %s (%s) failed", claim.job_id, claim.kind)
            services.fail(engine, claim, "timeout" if timed_out else "failed")
            return "failed", claim.kind
        finally:
            heart.stop.set()
            db.session.remove()
        return ("done" if services.finish(engine, claim, result) else "skipped"), claim.kind


# -- the thread of the embedded default --------------------------------------------------------


class _ThreadRunner:
    """One daemon thread per process running jobs one at a time (a web process's CPU is for pages)."""

    def __init__(self) -> None:
        self._queue: queue.Queue[tuple[Flask, int]] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, app: Flask, job_id: int) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="lms-jobs", daemon=True)
                self._thread.start()
        self._queue.put((app, job_id))

    def _loop(self) -> None:
        while True:
            app, job_id = self._queue.get()
            try:
                execute(app, job_id)
            except Exception:  # the thread must survive one job's bookkeeping failure
                log.exception("job %s: runner failed", job_id)


THREAD = _ThreadRunner()


# -- RQ ----------------------------------------------------------------------------------------

#: the app ``lms worker`` built; RQ calls :func:`rq_entry` in that process
_worker_app: Flask | None = None


def set_worker_app(app: Flask) -> None:
    global _worker_app
    _worker_app = app


def rq_entry(job_id: int) -> str:
    """What RQ runs (by name): the job, in the worker's app."""
    return execute(_worker_app or current_app._get_current_object(), job_id)


def redis_connection(app: Flask):
    from redis import Redis  # only when Redis is configured

    return Redis.from_url(str(app.config["LMS_REDIS_URL"]), socket_connect_timeout=2, socket_timeout=5)


def rq_queue(app: Flask, connection=None):
    from rq import Queue  # only when Redis is configured

    return Queue(settings(app)["queue"], connection=connection or redis_connection(app))


def _enqueue(app: Flask, job_id: int) -> None:
    rq_queue(app).enqueue(
        "lms.jobs.runners.rq_entry", job_id, job_timeout=settings(app)["timeout"],
        result_ttl=0, failure_ttl=24 * 3600, description=f"lms job {job_id}",
    )


def submit(app: Flask, job_id: int) -> str:
    """Hand a queued (committed) job to a runner: "rq" or "thread"."""
    if uses_redis(app):
        try:
            _enqueue(app, job_id)
            return "rq"
        except Exception:  # Redis down: the person still gets their file, from this process
            log.warning("job %s: cannot reach Redis; running it in this process", job_id, exc_info=True)
    THREAD.submit(app, job_id)
    return "thread"


def resubmit_waiting(app: Flask, job_id: int) -> None:
    """A queued job nobody has taken for a while: without Redis, run it in this process's thread
    (its process may have stopped); with Redis, queue it again only when the queue is empty
    (Redis lost it) or cannot be reached (then the thread runs it)."""
    if uses_redis(app):
        try:
            if rq_queue(app).count:
                return  # still waiting its turn
        except Exception:  # Redis down: submit() below falls back to the thread
            log.warning("job %s: cannot reach Redis", job_id, exc_info=True)
        submit(app, job_id)
    else:
        THREAD.submit(app, job_id)


def recover(app: Flask, job_id: int | None = None) -> list[int]:
    """Requeue jobs whose runner died (``job_id``: only that one) and submit them again."""
    conf = settings(app)
    with app.app_context():
        found = services.recover_abandoned(db.engine, stale_seconds=conf["stale"],
                                           max_attempts=conf["max_attempts"], job_id=job_id)
    for found_id in found:
        log.warning("job %s: its runner stopped; queued again", found_id)
        submit(app, found_id)
    return found
