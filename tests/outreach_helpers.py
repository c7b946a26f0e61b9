"""Hand-built outreach activities on top of tests/coverage_helpers.build_population, with known answers.

Quarter II of 2026 (1 April - 30 June) in province 79:
- activities: Phường Sài Gòn (26734) a meeting on 5 April (50 people) and a month of broadcasts
  from 1 May (1,200); Phường Tân Định (26740) banners on 30 June (300); the province itself an
  article on 10 April (5,000). Outside the quarter: a talk in 26740 on 31 March (40), the 10/10 day
  in 79 (800); in another province (00004, Hà Nội) a meeting on 5 April (77).
  So 4 activities, 6,550 people: 79 itself 1 / 5,000; 26734 2 / 1,250; 26740 1 / 300.
- coverage (build_population): covered on 30 June: citizens a1, a2 (26734) and a8 (the province
  itself), officials a5 (26740, since 2025); newly covered in the quarter: a8 only. Citizens'
  baseline 30 (10 + 20): 10 %.
The year 2026: 6 activities, 7,390 people.
"""

from __future__ import annotations

from datetime import date

from lms.db import db

ACTIVITIES = (
    ("26734", "meeting", date(2026, 4, 5), date(2026, 4, 5), 50, "Sinh hoạt chi bộ khu phố 3"),
    ("26734", "broadcast", date(2026, 5, 1), date(2026, 5, 31), 1200, "Phát thanh mỗi sáng"),
    ("26740", "visual", date(2026, 6, 30), date(2026, 7, 15), 300, "Băng rôn tại chợ"),
    ("79", "post", date(2026, 4, 10), date(2026, 4, 10), 5000, "Bài trên cổng thông tin"),
    ("79", "day_1010", date(2026, 10, 10), date(2026, 10, 10), 800, "Ngày hội 10/10"),
    ("26740", "talk", date(2026, 3, 31), date(2026, 3, 31), 40, "Tọa đàm"),
    ("00004", "meeting", date(2026, 4, 5), date(2026, 4, 5), 77, "Hà Nội"),
)


def add_activities(app) -> dict[str, int]:
    """The activities above (ids by note's first word and unit), stored as the service stores them."""
    from lms.outreach.models import OutreachActivity
    from lms.units.services import by_code

    ids = {}
    with app.app_context():
        for code, kind, start, end, reached, note in ACTIVITIES:
            activity = OutreachActivity(unit_id=by_code(code).id, kind=kind, starts_on=start, ends_on=end,
                                        reached=reached, note=note)
            db.session.add(activity)
            db.session.flush()
            ids[f"{code}-{kind}"] = activity.id
        db.session.commit()
    return ids
