"""What the public pages of a campaign share: finding it, its live figures (cached), its phase."""

from __future__ import annotations

from flask import abort

from lms.campaigns import figures
from lms.campaigns.cache import cached
from lms.campaigns.models import Campaign
from lms.campaigns.services import by_slug
from lms.clock import local_today

#: campaign figures on public pages may be this many seconds old
PUBLIC_SECONDS = 60


def campaign_or_404(slug: str) -> Campaign:
    campaign = by_slug(slug) if len(slug) <= 80 else None
    if campaign is None:
        abort(404)
    return campaign


def live(campaign: Campaign) -> tuple[figures.Totals, figures.Board]:
    """The campaign's figures and board, counted at most once a minute per campaign."""
    return cached(("campaign", campaign.id), PUBLIC_SECONDS, lambda: (figures.totals(campaign),
                                                                     figures.board(campaign)))


def phase(campaign: Campaign) -> str:
    today = local_today()
    if today < campaign.starts_on:
        return "upcoming"
    return "running" if today <= campaign.ends_on else "ended"
