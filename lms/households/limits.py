"""How many household invitations and code tries one account may make (``LMS_HOUSEHOLD_LIMIT``).

Both count against one budget per account, whatever their outcome: an invitation answers the
same whether or not the phone number or username has an account, and the budget stops anyone
from using that form (or the code form) to try numbers in bulk. Counted like the reset mails
(:mod:`lms.accounts.resetmail`), in ``LMS_RATELIMIT_STORAGE_URI``.
"""

from __future__ import annotations

from flask import current_app

from lms.accounts.throttle import parse_limits
from lms.counters import spend_all

SCOPE = "lms-household"


def may_try(user_id: int) -> bool:
    """Count one invitation or code try for this account; False (and nothing counted) once spent."""
    items = parse_limits(current_app.config.get("LMS_HOUSEHOLD_LIMIT"))
    return spend_all("household", [(item, SCOPE, str(user_id)) for item in items])
