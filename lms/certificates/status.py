"""Tells every server when a certificate's status changed.

Any change of ``Certificate.status`` (what :func:`records.revoke` does, or any ORM assignment)
is noted on its session. At the flush, the ``certificates`` change counter (:mod:`lms.changes`)
is bumped in the same transaction, so every server sharing the database sees it once it is
committed, whatever the state of any instance folder; then the signed W3C status list of each
range touched is rebuilt in that transaction too (:mod:`.statuslists`); after the commit,
:data:`lms.signals.certificate_revoked` tells this process at once. A rolled-back change does
neither. A change to an object outside any session is sent at once (nothing is committed).
"""

from __future__ import annotations

from flask import has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session, object_session

import lms.changes as changes
from lms.certificates import statuslist, statuslists
from lms.certificates.models import Certificate
from lms.metrics import CERTIFICATES_REVOKED
from lms.signals import certificate_revoked, send

_CHANGED = "lms_cert_status_changed"
_TO_COUNT = "lms_cert_status_to_count"
_LISTS = "lms_cert_status_lists"


@event.listens_for(Certificate.status, "set", active_history=True)
def _status_set(target: Certificate, value: str, old: object, _initiator: object) -> None:
    if old not in ("valid", "revoked") or value == old:
        return  # a new certificate, or no change
    session = object_session(target)
    if session is not None:
        session.info.setdefault(_CHANGED, {})[target.code] = value  # told once the change is committed
        session.info[_TO_COUNT] = True
        if target.status_index is not None:
            session.info.setdefault(_LISTS, set()).add(statuslist.list_number(target.status_index))
    elif has_app_context():
        send(certificate_revoked, code=target.code, status=value)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: object) -> None:
    if session.info.pop(_TO_COUNT, False):
        # first the counter: its row lock serialises concurrent status changes (see statuslists)
        changes.bump(session.connection(), changes.CERTIFICATES)
        lists = session.info.pop(_LISTS, None)
        if lists and has_app_context():
            statuslists.refresh(session.connection(), lists)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    changed = session.info.pop(_CHANGED, None)
    if changed and has_app_context():
        for code, status in changed.items():
            if status == "revoked":
                CERTIFICATES_REVOKED.inc()
            send(certificate_revoked, code=code, status=status)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_CHANGED, None)
    session.info.pop(_TO_COUNT, None)
    session.info.pop(_LISTS, None)
