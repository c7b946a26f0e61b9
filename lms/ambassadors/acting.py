"""Acting as a citizen on the ambassador's device ("điểm học cộng đồng").

The browser is signed in *as the citizen*, with a server-side session of the citizen's own that
ends after ``LMS_AMBASSADOR_ACTING_MINUTES``; every page and every write is then the citizen's,
done by the ordinary code, with no ambassador power on it (the session's roles are the
citizen's: none). The ambassador's own session id waits in the signed cookie under
``lms_acting`` with the ids of both and of the help visit; "back to my list" ends the
citizen's session, closes the visit and resumes the ambassador's session if it is still valid
on the server (else the browser is signed out). Anything that ends the citizen's session (signing
out, the session expiring) drops ``lms_acting`` with it (:data:`lms.accounts.auth.SESSION_KEYS`).

Work done meanwhile is the citizen's; the visit (who, for whom, from when to when) and the
lessons done and courses passed in it (:mod:`lms.ambassadors.listeners`) record "helped by".
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app, g, has_request_context, session
from sqlalchemy import select

from lms.accounts.auth import signed_in_user_id
from lms.accounts.models import User, UserSession
from lms.accounts.services import audit, end_session, secret_digest, start_session
from lms.ambassadors.models import HelpVisit
from lms.ambassadors.services import may_act_for, touch
from lms.db import db, now_utc


def acting_state() -> dict[str, Any] | None:
    """``{"by", "as", "visit"}`` while this browser acts for a citizen, else None."""
    # nobody signed in: the cookie is not even read (a public page stays free of "Vary: Cookie")
    if not has_request_context() or (user_id := signed_in_user_id()) is None:
        return None
    state = session.get("lms_acting")
    if not isinstance(state, dict) or state.get("as") != user_id:
        return None
    return state


def start_acting(ambassador: User, citizen: User) -> bool:
    """Sign this browser in as ``citizen`` for a while, keeping the ambassador's session aside.
    False (nothing changes) unless this browser is the ambassador's own session and the
    ambassador may act for the citizen (:func:`lms.ambassadors.services.may_act_for`)."""
    own = session.get("lms_sid")
    if (not isinstance(own, str) or not own or signed_in_user_id() != ambassador.id
            or session.get("lms_acting") or not may_act_for(ambassador, citizen)):
        return False
    minutes = float(current_app.config["LMS_AMBASSADOR_ACTING_MINUTES"])
    raw = start_session(citizen, timedelta(minutes=minutes))
    visit = HelpVisit(ambassador_id=ambassador.id, citizen_id=citizen.id, started_at=now_utc())
    db.session.add(visit)
    db.session.flush()
    touch(ambassador, citizen)
    audit(ambassador, "act_as", "user", citizen.id, {"visit": visit.id})
    session["lms_acting"] = {"sid": own, "by": ambassador.id, "as": citizen.id, "visit": visit.id}
    session["lms_sid"] = raw
    session["lms_user_id"] = citizen.id
    g.lms_user = citizen
    return True


def _valid_session(raw: str, user_id: int) -> bool:
    row = db.session.execute(select(UserSession.user_id, UserSession.expires_at)
                             .where(UserSession.sid_hash == secret_digest(raw))).first()
    return row is not None and row.user_id == user_id and row.expires_at > now_utc()


def stop_acting() -> bool:
    """End the citizen's session on this browser and return to the ambassador's; True when the
    ambassador's session was resumed, False when the browser is now signed out."""
    state = acting_state()
    if state is None:
        return False
    current = session.get("lms_sid")
    if isinstance(current, str) and current:
        end_session(current)
    visit = db.session.get(HelpVisit, state.get("visit"))
    if visit is not None and visit.ended_at is None:
        visit.ended_at = now_utc()
    session.pop("lms_acting", None)
    own, by = state.get("sid"), state.get("by")
    if isinstance(own, str) and isinstance(by, int) and _valid_session(own, by):
        session["lms_sid"] = own
        session["lms_user_id"] = by
        g.lms_user = db.session.get(User, by)
        return True
    for key in ("lms_sid", "lms_user_id"):
        session.pop(key, None)
    g.lms_user = None
    return False
