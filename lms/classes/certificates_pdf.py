"""A class's certificates as one PDF to print: every valid certificate of its current learners.

Up to ``LMS_CLASS_PDF_SYNC_MAX`` pages the PDF is made on the request. A larger class's page
offers to prepare it as a job (lms.jobs: ~15 ms a page, a thousand pages is tens of seconds):
the teacher follows its progress and downloads it from any server."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime

from flask import abort, current_app, render_template, send_file, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload

from lms.accounts.auth import current_user, roles_required
from lms.certificates.downloads import batch_pdf
from lms.certificates.models import Certificate
from lms.classes.blueprint import site_bp
from lms.classes.models import Classroom, Enrollment
from lms.classes.services import can_manage, class_courses
from lms.db import db
from lms.i18n import _l
from lms.jobs.models import Job
from lms.jobs.registry import JobContext, JobError, JobKind, JobResult, register
from lms.jobs.start import start_and_show

JOB_KIND = "class_certificates"


def class_certificates(classroom: Classroom, course_ids: Sequence[int]) -> list[Certificate]:
    """Valid certificates of the class's current learners: its courses' and their path certificates.

    Ordered as a Vietnamese class list (by given name), each learner's courses in the class's
    order, the path certificate last.
    """
    learners = select(Enrollment.user_id).where(
        Enrollment.class_id == classroom.id, Enrollment.removed_at.is_(None)
    )
    kinds = [Certificate.kind == "path"]
    if course_ids:
        kinds.append(and_(Certificate.kind == "course", Certificate.course_id.in_(list(course_ids))))
    certs = db.session.scalars(
        select(Certificate)
        .options(joinedload(Certificate.course), joinedload(Certificate.unit))
        .where(Certificate.user_id.in_(learners), Certificate.status == "valid", or_(*kinds))
    )
    position = {course_id: i for i, course_id in enumerate(course_ids)}

    def order(cert: Certificate) -> tuple:
        name = cert.full_name.casefold()
        return (name.rsplit(" ", 1)[-1], name, cert.user_id,
                position.get(cert.course_id, len(position)) if cert.kind == "course" else len(position) + 1)

    return sorted(certs, key=order)


def _download_name(class_id: int) -> str:
    return f"chung-nhan-lop-{class_id}.pdf"


def _managed_class(class_id: int) -> Classroom:
    classroom = db.session.get(Classroom, class_id)
    if not can_manage(current_user(), classroom):
        abort(404)
    return classroom


def _empty(classroom: Classroom) -> tuple[str, int]:
    back = url_for("lms_classes.progress", class_id=classroom.id)
    return render_template("lms/classes/certificates_empty.html", classroom=classroom, back=back), 404


@site_bp.get("/certificates/class/<int:class_id>.pdf")
@roles_required("teacher", "admin")
def class_pdf(class_id: int) -> ResponseReturnValue:
    """Every valid certificate of the class's learners as one PDF, a page each, to print; for a
    large class, a page that prepares it as a job."""
    classroom = _managed_class(class_id)
    certs = class_certificates(classroom, [course.id for course in class_courses(classroom)])
    if not certs:
        return _empty(classroom)
    if len(certs) > int(current_app.config["LMS_CLASS_PDF_SYNC_MAX"]):
        latest = db.session.scalar(
            select(Job).where(Job.kind == JOB_KIND, Job.owner_id == current_user().id,
                              Job.params["class_id"].as_integer() == class_id, Job.status != "failed")
            .order_by(Job.id.desc()).limit(1))
        if latest is not None and latest.status == "done" and _revoked_since({"class_id": class_id}, latest.started_at):
            latest = None  # not "ready": a certificate in it was revoked since; prepare it again
        return render_template("lms/classes/certificates_prepare.html", classroom=classroom, count=len(certs),
                               latest=latest, back=url_for("lms_classes.progress", class_id=class_id))
    response = send_file(io.BytesIO(batch_pdf(certs)), mimetype="application/pdf", as_attachment=True,
                         download_name=_download_name(class_id))
    response.cache_control.private = True
    response.cache_control.no_store = True
    return response


@site_bp.post("/certificates/class/<int:class_id>/prepare")
@roles_required("teacher", "admin")
def prepare_class_pdf(class_id: int) -> ResponseReturnValue:
    """Start the job that makes the class's certificates PDF; its progress page follows."""
    classroom = _managed_class(class_id)
    return start_and_show(JOB_KIND, current_user().id, {"class_id": classroom.id})


# -- the job -----------------------------------------------------------------------------------


def _build(context: JobContext) -> JobResult:
    classroom = db.session.get(Classroom, int(context.params["class_id"]))
    if classroom is None:
        raise JobError("class_gone")
    certs = class_certificates(classroom, [course.id for course in class_courses(classroom)])
    if not certs:
        raise JobError("no_certificates")
    return JobResult(batch_pdf(certs, progress=context.progress), _download_name(classroom.id), "application/pdf")


def _revoked_since(params: dict, since: datetime) -> bool:
    """A certificate of one of the class's learners revoked since the file was made (on any
    server: the database says so): the file may hold its page, so it is given out no more."""
    learners = select(Enrollment.user_id).where(Enrollment.class_id == int(params.get("class_id", 0)))
    return db.session.scalar(
        select(Certificate.id).where(Certificate.user_id.in_(learners), Certificate.status == "revoked",
                                     Certificate.revoked_at >= since).limit(1)
    ) is not None


def _may_view(user: object, params: dict) -> bool:
    """Who could start it: the class's teacher, an admin."""
    return can_manage(user, db.session.get(Classroom, int(params.get("class_id", 0))))


register(JobKind(
    JOB_KIND, _l("Certificates of the class (PDF)"), _build, may_view=_may_view,
    back=lambda params: url_for("lms_classes.progress", class_id=params["class_id"]),
    outdated=_revoked_since,
    errors={"no_certificates": _l("No learner of this class has a valid certificate yet."),
            "class_gone": _l("This class no longer exists.")},
))
