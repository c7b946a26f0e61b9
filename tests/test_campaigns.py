"""Campaign figures and the emulation board on a hand-built population (SQLite and PostgreSQL alike).

Campaign 10-12 October 2026 (Vietnam dates), unit 79 (its communes too), audiences citizens and workers
(tests/campaign_helpers.py):
  c1  citizen 26734: lesson at 00:30 on 10 Oct in Vietnam; path certificate 10 Oct -> learner, lesson, cert, gained
  c2  citizen 26734: lesson the evening before (out); attempt 23:00 on 12 Oct; covered 1 Oct -> learner only
  c3  citizen 26740: path certificate 12 Oct, course certificate 10 Oct -> 2 certs, gained
  c4  citizen 26740: lesson and certificate the day after the window -> nothing
  c5  worker 26734: lesson; holds the citizens' path (not their own) -> learner, lesson, cert, no coverage
  c6  official 26734 / c7 citizen in Hà Nội: lesson and certificate -> nothing (audience / unit)
  c8  citizen 26734: two lessons; revoked certificate -> learner, 2 lessons
  c9  citizen registered at the province itself: certificate -> cert, gained (in no commune row)
  c10 citizen 26750 (no baseline): certificate -> cert, gained, listed apart on the board
Totals: learners 4 (c1 c2 c5 c8), lessons 4, certificates 6, coverage gained 4.
Board: 26740 gains 1 of 15 = 6.67 points, ahead of 26734's 1 of 120 = 0.83; 26750 unranked.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from lms.campaigns.figures import board, totals
from lms.campaigns.honour import leaders
from lms.campaigns.services import declare
from lms.coverage.measure import Scope, counts
from lms.units.services import by_code
from tests.campaign_helpers import END, START, build_campaign_population


def _campaign(app):
    with app.app_context():
        campaign = declare("Ngày hội toàn dân học tập số 2026", START, END, [by_code("79")],
                           ["citizens", "workers"], None)
        from lms.db import db

        db.session.commit()
        return campaign.id


def test_campaign_figures_equal_the_hand_built_population(units, courses) -> None:
    app = units
    build_campaign_population(app)
    campaign_id = _campaign(app)
    with app.app_context():
        from lms.campaigns.models import Campaign
        from lms.db import db

        campaign = db.session.get(Campaign, campaign_id)
        assert campaign.slug == "ngay-hoi-toan-dan-hoc-tap-so-2026"
        found = totals(campaign)
        assert (found.learners, found.lessons, found.certificates, found.gained) == (4, 4, 6, 4)
        # coverage gained = covered at the end of the window minus the day before it, by the coverage measure
        scope = Scope("/79/")

        def covered(on: date) -> int:
            return sum(n for (_unit, audience), n in counts(scope, on).items() if audience in ("citizens", "workers"))

        assert found.gained == covered(END) - covered(date(2026, 10, 9))
        result = board(campaign)
        assert [(r.node.code, r.gained, r.population, r.points) for r in result.ranked] == [
            ("26740", 1, 15, Decimal("6.67")), ("26734", 1, 120, Decimal("0.83"))]
        assert [(r.node.code, r.gained, r.population) for r in result.unranked] == [("26750", 1, None)]
        assert [r.node.code for r in leaders(result)] == ["26740", "26734"]  # the honour roll's units


def test_a_commune_campaign_ranks_the_commune_itself(units, courses) -> None:
    app = units
    build_campaign_population(app)
    with app.app_context():
        from lms.db import db

        campaign = declare("Ngày hội phường Tân Định", START, END, [by_code("26740")], ["citizens"], None)
        db.session.commit()
        found = totals(campaign)
        assert (found.learners, found.lessons, found.certificates, found.gained) == (0, 0, 2, 1)
        result = board(campaign)
        assert [(r.node.code, r.gained, r.population) for r in result.ranked] == [("26740", 1, 10)]
