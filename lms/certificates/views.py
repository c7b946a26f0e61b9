"""Public pages of the certificates package: verification (QR target, code form, offline
check), the published keys and the issuer's DID. No login anywhere here.

The pages for holders, teachers and admins (certificate page, PDF, credential, revocation)
are in :mod:`lms.certificates.pages`, on the same blueprint (:mod:`lms.certificates.blueprint`).
"""

from __future__ import annotations

from flask import (
    Response,
    abort,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)

from lms.audiences import AUDIENCE_LABELS
from lms.certificates import offlinelist, records, sharing, statuslists, verdict
from lms.certificates.blueprint import bp
from lms.certificates.codes import crockford_decode, normalize_code
from lms.certificates.credential import did_document, did_web, key_document
from lms.certificates.issuing import published_keystore
from lms.certificates.keys import is_kid
from lms.certificates.tokens import token_from_url
from lms.certificates.urls import base_url
from lms.certificates.verification import Outcome, check_code, check_token
from lms.db import reads_from_replica
from lms.i18n import _
from lms.web.assets import asset
from lms.web.formatting import current_locale
from lms.web.negotiation import wants_json
from lms.web.urls import public_url


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


#: a card may show a status for 5 minutes in a shared cache; the page (no-store) is the authority,
#: and its og:image URL changes with the status
CARD_MAX_AGE = 300


@bp.get("/V/<token>/card.png")
def share_card(token: str) -> Response:
    """The picture of a shared verification link (og:image): masked name; REVOKED when revoked."""
    outcome = check_token(token)
    if outcome.cert is None:
        abort(404)
    response = send_file(sharing.card_file(outcome.cert), mimetype="image/png", etag=True, conditional=True,
                         max_age=CARD_MAX_AGE, download_name=f"chung-nhan-{outcome.cert.code}.png")
    response.cache_control.public = True
    response.headers["X-Robots-Tag"] = "noindex"
    return response


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


#: a revocation list older than this does not confirm a status offline ("not confirmed" instead)
MAX_LIST_DAYS = 7


@bp.get("/verify/offline")
def offline() -> Response:
    """The offline check: signature, and status from the revocation list kept since the last visit."""
    messages = {
        "status_valid": verdict.TEXTS["valid"], "status_revoked": verdict.TEXTS["revoked"],
        "status_invalid": verdict.TEXTS["invalid"], "status_unconfirmed": _("SIGNATURE VALID"),
        "valid": verdict.TEXTS["valid_line"], "revoked": verdict.TEXTS["revoked_line"],
        "unconfirmed": _("Issued by us and not altered, but this device has no recent revocation list: it may "
                         "have been revoked since. Connect to the internet once to update the list."),
        "invalid": verdict.TEXTS["invalid_line"],
        "unknown_key": _("Signed with a key this device does not know yet. Connect to the internet once "
                         "to update the keys, then check again."),
        "no_keys": _("No keys on this device yet: open this page once while online."),
        "unsupported": _("This browser cannot check signatures offline. Use the online check."),
        # "{date}" and "{days}" are filled in by the script
        "list_date": _("Revocation list of %(date)s", date="{date}"),
        "no_list": _("No revocation list on this device yet: open this page once while online."),
        "list_stale": _("This list is more than %(days)s days old.", days="{days}"),
        "unknown_name": _("(not on this device yet: connect once to update)"),
        "compare_id": verdict.TEXTS["compare_id"], "revoked_on": verdict.TEXTS["revoked_on"],
        "name": verdict.TEXTS["name"], "course": verdict.TEXTS["course"], "path": verdict.TEXTS["path"],
        "path_title": _("Universal digital skills certificate"), "audience": verdict.TEXTS["audience"],
        "unit": verdict.TEXTS["unit"], "issued": verdict.TEXTS["issued_on"], "issued_by": verdict.TEXTS["issued_by"],
        "code": verdict.TEXTS["code"], "check_online": _("Check online"),
        "input": _("Certificate link or token"), "check": _("Check"),
    }
    messages = {key: str(text) for key, text in messages.items()}
    messages.update({code: str(label) for code, label in AUDIENCE_LABELS.items()})
    page = render_template("lms/certificates/offline.html", messages=messages, max_list_days=MAX_LIST_DAYS,
                           prefix=current_app.extensions["lms"].url_prefix)
    response = make_response(page)
    response.cache_control.private = True
    response.cache_control.max_age = 3600
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/verify/offline/revoked.json")
def offline_revocations() -> Response:
    """The signed list the offline page keeps: revoked certificates (hashed codes), names, its date."""
    response = current_app.response_class(offlinelist.current(), mimetype="application/json")
    response.cache_control.no_cache = True  # a phone must get today's list when it asks...
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.add_etag()  # ...but over 3G a "not modified" is enough while the kept list is current
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


@bp.get("/keys/<kid>.json")
def key(kid: str) -> Response:
    """One signing key (active or retired) as a W3C Multikey document: the issuer's key at a
    plain HTTPS URL, for verifiers that do not resolve ``did:web``."""
    public = published_keystore().public_key(kid) if is_kid(kid) else None
    if public is None:
        abort(404)
    url = public_url("lms_certificates.key", kid=kid)
    return _public_json(key_document(public, url=url, controller=did_web(base_url())))


#: list numbers past this are refused before any database look-up (131,072 certificates a list)
MAX_LIST_NUMBER = 100_000


@bp.get("/credentials/status/<int:number>")
def status_list(number: int) -> Response:
    """The W3C Bitstring Status List credential (revocation), signed; what wallets check."""
    text = statuslists.published(number) if number <= MAX_LIST_NUMBER else None
    if text is None:
        abort(404)
    response = current_app.response_class(text, mimetype="application/json")
    response.cache_control.public = True
    response.cache_control.max_age = 300  # the list's own "ttl"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/did.json")
@bp.get("/.well-known/did.json")
def did() -> Response:
    """The issuer's ``did:web`` document (the Open Badges export's proofs name these keys)."""
    return _public_json(did_document(published_keystore(), base_url()))

