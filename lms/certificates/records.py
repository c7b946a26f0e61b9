"""Certificates as stored: look-ups, who may see them, what the public may see, revocation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from lms.accounts.models import User
from lms.accounts.services import audit
from lms.audiences import AUDIENCE_VI, audience_label
from lms.certificates.codes import ALPHABET, CODE_SYMBOLS, GROUP, normalize_code
from lms.certificates.issuing import issue
from lms.certificates.models import Certificate
from lms.certificates.tokens import verification_url
from lms.certificates.urls import base_url, verify_url
from lms.clock import local_day
from lms.courses.models import Course
from lms.db import db, now_utc
from lms.fastread import read_one
from lms.i18n import _, _l
from lms.signals import anyone_agrees, can_see_learner
from lms.units.models import AdminUnit
from lms.units.services import within_code

MAX_REASON = 500


class RevokeError(Exception):
    """A refused revocation; ``code`` is stable, ``message`` is for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def by_code(code: str | None) -> Certificate | None:
    """The certificate with this code (any spelling a person may type), course and unit loaded."""
    canonical = normalize_code(code or "")
    if canonical is None:
        return None
    return db.session.scalar(
        select(Certificate)
        .options(joinedload(Certificate.course), joinedload(Certificate.unit))
        .where(Certificate.code == canonical)
    )


def of_user(user_id: int) -> list[Certificate]:
    """A learner's certificates, newest first (valid and revoked)."""
    return list(
        db.session.scalars(
            select(Certificate)
            .options(joinedload(Certificate.course))
            .where(Certificate.user_id == user_id)
            .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
        )
    )


# -- who may do what ---------------------------------------------------------------------


def can_download(user: User | None, cert: Certificate) -> bool:
    """The owner, an admin, or someone another domain vouches for (a teacher of the owner's class)."""
    if user is None:
        return False
    if user.id == cert.user_id or user.has_role("admin"):
        return True
    # e.g. their teacher, for a course of the teacher's class
    course_id = (cert.course_id or 0) if cert.kind == "course" else None
    return anyone_agrees(can_see_learner, viewer=user, learner_id=cert.user_id, course_id=course_id)


def can_revoke(user: User | None, cert: Certificate | Public) -> bool:
    """An admin, anywhere; an official, for a certificate issued in their unit or a unit below it."""
    if user is None:
        return False
    if user.has_role("admin"):
        return True
    return user.has_role("official") and within_code(cert.unit_code, user.unit)


# -- what is shown ------------------------------------------------------------------------


#: the path certificate's one name: its page, the profile, the API's ``title`` and the verification
#: pages say it (in Vietnamese "Chứng nhận phổ cập kỹ năng số", the words the PDF prints)
PATH_CERTIFICATE_NAME = _l("Universal digital skills certificate")
#: the same name in the certificate's fixed Vietnamese wording (certificate_pdf.html prints it, the
#: Open Badge carries it)
PATH_CERTIFICATE_NAME_VI = "Chứng nhận phổ cập kỹ năng số"


def title(cert: Certificate, locale: str) -> str:
    """The course's title in ``locale``, or the path certificate's name."""
    return Public.of(cert).title(locale)


def completed_title(cert: Certificate, locale: str) -> str:
    """What the certificate's page says the holder completed: the course, or the path's programme."""
    if cert.kind != "path":
        return title(cert, locale)
    if locale == "vi":
        return title_vi(cert)  # word for word what the PDF prints
    if cert.audience:
        return _("Universal digital skills programme for %(audience)s", audience=audience_label(cert.audience).lower())
    return _("Universal digital skills programme")


def title_vi(cert: Certificate) -> str:
    """What the (Vietnamese) PDF says the learner completed."""
    if cert.kind == "path":
        group = AUDIENCE_VI.get(cert.audience or "", "")
        return "Chương trình phổ cập kỹ năng số" + (f" dành cho {group.lower()}" if group else "")
    return cert.course.title_in("vi") if cert.course is not None else cert.subject


def unit_label(cert: Certificate) -> str:
    """ "Phường Sài Gòn, Thành phố Hồ Chí Minh" (as recorded at issuance, plus its province)."""
    parent = cert.unit.parent if cert.unit is not None else None
    return _place(cert.unit_name, parent.name if parent is not None else None)


def _place(unit_name: str | None, parent_name: str | None) -> str:
    if not unit_name:
        return ""
    return f"{unit_name}, {parent_name}" if parent_name else unit_name


@dataclass(frozen=True, slots=True)
class Public:
    """A certificate as the verification pages know it: no full name, no user id."""

    code: str
    status: str
    kind: str
    subject: str
    masked_name: str
    audience: str | None
    unit_code: str | None
    unit_name: str | None
    issued_on: date
    key_id: str
    token: str
    revoked_at: datetime | None
    revoked_reason: str | None
    course_title: dict | None
    parent_name: str | None

    @classmethod
    def of(cls, cert: Certificate) -> Public:
        parent = cert.unit.parent if cert.unit is not None else None
        return cls(**{f: getattr(cert, f) for f in _RECORD_FIELDS},
                   course_title=cert.course.title if cert.course is not None else None,
                   parent_name=parent.name if parent is not None else None)

    def title(self, locale: str) -> str:
        if self.kind == "path":
            return str(PATH_CERTIFICATE_NAME)
        titles = self.course_title or {}
        return titles.get(locale) or titles.get("vi") or self.subject


_RECORD_FIELDS = ("code", "status", "kind", "subject", "masked_name", "audience", "unit_code", "unit_name",
                  "issued_on", "key_id", "token", "revoked_at", "revoked_reason")
_CERTS, _COURSES = Certificate.__table__, Course.__table__
_UNIT, _PARENT = AdminUnit.__table__.alias("unit"), AdminUnit.__table__.alias("parent")
#: one indexed look-up with small joins, in Core (no ORM objects): the verification hot path
_PUBLIC = (
    select(*(_CERTS.c[f] for f in _RECORD_FIELDS), _COURSES.c.title.label("course_title"),
           _PARENT.c.name.label("parent_name"))
    .select_from(
        _CERTS.outerjoin(_COURSES, _COURSES.c.id == _CERTS.c.course_id)
        .outerjoin(_UNIT, _UNIT.c.id == _CERTS.c.unit_id)
        .outerjoin(_PARENT, _PARENT.c.id == _UNIT.c.parent_id)
    )
    .where(_CERTS.c.code == bindparam("code"))
)


def public_record(code: str | None) -> Public | None:
    """What the verification pages need about the certificate with this code (any spelling)."""
    canonical = normalize_code(code or "")
    if canonical is None:
        return None
    row = read_one("cert_public_read", _PUBLIC, {"code": canonical})
    return Public(*row) if row is not None else None


def public_facts(cert: Public | Certificate, locale: str) -> dict:
    """What anyone holding the code may know: masked name, never the full name or contact data."""
    rec = cert if isinstance(cert, Public) else Public.of(cert)
    return {
        "code": rec.code,
        "status": rec.status,
        "kind": rec.kind,
        "course": rec.subject if rec.kind == "course" else None,
        "path": rec.subject if rec.kind == "path" else None,
        "title": rec.title(locale),
        "masked_name": rec.masked_name,
        "audience": rec.audience,
        "audience_label": audience_label(rec.audience) if rec.audience else None,
        "unit": rec.unit_code,
        "unit_name": _place(rec.unit_name, rec.parent_name) or None,
        "issued_on": rec.issued_on.isoformat(),
        "issuer": current_app.config["LMS_ISSUER"],
        "key_id": rec.key_id,
        "revoked_on": local_day(rec.revoked_at).isoformat() if rec.revoked_at else None,
        "revocation_reason": rec.revoked_reason if rec.status == "revoked" else None,
        "verify_url": verification_url(base_url(), rec.token),
    }


def pdf_view(cert: Certificate) -> dict:
    """The mapping :mod:`lms.certificates.pdf` renders (the certificate's wording is Vietnamese)."""
    return {
        "full_name": cert.full_name,
        "kind": cert.kind,
        "title": title_vi(cert),
        "issued_on": cert.issued_on,
        "issuer": current_app.config["LMS_ISSUER"],
        "code": cert.code,
        "verify_url": verify_url(cert),
        "audience": cert.audience,
        "unit_name": unit_label(cert),
        "lookup_url": base_url().split("://", 1)[-1] + "/verify",
    }


# -- revocation ---------------------------------------------------------------------------


def revoke(cert: Certificate, reason: str, actor: User | None) -> None:
    """Revoke for good, with a reason shown publicly; audited. The caller commits."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise RevokeError("reason_required", _("Give the reason for the revocation."))
    if len(reason) > MAX_REASON:
        raise RevokeError("reason_too_long", _("Keep the reason under %(n)d characters.", n=MAX_REASON))
    if cert.status == "revoked":
        raise RevokeError("already_revoked", _("This certificate is already revoked."))
    if actor is not None and not can_revoke(actor, cert):
        raise RevokeError("outside_your_unit", _("You may revoke only certificates issued in your unit "
                                                 "and the units below it."))
    cert.status = "revoked"
    cert.revoked_at = now_utc()
    cert.revoked_reason = reason
    cert.revoked_by_id = actor.id if actor is not None else None
    audit(actor, "certificate_revoked", "certificate", cert.code,
          {"reason": reason, "user_id": cert.user_id, "kind": cert.kind, "subject": cert.subject})
    db.session.flush()  # after the commit, lms.certificates.status tells the caches


def reissue(cert: Certificate) -> Certificate:
    """A new certificate (new code) for a revoked one's holder and subject, with today's name and unit."""
    if cert.status != "revoked":
        raise RevokeError("not_revoked", _("Revoke the certificate first."))
    return issue(cert.user, cert.kind, cert.subject, cert.course)


# -- help after a typo ----------------------------------------------------------------------

MAX_SUGGESTIONS = 3


@dataclass(frozen=True, slots=True)
class Suggestion:
    """An existing code one symbol away from a typed one; the masked name only if it is valid."""

    code: str
    masked_name: str | None


def one_typo_away(code: str) -> list[str]:
    """Every code differing from ``code`` (canonical) in exactly one symbol: 16 x 31 = 496."""
    flat = code.replace("-", "")
    found = []
    for i, old in enumerate(flat):
        for new in ALPHABET:
            if new != old:
                other = flat[:i] + new + flat[i + 1:]
                found.append("-".join(other[j : j + GROUP] for j in range(0, CODE_SYMBOLS, GROUP)))
    return found


def suggestions(code: str) -> list[Suggestion]:
    """Existing codes one typed symbol away from an unknown ``code`` (one ``IN`` query, unique index).

    Codes carry no check symbol, so every one-symbol neighbour is a well-formed code; 80 random
    bits make a real neighbour of a random code vanishingly rare, so this finds the typo, not
    strangers. A revoked certificate's holder is never named, not even masked.
    """
    canonical = normalize_code(code)
    if canonical is None:
        return []
    rows = db.session.execute(
        select(_CERTS.c.code, _CERTS.c.status, _CERTS.c.masked_name)
        .where(_CERTS.c.code.in_(one_typo_away(canonical)))
        .order_by(_CERTS.c.code)
        .limit(MAX_SUGGESTIONS)
    )
    return [Suggestion(found, masked if status == "valid" else None) for found, status, masked in rows]


def holder_identity(code: str) -> tuple[str, int | None] | None:
    """The holder's full name (as printed) and birth year: for a verifier comparing an ID card."""
    row = db.session.execute(
        select(_CERTS.c.full_name, User.birth_year)
        .join(User, User.id == _CERTS.c.user_id)
        .where(_CERTS.c.code == code)
    ).first()
    return (row[0], row[1]) if row is not None else None


#: who may see, on the verification page, whom a certificate names (to compare with an ID card)
FULL_VIEW_ROLES = ("verifier", "official", "admin")


def view_in_full(user: User | None, cert: Public | None, via: str) -> tuple[str, int | None] | None:
    """The holder's full name and birth year for a verifier, official or admin (audited); else None."""
    if user is None or cert is None or not user.has_role(*FULL_VIEW_ROLES):
        return None
    identity = holder_identity(cert.code)
    if identity is None:
        return None
    audit(user, "certificate_viewed_in_full", "certificate", cert.code, {"via": via, "status": cert.status})
    db.session.commit()
    return identity
