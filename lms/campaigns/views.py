"""Campaign pages: the list, the declaration form, the public page with its board, the honour roll PDF.

Thin: figures come from ``figures``, rules from ``services``."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale

from lms.accounts.auth import current_user, roles_required
from lms.campaigns import honour
from lms.campaigns.blueprint import bp
from lms.campaigns.cache import cached
from lms.campaigns.forms import CampaignForm
from lms.campaigns.public import PUBLIC_SECONDS, campaign_or_404, live, phase
from lms.campaigns.services import CampaignError, declare, list_campaigns, may_declare, parse_units
from lms.coverage import present
from lms.db import db
from lms.i18n import _


@bp.route("/campaigns/")
def campaign_list() -> ResponseReturnValue:
    user = current_user()
    return render_template("lms/campaigns/list.html", campaigns=list_campaigns(),
                           can_declare=user is not None and user.has_role("official", "admin"))


@bp.route("/campaigns/new", methods=["GET", "POST"])
@roles_required("official", "admin")
def campaign_new() -> ResponseReturnValue:
    user = current_user()
    form = CampaignForm()
    if request.method == "GET" and user.unit is not None:
        form.units.data = user.unit.code
    status = 422 if request.method == "POST" else 200
    if form.validate_on_submit():
        units, unknown = parse_units(form.units.data)
        if unknown:
            form.units.errors = [_("Unknown unit code “%(code)s”.", code=unknown[0])]
        elif not may_declare(user, units):
            abort(403)  # an official declares campaigns for their own unit and the units below it only
        else:
            try:
                campaign = declare(form.name.data, form.starts_on.data, form.ends_on.data, units,
                                   form.audiences.data, user, slug=form.slug.data or "")
            except CampaignError as error:
                getattr(form, error.field).errors = [str(error)]
            else:
                db.session.commit()
                flash(_("The campaign is declared. Its public page is ready."), "success")
                return redirect(url_for(".campaign_page", slug=campaign.slug))
    return render_template("lms/campaigns/new.html", form=form), status


@bp.route("/campaigns/<slug>")
def campaign_page(slug: str) -> ResponseReturnValue:
    campaign = campaign_or_404(slug)
    totals, board = live(campaign)
    return render_template("lms/campaigns/page.html", campaign=campaign, totals=totals, board=board,
                           phase=phase(campaign), p=present,
                           page_url=url_for(".campaign_page", slug=slug, _external=True))


@bp.route("/campaigns/<slug>/honour-roll.pdf")
def honour_roll(slug: str) -> ResponseReturnValue:
    campaign = campaign_or_404(slug)
    totals, board = live(campaign)
    pdf = cached(("honour", campaign.id, str(get_locale())), PUBLIC_SECONDS,
                 lambda: honour.pdf_bytes(campaign, totals, board, phase(campaign)))
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="bang-vinh-danh-{campaign.slug}.pdf"'
    return response
