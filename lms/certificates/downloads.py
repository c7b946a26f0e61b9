"""The files a holder (or their teacher, or an admin) takes away: the PDF and the Open Badge."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Sequence

from flask import Response, current_app, send_file

from lms.certificates import pdfcache, records, statuslists
from lms.certificates.credential import build_credential, sign_credential
from lms.certificates.files import write_once
from lms.certificates.issuing import keystore
from lms.certificates.models import Certificate
from lms.certificates.tokens import CertificateClaims
from lms.certificates.urls import base_url, verify_url


def _private(response: Response) -> Response:
    # the holder's full name is inside: no shared cache, but the browser may revalidate (ETag)
    response.cache_control.public = False
    response.cache_control.private = True
    response.cache_control.no_cache = True
    return response


def send_pdf(cert: Certificate) -> Response:
    """The kept PDF of a valid certificate (rendered on the first request)."""
    path = pdfcache.pdf_file(cert, credential_bytes(cert))
    response = send_file(path, mimetype="application/pdf", as_attachment=True,
                         download_name=f"chung-nhan-{cert.code}.pdf", etag=True, conditional=True, max_age=None)
    return _private(response)


def subject_salt(cert: Certificate) -> str:
    """The salt of the learner's name hash: the same for every download of one certificate,
    unknowable without the server's secret key (so the subject id alone reveals nothing)."""
    secret = str(current_app.config["SECRET_KEY"]).encode("utf-8")
    return hmac.new(secret, b"ob3-subject-salt:" + cert.code.encode("ascii"), hashlib.sha256).hexdigest()[:32]


def signed_credential(cert: Certificate) -> dict:
    """An Open Badges 3.0 credential for ``cert``, signed (eddsa-rdfc-2022 and eddsa-jcs-2022) with the
    active key; its ``credentialStatus`` names its bit in the published revocation list."""
    claims = CertificateClaims(
        code=cert.code, masked_name=cert.masked_name, kind=cert.kind, subject=cert.subject,
        audience=cert.audience, unit_code=cert.unit_code, issued_on=cert.issued_on, kid=cert.key_id,
    )
    # the path certificate goes by its one name; a course certificate by the course's title
    title = records.PATH_CERTIFICATE_NAME_VI if cert.kind == "path" else records.title_vi(cert)
    vc = build_credential(
        claims, full_name=cert.full_name, title=title, issuer_name=current_app.config["LMS_ISSUER"],
        base_url=base_url(), credential_id=verify_url(cert), issued_at=cert.issued_at, salt=subject_salt(cert),
        credential_status=statuslists.entry_for(cert.status_index) if cert.status_index is not None else None,
    )
    return sign_credential(vc, keystore())


def credential_bytes(cert: Certificate) -> bytes:
    """The valid certificate's signed credential as served and as embedded in its PDF: signed
    on first use and kept (``<instance>/certificates/<CODE>.json``), the same bytes ever after."""
    if cert.status != "valid":
        raise ValueError("a revoked certificate has no credential")
    path = pdfcache.credential_path(cert)
    if path.is_file():
        return path.read_bytes()
    body = json.dumps(signed_credential(cert), ensure_ascii=False, indent=2).encode("utf-8")
    return write_once(path, body)


def batch_pdf(certs: Sequence[Certificate], progress: Callable[[int, int], None] | None = None) -> bytes:
    """Valid certificates (e.g. a class's) as one PDF, each page's credential embedded; with
    ``progress``, laid out in parts that report (done, total) pages (the job queue's page)."""
    return pdfcache.batch_pdf(certs, [credential_bytes(cert) for cert in certs], progress=progress)


def send_credential(cert: Certificate) -> Response:
    body = credential_bytes(cert)
    response = current_app.response_class(body, mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="chung-nhan-{cert.code}.json"'
    return _private(response)
