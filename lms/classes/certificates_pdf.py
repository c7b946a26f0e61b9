"""A class's certificates as one PDF to print: every valid certificate of its current learners."""

from __future__ import annotations

import io
from collections.abc import Sequence

from flask import Response, abort, render_template, send_file, url_for
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload

from lms.accounts.auth import current_user, roles_required
from lms.certificates.downloads import batch_pdf
from lms.certificates.models import Certificate
from lms.classes.blueprint import site_bp
from lms.classes.models import Classroom, Enrollment
from lms.classes.services import can_manage, class_courses
from lms.db import db


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


@site_bp.get("/certificates/class/<int:class_id>.pdf")
@roles_required("teacher", "admin")
def class_pdf(class_id: int) -> Response | tuple[str, int]:
    """Every valid certificate of the class's learners as one PDF, a page each, to print."""
    classroom = db.session.get(Classroom, class_id)
    if not can_manage(current_user(), classroom):
        abort(404)
    certs = class_certificates(classroom, [course.id for course in class_courses(classroom)])
    if not certs:
        back = url_for("lms_classes.progress", class_id=class_id)
        return render_template("lms/classes/certificates_empty.html", classroom=classroom, back=back), 404
    response = send_file(io.BytesIO(batch_pdf(certs)), mimetype="application/pdf", as_attachment=True,
                         download_name=f"chung-nhan-lop-{class_id}.pdf")
    response.cache_control.private = True
    response.cache_control.no_store = True
    return response
