"""Classes: who may see one, its courses, creating and editing it, joining and leaving it."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select, update

from lms.accounts.models import User
from lms.accounts.services import audit
from lms.classes.models import ClassCourse, ClassInvitation, Classroom, Enrollment
from lms.clock import local_today
from lms.courses.models import Course
from lms.courses.services import path_courses
from lms.db import db, now_utc
from lms.i18n import _

#: no 0/O, 1/I/L, U: a code read aloud or copied from a poster comes out right
JOIN_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
JOIN_LENGTH = 8


class ClassError(ValueError):
    """A refused class action; ``code`` is stable, ``message`` is for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class ClassData:
    name: str
    audience: str | None = None
    unit_id: int | None = None
    organisation_kind: str | None = None
    organisation: str = ""
    uses_path: bool = False
    course_ids: list[int] = field(default_factory=list)
    starts_on: date | None = None
    ends_on: date | None = None


def is_admin(user: User) -> bool:
    return user.has_role("admin")


def can_manage(user: User | None, classroom: Classroom | None) -> bool:
    """A teacher manages their own classes; an admin manages all."""
    if user is None or classroom is None:
        return False
    return is_admin(user) or (user.has_role("teacher") and classroom.teacher_id == user.id)


def visible_classes(user: User) -> list[Classroom]:
    query = select(Classroom).order_by(Classroom.created_at.desc(), Classroom.id.desc())
    if not is_admin(user):
        query = query.where(Classroom.teacher_id == user.id)
    return list(db.session.scalars(query))


def learner_counts(class_ids: list[int]) -> dict[int, int]:
    if not class_ids:
        return {}
    return dict(
        db.session.execute(
            select(Enrollment.class_id, func.count(Enrollment.user_id))
            .where(Enrollment.class_id.in_(class_ids), Enrollment.removed_at.is_(None))
            .group_by(Enrollment.class_id)
        ).all()
    )


def class_courses(classroom: Classroom) -> list[Course]:
    """The class's courses in order: the audience's whole path, or the teacher's choice."""
    if classroom.uses_path:
        return path_courses(classroom.audience) if classroom.audience else []
    return list(
        db.session.scalars(
            select(Course)
            .join(ClassCourse, ClassCourse.course_id == Course.id)
            .where(ClassCourse.class_id == classroom.id, Course.archived.is_(False))
            .order_by(ClassCourse.position, Course.id)
        )
    )


def new_join_code() -> str:
    while True:
        code = "".join(secrets.choice(JOIN_ALPHABET) for _ in range(JOIN_LENGTH))
        if db.session.scalar(select(Classroom.id).where(Classroom.join_code == code)) is None:
            return code


def normalize_join_code(text: str | None) -> str:
    return re.sub(r"[^0-9A-Z]", "", (text or "").upper())[:16]


def format_join_code(code: str) -> str:
    """ "K7QM4XD2" -> "K7QM-4XD2", easier to read aloud and to copy."""
    return f"{code[:4]}-{code[4:]}" if len(code) == JOIN_LENGTH else code


def by_join_code(text: str | None) -> Classroom | None:
    code = normalize_join_code(text)
    if not code:
        return None
    return db.session.scalar(select(Classroom).where(Classroom.join_code == code))


def _apply(classroom: Classroom, data: ClassData) -> None:
    classroom.name = " ".join(data.name.split())
    classroom.audience = data.audience or None
    classroom.unit_id = data.unit_id
    classroom.organisation_kind = data.organisation_kind or None
    classroom.organisation = " ".join((data.organisation or "").split())
    classroom.uses_path = bool(data.uses_path)
    classroom.starts_on = data.starts_on
    classroom.ends_on = data.ends_on
    existing = {
        row.course_id: row
        for row in db.session.scalars(select(ClassCourse).where(ClassCourse.class_id == classroom.id))
    }
    wanted = [] if data.uses_path else list(dict.fromkeys(data.course_ids))
    for course_id, row in existing.items():
        if course_id not in wanted:
            db.session.delete(row)
    for position, course_id in enumerate(wanted):
        row = existing.get(course_id) or ClassCourse(class_id=classroom.id, course_id=course_id)
        row.position = position
        db.session.add(row)


def create_class(teacher: User, data: ClassData) -> Classroom:
    classroom = Classroom(teacher_id=teacher.id, name=data.name, join_code=new_join_code())
    db.session.add(classroom)
    db.session.flush()
    _apply(classroom, data)
    audit(teacher, "class_create", "class", classroom.id, {"name": classroom.name})
    db.session.commit()
    return classroom


def update_class(classroom: Classroom, data: ClassData, actor: User) -> None:
    _apply(classroom, data)
    audit(actor, "class_update", "class", classroom.id, {"name": classroom.name})
    db.session.commit()


def rotate_join_code(classroom: Classroom, actor: User) -> str:
    """A new code: posters with the old one stop working."""
    classroom.join_code = new_join_code()
    audit(actor, "class_join_code", "class", classroom.id, {})
    db.session.commit()
    return classroom.join_code


def active_enrollment(class_id: int, user_id: int) -> Enrollment | None:
    return db.session.scalar(
        select(Enrollment).where(
            Enrollment.class_id == class_id, Enrollment.user_id == user_id, Enrollment.removed_at.is_(None)
        )
    )


def has_ended(classroom: Classroom, today: date | None = None) -> bool:
    return classroom.ends_on is not None and classroom.ends_on < (today or local_today())


def join_class(classroom: Classroom, user: User) -> bool:
    """Enroll ``user`` by the join code (or by accepting an invitation, which goes the same way);
    False when they were in the class already. A pending invitation to the class is answered yes."""
    if has_ended(classroom):
        raise ClassError("class_ended", _("This class has ended; it no longer accepts learners."))
    now = now_utc()
    answered = db.session.execute(
        update(ClassInvitation)
        .where(
            ClassInvitation.class_id == classroom.id,
            ClassInvitation.user_id == user.id,
            ClassInvitation.answered_at.is_(None),
        )
        .values(answered_at=now, accepted=True)
        .execution_options(synchronize_session=False)
    ).rowcount
    row = db.session.get(Enrollment, (classroom.id, user.id))
    if row is not None and row.removed_at is None:
        if answered:
            db.session.commit()
        return False
    if row is None:
        db.session.add(Enrollment(class_id=classroom.id, user_id=user.id, source="join", enrolled_at=now))
    else:
        row.removed_at = None
        row.enrolled_at = now
    audit(user, "class_join", "class", classroom.id, {"invitation": bool(answered)})
    db.session.commit()
    return True


def remove_learner(classroom: Classroom, user_id: int, actor: User) -> bool:
    """Close the enrollment; attempts, results and certificates stay untouched."""
    done = db.session.execute(
        update(Enrollment)
        .where(
            Enrollment.class_id == classroom.id,
            Enrollment.user_id == user_id,
            Enrollment.removed_at.is_(None),
        )
        .values(removed_at=now_utc())
    ).rowcount
    if done:
        audit(actor, "class_remove_learner", "class", classroom.id, {"user_id": user_id})
    db.session.commit()
    return bool(done)


def teaches(teacher_id: int, learner_id: int, course_id: int | None = None) -> bool:
    """The learner is enrolled (and not removed) in a class this teacher runs; with ``course_id``,
    in a class that has this course (hand-picked, or in the class's audience path)."""
    classes = list(db.session.scalars(
        select(Classroom)
        .join(Enrollment, Enrollment.class_id == Classroom.id)
        .where(
            Classroom.teacher_id == teacher_id,
            Enrollment.user_id == learner_id,
            Enrollment.removed_at.is_(None),
        )
    ))
    if course_id is None:
        return bool(classes)
    return any(course_id in {c.id for c in class_courses(classroom)} for classroom in classes)
