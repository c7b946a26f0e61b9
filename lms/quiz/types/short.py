"""Short answer: ``{=Hà Nội =%50%Hà Tây =%0%*#Chưa đúng}``; the learner types a word or phrase.

Config: common keys + ``answers`` (``[{"text", "weight", "feedback"}]``, in file order; ``text``
may use ``*`` as a wildcard and ``\\*`` for a literal star), ``case_sensitive`` (bool, default
False) and ``accept_no_diacritics`` (bool, default False). Response: a string (at most 2000
characters). The first accepted answer that matches wins (Moodle's rule); a lone ``*`` is the
"anything else" answer. Comparison: NFC, white space folded, case-insensitive unless
``case_sensitive``; with ``accept_no_diacritics`` both sides also lose their diacritics.

GIFT cannot express the two options, so this project reads them from comment lines inside the
question's block, which Moodle ignores like any other comment::

    // lms: accept-no-diacritics
    ::Thủ đô::Thủ đô của Việt Nam là gì? {=Hà Nội}

``// lms: case-sensitive`` works the same way; both may share one line.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal

from lms.i18n import _, _l
from lms.quiz.types.base import GiftFormatError, GiftParts, Grade, QuestionType, ResponseError, clamp
from lms.quiz.types.common import (
    answer_block,
    base_config,
    max_weight_error,
    qformat,
    question_head,
    read_feedback,
    read_weight,
)
from lms.quiz.types.giftsyntax import percent, split_answers, split_feedback, split_format, write_text
from lms.quiz.types.normalize import literal_of, wildcard_match

MAX_LENGTH = 2000
DIRECTIVES = {"accept-no-diacritics": "accept_no_diacritics", "case-sensitive": "case_sensitive"}


def parse_typed_answers(parts: GiftParts) -> dict:
    """``answers`` and the two options, from ``=a =%50%b#feedback`` (Moodle's short answer rules)."""
    answers: list[dict] = []
    for piece, offset in split_answers(parts.answer, "="):
        weight, rest = read_weight(piece.strip(), Decimal(100), offset)
        answer, feedback = split_feedback(rest)
        _fmt, text = split_format(answer, parts.format)  # Moodle drops an answer's format
        if not text:
            raise GiftFormatError(_("An answer is empty."), offset)
        item: dict = {"text": text, "weight": weight}
        read_feedback(item, feedback, parts.format)
        answers.append(item)
    max_weight_error(answers)
    options = {key: directive in parts.directives for directive, key in DIRECTIVES.items()}
    return {"answers": answers, **options}


def directive_lines(config: dict) -> str:
    words = [directive for directive, key in DIRECTIVES.items() if config.get(key)]
    return f"// lms: {' '.join(words)}\n" if words else ""


def write_typed_answers(config: dict) -> list[str]:
    lines = []
    for answer in config["answers"]:
        fmt = qformat(config)
        feedback = write_text(answer.get("feedback", ""), answer.get("feedback_format", fmt), fmt)
        lines.append(f"=%{percent(answer['weight'])}%{write_text(answer['text'], fmt, fmt)}#{feedback}")
    if any("->" in line for line in lines):
        # The importer would read the block as a matching question (GIFT cannot escape "->").
        raise ValueError("a short-answer text or feedback containing '->' cannot be written in GIFT")
    return lines


def validate_typed(raw: object) -> str:
    if not isinstance(raw, str):
        raise ResponseError(_("Type your answer as text."))
    if len(raw) > MAX_LENGTH:
        raise ResponseError(_("Your answer is too long: at most %(max)d characters.", max=MAX_LENGTH))
    return unicodedata.normalize("NFC", raw).strip()


def grade_typed(config: dict, response: object) -> Grade:
    if not isinstance(response, str) or not response.strip():
        return Grade(0.0)  # a blank answer never matches, not even the "*" catch-all
    options = {
        "case_sensitive": bool(config.get("case_sensitive")),
        "no_diacritics": bool(config.get("accept_no_diacritics")),
    }
    for answer in config["answers"]:
        if wildcard_match(answer["text"], response, **options):
            return Grade(clamp(answer["weight"]), answer.get("feedback", ""))
    return Grade(0.0)


def typed_key(config: dict) -> str:
    """The literal form of an answer that scores best (trying star = nothing, then star = "x")."""
    candidates = [literal_of(a["text"], filler) or "x" for a in config["answers"] for filler in ("", "x")]
    return max(candidates, key=lambda c: grade_typed(config, c).fraction or 0.0)


def describe_typed(config: dict) -> str:
    best = max(a["weight"] for a in config["answers"])
    return " / ".join(a["text"] for a in config["answers"] if a["weight"] == best)


class ShortAnswer(QuestionType):
    name = "short"
    label = _l("Short answer")
    widget = "text"

    def from_gift(self, parts: GiftParts) -> dict:
        return {**base_config(parts), **parse_typed_answers(parts)}

    def to_gift(self, config: dict) -> str:
        return (
            directive_lines(config)
            + question_head(config)
            + " "
            + answer_block(config, write_typed_answers(config))
        )

    def present(self, config: dict, order: dict | None = None) -> dict:
        return {**super().present(config, order), "max_length": MAX_LENGTH}

    def validate(self, config: dict, order: dict | None, raw: object) -> object:
        return validate_typed(raw)

    def grade(self, config: dict, response: object) -> Grade:
        return grade_typed(config, response)

    def key(self, config: dict) -> object:
        return typed_key(config)

    def describe_key(self, config: dict) -> str:
        return describe_typed(config)
