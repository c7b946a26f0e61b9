"""From a checked roster to accounts and enrollments: preview, then import exactly the valid rows.

Nothing is written while the teacher looks at the preview except the upload itself (its
rows with their problem codes). Importing checks the rows again against the database (an
account may have appeared since), creates the missing accounts with one-time passwords,
links the existing ones whose details agree (never a duplicate, never a staff account), invites
the other existing ones (they decide at their next sign-in: :mod:`lms.classes.invitations`) and
enrolls everybody in one transaction. The teacher never learns anything about an existing
account beyond what the roster row already said.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from lms.accounts.models import User, UserRole
from lms.accounts.services import NewAccount, audit, create_accounts, revoke_credentials
from lms.classes.models import ClassInvitation, Classroom, Enrollment, PasswordSheet, RosterUpload
from lms.classes.passwords import hash_many, new_one_time_password, store_sheet
from lms.classes.roster import RosterTable, check_rows, fold
from lms.db import db, now_utc

_CHUNK = 500
#: a roster upload (its preview and report) is kept this long, then forgotten
UPLOAD_DAYS = 30
#: rows the import acts on; "already" (in the class) and "error" rows are left alone
IMPORTABLE = ("new", "link", "invite")
#: uploads checked before invitations existed said "existing": shown (and counted) as invitations,
#: and the import checks every row again anyway
LEGACY = {"existing": "invite"}


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


@dataclass(frozen=True)
class Account:
    """What the roster check needs of an existing account; never shown to the teacher."""

    id: int
    full_name: str
    birth_year: int | None
    #: any role beyond learner (admin, official, teacher, verifier): never linked by a roster
    staff: bool


def _existing_accounts(rows: list[dict]) -> tuple[dict[str, Account], dict[str, Account]]:
    """Accounts matching the rows' logins, by username and by phone."""
    names = sorted({r["username"] for r in rows if r["status"] != "error" and r["username"]})
    phones = sorted({r["phone"] for r in rows if r["status"] != "error" and r["phone"]})
    by_username: dict[str, Account] = {}
    by_phone: dict[str, Account] = {}
    staff = (
        select(UserRole.user_id)
        .where(UserRole.user_id == User.id, UserRole.role != "learner")
        .exists()
    )
    for start in range(0, max(len(names), len(phones)), _CHUNK):
        chunk_names, chunk_phones = names[start : start + _CHUNK], phones[start : start + _CHUNK]
        conditions = []
        if chunk_names:
            conditions.append(User.username.in_(chunk_names))
        if chunk_phones:
            conditions.append(User.phone.in_(chunk_phones))
        for user_id, username, phone, full_name, birth_year, is_staff in db.session.execute(
            select(User.id, User.username, User.phone, User.full_name, User.birth_year, staff).where(
                or_(*conditions)
            )
        ):
            account = Account(user_id, full_name, birth_year, bool(is_staff))
            by_username[username] = account
            if phone:
                by_phone[phone] = account
    return by_username, by_phone


def _enrollments(class_id: int, user_ids: list[int]) -> dict[int, bool]:
    """user id -> True when actively enrolled, False when removed earlier."""
    found: dict[int, bool] = {}
    for start in range(0, len(user_ids), _CHUNK):
        chunk = user_ids[start : start + _CHUNK]
        for user_id, removed_at in db.session.execute(
            select(Enrollment.user_id, Enrollment.removed_at).where(
                Enrollment.class_id == class_id, Enrollment.user_id.in_(chunk)
            )
        ):
            found[user_id] = removed_at is None
    return found


def name_key(name: str) -> str:
    """Case, spacing and accents do not matter: "nguyen thi hoa" is "Nguyễn Thị Hoa" (đ is d)."""
    return fold(name or "")


def agrees(row: dict, account: Account) -> bool:
    """The row names the account's owner: same name (folded), same birth year when both have one."""
    if name_key(row["full_name"]) != name_key(account.full_name):
        return False
    year = row["birth_year"] if isinstance(row["birth_year"], int) else None
    return year is None or account.birth_year is None or year == account.birth_year


def classify(rows: list[dict], class_id: int) -> list[dict]:
    """Give each valid row its status against the database.

    ``new`` (no account has this login), ``link`` (an account has it and the row agrees with
    it: enrolled at once), ``invite`` (an account has it but the row does not agree, or it is a
    staff account: the person is invited and decides), ``already`` (agrees, and is in the class).
    Nothing about the account is kept in the row but its id (``user_id``), which the teacher's
    pages never show: the preview shows only what the teacher typed.
    """
    rows = [
        {
            **r,
            "problems": [p for p in r["problems"] if p["code"] != "ambiguous"],
            "notes": [n for n in r["notes"] if n["code"] != "name_differs"],
            "user_id": None,
        }
        for r in rows
    ]
    for row in rows:
        row["status"] = "error" if row["problems"] else "ok"
    by_username, by_phone = _existing_accounts(rows)
    for row in rows:
        if row["status"] == "error":
            continue
        match_phone = by_phone.get(row["phone"]) if row["phone"] else None
        match_name = by_username.get(row["username"])
        if match_phone and match_name and match_phone.id != match_name.id:
            row["problems"].append({"code": "ambiguous"})
            row["status"] = "error"
            continue
        account = match_phone or match_name
        if account is None:
            row["status"] = "new"
            continue
        row["user_id"] = account.id
        # a staff account looks exactly like any other account whose details do not agree
        row["status"] = "link" if not account.staff and agrees(row, account) else "invite"
    enrolled = _enrollments(class_id, [r["user_id"] for r in rows if r["status"] == "link"])
    for row in rows:
        if row["status"] == "link" and enrolled.get(row["user_id"]):
            row["status"] = "already"
    return rows


def shown_rows(rows: list[dict]) -> list[dict]:
    """The rows as the teacher sees them: an upload checked before invitations existed said
    "existing" (with a note when the name differed); it shows as an invitation, without the note."""
    return [
        {**r, "status": LEGACY[r["status"]], "notes": [n for n in r["notes"] if n["code"] != "name_differs"]}
        if r["status"] in LEGACY else r
        for r in rows
    ]


def summary(rows: list[dict]) -> dict[str, int]:
    """How many rows will be created, linked, invited, skipped (already in the class or in error)."""
    counts = {"new": 0, "link": 0, "invite": 0, "already": 0, "error": 0}
    for row in rows:
        status = LEGACY.get(row["status"], row["status"])
        counts[status] = counts.get(status, 0) + 1
    counts["total"] = len(rows)
    counts["importable"] = counts["new"] + counts["link"] + counts["invite"]
    counts["skip"] = counts["already"] + counts["error"]
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
    db.session.commit()
    return upload


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
    previewed = {r["line"] for r in upload.rows if LEGACY.get(r["status"], r["status"]) in IMPORTABLE}
    todo = [r for r in rows if r["status"] in IMPORTABLE and r["line"] in previewed]
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
    enrolled = _enrollments(classroom.id, joining_ids)
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
    members = {user_id for user_id, active in _enrollments(classroom.id, wanted).items() if active}
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
