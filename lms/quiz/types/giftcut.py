"""Cutting a GIFT file into blocks, and a question block into :class:`GiftParts`.

This is the part of Moodle's ``readquestion`` that comes before the question type is known:
blank-line blocks, comment metadata, title, format prefix, the answer block, the "_____" blank
and the general feedback, then the type detection order. Positions in errors are offsets into
the block's protected text; ``lms.quiz.gift`` turns them into line numbers.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from lms.i18n import _
from lms.quiz.types.base import GiftFormatError, GiftParts
from lms.quiz.types.giftsyntax import BLANK, BLANK_MARK, DEFAULT_FORMAT, restore, split_format
from lms.quiz.types.truefalse import KEYWORDS

_ID_RE = re.compile(r"\[id:((?:\\\]|[^\]\x00-\x1f\x7f])+)\]")
_TAG_RE = re.compile(r"\[tag:((?:\\\]|[^\]<>\x00-\x1f\x7f])+)\]")
_DIRECTIVE_RE = re.compile(r"//\s*lms:(.*)", re.IGNORECASE)

Block = list[tuple[int, str]]  # (line number, trimmed line)


def split_blocks(text: str) -> list[Block]:
    """Split at blank lines (a line of spaces is blank); every line is trimmed, as in Moodle."""
    blocks: list[Block] = [[]]
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.strip()
        if line:
            blocks[-1].append((number, line))
        elif blocks[-1]:
            blocks.append([])
    return [block for block in blocks if block]


def read_meta(comments: list[str]) -> tuple[list[str], str, list[str]]:
    """Tags and id number (Moodle's ``[tag:x]`` ``[id:y]``, one line each) and ``// lms:`` words."""
    joined = "\n".join(comments)
    found = _ID_RE.search(joined)
    idnumber = found.group(1).strip().replace("\\]", "]") if found else ""
    tags = [m.group(1).strip().replace("\\]", "]") for m in _TAG_RE.finditer(joined)]
    directives = []
    for comment in comments:
        match = _DIRECTIVE_RE.match(comment)
        if match:
            directives += [word for word in re.split(r"[\s,]+", match.group(1).strip().lower()) if word]
    return tags, idnumber, directives


def detect(parts: GiftParts) -> str:
    """Moodle's detection order; a mid-sentence single choice or short answer is a missing word."""
    answer = parts.answer
    if not parts.has_block:
        return "description"
    if not answer:
        qtype = "essay"
    elif answer.startswith("#"):
        qtype = "numerical"
    elif "~" in answer:
        qtype = "single" if "=" in answer else "multiple"
    elif "=" in answer and "->" in answer:
        qtype = "matching"
    elif answer.split("#", 1)[0].strip() in KEYWORDS:  # case-sensitive: {true} is a short answer
        qtype = "truefalse"
    else:
        qtype = "short"
    if parts.has_blank and qtype in ("single", "short"):
        return "missing_word"
    return qtype


def _brace_error(opens: list[int], closes: list[int]) -> tuple[str, int] | None:
    """Which brace is wrong, if any: (message, its position)."""
    if len(opens) > 1:
        # Moodle keeps only the first block; the rest (often a second question glued on by a
        # comment line instead of a blank line) would silently become text.
        return _(
            "A question may have only one answer block in braces {…}. Separate questions with a "
            "blank line; write a literal brace as \\{ or \\}."
        ), opens[1]
    if opens and closes and len(closes) == 1 and closes[0] > opens[0]:
        return None
    if not closes:
        where = opens[0]
    elif not opens or closes[0] < opens[0]:
        where = closes[0]
    else:
        where = closes[1]
    return _(
        "Unbalanced braces: every answer block needs one '{' and one '}'; write a literal brace "
        "as \\{ or \\}."
    ), where


def cut_question(
    protected: str, line_of: Callable[[int], int], directives: frozenset[str]
) -> tuple[GiftParts, str]:
    """(parts, title) of one question block given as protected text."""
    start, title = 0, ""
    if protected.startswith("::"):
        end = protected.find("::", 2)
        start = end + 2 if end >= 0 else 2  # no closing "::": Moodle drops the "::" only
        title = " ".join(restore(protected[2:end]).split())[:255] if end >= 0 else ""
    rest = protected[start:]
    start += len(rest) - len(rest.lstrip())
    rest = rest.strip()
    opens = [i for i, c in enumerate(rest) if c == "{"]
    closes = [i for i, c in enumerate(rest) if c == "}"]
    if not opens and not closes:
        fmt, text = split_format(rest, DEFAULT_FORMAT)
        if not text:
            raise GiftFormatError(_("The question has no text."), start)
        return GiftParts(
            text=text,
            format=fmt,
            general_feedback_format=fmt,
            directives=directives,
            line_at=lambda _offset: line_of(start),
        ), title
    problem = _brace_error(opens, closes)
    if problem:
        raise GiftFormatError(problem[0], start + problem[1])
    first, last = opens[0], closes[0]
    inner = rest[first + 1 : last]
    feedback_at = inner.rfind("####")  # the *last* "####" starts the general feedback
    answer = inner[:feedback_at] if feedback_at >= 0 else inner
    answer_start = start + first + 1 + len(answer) - len(answer.lstrip())
    after = rest[last + 1 :]
    # Text after "}" makes a blank where the block stood (Moodle's missing-word format).
    fmt, text = split_format(rest[:first] + (BLANK_MARK if after else "") + after, DEFAULT_FORMAT)
    before_text = after_text = None
    if after:
        before_text, after_text = text.split(BLANK_MARK, 1)
        text = before_text + BLANK + after_text
    gf_format, gf_text = split_format(inner[feedback_at + 4 :], fmt) if feedback_at >= 0 else (fmt, "")
    parts = GiftParts(
        text=text,
        format=fmt,
        answer=answer.strip(),
        has_block=True,
        before=before_text,
        after=after_text,
        general_feedback=gf_text,
        general_feedback_format=gf_format if gf_text else fmt,
        directives=directives,
        line_at=lambda offset: line_of(answer_start + offset),
    )
    return parts, title
