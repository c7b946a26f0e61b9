"""From a checked roster to accounts and enrollments: preview, then import exactly the valid rows.

Nothing is written while the teacher looks at the preview except the upload itself (its
rows with their problem codes). Importing checks the rows again against the database (an
account may have appeared since), creates the missing accounts with one-time passwords,
links the existing ones whose details agree (never a duplicate, never a staff account), invites
the other existing ones only when the teacher ticked their row in the preview (they decide at
their next sign-in: :mod:`lms.classes.invitations`) and enrolls everybody in one transaction.
The teacher learns nothing about an existing account beyond what the row said, except, for a
row that needs a check, :func:`lms.classes.matching.compare` (initials, which details agree).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from lms.accounts.models import User
from lms.accounts.services import NewAccount, audit, create_accounts, revoke_credentials
from lms.classes.matching import classify, enrollments, name_key
from lms.classes.models import ClassInvitation, Classroom, Enrollment, PasswordSheet, RosterUpload
from lms.classes.passwords import hash_many, new_one_time_password, store_sheet
from lms.classes.roster import RosterTable, check_rows
from lms.db import db, now_utc

_CHUNK = 500
#: a roster upload (its preview and report) is kept this long, then forgotten
UPLOAD_DAYS = 30
#: uploads checked before invitations existed said "existing": shown (and counted) as invitations,
#: and the import checks every row again anyway
LEGACY = {"existing": "invite"}


__all__ = ["ImportConflict", "ImportOutcome", "classify", "import_upload", "name_key", "summary", "will_import"]


class ImportConflict(Exception):
    """An account appeared while importing; nothing was saved, the teacher may try again."""


@dataclass
class ImportOutcome:
    created: int
    linked: int
    already: int
    skipped: int
    sheet_id: int | None
    invited: int = 0

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def will_import(row: dict) -> bool:
    """New and agreeing rows are imported; a row that needs a check only when the teacher ticked it."""
    status = LEGACY.get(row["status"], row["status"])
    return status in ("new", "link") or (status == "invite" and bool(row.get("confirmed")))


def shown_rows(rows: list[dict]) -> list[dict]:
    """The rows as the teacher sees them: an upload checked before invitations existed said
    "existing" (with a note when the name differed); it shows as an invitation, without the note."""
    return [
        {**r, "status": LEGACY[r["status"]], "notes": [n for n in r["notes"] if n["code"] != "name_differs"]}
        if r["status"] in LEGACY else r
        for r in rows
    ]


def summary(rows: list[dict]) -> dict[str, int]:
    """How many rows will create accounts, link, invite (rows to check that were ticked), and be
    skipped (already in the class, in error, or to check and not ticked)."""
    counts = {"new": 0, "link": 0, "check": 0, "invite": 0, "already": 0, "error": 0}
    for row in rows:
        status = LEGACY.get(row["status"], row["status"])
        if status == "invite":
            counts["check"] += 1
            counts["invite"] += 1 if row.get("confirmed") else 0
        else:
            counts[status] = counts.get(status, 0) + 1
    counts["total"] = len(rows)
    counts["importable"] = counts["new"] + counts["link"] + counts["invite"]
    counts["skip"] = counts["total"] - counts["importable"]
    return counts


def purge_old_uploads(days: int = UPLOAD_DAYS) -> int:
    """Forget roster uploads (names, phones, birth years) after ``days``; return how many."""
    cutoff = now_utc() - timedelta(days=days)
    return db.session.execute(delete(RosterUpload).where(RosterUpload.created_at < cutoff)).rowcount or 0


def create_upload(classroom: Classroom, actor: User, filename: str, table: RosterTable) -> RosterUpload:
    """Check the rows and keep them for the preview; no account or enrollment is touched."""
    purge_old_uploads(int(current_app.config.get("LMS_ROSTER_UPLOAD_DAYS", UPLOAD_DAYS)))
    upload = RosterUpload(
        class_id=classroom.id,
        uploaded_by_id=actor.id,
        filename=(filename or "")[:200],
        notes=table.notes,
        rows=classify(check_rows(table), classroom.id),
        created_at=now_utc(),
    )
    db.session.add(upload)
    db.session.flush()
    audit(actor, "roster_upload", "class", classroom.id, {"upload_id": upload.id, **shown_accounts(upload.rows)})
    db.session.commit()
    return upload


def shown_accounts(rows: list[dict]) -> dict:
    """For the audit log: how many rows, and the accounts whose initials the preview shows."""
    return {"rows": len(rows), "shown_user_ids": [r["user_id"] for r in rows if r["status"] == "invite"]}


def _claim(upload: RosterUpload) -> bool:
    """Mark the upload imported unless a double click or a second tab got there first."""
    claimed = db.session.execute(
        update(RosterUpload)
        .where(RosterUpload.id == upload.id, RosterUpload.imported_at.is_(None))
        .values(imported_at=now_utc())
        .execution_options(synchronize_session=False)
    ).rowcount
    return claimed == 1


def import_upload(upload: RosterUpload, classroom: Classroom, actor: User,
                  progress: Callable[[int, int], None] | None = None) -> ImportOutcome:
    """Create and link the accounts of the valid rows, enroll them, and keep their password sheet.
    ``progress(done, 4)`` is told after each of its four steps (a job shows it)."""
    if not _claim(upload):
        db.session.rollback()
        db.session.refresh(upload)
        return ImportOutcome(
            **{k: (upload.outcome or {}).get(k, 0) for k in ImportOutcome.__dataclass_fields__}
        )
    try:
        return _apply_import(upload, classroom, actor, progress or (lambda _done, _total: None))
    except IntegrityError as error:
        # someone registered one of these logins between our check and our insert
        db.session.rollback()
        raise ImportConflict() from error


def _apply_import(upload: RosterUpload, classroom: Classroom, actor: User,
                  progress: Callable[[int, int], None]) -> ImportOutcome:
    rows = classify(upload.rows, classroom.id)
    previewed = {r["line"] for r in upload.rows if will_import(r)}
    # a row needing a check (its details do not agree with the account) goes only when ticked
    todo = [r for r in rows if r["line"] in previewed and will_import(r)]
    new_rows = [r for r in todo if r["status"] == "new"]
    now = now_utc()
    passwords = [new_one_time_password() for _ in new_rows]
    hashes = hash_many(passwords)
    progress(1, 4)
    locale = current_app.config.get("LMS_DEFAULT_LOCALE", "vi")
    created_ids = create_accounts([
        NewAccount(
            username=r["username"], phone=r["phone"], email=r["email"] or None, full_name=r["full_name"],
            birth_year=r["birth_year"], audience=classroom.audience, unit_id=classroom.unit_id, locale=locale,
            password_hash=h, must_change_password=True,
        )
        for r, h in zip(new_rows, hashes, strict=True)
    ])
    for row, user_id in zip(new_rows, created_ids, strict=True):
        row["user_id"] = user_id
    progress(2, 4)
    joining = [r for r in todo if r["status"] in ("new", "link")]
    # two rows may name one account (its username and its phone): it is enrolled once
    joining_ids = list(dict.fromkeys(r["user_id"] for r in joining))
    created = {r["user_id"] for r in new_rows}
    enrolled = enrollments(classroom.id, joining_ids)
    fresh = [user_id for user_id in joining_ids if user_id not in enrolled]
    if fresh:
        db.session.execute(
            insert(Enrollment.__table__),
            [
                {
                    "class_id": classroom.id,
                    "user_id": user_id,
                    "enrolled_at": now,
                    "source": "roster",
                    "created_account": user_id in created,
                }
                for user_id in fresh
            ],
        )
    returning = [user_id for user_id in joining_ids if enrolled.get(user_id) is False]
    for start in range(0, len(returning), _CHUNK):
        db.session.execute(
            update(Enrollment)
            .where(Enrollment.class_id == classroom.id, Enrollment.user_id.in_(returning[start : start + _CHUNK]))
            .values(removed_at=None, enrolled_at=now)
        )
    progress(3, 4)
    invite_rows = [r for r in todo if r["status"] == "invite"]
    invited_ids = _invite(classroom, actor, [r["user_id"] for r in invite_rows], set(joining_ids), now)
    sheet = None
    if new_rows:
        sheet = store_sheet(
            classroom.id,
            actor.id,
            [
                {"name": r["full_name"], "login": r["login"], "password": p}
                for r, p in zip(new_rows, passwords, strict=True)
            ],
        )
    already = sum(1 for r in rows if r["status"] == "already")
    # counted by rows, never by what the database held: the numbers reveal nothing about accounts
    outcome = ImportOutcome(
        created=len(new_rows),
        linked=len(joining) - len(new_rows),
        invited=len(invite_rows),
        already=already,
        skipped=len(rows) - len(todo) - already,
        sheet_id=sheet.id if sheet else None,
    )
    db.session.execute(
        update(RosterUpload)
        .where(RosterUpload.id == upload.id)
        .values(outcome=outcome.as_dict(), rows=rows)
        .execution_options(synchronize_session=False)
    )
    audit(actor, "roster_import", "class", classroom.id,
          {"upload_id": upload.id, **outcome.as_dict(), "invited_user_ids": invited_ids})
    db.session.commit()
    db.session.refresh(upload)
    return outcome


def _invite(classroom: Classroom, actor: User, user_ids: list[int], joining: set[int], now: datetime) -> list[int]:
    """Invite these accounts unless they are in the class (or joining it now) or already invited."""
    wanted = [user_id for user_id in dict.fromkeys(user_ids) if user_id not in joining]
    if not wanted:
        return []
    members = {user_id for user_id, active in enrollments(classroom.id, wanted).items() if active}
    pending: set[int] = set()
    for start in range(0, len(wanted), _CHUNK):
        pending.update(db.session.scalars(
            select(ClassInvitation.user_id).where(
                ClassInvitation.class_id == classroom.id,
                ClassInvitation.user_id.in_(wanted[start : start + _CHUNK]),
                ClassInvitation.answered_at.is_(None),
            )
        ))
    todo = [user_id for user_id in wanted if user_id not in members and user_id not in pending]
    if todo:
        db.session.execute(
            insert(ClassInvitation.__table__),
            [
                {"class_id": classroom.id, "user_id": user_id, "invited_by_id": actor.id, "created_at": now}
                for user_id in todo
            ],
        )
    return todo


def reissue_passwords(classroom: Classroom, user_ids: list[int], actor: User) -> PasswordSheet | None:
    """New one-time passwords for accounts this class's roster created and whose owner has not yet
    chosen a password; any other account is left alone (a teacher never takes over an account)."""
    users = list(db.session.scalars(
        select(User).join(Enrollment, Enrollment.user_id == User.id)
        .where(*_holds_roster_password(classroom), User.id.in_(user_ids))
        .order_by(User.full_name)
    ))
    if not users:
        return None
    passwords = [new_one_time_password() for _ in users]
    for user, password_hash in zip(users, hash_many(passwords), strict=True):
        user.password_hash = password_hash
        revoke_credentials(user.id)  # a reset: the old one-time password's sessions and tokens end
    sheet = store_sheet(
        classroom.id,
        actor.id,
        [
            {"name": u.full_name, "login": u.phone or u.username, "password": p}
            for u, p in zip(users, passwords, strict=True)
        ],
    )
    audit(actor, "class_new_passwords", "class", classroom.id, {"user_ids": [u.id for u in users]})
    db.session.commit()
    return sheet


def _holds_roster_password(classroom: Classroom) -> tuple:
    """Enrolled in the class, account made by its roster, owner has not yet chosen a password
    (joined to ``Enrollment`` on ``user_id``): the one rule for who may get a new one."""
    return (
        Enrollment.class_id == classroom.id,
        Enrollment.removed_at.is_(None),
        Enrollment.created_account.is_(True),
        User.must_change_password.is_(True),
    )


def reissuable_ids(classroom: Classroom) -> list[int]:
    """Learners of the class who still hold a one-time password from its roster."""
    return list(db.session.scalars(
        select(User.id).join(Enrollment, Enrollment.user_id == User.id).where(*_holds_roster_password(classroom))
    ))
