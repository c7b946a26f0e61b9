"""Certificate PDFs: rendered once into ``<instance>/certificates/<CODE>.pdfa.pdf``, served from then on.

Each PDF is PDF/A-3b with the certificate's signed Open Badges credential embedded: the very
bytes the credential download serves, kept beside it as ``<CODE>.json`` (signed once, first
writer wins: :func:`lms.certificates.files.write_once`), so the PDF's attachment and the
download are byte for byte the same. (PDFs kept before, ``<CODE>.pdf``, had no attachment:
they are no longer read, and deleted at revocation like the rest.)

A certificate's PDF never changes while it is valid (name, course, unit and date are the
record's, frozen at issuance), so the first download renders it (tens of ms) and every
later one sends the file. The file is written to a temporary name in the same folder and
renamed, so a reader never sees half a PDF and two workers rendering at once are harmless.
Revoking deletes the file (after the commit), and the download views refuse revoked certificates anyway.

The renderer (fonts, stylesheet) is built on first use in each process, not at import and
not in a thread. A deployment that wants even the first PDF of a worker fast can call
:func:`warm_up` from gunicorn's ``post_worker_init`` hook.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from flask import Flask, current_app

from lms.certificates.files import write_atomically
from lms.certificates.models import Certificate
from lms.certificates.records import pdf_view
from lms.signals import certificate_revoked

log = logging.getLogger(__name__)


def folder() -> Path:
    return Path(current_app.instance_path) / "certificates"


#: what is kept of one certificate, by code: the PDF/A (and the PDF kept before it), the credential
KEPT_FILES = ("{code}.pdfa.pdf", "{code}.pdf", "{code}.json")


def cached_path(cert: Certificate) -> Path:
    return folder() / f"{cert.code}.pdfa.pdf"


def credential_path(cert: Certificate) -> Path:
    return folder() / f"{cert.code}.json"


def pdf_file(cert: Certificate, credential: bytes) -> Path:
    """The valid certificate's PDF file with ``credential`` (its signed JSON) embedded,
    rendered now if it was not yet."""
    if cert.status != "valid":
        raise ValueError("a revoked certificate has no PDF")
    path = cached_path(cert)
    if not path.is_file():
        from lms.certificates.pdf import (
            render_certificate_pdf,  # WeasyPrint and the fonts load on the first PDF, not in every worker
        )

        write_atomically(path, render_certificate_pdf(pdf_view(cert), credential=credential))
    return path


@certificate_revoked.connect
def _discard_on_revocation(app: Flask, *, code: str, status: str) -> None:
    """A revoked certificate's kept PDF and credential are deleted (the download views refuse
    it anyway)."""
    for name in KEPT_FILES:
        try:
            (Path(app.instance_path) / "certificates" / name.format(code=code)).unlink(missing_ok=True)
        except OSError:
            log.exception("cannot delete %s of revoked certificate %s", name, code)


def warm_up() -> None:
    """Load fonts and layout caches now (~0.1 s) rather than in the first learner's download."""
    from lms.certificates.pdf import (
        default_renderer,  # WeasyPrint and the fonts load on the first PDF, not in every worker
    )

    default_renderer().warm_up()


def batch_pdf(certs: Sequence[Certificate], credentials: Sequence[bytes | None] | None = None,
              progress: Callable[[int, int], None] | None = None) -> bytes:
    """One PDF, a page per certificate, rendered in one pass (~15 ms a page), each
    certificate's credential (same order) embedded; with ``progress``, in parts, telling it
    (done, total) pages."""
    from lms.certificates.pdf import (
        render_batch_pdf,  # WeasyPrint and the fonts load on the first PDF, not in every worker
    )

    return render_batch_pdf([pdf_view(cert) for cert in certs], credentials=credentials, progress=progress)
