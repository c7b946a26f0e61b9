"""Low-level GIFT syntax shared by the parser (``lms.quiz.gift``) and the question types.

The parser works, as Moodle's importer does, on *protected* text: every escape sequence
(``\\:`` ``\\#`` ``\\=`` ``\\{`` ``\\}`` ``\\~`` ``\\n`` ``\\\\``) is first replaced by a placeholder
character, so that splitting at ``~``, ``=``, ``#``, ``{``... never sees an escaped one; the
placeholders are turned back into literal characters (``restore``) only when a piece of text is
final. Other backslashes (``\\*`` for a literal star in short answers) pass through unchanged.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

FORMATS: tuple[str, ...] = ("moodle", "html", "plain", "markdown")
DEFAULT_FORMAT = "moodle"

# Unicode noncharacters never occur in real text, so they are safe placeholders (Moodle uses
# "&&058;" strings, which a teacher could type).
_PLACEHOLDER = {
    "\\": "\ufdd0",
    ":": "\ufdd1",
    "#": "\ufdd2",
    "=": "\ufdd3",
    "{": "\ufdd4",
    "}": "\ufdd5",
    "~": "\ufdd6",
    "n": "\ufdd7",
}
_RESTORE = str.maketrans({ph: ("\n" if ch == "n" else ch) for ch, ph in _PLACEHOLDER.items()})
_ESCAPE_RE = re.compile(r"\\([\\:#={}~n])")
#: stands for the "_____" blank while the question text is being cut; never left in any output
BLANK_MARK = "\ufddf"
BLANK = "_____"
RESERVED_RE = re.compile("[\ufdd0-\ufddf]")

#: ``%50%``, ``%-100%``, ``%33.33333%`` at the start of an answer (Moodle: 1-2 digits, optional
#: decimals; we take any digits and range-check, so ``%100%`` and ``%1000%`` get a clear error)
WEIGHT_RE = re.compile(r"\s*%(-?\d+(?:\.\d*)?)%")
#: what PHP's is_numeric accepts for a plain decimal number (no hex, no inf/nan)
NUMBER_RE = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def protect(text: str) -> str:
    """Replace escape sequences by placeholders (left to right, so ``\\\\#`` is ``\\`` + ``#``)."""
    return _ESCAPE_RE.sub(lambda m: _PLACEHOLDER[m.group(1)], text)


def restore(text: str) -> str:
    """Turn placeholders back into the literal characters they stand for."""
    return text.translate(_RESTORE)


def escape(text: str) -> str:
    """Escape a literal text for writing into a GIFT file (Moodle's ``repchar``)."""
    out = text.replace("\\", "\\\\")
    for char in ":#={}~":
        out = out.replace(char, "\\" + char)
    return out.replace("\r", "").replace("\n", "\\n")


def split_format(protected: str, default: str) -> tuple[str, str]:
    """Split a ``[html]``-style prefix off a protected text; return (format, literal text).

    An unknown ``[xyz]`` stays part of the text, as in Moodle (format names are case-sensitive).
    """
    text = protected.strip()
    if text.startswith("["):
        end = text.find("]")
        if end > 0 and text[1:end] in FORMATS:
            return text[1:end], restore(text[end + 1 :]).strip()
    return default, restore(text).strip()


def write_text(text: str, fmt: str, default: str) -> str:
    """Escape ``text`` and add a format prefix when it differs from ``default``.

    A text that itself starts with ``[`` or ``//`` also gets an explicit prefix, so that on
    re-import it is neither mistaken for a format nor for a comment line.
    """
    prefix = f"[{fmt}]" if fmt != default or text.startswith(("[", "//")) else ""
    return prefix + escape(text)


def take_weight(protected: str) -> tuple[Decimal | None, str]:
    """Read a leading ``%n%`` weight (in percent); return (weight or None, rest of the text)."""
    match = WEIGHT_RE.match(protected)
    if match is None:
        return None, protected
    return Decimal(match.group(1)), protected[match.end() :]


def percent(fraction: float) -> str:
    """Write a fraction as a GIFT percentage without float noise: 0.3333333 -> "33.33333"."""
    value = (Decimal(repr(float(fraction))) * 100).normalize()
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def split_feedback(protected: str) -> tuple[str, str | None]:
    """Split ``answer#feedback`` at the first unescaped ``#``; feedback is None when absent."""
    head, sep, tail = protected.partition("#")
    return head, (tail if sep else None)


def split_answers(protected: str, markers: str, keep: str = "") -> list[tuple[str, int]]:
    """Split an answer block at marker characters; return (piece, offset in block) pairs.

    Markers listed in ``keep`` stay at the start of their piece (Moodle turns ``=`` into ``~=``
    and explodes at ``~``). A leading piece that is blank is dropped, as Moodle does.
    """
    pieces: list[tuple[str, int]] = []
    start = 0
    for index, char in enumerate(protected):
        if char in markers:
            pieces.append((protected[start:index], start))
            start = index if char in keep else index + 1
    pieces.append((protected[start:], start))
    if pieces and not pieces[0][0].strip():
        pieces.pop(0)
    return pieces


def parse_number(text: str) -> Decimal | None:
    """Parse a number written in a GIFT file (a point as decimal separator), or None."""
    text = text.strip()
    if not NUMBER_RE.fullmatch(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the regex admits only valid literals
        return None


def format_number(value: float) -> str:
    """Write a number for a GIFT file: integers without ".0", others in shortest form."""
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))
