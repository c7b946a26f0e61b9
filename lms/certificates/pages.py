"""Pages for a certificate's holder, their teacher and admins: the certificate, its PDF and
Open Badge, revocation (admins and officials).

Someone who may not see a certificate gets a 404, as for a code that does not exist.
A revoked certificate is never served as a file (410 with an explanation): its PDF is
deleted at revocation, and a stale printout still shows REVOKED when its QR is scanned.
"""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date

from lms.accounts.auth import current_user, login_required, roles_required
from lms.certificates import records, sharing
from lms.certificates.blueprint import bp
from lms.certificates.downloads import send_credential, send_pdf
from lms.certificates.forms import RevokeForm
from lms.certificates.models import Certificate
from lms.db import db
from lms.i18n import _
from lms.printing.qr import make_qr_svg
from lms.web.formatting import current_locale


def _viewable_or_404(code: str) -> Certificate:
    cert = records.by_code(code)
    if cert is None or not records.can_download(current_user(), cert):
        abort(404)
    return cert


def _revoked(cert: Certificate) -> tuple[str, int]:
    facts = records.public_facts(cert, current_locale())
    return render_template("lms/certificates/show.html", record=cert, facts=facts, gone=True), 410


@bp.get("/certificates/<code>")
@login_required
def show(code: str) -> str | Response:
    """The certificate as a phone page: name, course, QR, download links."""
    cert = _viewable_or_404(code)
    if cert.code != code:
        return redirect(url_for(".show", code=cert.code))
    facts = records.public_facts(cert, current_locale())
    context = {"record": cert, "facts": facts, "can_revoke": records.can_revoke(current_user(), cert)}
    if cert.status == "valid":
        from lms.certificates.pdf import prepare_view  # WeasyPrint loads only where certificates are shown

        view = prepare_view({**records.pdf_view(cert), "title": records.completed_title(cert, current_locale())})
        context.update(
            cert=view,
            qr_svg=make_qr_svg(view["verify_url"], label=_("QR code to verify certificate %(code)s", code=cert.code)),
            issued_display=format_date(cert.issued_on, "long"),
            pdf_url=url_for(".pdf", code=cert.code),
            credential_url=url_for(".credential", code=cert.code),
        )
        user = current_user()
        if user is not None and user.id == cert.user_id:  # the holder shares their own certificate
            context.update(sharing.share_links(cert.token))
    return render_template("lms/certificates/show.html", **context)


@bp.get("/certificates/<code>/pdf")
@login_required
def pdf(code: str) -> Response | tuple[str, int]:
    """The A4 certificate, rendered on the first download and kept."""
    cert = _viewable_or_404(code)
    if cert.status != "valid":
        return _revoked(cert)
    return send_pdf(cert)


@bp.get("/certificates/<code>/credential.json")
@login_required
def credential(code: str) -> Response | tuple[str, int]:
    """The portable Open Badges 3.0 credential, signed, for the holder to carry elsewhere."""
    cert = _viewable_or_404(code)
    if cert.status != "valid":
        return _revoked(cert)
    return send_credential(cert)


@bp.route("/certificates/revoke", methods=["GET", "POST"])
@roles_required("admin", "official")
def revoke() -> str | Response:
    """Revoke a certificate, with a reason that the verification page will show."""
    form = RevokeForm(code=request.args.get("code", ""))
    if form.validate_on_submit():
        cert = records.by_code(form.code.data)
        if cert is None:
            form.code.errors.append(_("No certificate has this code."))
        else:
            try:
                records.revoke(cert, form.reason.data, current_user())
            except records.RevokeError as error:
                (form.code if error.code == "outside_your_unit" else form.reason).errors.append(error.message)
            else:
                db.session.commit()
                flash(_("Certificate %(code)s is revoked. Its verification page now says REVOKED.",
                        code=cert.code), "success")
                if records.can_download(current_user(), cert):
                    return redirect(url_for(".show", code=cert.code))
                return redirect(url_for(".revoke"))
    cert = records.by_code(form.code.data) if form.code.data else None
    facts = records.public_facts(cert, current_locale()) if cert is not None else None
    return render_template("lms/certificates/revoke.html", form=form, facts=facts)
