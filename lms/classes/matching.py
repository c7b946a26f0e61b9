"""Which existing account a roster row names, and whether the row agrees with it.

An account is linked only when the row agrees with it (phone or username, the name folded for
case, spaces and diacritics, and the birth year when both have one) and it is not a staff
account; any other match "needs a check": the preview shows the row beside :func:`compare` (the
name's initials, whether name and birth year agree) and the teacher may tick it to invite the
person, who decides. Nothing else of the account reaches the teacher.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from sqlalchemy import or_, select

from lms.accounts.models import User, UserRole
from lms.classes.models import Enrollment
from lms.classes.roster import fold
from lms.db import db

_CHUNK = 500


@dataclass(frozen=True)
class Account:
    """What the roster check needs of an existing account; never shown to the teacher."""

    id: int
    full_name: str
    birth_year: int | None
    #: any role beyond learner (admin, official, teacher, verifier): never linked by a roster
    staff: bool


def existing_accounts(rows: list[dict]) -> tuple[dict[str, Account], dict[str, Account]]:
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


def enrollments(class_id: int, user_ids: list[int]) -> dict[int, bool]:
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


def initials(full_name: str) -> str:
    """ "Nguyễn Văn An" -> "N. V. A." (each word's first letter, upper case); "—" for no name."""
    words = unicodedata.normalize("NFC", full_name or "").split()
    letters = [next((ch for ch in word if ch.isalnum()), "") for word in words]
    return " ".join(f"{letter.upper()}." for letter in letters if letter) or "—"


def compare(row: dict, account: Account) -> dict:
    """What the teacher may see of an account the row does not agree with, beside the row: the
    name's initials ("N. V. A.": less than a public verification page shows), whether the name
    agrees, and whether the birth year agrees (never the year itself, never the roles)."""
    year = row["birth_year"] if isinstance(row["birth_year"], int) else None
    if year is None or account.birth_year is None:
        year_state = "unknown"
    else:
        year_state = "same" if year == account.birth_year else "differs"
    return {
        "name": initials(account.full_name),
        "name_agrees": name_key(row["full_name"]) == name_key(account.full_name),
        "year": year_state,
    }


def classify(rows: list[dict], class_id: int) -> list[dict]:
    """Give each valid row its status against the database.

    ``new`` (no account has this login), ``link`` (an account has it and the row agrees with
    it: enrolled at once), ``invite`` (an account has it but the row does not agree, or it is a
    staff account: shown as "needs a check"; only when the teacher ticks it (``confirmed``) is
    the person invited, and they decide), ``already`` (agrees, and is in the class).
    Of the account the row keeps its id (``user_id``, never shown) and, for an ``invite`` row,
    :func:`compare` (``account``): initials and whether name and birth year agree.
    """
    rows = [
        {
            **r,
            "problems": [p for p in r["problems"] if p["code"] != "ambiguous"],
            "notes": [n for n in r["notes"] if n["code"] != "name_differs"],
            "user_id": None,
            "account": None,
            "confirmed": bool(r.get("confirmed")),
        }
        for r in rows
    ]
    for row in rows:
        row["status"] = "error" if row["problems"] else "ok"
    by_username, by_phone = existing_accounts(rows)
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
        # a staff account is never linked: it needs a check like a row that disagrees (roles never shown)
        row["status"] = "link" if not account.staff and agrees(row, account) else "invite"
        if row["status"] == "invite":
            row["account"] = compare(row, account)
    enrolled = enrollments(class_id, [r["user_id"] for r in rows if r["status"] == "link"])
    for row in rows:
        if row["status"] == "link" and enrolled.get(row["user_id"]):
            row["status"] = "already"
    return rows
