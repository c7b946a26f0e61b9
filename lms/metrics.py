"""Prometheus metrics (``prometheus_client``), served at ``/metrics`` by :mod:`lms.ops`.

Every name the LMS exports is defined here, so a dashboard can rely on them:

========================================  =========  =====================================
``lms_http_requests_total``               counter    ``endpoint`` (Flask's endpoint name, never
                                                     the raw path), ``method``, ``status``
``lms_http_request_duration_seconds``     histogram  ``endpoint``
``lms_answers_saved_total``               counter    answers committed
``lms_attempts_graded_total``             counter    ``result``: passed, failed
``lms_certificates_issued_total``         counter
``lms_certificates_revoked_total``        counter
``lms_verifications_total``               counter    ``outcome``: valid, revoked, invalid, limited
``lms_queue_depth``                       gauge      ``queue``: jobs waiting (read at scrape time)
``lms_jobs_total``                        counter    ``job``, ``outcome``: done, failed
========================================  =========  =====================================

**Several processes.** Under gunicorn each worker counts in its own memory unless
``PROMETHEUS_MULTIPROC_DIR`` names an empty folder, writable by the workers, before they start:
``prometheus_client`` then keeps every process's values in files there and ``/metrics`` adds
them up (``gunicorn.conf.py`` sets it up, empties it at start and marks dead workers). The queue
depth is asked of the queue when ``/metrics`` is scraped (:func:`set_queue_depth_reader`), not
kept in files: it is a fact of Redis, not of a process.

The counters are cheap (a lock and an addition; in multiprocess mode a write to a memory-mapped
file). Answers saved and certificates revoked are counted once committed; an attempt is counted
when it is graded and a certificate when it is issued, inside the submit's transaction (a submit
that then fails would count once too many: rare, and never the other way round).
"""

from __future__ import annotations

import os
from collections.abc import Callable

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client import multiprocess as _multiprocess
from prometheus_client.core import GaugeMetricFamily


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or os.environ.get("prometheus_multiproc_dir") or None


if multiprocess_dir():
    # prometheus_client writes each process's values there from the first metric on: a folder
    # named in the environment but not made yet (a fresh container) must not stop the import
    os.makedirs(multiprocess_dir(), exist_ok=True)

#: answered by /metrics with this content type
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
#: buckets for page latency on slow phones and a busy day: 5 ms to 10 s
_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUESTS = Counter("lms_http_requests", "HTTP requests answered by the LMS", ["endpoint", "method", "status"])
LATENCY = Histogram("lms_http_request_duration_seconds", "Time to answer an LMS request", ["endpoint"],
                    buckets=_BUCKETS)
ANSWERS_SAVED = Counter("lms_answers_saved", "Quiz answers saved (committed)")
ATTEMPTS_GRADED = Counter("lms_attempts_graded", "Quiz attempts graded", ["result"])
CERTIFICATES_ISSUED = Counter("lms_certificates_issued", "Certificates issued")
CERTIFICATES_REVOKED = Counter("lms_certificates_revoked", "Certificates revoked")
VERIFICATIONS = Counter("lms_verifications", "Certificate checks (QR, typed code, API)", ["outcome"])
JOBS = Counter("lms_jobs", "Background jobs finished", ["job", "outcome"])

_queue_depth_reader: Callable[[], dict[str, int]] | None = None


def set_queue_depth_reader(reader: Callable[[], dict[str, int]] | None) -> None:
    """Call once per process (the job queue's set-up): ``reader()`` returns ``{queue name: jobs
    waiting}`` and is called on each scrape of ``/metrics``; an exception there leaves the gauge
    out rather than failing the scrape."""
    global _queue_depth_reader
    _queue_depth_reader = reader


def job_finished(job: str, ok: bool) -> None:
    """Count a background job that finished (``ok``) or failed; for the worker to call."""
    JOBS.labels(job=job, outcome="done" if ok else "failed").inc()


#: labelled children by label values: ``labels()`` costs several microseconds a call (it checks
#: and joins the values under a lock); a dict look-up costs a tenth of one. Bounded: endpoint
#: names, methods and statuses are finite sets.
_request_children: dict[tuple[str, str, int], tuple] = {}
_verification_children: dict[str, object] = {}


def observe_request(endpoint: str | None, method: str, status: int, seconds: float) -> None:
    key = (endpoint or "unmatched", method, status)  # a 404 has no endpoint: one label, never the raw path
    children = _request_children.get(key)
    if children is None:
        children = _request_children[key] = (
            REQUESTS.labels(endpoint=key[0], method=method, status=str(status)), LATENCY.labels(endpoint=key[0]))
    children[0].inc()
    children[1].observe(seconds)


def verified(outcome: str) -> None:
    """Count a certificate check: valid, revoked, invalid, or limited (refused by the rate limit)."""
    child = _verification_children.get(outcome)
    if child is None:
        child = _verification_children[outcome] = VERIFICATIONS.labels(outcome=outcome)
    child.inc()


def exposition() -> bytes:
    """The text ``/metrics`` answers: every process's values in multiprocess mode, else this one's."""
    registry = REGISTRY
    if multiprocess_dir():
        registry = CollectorRegistry()
        _multiprocess.MultiProcessCollector(registry)
    body = generate_latest(registry)
    depth = _queue_depths()
    if depth is not None:
        body += depth
    return body


def _queue_depths() -> bytes | None:
    if _queue_depth_reader is None:
        return None
    try:
        depths = _queue_depth_reader()
    except Exception:  # a queue that does not answer must not fail the scrape; the gauge is left out
        return None
    # a metric family made for this answer only: a Gauge object would write files in multiprocess mode
    family = GaugeMetricFamily("lms_queue_depth", "Jobs waiting in the queue", labels=["queue"])
    for queue, count in sorted(depths.items()):
        family.add_metric([queue], float(count))
    registry = CollectorRegistry()
    registry.register(_Fixed(family))
    return generate_latest(registry)


class _Fixed:
    """A collector that yields one metric family made beforehand."""

    def __init__(self, family: GaugeMetricFamily) -> None:
        self.family = family

    def collect(self):  # noqa: ANN201 (prometheus_client's collector protocol)
        yield self.family


def mark_process_dead(pid: int) -> None:
    """For gunicorn's ``child_exit`` hook: drop a dead worker's live gauges (multiprocess mode)."""
    if multiprocess_dir():
        _multiprocess.mark_process_dead(pid)
