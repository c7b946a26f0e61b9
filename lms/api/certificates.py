"""Certificates over the API: public status by code, PDF and credential, revocation, my certificates.

``GET /certificates/<code>`` is public (and rate-limited with the verification pages);
the rest need a bearer token. The JSON of the QR's target itself is ``/V/<token>`` with
``Accept: application/json`` (lms.certificates.views).
"""

from __future__ import annotations

from flask import Response, jsonify

from lms.api.auth import api_error, api_user, token_required
from lms.api.blueprint import bp
from lms.api.openapi import CODE, ERROR, SECURED, TEXT, json_object, ok_response, register_paths
from lms.certificates import recordcache, records
from lms.certificates.codes import normalize_code
from lms.certificates.downloads import send_credential, send_pdf
from lms.certificates.models import Certificate
from lms.certificates.urls import verify_url
from lms.db import db, reads_from_replica
from lms.i18n import _
from lms.web.formatting import current_locale
from lms.web.inputs import read_json
from lms.web.urls import public_url


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/certificates/<code>")
@reads_from_replica
def certificate_status(code: str) -> Response:
    """Anyone may ask whether a code is a valid certificate; the answer holds no personal data."""
    cert = recordcache.public_record(code)
    if cert is None:
        return _no_store(jsonify({"code": normalize_code(code) or code[:40], "status": "unknown"}))
    return _no_store(jsonify(records.public_facts(cert, current_locale())))


def _own_or_taught(code: str) -> Certificate | tuple[Response, int]:
    cert = records.by_code(code)
    if cert is None or not records.can_download(api_user(), cert):
        return api_error(404, "not_found", _("No such certificate."))
    if cert.status != "valid":
        return api_error(410, "revoked", _("This certificate was revoked; it can no longer be downloaded."))
    return cert


@bp.get("/certificates/<code>/pdf")
@token_required()
def certificate_pdf(code: str) -> Response | tuple[Response, int]:
    """The certificate PDF, for its holder, their teacher or an admin."""
    found = _own_or_taught(code)
    return send_pdf(found) if isinstance(found, Certificate) else found


@bp.get("/certificates/<code>/credential")
@token_required()
def certificate_credential(code: str) -> Response | tuple[Response, int]:
    """The signed Open Badges 3.0 credential."""
    found = _own_or_taught(code)
    return send_credential(found) if isinstance(found, Certificate) else found


@bp.post("/certificates/<code>/revoke")
@token_required("admin", "official")
def certificate_revoke(code: str) -> Response | tuple[Response, int]:
    """Revoke with a reason (shown publicly); audited."""
    body = read_json()
    reason = body.get("reason") if isinstance(body, dict) else None
    if not isinstance(reason, str):
        return api_error(400, "bad_request", _("Send {\"reason\": ...}."))
    cert = records.by_code(code)
    if cert is None:
        return api_error(404, "not_found", _("No such certificate."))
    try:
        records.revoke(cert, reason, api_user())
    except records.RevokeError as error:
        status = {"already_revoked": 409, "outside_your_unit": 403}.get(error.code, 400)
        return api_error(status, error.code, error.message)
    db.session.commit()
    return jsonify(records.public_facts(cert, current_locale()))


@bp.get("/me/certificates")
@token_required()
def my_certificates() -> Response:
    """The learner's own certificates, newest first, valid and revoked."""
    locale = current_locale()
    out = []
    for cert in records.of_user(api_user().id):
        valid = cert.status == "valid"
        out.append({
            "code": cert.code, "kind": cert.kind,
            "course": cert.subject if cert.kind == "course" else None,
            "path": cert.subject if cert.kind == "path" else None,
            "title": records.title(cert, locale), "status": cert.status,
            "issued_on": cert.issued_on.isoformat(), "verify_url": verify_url(cert),
            "pdf_url": public_url(".certificate_pdf", code=cert.code) if valid else None,
            "credential_url": public_url(".certificate_credential", code=cert.code) if valid else None,
        })
    return jsonify(out)


_FACTS = {"type": "object", "required": ["code", "status"], "properties": {
    "code": {"type": "string", "examples": ["7KQ4-M2XD-9RTE-H3AB"]},
    "status": {"type": "string", "enum": ["valid", "revoked", "unknown"]},
    "kind": {"type": "string", "enum": ["course", "path"]},
    "course": {"type": ["string", "null"]}, "path": {"type": ["string", "null"]},
    "title": {"type": "string"}, "masked_name": {"type": "string", "examples": ["Nguyễn V. A."]},
    "audience": {"type": ["string", "null"]}, "audience_label": {"type": ["string", "null"]},
    "unit": {"type": ["string", "null"], "description": "commune or ward code"},
    "unit_name": {"type": ["string", "null"]}, "issued_on": {"type": "string", "format": "date"},
    "issuer": {"type": "string"}, "key_id": {"type": "string"},
    "revoked_on": {"type": ["string", "null"], "format": "date"}, "revocation_reason": {"type": ["string", "null"]},
    "verify_url": {"type": "string"}}}
_FILE = {"description": "The file", "content": {}}
_ERRORS = {"4XX": {"description": "Error", "content": {"application/json": {"schema": ERROR}}}}

register_paths({
    "/certificates/{code}": {"get": {
        "summary": "Is this code a valid certificate? (public, rate-limited per address)", "parameters": [CODE],
        "responses": ok_response("Status and the certificate's public facts (masked name only)", _FACTS),
    }},
    "/certificates/{code}/pdf": {"get": {
        "summary": "The certificate PDF (holder, their teacher, admin)", "security": SECURED, "parameters": [CODE],
        "responses": {"200": {**_FILE, "content": {"application/pdf": {}}}, **_ERRORS},
    }},
    "/certificates/{code}/credential": {"get": {
        "summary": "Open Badges 3.0 credential, signed (eddsa-jcs-2022)", "security": SECURED, "parameters": [CODE],
        "responses": ok_response("An OpenBadgeCredential", {"type": "object"}),
    }},
    "/certificates/{code}/revoke": {"post": {
        "summary": "Revoke a certificate (admin, official)", "security": SECURED, "parameters": [CODE],
        "requestBody": {"required": True, "content": {"application/json": {"schema": json_object({
            "type": "object", "required": ["reason"], "properties": {"reason": TEXT}})}}},
        "responses": ok_response("The revoked certificate's public facts", _FACTS),
    }},
    "/me/certificates": {"get": {
        "summary": "My certificates", "security": SECURED,
        "responses": ok_response("Newest first", {"type": "array", "items": {"type": "object", "properties": {
            "code": {"type": "string"}, "kind": {"type": "string", "enum": ["course", "path"]},
            "course": {"type": ["string", "null"]}, "path": {"type": ["string", "null"]},
            "title": {"type": "string"}, "status": {"type": "string", "enum": ["valid", "revoked"]},
            "issued_on": {"type": "string", "format": "date"}, "verify_url": {"type": "string"},
            "pdf_url": {"type": ["string", "null"]}, "credential_url": {"type": ["string", "null"]}}}}),
    }},
})
