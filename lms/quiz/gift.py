"""GIFT import and export, following Moodle's importer (``question/format/gift/format.php``).

The file is cut into blocks at blank lines; ``//`` lines are comments (they may carry
``[id:...]``, ``[tag:...]`` and this project's ``// lms: ...`` options); a ``$CATEGORY:`` block
sets the category of the questions that follow. Each question block is cut into title, text and
answer block here; the question type (found by Moodle's detection order, plugins first) turns
the answer block into its config. Where Moodle silently mangles a question we refuse it (two
answer blocks in one question, ``=%50%`` in multiple choice, non-numeric numbers, a category
line glued to a question, see ``docs``: quiz.md 2.4). Every problem names file and line, and a
file with any error imports nothing: :func:`parse_gift` raises one :class:`GiftSyntaxError`
carrying them all.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from lms.i18n import _
from lms.quiz.registry import QuestionTypeRegistry, default_registry
from lms.quiz.types.base import GiftFormatError, GiftParts
from lms.quiz.types.giftsyntax import (
    BLANK,
    BLANK_MARK,
    DEFAULT_FORMAT,
    RESERVED_RE,
    escape,
    protect,
    restore,
    split_format,
)
from lms.quiz.types.truefalse import KEYWORDS

_ID_RE = re.compile(r"\[id:((?:\\\]|[^\]\x00-\x1f\x7f])+)\]")
_TAG_RE = re.compile(r"\[tag:((?:\\\]|[^\]<>\x00-\x1f\x7f])+)\]")
_DIRECTIVE_RE = re.compile(r"//\s*lms:(.*)", re.IGNORECASE)


@dataclass(frozen=True)
class GiftError:
    """One problem in a GIFT file; ``severity`` is "error" (blocks the import) or "warning"."""

    file: str
    line: int
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        kind = "" if self.severity == "error" else f"{self.severity}: "
        return f"{self.file}:{self.line}: {kind}{self.message}"


class GiftSyntaxError(Exception):
    """A GIFT file with errors; ``errors`` lists every one (warnings are not included)."""

    def __init__(self, errors: list[GiftError]) -> None:
        super().__init__("\n".join(str(error) for error in errors))
        self.errors = errors


@dataclass
class ParsedQuestion:
    qtype: str
    title: str  #: "" when the file gives none (see ``name``)
    category: str  #: the last ``$CATEGORY:`` path before the question, as written
    config: dict
    line: int  #: first line of the question (after its comment lines)
    source: str  #: the block as written, comment lines included
    tags: list[str] = field(default_factory=list)
    idnumber: str = ""
    warnings: list[GiftError] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The title, or (as Moodle does) the start of the text when there is no title."""
        text = " ".join(self.config.get("text", "").split())
        return self.title or (text[:77] + "..." if len(text) > 80 else text)

    def content_hash(self) -> str:
        """A hash of what the question means (unchanged by reformatting the file)."""
        data = [self.qtype, self.title, self.category, self.config, self.tags, self.idnumber]
        return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def decode(data: str | bytes, filename: str = "<gift>") -> str:
    """UTF-8 (BOM optional) with any line ends -> text with "\\n" line ends, NFC-normalized."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            raise GiftSyntaxError(
                [GiftError(filename, line, _("The file is not UTF-8 text; save it as UTF-8."))]
            ) from None
    text = data.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    bad = RESERVED_RE.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise GiftSyntaxError([GiftError(filename, line, _("The line contains a character that is not allowed."))])
    # Composed and decomposed diacritics must give the same question, ids and hashes.
    return unicodedata.normalize("NFC", text)


def _blocks(text: str) -> list[list[tuple[int, str]]]:
    """Split into blocks at blank lines (a line of spaces is blank); lines are trimmed."""
    blocks: list[list[tuple[int, str]]] = [[]]
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.strip()
        if line:
            blocks[-1].append((number, line))
        elif blocks[-1]:
            blocks.append([])
    return [block for block in blocks if block]


def _meta(comments: list[str]) -> tuple[list[str], str, list[str]]:
    """Tags, id number (Moodle's comment syntax) and ``// lms:`` directives of one block."""
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


class _Reader:
    """Reads one file; collects questions and problems instead of stopping at the first."""

    def __init__(self, filename: str, registry: QuestionTypeRegistry) -> None:
        self.filename = filename
        self.registry = registry
        self.category = ""
        self.questions: list[ParsedQuestion] = []
        self.problems: list[GiftError] = []

    def problem(self, line: int, message: str, severity: str = "error") -> None:
        self.problems.append(GiftError(self.filename, line, message, severity))

    def read(self, text: str) -> None:
        for block in _blocks(text):
            try:
                self.block(block)
            except GiftFormatError as error:  # raised with the right line already in .offset
                self.problem(error.offset or block[0][0], str(error))

    def block(self, block: list[tuple[int, str]]) -> None:
        comments = [line for _n, line in block if line.startswith("//")]
        content = [(n, line) for n, line in block if not line.startswith("//")]
        tags, idnumber, directives = _meta(comments)
        if not content:
            if directives:
                self.problem(block[0][0], _("An '// lms:' line must be inside the question's block (no blank "
                                            "line between them); it is ignored here."), "warning")
            return
        protected = protect("\n".join(line for _n, line in content))

        def line_of(pos: int) -> int:
            return content[min(protected.count("\n", 0, max(pos, 0)), len(content) - 1)][0]

        glued = [n for n, line in content if line.startswith("$CATEGORY:")]
        if glued and len(content) > 1:
            # Moodle would take the rest of the block as the category path and lose the question.
            raise GiftFormatError(_("A $CATEGORY line must stand alone: put a blank line between it "
                                    "and the question."), glued[0])
        if protected.startswith("$CATEGORY:"):
            self.category = restore(protected[len("$CATEGORY:") :]).strip()
            return
        parts, title = self.cut(protected, line_of, frozenset(directives))
        qtype = next((t.name for t in self.registry if t.claims_gift(parts)), None) or detect(parts)
        if qtype not in self.registry:
            raise GiftFormatError(_("Questions of type %(type)s are not available.", type=qtype), content[0][0])
        try:
            config = self.registry.get(qtype).from_gift(parts)
        except GiftFormatError as error:
            offset = error.offset
            raise GiftFormatError(str(error), parts.line_at(offset if offset is not None else 0)) from None
        warnings = [GiftError(self.filename, parts.line_at(off or 0), msg, "warning") for msg, off in parts.warnings]
        qtype_obj = self.registry.get(qtype)
        key = qtype_obj.key(config)
        if qtype_obj.graded and key is not None and (qtype_obj.grade(config, key).fraction or 0) < 1:
            warnings.append(GiftError(self.filename, content[0][0], _(
                "No response can earn full marks: an earlier answer catches the right one first."), "warning"))
        for directive in sorted(set(directives)):
            if directive.replace("-", "_") not in config:
                warnings.append(GiftError(self.filename, block[0][0], _(
                    "'// lms: %(directive)s' does not apply to this question; it is ignored.",
                    directive=directive), "warning"))
        self.problems += warnings
        source = "\n".join(line for _n, line in block)
        self.questions.append(ParsedQuestion(qtype, title, self.category, config, content[0][0], source,
                                             tags, idnumber, warnings))

    def cut(self, protected: str, line_of, directives: frozenset[str]) -> tuple[GiftParts, str]:  # noqa: ANN001
        """Title, text, format, answer block and general feedback of one question."""
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
                raise GiftFormatError(_("The question has no text."), line_of(0))
            parts = GiftParts(text=text, format=fmt, general_feedback_format=fmt, line_at=lambda _o: line_of(start))
            return parts, title
        if len(opens) > 1:
            raise GiftFormatError(_("A question may have only one answer block in braces {…}. Separate "
                                    "questions with a blank line; write a literal brace as \\{ or \\}."),
                                  line_of(start + opens[1]))
        if not opens or not closes or len(closes) > 1 or closes[0] < opens[0]:
            if not closes:
                where = opens[0]
            elif not opens or closes[0] < opens[0]:
                where = closes[0]
            else:
                where = closes[1]
            raise GiftFormatError(_("Unbalanced braces: every answer block needs one '{' and one '}'; "
                                    "write a literal brace as \\{ or \\}."), line_of(start + where))
        first, last = opens[0], closes[0]
        inner = rest[first + 1 : last]
        feedback_at = inner.rfind("####")  # the *last* "####" starts the general feedback
        general = inner[feedback_at + 4 :] if feedback_at >= 0 else None
        answer = inner[:feedback_at] if feedback_at >= 0 else inner
        answer_start = start + first + 1 + len(answer) - len(answer.lstrip())
        after = rest[last + 1 :]
        fmt, text = split_format(rest[:first] + (BLANK_MARK if after else "") + after, DEFAULT_FORMAT)
        before_text = after_text = None
        if after:
            before_text, after_text = text.split(BLANK_MARK, 1)
            text = before_text + BLANK + after_text
        gf_format, gf_text = split_format(general, fmt) if general is not None else (fmt, "")
        gf_format = gf_format if gf_text else fmt
        parts = GiftParts(
            text=text, format=fmt, answer=answer.strip(), has_block=True, before=before_text,
            after=after_text, general_feedback=gf_text, general_feedback_format=gf_format,
            directives=directives, line_at=lambda offset: line_of(answer_start + offset),
        )
        return parts, title


def read_gift(
    data: str | bytes, filename: str = "<gift>", registry: QuestionTypeRegistry | None = None
) -> tuple[list[ParsedQuestion], list[GiftError]]:
    """Parse without raising: (the questions that parsed, every error and warning)."""
    try:
        text = decode(data, filename)
    except GiftSyntaxError as error:
        return [], error.errors
    reader = _Reader(filename, registry if registry is not None else default_registry())
    reader.read(text)
    if not reader.questions and not reader.problems:
        reader.problem(1, _("The file contains no questions."), "warning")
    return reader.questions, reader.problems


def parse_gift(
    data: str | bytes, filename: str = "<gift>", registry: QuestionTypeRegistry | None = None
) -> list[ParsedQuestion]:
    """Parse a whole bank; raise :class:`GiftSyntaxError` listing every error if there is any."""
    questions, problems = read_gift(data, filename, registry)
    errors = [problem for problem in problems if problem.severity == "error"]
    if errors:
        raise GiftSyntaxError(errors)
    return questions


def _fields(question: object) -> tuple[str, dict, str, str, list[str], str]:
    """(qtype, config, title, category, tags, idnumber) of a ParsedQuestion, DB row or tuple."""
    if isinstance(question, tuple | list):
        qtype, config, *more = question
        return qtype, config, (more[0] if more else ""), (more[1] if len(more) > 1 else ""), [], ""
    return (question.qtype, question.config, getattr(question, "title", "") or "",
            getattr(question, "category", "") or "", list(getattr(question, "tags", []) or []),
            getattr(question, "idnumber", "") or "")


def export_gift(questions: Iterable[object], registry: QuestionTypeRegistry | None = None) -> str:
    """Write questions as GIFT: ParsedQuestion, objects with qtype/config/title/category (DB rows)
    or tuples (qtype, config[, title[, category]]). Import of the result gives the same bank."""
    registry = registry if registry is not None else default_registry()
    chunks: list[str] = []
    category = ""
    for question in questions:
        qtype, config, title, new_category, tags, idnumber = _fields(question)
        if new_category != category:
            chunks.append(f"$CATEGORY: {escape(new_category)}".rstrip())
            category = new_category
        lines = registry.get(qtype).to_gift(config).split("\n")
        head = next(i for i, line in enumerate(lines) if not line.startswith("//"))
        if title:
            lines[head] = f"::{escape(title)}::{lines[head]}"
        meta = [f"[id:{idnumber.replace(']', chr(92) + ']')}]"] if idnumber else []
        meta += [f"[tag:{tag.replace(']', chr(92) + ']')}]" for tag in tags]
        if meta:
            lines.insert(0, "// " + " ".join(meta))
        chunks.append("\n".join(lines))
    return "\n\n".join(chunks) + "\n"


def summarize(questions: Iterable[object]) -> dict[str, int]:
    """How many questions of each type, in order of first appearance."""
    counts: dict[str, int] = {}
    for question in questions:
        qtype = _fields(question)[0]
        counts[qtype] = counts.get(qtype, 0) + 1
    return counts


def check_file(
    path: str | Path, registry: QuestionTypeRegistry | None = None
) -> tuple[dict[str, int], list[GiftError]]:
    """For ``lms quiz check``: counts per type of the questions that parse, and every problem.

    The file is importable when no problem has ``severity == "error"`` (warnings are advice).
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        return {}, [GiftError(str(path), 0, _("Cannot read the file: %(reason)s", reason=error.strerror))]
    questions, problems = read_gift(data, str(path), registry)
    return summarize(questions), problems
