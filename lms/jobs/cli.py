"""``lms worker``: run the queue's jobs (RQ, on ``LMS_REDIS_URL``) until stopped."""

from __future__ import annotations

import logging
import threading

import click
from flask import current_app
from flask.cli import with_appcontext

from lms.db import db
from lms.jobs import services
from lms.jobs.runners import recover, redis_connection, rq_queue, set_worker_app, settings, submit

log = logging.getLogger(__name__)


def _sweep_forever(app, queue, every: float, stop: threading.Event) -> None:
    """Every ``every`` seconds: requeue the jobs whose worker died (on any machine); when the
    queue is empty, hand Redis again the jobs the database says still wait (Redis lost them: a
    restart without persistence); forget old jobs. Running a job twice is harmless: only one
    runner can claim it."""
    while not stop.wait(every):
        try:
            recover(app)
            with app.app_context():
                if queue.count == 0:
                    for job_id in services.waiting_since(db.engine, 2 * every):
                        log.warning("job %s: queued in the database, not in Redis; queued again", job_id)
                        submit(app, job_id)
                services.purge_finished(db.engine, float(app.config["LMS_JOB_KEEP_DAYS"]))
        except Exception:  # the sweep must outlive a database or Redis hiccup
            log.warning("job sweep failed", exc_info=True)


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty (for cron or tests).")
@with_appcontext
def worker_command(burst: bool) -> None:
    """Run queued jobs (class certificate PDFs...) from Redis (LMS_REDIS_URL) until stopped."""
    from rq import SimpleWorker  # loaded by the worker only

    app = current_app._get_current_object()
    if not app.config.get("LMS_REDIS_URL"):
        raise click.ClickException("LMS_REDIS_URL is not set: without Redis, jobs run inside the app "
                                   "and no worker is needed.")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    set_worker_app(app)
    connection = redis_connection(app)
    conf = settings(app)
    # first the jobs a dead worker left behind, then every half stale-period
    recover(app)
    queue = rq_queue(app, connection)
    stop = threading.Event()
    threading.Thread(target=_sweep_forever, args=(app, queue, max(0.5, conf["stale"] / 2), stop),
                     name="lms-job-sweep", daemon=True).start()
    # SimpleWorker runs each job in this process (the app, its fonts and connection pool stay
    # warm); a job killed with the process is found by the heartbeat sweep and run again
    worker = SimpleWorker([queue], connection=connection)
    try:
        worker.work(burst=burst, logging_level="INFO", with_scheduler=False)
    finally:
        stop.set()


commands = [worker_command]
