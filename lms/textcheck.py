"""Text that the database, a spreadsheet or a printed certificate cannot take.

Two families of checks:

* :func:`unsafe_text` / :func:`first_unsafe`: NUL bytes and lone surrogates, which no input may
  carry (PostgreSQL refuses NUL in text, and a lone surrogate cannot be encoded to UTF-8);
* :func:`name_problem`: what a person's or a class's name may not contain: control characters,
  invisible (zero-width) characters and text-direction overrides, which make a name print
  reversed or hide part of it.

And two cleaners for what is already stored (older data): :func:`printable` for names shown on
certificates and exports, :func:`xml_safe` for XLSX cells.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from lms.i18n import _

#: NUL, or a UTF-16 surrogate standing alone (only JSON's "\\ud800" escapes can make one)
_UNSAFE_RE = re.compile("[\x00\ud800-\udfff]")
#: categories a name may not hold: control, format (zero-width, bidi), surrogate, private use,
#: unassigned, line and paragraph separators
_NAME_REFUSED = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
#: XML 1.0 forbids these (openpyxl refuses to write them); surrogates and U+FFFE/U+FFFF too
_XML_ILLEGAL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
#: how deep a JSON body may nest; API bodies are a few levels deep at most
MAX_JSON_DEPTH = 32


def unsafe_text(text: str) -> bool:
    """True if ``text`` holds a NUL byte or a lone surrogate."""
    return _UNSAFE_RE.search(text) is not None


def replace_unsafe(text: str) -> str:
    """NUL bytes and lone surrogates replaced by U+FFFD (shown as a question mark in a box)."""
    return _UNSAFE_RE.sub("\ufffd", text) if unsafe_text(text) else text


def first_unsafe(values: Iterable[object], max_depth: int = MAX_JSON_DEPTH) -> str | None:
    """Walk strings, lists and dicts (without recursion): the first problem, else None.

    Returns ``"characters"`` for a NUL byte or a lone surrogate in a string or a key,
    ``"depth"`` for nesting deeper than ``max_depth``.
    """
    stack: list[tuple[object, int]] = [(value, 0) for value in values]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if unsafe_text(value):
                return "characters"
        elif isinstance(value, dict | list | tuple):
            if depth >= max_depth:
                return "depth"
            items = value.items() if isinstance(value, dict) else ((None, v) for v in value)
            for key, item in items:
                if isinstance(key, str) and unsafe_text(key):
                    return "characters"
                stack.append((item, depth + 1))
    return None


def _refused(char: str) -> bool:
    return char == "\ufffd" or unicodedata.category(char) in _NAME_REFUSED


def name_problem(name: str) -> str | None:
    """A person's or a class's name: refuse control, invisible and text-direction characters."""
    if any(_refused(c) for c in name):
        return _("A name may not contain control characters, invisible characters or "
                 "text-direction marks. Type it again without copying it from elsewhere.")
    return None


def printable(text: str | None) -> str:
    """A stored name as it may be printed: refused characters removed, spaces kept single."""
    if not text:
        return text or ""
    if not any(_refused(c) for c in text):
        return text
    kept = []
    for char in text:
        if unicodedata.category(char) in ("Cc", "Zl", "Zp"):
            kept.append(" ")  # a tab or a line break between two words stays a space
        elif not _refused(char):
            kept.append(char)
    cleaned = "".join(kept)
    return " ".join(cleaned.split())


def xml_safe(value: object) -> object:
    """A value an XLSX cell can hold: characters XML forbids are removed from text."""
    if isinstance(value, str) and _XML_ILLEGAL_RE.search(value):
        return _XML_ILLEGAL_RE.sub("", value)
    return value
