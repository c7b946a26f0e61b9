"""Pure checks for account data; messages in the user's language."""

from __future__ import annotations

import re
from datetime import date

from lms.i18n import _

PHONE_RE = re.compile(r"^(?:\+?84|0)([35789]\d{8})$")
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{2,31}$")
COMMON_PASSWORDS = frozenset(
    {
        "12345678", "123456789", "1234567890", "87654321", "11111111", "00000000", "password",
        "password1", "matkhau", "matkhau1", "matkhau123", "abc12345", "abcd1234", "qwertyui",
        "qwerty123", "iloveyou", "anhyeuem", "123123123", "66668888", "88888888", "admin123",
        "vietnam1", "vietnam123", "12341234", "1q2w3e4r", "a1234567",
    }
)


def normalize_phone(text: str) -> str | None:
    """Return a Vietnamese mobile number as 0xxxxxxxxx, or None if it is not one."""
    compact = re.sub(r"[\s.()-]", "", text or "")
    match = PHONE_RE.match(compact)
    return "0" + match.group(1) if match else None


def looks_like_phone(text: str) -> bool:
    return bool(re.fullmatch(r"[\s+().\d-]{6,}", text or ""))


def username_problem(username: str) -> str | None:
    if not USERNAME_RE.match(username):
        return _("A username has 3 to 32 characters: lower-case letters without accents, digits, "
                 "dot, dash or underscore, starting with a letter or digit.")
    return None


def password_problem(password: str, *, min_length: int = 8, personal: tuple[str, ...] = ()) -> str | None:
    if len(password) < min_length:
        return _("The password must have at least %(n)d characters.", n=min_length)
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(password)) <= 2:
        return _("This password is too easy to guess. Choose another one.")
    if lowered.isdigit() and len(set(lowered)) <= 4:
        return _("This password is too easy to guess. Choose another one.")
    for item in personal:
        if item and len(item) >= 3 and item.lower() in lowered:
            return _("The password must not contain your username, phone number or birth year.")
    return None


def birth_year_problem(year: int | None) -> str | None:
    if year is None:
        return None
    this_year = date.today().year
    if year > this_year:
        return _("The birth year cannot be in the future.")
    if year < this_year - 120:
        return _("Please check the birth year.")
    return None
