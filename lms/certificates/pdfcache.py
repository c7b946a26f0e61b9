"""Certificate PDFs: rendered once into ``<instance>/certificates/<CODE>.pdf``, served from then on.

A certificate's PDF never changes while it is valid (name, course, unit and date are the
record's, frozen at issuance), so the first download renders it (tens of ms) and every
later one sends the file. The file is written to a temporary name in the same folder and
renamed, so a reader never sees half a PDF and two workers rendering at once are harmless.
Revoking deletes the file, and the download views refuse revoked certificates anyway.

The renderer (fonts, stylesheet) is built on first use in each process, not at import and
not in a thread. A deployment that wants even the first PDF of a worker fast can call
:func:`warm_up` from gunicorn's ``post_worker_init`` hook.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from flask import current_app
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload

from lms.certificates.files import write_atomically
from lms.certificates.models import Certificate
from lms.certificates.records import pdf_view
from lms.classes.models import Classroom, Enrollment
from lms.db import db


def folder() -> Path:
    return Path(current_app.instance_path) / "certificates"


def cached_path(cert: Certificate) -> Path:
    return folder() / f"{cert.code}.pdf"


def pdf_file(cert: Certificate) -> Path:
    """The valid certificate's PDF file, rendered now if it was not yet."""
    if cert.status != "valid":
        raise ValueError("a revoked certificate has no PDF")
    path = cached_path(cert)
    if not path.is_file():
        from lms.certificates.pdf import render_certificate_pdf

        write_atomically(path, render_certificate_pdf(pdf_view(cert)))
    return path


def discard(cert: Certificate) -> None:
    cached_path(cert).unlink(missing_ok=True)


def warm_up() -> None:
    """Load fonts and layout caches now (~0.1 s) rather than in the first learner's download."""
    from lms.certificates.pdf import default_renderer

    default_renderer().warm_up()


# -- a class's certificates ---------------------------------------------------------------


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


def batch_pdf(certs: Sequence[Certificate]) -> bytes:
    """One PDF, a page per certificate, rendered in one pass (~15 ms a page)."""
    from lms.certificates.pdf import render_batch_pdf

    return render_batch_pdf([pdf_view(cert) for cert in certs])
