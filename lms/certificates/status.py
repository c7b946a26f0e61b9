"""Tells the rest of the process when a certificate's status changed, once the change is committed.

Any change of ``Certificate.status`` (what :func:`records.revoke` does, or any ORM assignment)
is noted on its session and :data:`lms.signals.certificate_revoked` is sent after the commit;
a rolled-back change sends nothing. A change to an object outside any session is sent at once.
"""

from __future__ import annotations

from flask import has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session, object_session

from lms.certificates.models import Certificate
from lms.signals import certificate_revoked, send

_CHANGED = "lms_cert_status_changed"


@event.listens_for(Certificate.status, "set", active_history=True)
def _status_set(target: Certificate, value: str, old: object, _initiator: object) -> None:
    if old not in ("valid", "revoked") or value == old:
        return  # a new certificate, or no change
    session = object_session(target)
    if session is not None:
        session.info.setdefault(_CHANGED, {})[target.code] = value  # told once the change is committed
    elif has_app_context():
        send(certificate_revoked, code=target.code, status=value)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    changed = session.info.pop(_CHANGED, None)
    if changed and has_app_context():
        for code, status in changed.items():
            send(certificate_revoked, code=code, status=status)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_CHANGED, None)
