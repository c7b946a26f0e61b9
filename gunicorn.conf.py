"""gunicorn settings for the LMS: ``gunicorn -c gunicorn.conf.py "lms:create_app()"``.

Every value can be overridden on the command line (``--bind``, ``--workers``) or through
``GUNICORN_CMD_ARGS``; the environment variables read here are listed in README ("Production").

**Workers from cores.** ``WEB_CONCURRENCY`` if set, else 2 x cores + 1 (gunicorn's own advice
for sync workers), at most 12. A request is CPU-bound Python (template, signature, one or two
short queries): more workers than that only add memory and context switches. Sync workers are
safe because the reverse proxy (nginx in docker-compose.yml) buffers whole requests and
responses, so a learner on slow 3G holds an nginx buffer, never a worker.

**Preload.** ``preload_app = True`` (``LMS_PRELOAD=0`` turns it off): the master imports the app
once and :func:`lms.app.warm_up` configures the ORM and compiles the learner pages' templates, then
the workers are forked from it. On 2 shared cores this, with no garbage collection while the app
loads (below) and URL builders compiled on first use (lms.web.routing), brings the first answer
under a second (two workers no longer import ~1,000 modules at the same time), and the forked
workers share those pages (PSS ~11 MB less each); see bench/RESULTS.md. Fork safety: the master opens no
database connection, and every child replaces its connection pools with empty ones
(``os.register_at_fork`` in :mod:`lms.db`); the in-memory rate-limit counters and caches are empty
when the master forks; redis-py and prometheus_client notice the new process id themselves.
The cost: ``kill -HUP`` restarts the workers from the master's copy of the code, so deploying new
code needs a restart of gunicorn (``docker compose restart``, ``systemctl restart``) or
``kill -USR2`` (a new master), not ``-HUP``.

**Metrics from every worker.** ``/metrics`` must add up all workers, so prometheus_client runs
in multiprocess mode: ``PROMETHEUS_MULTIPROC_DIR`` (made here under the system's temporary folder
if not given) is emptied when gunicorn starts, and ``child_exit`` marks a dead worker's files,
so its live gauges disappear while its counters still count.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import tempfile
from pathlib import Path

# Python's own recipe for a server that forks without exec (docs of gc.freeze): no collection while
# the ~1,000 modules and the app load (each full collection walks every object made so far: ~0.15 s
# of a one-second start), then the master freezes what it loaded before forking, so a worker's
# collections never touch (and copy) the pages it shares with the master. Enabled again in
# when_ready, before any worker exists; a worker that loads the app itself does the same.
gc.disable()

bind = os.environ.get("LMS_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY") or min(2 * multiprocessing.cpu_count() + 1, 12))
worker_class = "sync"
preload_app = os.environ.get("LMS_PRELOAD", "1") != "0"
timeout = 30  # a request that takes longer is a bug or a job (lms worker), not a page
graceful_timeout = 30
keepalive = 5  # the proxy keeps connections to the app servers open
max_requests = 5000  # a worker is replaced now and then, so slow memory growth never piles up
max_requests_jitter = 500
accesslog = "-"
# the path without its query string, and the request id the LMS put in the response
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms %({x-request-id}o)s'

if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="lms-prometheus-")
# made now: the logging set-up below imports the LMS (and prometheus_client) before on_starting runs
Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]).mkdir(parents=True, exist_ok=True)

if os.environ.get("LMS_LOG_FORMAT", "").strip().lower() == "json":
    # gunicorn's own lines (start-up, worker deaths, access) as JSON too, with the request id
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "lms.logs.JsonFormatter"}},
        "filters": {"request_id": {"()": "lms.logs.RequestIdFilter"}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr",
                                "formatter": "json", "filters": ["request_id"]}},
        "root": {"level": "INFO", "handlers": ["stderr"]},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
        },
    }


def on_starting(server) -> None:
    """Start from an empty metrics folder: files left by a previous run would be added in."""
    folder = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.db"):
        old.unlink()


def when_ready(server) -> None:
    """Preloaded: do in the master what each worker's first request would do (lms.app.warm_up),
    then freeze everything loaded so far and let the collector run again (see gc.disable above)."""
    try:
        if server.cfg.preload_app:
            _warm_up(server)
    finally:
        gc.freeze()
        gc.enable()


def _warm_up(server) -> None:
    app = server.app.wsgi()
    if "lms" not in getattr(app, "extensions", {}):
        return  # another app served with this file (a host app, the benchmarks' bare page)
    from lms.app import warm_up

    try:
        warm_up(app)
    except Exception:  # a host app without the LMS's pages: the workers still start
        server.log.exception("warm-up failed")


def on_reload(server) -> None:
    """``kill -HUP`` reads this file again (so gc.disable() ran again) but loads no app and calls no
    when_ready: the collector goes back on here."""
    gc.enable()


def post_fork(server, worker) -> None:
    """Not preloaded: this worker loads the app itself, without collections until it has. Preloaded:
    the collector is on in every worker, whatever the master's state."""
    if server.cfg.preload_app:
        gc.enable()
    else:
        gc.disable()


def post_worker_init(worker) -> None:
    """With LMS_PDF_WARM_UP=1, load the PDF renderer's fonts now (~1 s a worker, more on a busy
    machine), not in the first download. Off by default: a worker stopped during it waits for it,
    and gunicorn reads this file from the current folder even when not asked to (tests, `make`)."""
    if not gc.isenabled():  # loaded the app itself (post_fork)
        gc.freeze()
        gc.enable()
    if os.environ.get("LMS_PDF_WARM_UP", "0") != "1":
        return
    from lms.certificates.pdfcache import warm_up

    try:
        warm_up()
    except Exception:  # a missing font must not stop the worker: the first PDF will say why
        worker.log.exception("PDF warm-up failed")


def child_exit(server, worker) -> None:
    from lms.metrics import mark_process_dead

    mark_process_dead(worker.pid)
