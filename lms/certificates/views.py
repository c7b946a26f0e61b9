"""Public pages of the certificates package: verification (QR target, code form, offline
check), the published keys and the issuer's DID. No login anywhere here.

The pages for holders, teachers and admins (certificate page, PDF, credential, revocation)
are in :mod:`lms.certificates.pages`, on the same blueprint (:mod:`lms.certificates.blueprint`).
"""

from __future__ import annotations

from flask import (
    Response,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)

from lms.audiences import AUDIENCE_LABELS
from lms.certificates import records, verdict
from lms.certificates.blueprint import bp
from lms.certificates.codes import crockford_decode, normalize_code
from lms.certificates.credential import did_document
from lms.certificates.issuing import published_keystore
from lms.certificates.tokens import token_from_url
from lms.certificates.urls import base_url
from lms.certificates.verification import Outcome, check_code, check_token
from lms.db import reads_from_replica
from lms.i18n import _
from lms.web.assets import asset
from lms.web.formatting import current_locale
from lms.web.negotiation import wants_json


def private_answer(response: Response) -> Response:
    for name, value in verdict.PRIVATE_HEADERS:
        response.headers[name] = value
    response.vary.add("Accept")
    return response


def answer(outcome: Outcome, code: str | None = None, code_error: str | None = None,
           not_found: bool = False, via: str = "qr") -> Response:
    """The verification result as a page, or as JSON for ``Accept: application/json``.

    ``not_found``: a well-formed typed code that no certificate has; the page says "not found,
    check each character" and suggests codes one symbol away (JSON keeps ``"invalid"``).
    """
    if wants_json():
        facts = records.public_facts(outcome.cert, current_locale()) if outcome.cert is not None else None
        return private_answer(jsonify({**(facts or {}), "status": outcome.status}))
    return verdict.page(outcome, code=code, code_error=code_error, not_found=not_found, via=via)


@bp.get("/v/<token>")
@bp.get("/V/<token>")  # registered first: url_for builds the upper-case form the QR uses
@reads_from_replica
def verify_token(token: str) -> Response:
    """The QR code's target: VALID, REVOKED or NOT VALID in large words."""
    return answer(check_token(token))


def _looks_like_token(text: str) -> str | None:
    token = token_from_url(text).upper()
    if len(token) < 130:  # the shortest token is 138 symbols
        return None
    try:
        crockford_decode(token)
    except ValueError:
        return None
    return token


@bp.get("/verify")
@reads_from_replica
def verify_code() -> Response:
    """The form for typing a code when the camera cannot scan (GET: nothing changes)."""
    typed = (request.args.get("code") or "").strip()
    if not typed:
        return verdict.page(Outcome("invalid"), code="", code_error=None, form_only=True)
    code = normalize_code(typed)
    if code is None:
        token = _looks_like_token(typed)  # a pasted verify link works too
        if token is not None:
            return redirect(url_for(".verify_token", token=token))
        error = _("A certificate code has 16 letters and digits, like 7KQ4-M2XD-9RTE-H3AB.")
        return answer(Outcome("invalid"), code=typed[:40], code_error=error)
    outcome = check_code(code)
    return answer(outcome, code=code, not_found=outcome.entry is None, via="code")


@bp.get("/verify/offline")
def offline() -> Response:
    """The signature check that works without a connection once opened online."""
    messages = {
        "valid": _("Valid signature: this certificate was issued by us and has not been altered."),
        "invalid": _("Not valid: this certificate was not issued by us, or it has been altered."),
        "unknown_key": _("Signed with a key this device does not know yet. Connect to the internet once "
                         "to update the keys, then check again."),
        "no_keys": _("No keys on this device yet: open this page once while online."),
        "unsupported": _("This browser cannot check signatures offline. Use the online check."),
        "revocation": _("Revocation can only be checked online: this offline check proves who issued the "
                        "certificate and that it is unchanged, not that it is still valid."),
        "compare_id": _("Compare the name with the holder's ID document."),
        "name": _("Name"), "course": _("Course"), "path": _("Digital skills path"), "audience": _("Audience"),
        "unit": _("Unit code"), "issued": _("Issued on"), "code": _("Certificate code"), "key": _("Signing key"),
        "keys_updated": _("Keys updated"), "check_online": _("Check online"),
        "input": _("Certificate link or token"), "check": _("Check"),
    }

    messages.update({code: str(label) for code, label in AUDIENCE_LABELS.items()})
    page = render_template("lms/certificates/offline.html", messages=messages,
                           prefix=current_app.extensions["lms"].url_prefix)
    response = make_response(page)
    response.cache_control.private = True
    response.cache_control.max_age = 3600
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/verify-sw.js")
def service_worker() -> Response:
    """Served from the LMS root so its scope covers ``<prefix>/V/...``."""
    data, _mime, etag = asset(str(bp.static_folder), "verify-sw.js")
    response = current_app.response_class(data, mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = current_app.extensions["lms"].url_prefix + "/"
    response.cache_control.no_cache = True
    response.set_etag(etag)
    return response.make_conditional(request)


def _public_json(body: dict) -> Response:
    response = jsonify(body)
    response.cache_control.public = True
    response.cache_control.max_age = 300
    response.headers["Access-Control-Allow-Origin"] = "*"  # any verifier app may fetch it
    return response


@bp.get("/.well-known/lms-keys.json")
def keys() -> Response:
    """Public keys (JWK set): the active one first, retired ones kept so old certificates verify."""
    return _public_json(published_keystore().public_jwks())


@bp.get("/did.json")
@bp.get("/.well-known/did.json")
def did() -> Response:
    """The issuer's ``did:web`` document (the Open Badges export's proofs name these keys)."""
    return _public_json(did_document(published_keystore(), base_url()))

