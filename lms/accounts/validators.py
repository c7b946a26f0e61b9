"""Pure checks for account data; messages in the user's language."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import cache

from lms.i18n import _

PHONE_RE = re.compile(r"^(?:\+?84|0)([35789]\d{8})$")
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{2,31}$")
#: Vietnamese favourites missing from the general list below
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


@cache
def common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords of zxcvbn's list (leaked-password corpora, maintained on
    PyPI as ``zxcvbn``) plus :data:`COMMON_PASSWORDS`, lower-case. Loaded on first use (~0.1 s)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(p.lower() for p in FREQUENCY_LISTS["passwords"]) | COMMON_PASSWORDS


def _plain(text: str) -> str:
    """Lower case without Vietnamese diacritics, spaces or punctuation: "Nguyễn Văn" -> "nguyenvan"."""
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("đ", "d"))
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c))


def _made_of_names(letters: str, names: set[str]) -> bool:
    """``letters`` is nothing but the person's name words, in any order ("binhtran", "anan")."""
    if not letters or not names:
        return False
    can_end = [True] + [False] * len(letters)
    for end in range(1, len(letters) + 1):
        can_end[end] = any(can_end[end - len(n)] and letters.endswith(n, 0, end) for n in names if len(n) <= end)
    return can_end[-1]


def password_problem(password: str, *, min_length: int = 8, personal: tuple[str, ...] = (),
                     name: str = "") -> str | None:
    """Why ``password`` is not good enough, or None.

    ``personal``: the account's username, phone and birth year, none of which it may contain.
    ``name``: the full name. Vietnamese names are ordinary words (Bình, Minh, Hoa), so a name
    word inside a phrase is fine ("binh-minh-len-99"); refused are the whole name anywhere in it
    and a password whose letters are only name words plus digits or signs ("Tran.Binh.1990").
    """
    if len(password) < min_length:
        return _("The password must have at least %(n)d characters.", n=min_length)
    lowered = password.lower()
    plain = _plain(password)
    if lowered in common_passwords() or plain in common_passwords() or len(set(password)) <= 2:
        return _("This password is too easy to guess. Choose another one.")
    if lowered.isdigit() and len(set(lowered)) <= 4:
        return _("This password is too easy to guess. Choose another one.")
    fragments = {f for item in personal if item for f in (item.lower(), _plain(item)) if len(f) >= 3}
    whole_name = _plain(name)
    if len(whole_name) >= 3:
        fragments.add(whole_name)
    if any(f in lowered or f in plain for f in fragments) or _made_of_names(
        "".join(c for c in plain if c.isalpha()), {_plain(word) for word in name.split()} - {""}
    ):
        return _("The password must not contain your name, username, phone number or birth year.")
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


#: one @, something on each side, a dot in the domain, no spaces: what a mail server needs
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s.]+(?:\.[^@\s.]+)+$")


def normalize_email(text: str | None) -> str | None:
    """An e-mail address trimmed and lower-cased, or None when it cannot be one."""
    email = (text or "").strip().lower()
    return email if len(email) <= 254 and EMAIL_RE.match(email) else None
