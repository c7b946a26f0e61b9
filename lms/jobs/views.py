"""``GET /jobs/<id>``: a job's progress (the page refreshes itself, no JavaScript), its error in
the reader's language, or the link to its file; ``GET /jobs/<id>/download``: the file.

Only the job's owner, or someone the job's kind says could have started it, sees either;
anyone else gets 404, as if the job did not exist."""

from __future__ import annotations

import io
from datetime import timedelta

from flask import abort, current_app, render_template, send_file
from flask.typing import ResponseReturnValue

from lms.accounts.auth import current_user, login_required
from lms.db import db, now_utc
from lms.jobs.blueprint import bp
from lms.jobs.models import Job
from lms.jobs.registry import error_message, get_kind
from lms.jobs.runners import recover, resubmit_waiting, settings
from lms.jobs.services import file_content

#: seconds between two refreshes of a job's page while it is not finished
REFRESH_SECONDS = 3


def _visible_job(job_id: int) -> Job:
    job = db.session.get(Job, job_id)
    user = current_user()
    if job is None or user is None:
        abort(404)
    if job.owner_id != user.id:
        kind = get_kind(job.kind)
        if kind is None or kind.may_view is None or not kind.may_view(user, dict(job.params or {})):
            abort(404)
    return job


def _nudge(job: Job) -> None:
    """A job whose runner died is queued again when someone looks at it (``lms worker`` sweeps
    too); a queued job nobody took for a while is handed over again (lms.jobs.runners.resubmit_waiting)."""
    app = current_app._get_current_object()
    stale = timedelta(seconds=settings(app)["stale"])
    if job.status == "running" and job.heartbeat_at and now_utc() - job.heartbeat_at > stale:
        if recover(app, job.id):
            db.session.refresh(job)
    elif job.status == "queued" and now_utc() - (job.heartbeat_at or job.created_at) > stale:
        resubmit_waiting(app, job.id)


def _available(job: Job) -> bool:
    kind = get_kind(job.kind)
    if kind is None:
        return False
    params = dict(job.params or {})
    if kind.available is not None and not kind.available(params):
        return False
    return not (kind.outdated is not None and job.started_at is not None and kind.outdated(params, job.started_at))


@bp.get("/<int:job_id>", endpoint="show")
@login_required
def show(job_id: int) -> ResponseReturnValue:
    job = _visible_job(job_id)
    _nudge(job)
    kind = get_kind(job.kind)
    params = dict(job.params or {})
    back = kind.back(params) if kind and kind.back else None
    done_url = kind.done_url(params) if kind and kind.done_url and job.status == "done" else None
    response = current_app.make_response(render_template(
        "lms/jobs/job.html", job=job, title=kind.title if kind else job.kind, back=back,
        gone=not _available(job), done_url=done_url,
        error=error_message(job.kind, job.error_key) if job.status == "failed" else None,
        refresh=None if job.finished else REFRESH_SECONDS,
    ))
    response.cache_control.no_store = True
    return response


@bp.get("/<int:job_id>/download", endpoint="download")
@login_required
def download(job_id: int) -> ResponseReturnValue:
    job = _visible_job(job_id)
    content = file_content(job.id) if job.status == "done" and _available(job) else None
    if content is None:
        abort(404)
    response = send_file(io.BytesIO(content), mimetype=job.result_type or "application/octet-stream",
                         as_attachment=True, download_name=job.result_name or f"job-{job.id}")
    response.cache_control.private = True
    response.cache_control.no_store = True
    return response
