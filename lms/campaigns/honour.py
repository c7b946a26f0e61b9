"""The printable honour roll (PDF) of a campaign's leading units, with the coverage report's fonts."""

from __future__ import annotations

from flask import current_app, render_template

from lms.campaigns.figures import Board, BoardRow, Totals
from lms.campaigns.models import Campaign
from lms.clock import local_today
from lms.i18n import _
from lms.printing.dates import vi_date

#: how many leading units the roll names (only units that gained someone: a roll of zeros honours nobody)
LEADERS = 10


def leaders(board: Board) -> list[BoardRow]:
    """The units the roll names: the board's first ten among those that gained someone."""
    return [row for row in board.ranked if row.gained > 0][:LEADERS]


def pdf_bytes(campaign: Campaign, totals: Totals, board: Board, phase: str) -> bytes:
    from weasyprint import HTML  # WeasyPrint and the fonts load on the first PDF, not in every worker
    from weasyprint.text.fonts import FontConfiguration

    from lms.printing.fonts import RestrictedFetcher, find_fonts

    fonts = find_fonts()
    fetcher = RestrictedFetcher(fonts.paths())
    config = FontConfiguration()
    html = render_template(
        "lms/campaigns/honour_pdf.html", campaign=campaign, totals=totals, leaders=leaders(board),
        board=board, phase=phase, today=vi_date(local_today()), vi_date=vi_date, _=_,
        issuer=current_app.config["LMS_ISSUER"], font_regular=fonts.regular.resolve().as_uri(),
        font_bold=fonts.bold.resolve().as_uri() if fonts.bold else None,
    )
    return HTML(string=html, url_fetcher=fetcher).write_pdf(font_config=config)
