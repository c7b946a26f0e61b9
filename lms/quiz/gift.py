"""GIFT import and export, following Moodle's importer (``question/format/gift/format.php``).

The file is cut into blocks at blank lines; ``//`` lines are comments (they may carry
``[id:...]``, ``[tag:...]`` and this project's ``// lms: ...`` options); a ``$CATEGORY:`` block
sets the category of the questions that follow. Each question block is cut into title, text and
answer block here; the question type (found by Moodle's detection order, plugins first) turns
the answer block into its config. Where Moodle silently mangles a question we refuse it (two
answer blocks in one question, ``=%50%`` in multiple choice, non-numeric numbers, a category
line glued to a question; design note quiz.md, section 2.4). Every problem names file and line; a
file with any error imports nothing: :func:`parse_gift` raises one :class:`GiftSyntaxError`
carrying them all.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from lms.i18n import _
from lms.quiz.registry import QuestionTypeRegistry, default_registry
from lms.quiz.types.base import GiftFormatError, GiftParts, QuestionType
from lms.quiz.types.giftcut import Block, cut_question, detect, read_meta, split_blocks
from lms.quiz.types.giftsyntax import RESERVED_RE, escape, protect, restore


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
    """One imported question: its type name and JSON config, plus where it came from."""

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
        message = _("The line contains a character that is not allowed.")
        raise GiftSyntaxError([GiftError(filename, line, message)])
    # Composed and decomposed diacritics must give the same question, ids and hashes.
    return unicodedata.normalize("NFC", text)


class _LineError(Exception):
    """A problem already placed on a line of the file."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


class _Reader:
    """Reads one file; collects questions and problems instead of stopping at the first."""

    def __init__(self, filename: str, registry: QuestionTypeRegistry) -> None:
        self.filename = filename
        self.registry = registry
        self.category = ""
        self.questions: list[ParsedQuestion] = []
        self.problems: list[GiftError] = []

    def problem(self, line: int, message: str, severity: str = "error") -> GiftError:
        self.problems.append(GiftError(self.filename, line, message, severity))
        return self.problems[-1]

    def read(self, text: str) -> None:
        for block in split_blocks(text):
            try:
                self.block(block)
            except _LineError as error:
                self.problem(error.line, str(error))

    def block(self, block: Block) -> None:
        comments = [line for _n, line in block if line.startswith("//")]
        content = [(n, line) for n, line in block if not line.startswith("//")]
        tags, idnumber, directives = read_meta(comments)
        if not content:
            if directives:
                self.problem(
                    block[0][0],
                    _(
                        "An '// lms:' line must be inside the question's block (no "
                        "blank line between them); it is ignored here."
                    ),
                    "warning",
                )
            return
        glued = [n for n, line in content if line.startswith("$CATEGORY:")]
        if glued and len(content) > 1:
            # Moodle would take the rest of the block as the category path and lose the question.
            raise _LineError(
                glued[0],
                _("A $CATEGORY line must stand alone: put a blank line between it and the question."),
            )
        protected = protect("\n".join(line for _n, line in content))
        if glued:
            self.category = restore(protected[len("$CATEGORY:") :]).strip()
            return

        def line_of(pos: int) -> int:
            return content[min(protected.count("\n", 0, max(pos, 0)), len(content) - 1)][0]

        try:
            parts, title = cut_question(protected, line_of, frozenset(directives))
        except GiftFormatError as error:
            raise _LineError(line_of(error.offset or 0), str(error)) from None
        qtype = self.question_type(parts, content[0][0])
        try:
            config = qtype.from_gift(parts)
        except GiftFormatError as error:
            raise _LineError(parts.line_at(error.offset or 0), str(error)) from None
        warnings = [
            self.problem(parts.line_at(offset or 0), message, "warning") for message, offset in parts.warnings
        ]
        key = qtype.key(config)
        if qtype.graded and key is not None and (qtype.grade(config, key).fraction or 0) < 1:
            warnings.append(
                self.problem(
                    content[0][0],
                    _("No response can earn full marks: an earlier answer catches the right one first."),
                    "warning",
                )
            )
        for directive in sorted(set(directives)):
            if directive.replace("-", "_") not in config:  # e.g. accept-no-diacritics on a T/F question
                warnings.append(
                    self.problem(
                        block[0][0],
                        _(
                            "'// lms: %(directive)s' does not apply to this question; it is ignored.",
                            directive=directive,
                        ),
                        "warning",
                    )
                )
        source = "\n".join(line for _n, line in block)
        self.questions.append(
            ParsedQuestion(
                qtype.name, title, self.category, config, content[0][0], source, tags, idnumber, warnings
            )
        )

    def question_type(self, parts: GiftParts, line: int) -> QuestionType:
        """Plugins may claim a question first (they promise to leave standard syntax alone)."""
        claimed = next((t for t in self.registry if t.claims_gift(parts)), None)
        if claimed is not None:
            return claimed
        name = detect(parts)
        if name not in self.registry:
            raise _LineError(line, _("Questions of type %(type)s are not available.", type=name))
        return self.registry.get(name)


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
    return (
        question.qtype,
        question.config,
        getattr(question, "title", "") or "",
        getattr(question, "category", "") or "",
        list(getattr(question, "tags", []) or []),
        getattr(question, "idnumber", "") or "",
    )


def _bracketed(value: str) -> str:
    """Escape "]" inside Moodle's ``[id:...]`` / ``[tag:...]`` comment metadata."""
    return value.replace("]", "\\]")


def export_gift(questions: Iterable[object], registry: QuestionTypeRegistry | None = None) -> str:
    """Write questions as GIFT; importing the result gives the same bank.

    ``questions`` may hold ParsedQuestion objects, objects with ``qtype``/``config``/``title``/
    ``category`` attributes (database rows) or tuples ``(qtype, config[, title[, category]])``.
    A ``$CATEGORY:`` line is written whenever the category changes.
    """
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
        meta = [f"[id:{_bracketed(idnumber)}]"] if idnumber else []
        meta += [f"[tag:{_bracketed(tag)}]" for tag in tags]
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
        return {}, [
            GiftError(str(path), 0, _("Cannot read the file: %(reason)s", reason=error.strerror or error))
        ]
    questions, problems = read_gift(data, str(path), registry)
    return summarize(questions), problems
