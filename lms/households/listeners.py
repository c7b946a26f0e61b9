"""What the households package adds to other domains' pages (see lms.signals.page_context).

The profile (``/me``) shows the household box. The path page (home) does not: it is cached whole
under the learner's own page version (lms.web.pagecache), which another member's new certificate
does not move, so the badge there could be out of date.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from lms.accounts.models import User
from lms.households import services
from lms.signals import page_context


def household_box(user: User) -> dict[str, Any]:
    """Everything the household box and page show for this person: only their own household's
    member names, the count of adults holding the certificate (never who), their invitations."""
    household = services.household_of(user.id)
    box: dict[str, Any] = {"household": household, "received": services.pending_for(user), "me": user.id}
    if household is not None:
        code = services.live_code(household)
        box.update(
            household_members=services.members(household), standing=services.standing_of(household),
            sent=services.sent_by(household), code=services.format_code(code) if code else None,
            code_expires_at=household.join_code_expires_at if code else None,
        )
    return {"household_box": box}


@page_context.connect
def household_on_pages(_app: Flask, *, page: str, **objects: Any) -> dict | None:
    if page != "profile":
        return None
    return household_box(objects["user"])
