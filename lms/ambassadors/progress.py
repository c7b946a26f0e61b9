"""What the ambassador's page and the officials' ranking show: where each person is on their path,
the certificates they earned, and the ambassadors of a unit ranked."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select

from lms.accounts.models import User, UserRole
from lms.ambassadors.models import Helped, HelpVisit, SignInCard
from lms.ambassadors.services import ROLE, people
from lms.certificates.models import Certificate
from lms.clock import local_day, local_today
from lms.collation import vi_key
from lms.courses.models import Course, CourseResult
from lms.courses.services import path_courses
from lms.db import db, now_utc
from lms.units.models import AdminUnit


@dataclass
class PersonRow:
    citizen: User
    registered: bool
    helped_today: bool
    courses_total: int = 0
    courses_passed: int = 0
    #: the first course of the path not passed yet (None once all are passed)
    current: Course | None = None
    certificates: int = 0
    path_certificate: bool = False
    has_card: bool = False


@dataclass
class AmbassadorRow:
    ambassador: User
    people: int = 0
    certificates: int = 0
    path_certificates: int = 0


@dataclass
class Page:
    today: list[PersonRow] = field(default_factory=list)
    others: list[PersonRow] = field(default_factory=list)

    @property
    def everyone(self) -> list[PersonRow]:
        return self.today + self.others


def _certificates(user_ids: list[int]) -> dict[int, tuple[int, bool]]:
    """user id -> (valid certificates, holds a valid path certificate)."""
    found: dict[int, tuple[int, bool]] = {}
    if not user_ids:
        return found
    for user_id, kind, count in db.session.execute(
        select(Certificate.user_id, Certificate.kind, func.count())
        .where(Certificate.user_id.in_(user_ids), Certificate.status == "valid")
        .group_by(Certificate.user_id, Certificate.kind)
    ):
        total, path = found.get(user_id, (0, False))
        found[user_id] = (total + count, path or kind == "path")
    return found


def ambassador_page(ambassador: User, now: datetime | None = None) -> Page:
    """The ambassador's people: those helped today first, then the others (most recent first)."""
    rows = people(ambassador)
    ids = [r.citizen_id for r in rows]
    today = local_today(now)
    visited = set()
    if ids:
        visited = {cid for cid, started in db.session.execute(
            select(HelpVisit.citizen_id, HelpVisit.started_at).where(
                HelpVisit.ambassador_id == ambassador.id, HelpVisit.citizen_id.in_(ids),
                HelpVisit.started_at >= (now or now_utc()) - timedelta(days=2)))
            if local_day(started) == today}
    today_helped = {r.citizen_id for r in rows if r.registered and local_day(r.created_at) == today} | visited
    certs = _certificates(ids)
    cards = set(db.session.scalars(select(SignInCard.user_id).where(
        SignInCard.user_id.in_(ids), SignInCard.revoked_at.is_(None)))) if ids else set()
    passed: dict[int, set[int]] = {}
    if ids:
        for user_id, course_id in db.session.execute(
            select(CourseResult.user_id, CourseResult.course_id)
            .where(CourseResult.user_id.in_(ids), CourseResult.passed.is_(True))
        ):
            passed.setdefault(user_id, set()).add(course_id)
    paths: dict[str, list[Course]] = {}
    page = Page()
    for row in rows:
        citizen = row.citizen
        audience = citizen.audience or ""
        if audience not in paths:
            paths[audience] = path_courses(audience) if audience else []
        courses = paths[audience]
        done = passed.get(citizen.id, set())
        current = next((c for c in courses if c.id not in done), None)
        count, path = certs.get(citizen.id, (0, False))
        person = PersonRow(
            citizen=citizen, registered=row.registered, helped_today=citizen.id in today_helped,
            courses_total=len(courses), courses_passed=sum(1 for c in courses if c.id in done),
            current=current, certificates=count, path_certificate=path, has_card=citizen.id in cards,
        )
        (page.today if person.helped_today else page.others).append(person)
    return page


def ranking(scope: AdminUnit | None, *, everywhere: bool = False) -> list[AmbassadorRow]:
    """The ambassadors of communes in ``scope`` (every one with ``everywhere``: an admin), by people
    helped, then certificates their people earned, then name."""
    query = (select(User).join(UserRole, UserRole.user_id == User.id).join(AdminUnit, AdminUnit.id == User.unit_id)
             .where(UserRole.role == ROLE))
    if not everywhere:
        if scope is None:
            return []
        query = query.where(AdminUnit.path.startswith(scope.path))
    ambassadors = list(db.session.scalars(query))
    if not ambassadors:
        return []
    by_id = {a.id: AmbassadorRow(a) for a in ambassadors}
    # only people of the ambassador's own commune count, as only they can be helped
    pairs = db.session.execute(
        select(Helped.ambassador_id, Helped.citizen_id).join(User, User.id == Helped.citizen_id)
        .where(Helped.ambassador_id.in_(by_id))
    ).all()
    unit_of = {a.id: a.unit_id for a in ambassadors}
    citizens = {cid: uid for cid, uid in db.session.execute(
        select(User.id, User.unit_id).where(User.id.in_({c for _a, c in pairs})))} if pairs else {}
    certs = _certificates(list(citizens))
    for ambassador_id, citizen_id in pairs:
        if citizens.get(citizen_id) != unit_of[ambassador_id]:
            continue
        row = by_id[ambassador_id]
        count, path = certs.get(citizen_id, (0, False))
        row.people += 1
        row.certificates += count
        row.path_certificates += int(path)
    return sorted(by_id.values(), key=lambda r: (-r.people, -r.certificates, vi_key(r.ambassador.full_name)))
