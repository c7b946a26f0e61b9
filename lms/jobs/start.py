"""Starting a job from a domain's view: record it, hand it to a runner, send the person to its page."""

from __future__ import annotations

from flask import current_app, redirect, url_for
from werkzeug.wrappers import Response

from lms.db import db
from lms.jobs import services
from lms.jobs.registry import get_kind
from lms.jobs.runners import submit


def start_job(kind: str, owner_id: int, params: dict) -> int:
    """Queue a job of a registered ``kind`` for ``owner_id``; its id."""
    if get_kind(kind) is None:
        raise ValueError(f"unknown job kind {kind!r}")
    # old files go here too, not only in ``lms worker``: without Redis there is no worker
    services.purge_finished(db.engine, float(current_app.config["LMS_JOB_KEEP_DAYS"]))
    job = services.create_job(kind, owner_id, params)
    submit(current_app._get_current_object(), job.id)
    return job.id


def start_and_show(kind: str, owner_id: int, params: dict) -> Response:
    """Queue the job and answer with a redirect (303) to its progress page."""
    return redirect(url_for("lms_jobs.show", job_id=start_job(kind, owner_id, params)), code=303)
