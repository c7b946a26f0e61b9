"""The printable honour roll (PDF) of a campaign's leading units, with the coverage report's fonts."""

from __future__ import annotations

from lms.campaigns.figures import Board, BoardRow, Totals
from lms.campaigns.models import Campaign
from lms.clock import local_today
from lms.i18n import _
from lms.printing.dates import vi_date
from lms.printing.reports import a4_report_pdf

#: how many leading units the roll names (only units that gained someone: a roll of zeros honours nobody)
LEADERS = 10


def leaders(board: Board) -> list[BoardRow]:
    """The units the roll names: the board's first ten among those that gained someone."""
    return [row for row in board.ranked if row.gained > 0][:LEADERS]


def pdf_bytes(campaign: Campaign, totals: Totals, board: Board, phase: str) -> bytes:
    return a4_report_pdf(
        "lms/campaigns/honour_pdf.html", campaign=campaign, totals=totals, leaders=leaders(board),
        board=board, phase=phase, today=vi_date(local_today()), vi_date=vi_date, _=_,
    )
