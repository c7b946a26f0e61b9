"""The verification verdict as an HTML page: the QR's target, so the busiest page we serve.

It is rendered straight from its Jinja template with everything it needs passed in, skipping
Flask's context processors (user, CSRF, helpers this page does not use): the page's texts come
from a per-locale table built once, its URLs from a per-prefix table built once, and its dates
are formatted here. The template, ``verify.html``, uses nothing else, so it stays plain Jinja
anyone can edit. The page is compressed here (Flask-Compress's general path costs three times
zlib's own ~25 us). For someone not signed in, the page rendered for a certificate is kept with
its cached record (:mod:`.recordcache`), so a repeat check renders nothing, and a revocation
drops both at once.
"""

from __future__ import annotations

import zlib
from datetime import date
from functools import cache, lru_cache
from urllib.parse import urlencode

from flask import Response, current_app, request, url_for
from flask_babel import format_date

from lms.accounts.auth import current_user
from lms.certificates import records, sharing
from lms.certificates.records import Public
from lms.certificates.verification import Outcome
from lms.clock import local_day
from lms.i18n import _l
from lms.web.assets import asset_url
from lms.web.formatting import current_locale

#: every text of the page (``t["key"]`` in the template); translated once per locale
TEXTS = {
    "valid": _l("VALID"),
    "revoked": _l("REVOKED"),
    "invalid": _l("NOT VALID"),
    "not_found": _l("NOT FOUND"),
    "check_title": _l("Check a certificate"),
    "certificate_check": _l("Certificate check"),
    "valid_line": _l("Issued by us and not altered."),
    "revoked_line": _l("This certificate was withdrawn and is no longer valid."),
    "invalid_line": _l("We did not issue this certificate, or it has been altered."),
    "not_found_line": _l("No certificate has this code — check each character."),
    "did_you_mean": _l("Did you mean:"),
    "holder": _l("Holder (shown only to verifiers, officials and administrators)"),
    "full_name": _l("Full name"),
    "birth_year": _l("Birth year"),
    "no_birth_year": _l("Not recorded"),
    "compare_card": _l("Compare with the holder's ID card. This look is recorded in the audit log."),
    "revoked_on": _l("Revoked on"),
    "reason": _l("Reason"),
    "name": _l("Name"),
    "path": _l("Digital skills path"),
    "course": _l("Course"),
    "audience": _l("Audience"),
    "unit": _l("Commune or ward"),
    "issued_on": _l("Issued on"),
    "issued_by": _l("Issued by"),
    "code": _l("Certificate code"),
    "compare_id": _l("Compare the name with the holder's ID document."),
    "revoke": _l("Revoke this certificate"),
    "type_code": _l("Type the certificate code"),
    "check": _l("Check"),
    "offline": _l("Check without internet"),
    # the card a chat app shows for a shared link (Open Graph): the masked name only
    "og_title_valid": _l("Certificate of %(name)s: %(title)s"),
    "og_description_valid": _l("%(name)s has completed %(title)s. Issued on %(date)s by %(issuer)s. "
                               "Open the link to check that the certificate is genuine."),
    "og_title_revoked": _l("REVOKED certificate: %(title)s"),
    "og_description_revoked": _l("This certificate was revoked on %(revoked)s and is no longer valid."),
}
TEMPLATE = "lms/certificates/verify.html"
#: a status can change at any moment, and the URL holds the certificate's token
PRIVATE_HEADERS: tuple[tuple[str, str], ...] = (
    ("Cache-Control", "no-store"),
    ("X-Robots-Tag", "noindex"),
    ("Referrer-Policy", "no-referrer"),
)
#: a page naming the holder (verifier's view): never kept by anyone, this process included
FULL_VIEW_HEADERS: tuple[tuple[str, str], ...] = (("Cache-Control", "private, no-store"), *PRIVATE_HEADERS[1:])
GZIP_MIN_BYTES = 500  # below that, gzip's own 18 bytes and the time are not worth it
#: the variants kept per certificate (language, mount point, query, compression): typed spellings
#: of a code each make one, and must not grow the cache without bound
MAX_PAGES_PER_RECORD = 4


@cache
def _texts(locale: str) -> dict[str, str]:
    """Called under ``locale`` (the LMS's own gettext domain: the same catalogs in every app)."""
    return {key: str(text) for key, text in TEXTS.items()}


def _urls() -> dict[str, str]:
    """The page's links, per mount point (a host app may serve the LMS under several roots)."""
    cache = current_app.extensions["lms"].extras.setdefault("verdict_urls", {})
    urls = cache.get(request.script_root)
    if urls is None:
        urls = cache[request.script_root] = {
            "css": asset_url("lms_certificates", "verify.css"),
            "form": url_for("lms_certificates.verify_code"),
            "offline": url_for("lms_certificates.offline"),
        }
    return urls


def _day(value: date | None, locale: str) -> str:
    return _formatted_day(value, locale) if value is not None else ""


@lru_cache(maxsize=4096)  # a few years of dates in two languages
def _formatted_day(value: date, locale: str) -> str:
    """Called under ``locale``: a date (not a moment) reads the same in every time zone."""
    return format_date(value, "medium")


def render(status: str | None, facts: dict | None, record: Public | None, code: str | None,
           code_error: str | None, suggestions: list[records.Suggestion] | None = None,
           holder: tuple[str, int | None] | None = None) -> str:
    """The page: ``status`` None shows the code form alone."""
    locale = current_locale()
    other = "en" if locale == "vi" else "vi"
    query = {k: v for k, v in request.args.items() if k != "lang"}
    user = current_user()
    can_revoke = status == "valid" and record is not None and records.can_revoke(user, record)
    texts = _texts(locale)
    issued = _day(record.issued_on, locale) if record is not None else ""
    revoked = _day(local_day(record.revoked_at), locale) if record is not None else ""
    # the card a chat app shows (Open Graph): on the public page only, which is what a link
    # preview fetches; a verifier's page (full name) is private and never shared
    shared = status in ("valid", "revoked") and record is not None and facts is not None and holder is None
    context = {
        "t": texts,
        "urls": _urls(),
        "locale": locale,
        "other_locale": other,
        "other_locale_query": urlencode({**query, "lang": other}),
        "site_name": current_app.config["LMS_SITE_NAME"],
        "status": status,
        "facts": facts,
        "issued_display": issued,
        "revoked_display": revoked,
        "share": sharing.share_tags(record, facts, texts, issued, revoked, locale) if shared else None,
        "revoke_url": url_for("lms_certificates.revoke", code=facts["code"]) if can_revoke and facts else None,
        "code": code,
        "code_error": code_error,
        "suggestions": [(s, url_for("lms_certificates.verify_code", code=s.code)) for s in suggestions or ()],
        "holder": holder,
    }
    return current_app.jinja_env.get_template(TEMPLATE).render(context)


def page(outcome: Outcome, code: str | None = None, code_error: str | None = None,
         form_only: bool = False, not_found: bool = False, via: str = "qr") -> Response:
    """The verdict (or the code form alone) as a private, compressed HTML response.

    ``not_found``: a typed code no certificate has (a typo, not a forgery): says so and
    suggests the existing codes one symbol away. A verifier, official or admin signed in sees
    the holder's full name and birth year (audited, ``via`` "qr" or "code"); that page is never
    kept (only pages for visitors not signed in are) and is sent ``private, no-store``.
    """
    gzip = bool(request.accept_encodings["gzip"])
    locale = current_locale()
    key = None
    user = current_user()
    shown = outcome.entry is not None and not (form_only or code_error)
    holder = records.view_in_full(user, outcome.cert, via) if shown and user is not None else None
    if shown and user is None:
        key = (locale, request.script_root, request.query_string, gzip)
        kept = outcome.entry.pages.get(key)
        if kept is not None:
            return _response(kept)
    cert = outcome.cert
    status = None if form_only or code_error else "not_found" if not_found else outcome.status
    html = render(status=status, facts=records.public_facts(cert, locale) if cert is not None else None,
                  record=cert, code=code, code_error=code_error,
                  suggestions=records.suggestions(code) if not_found and code else None,
                  holder=holder).encode()
    body = zlib.compress(html, 6, wbits=31) if gzip and len(html) >= GZIP_MIN_BYTES else html  # wbits 31: gzip
    made = (body, body is not html)
    if key is not None and len(outcome.entry.pages) < MAX_PAGES_PER_RECORD:
        outcome.entry.pages[key] = made
    return _response(made, full=holder is not None)


def _response(made: tuple[bytes, bool], full: bool = False) -> Response:
    body, compressed = made
    # headers given at construction: each later ``headers[...] =`` rescans the list
    headers = [*(FULL_VIEW_HEADERS if full else PRIVATE_HEADERS), ("Vary", "Accept, Accept-Encoding")]
    if compressed:
        headers.append(("Content-Encoding", "gzip"))
    return current_app.response_class(body, mimetype="text/html", headers=headers)
