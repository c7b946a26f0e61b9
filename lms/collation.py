"""Vietnamese alphabetical order, for lists of places (and any other Vietnamese names).

Python's ``sorted`` compares code points, so "Điện Biên" (Đ is U+0110) lands after "Yên Bái"
and "Hà Nội" after "Hưng Yên". Vietnamese dictionaries order the base letters

    a ă â b c d đ e ê (f) g h i (j) k l m n o ô ơ p q r s t u ư v (w) x y (z)

and only then the tones: no mark, huyền (à), hỏi (ả), ngã (ã), sắc (á), nặng (ạ), the order
of CLDR's Vietnamese collation. :func:`vi_key` gives a key with the same three levels as
ICU: the base letters first (primary), then the tones (secondary), then upper/lower case
(tertiary). Spaces separate words ("Hà Nam" before "Hàm Yên"), a run of digits counts as
its number ("Phường 2" before "Phường 10"), apostrophes and hyphens are ignored (Ea H'Leo).
PyICU would do the same but is a large C dependency for 34 provinces and 3,321 communes.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import TypeVar

T = TypeVar("T")

#: the Vietnamese alphabet, with the Latin letters it borrows in their Latin places
ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
#: a base letter with one of these marks is a letter of its own (ă â ê ô ơ ư)
_LETTER_MARKS = {"\u0306": "\u0306", "\u0302": "\u0302", "\u031b": "\u031b"}
_COMPOSED = {unicodedata.normalize("NFD", ch): ch for ch in ALPHABET}
#: tone marks, in dictionary order (no mark is 0); any other mark sorts after them
TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_OTHER_MARK = 6
_IGNORED = frozenset("'’‘-‐–.")
_WORD_BREAK, _NUMBER, _LETTER, _OTHER = "\x01", "\x02", 0x100, "\u0200"  # other letters after z


@lru_cache(maxsize=8192)
def vi_key(text: str) -> tuple[str, str, str, str]:
    """A sort key putting ``text`` in Vietnamese alphabetical order (see the module's docstring)."""
    primary: list[str] = []
    secondary: list[str] = []
    tertiary: list[str] = []
    chars = unicodedata.normalize("NFD", text)
    i, n = 0, len(chars)
    while i < n:
        ch = chars[i]
        i += 1
        if ch.isspace() or (not ch.isalnum() and ch not in _IGNORED and not unicodedata.combining(ch)):
            if primary and primary[-1] != _WORD_BREAK:
                primary.append(_WORD_BREAK)
            continue
        if ch in _IGNORED or unicodedata.combining(ch):
            continue
        if ch.isdigit():
            start = i - 1
            while i < n and chars[i].isdigit():
                i += 1
            digits = str(int(chars[start:i])) if chars[start:i].isascii() else chars[start:i]
            primary.append(_NUMBER + chr(0x30 + len(digits)) + digits)
            continue
        lower = ch.lower()
        letter, tone = lower, 0
        while i < n and unicodedata.combining(chars[i]):
            mark = chars[i]
            i += 1
            if mark in _LETTER_MARKS and letter + mark in _COMPOSED:
                letter = _COMPOSED[letter + mark]
            else:
                tone = TONES.get(mark, _OTHER_MARK) if tone == 0 else _OTHER_MARK
        index = ALPHABET.find(letter)
        primary.append(chr(_LETTER + index) if index >= 0 else _OTHER + letter)
        secondary.append(chr(0x30 + tone))
        tertiary.append("1" if ch != lower else "0")
    while primary and primary[-1] == _WORD_BREAK:
        primary.pop()
    return "".join(primary), "".join(secondary), "".join(tertiary), text


def sort_vi(items: Iterable[T], key: Callable[[T], str] = str) -> list[T]:  # type: ignore[assignment]
    """``items`` in Vietnamese alphabetical order of ``key(item)`` (their name, say)."""
    return sorted(items, key=lambda item: vi_key(key(item)))
