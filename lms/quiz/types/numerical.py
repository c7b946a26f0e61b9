"""Numerical: ``{#3.14:0.005}``, ranges ``{#1..5}``, several answers ``{# =%100%3.14:0.01 =%50%3:0.5}``.

Config: common keys + ``answers``: ``[{"value", "tolerance", "weight", "feedback"}]`` in file
order; ``value`` is a number or ``"*"`` (any number, e.g. from ``~#feedback``), ``tolerance``
an absolute error (a range ``1..5`` is stored as 3 ± 2). The first answer whose interval holds
the response wins (inclusive bounds, compared in decimal so 3.13 is inside 3.14 ± 0.01).

Response: a number, or a numeric string from a form, where a Vietnamese decimal comma is
accepted ("3,14"); the file itself must use a point (``{#3,14}`` is rejected: Moodle would
silently read it as something else).
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

from lms.i18n import _, _l
from lms.quiz.types.base import GiftFormatError, GiftParts, Grade, QuestionType, ResponseError, clamp
from lms.quiz.types.common import (
    answer_block,
    base_config,
    max_weight_error,
    question_head,
    read_feedback,
    read_weight,
    write_feedback,
)
from lms.quiz.types.giftsyntax import (
    NUMBER_RE,
    format_number,
    parse_number,
    percent,
    split_answers,
    split_feedback,
    split_format,
)

MAX_LENGTH = 100
_DIGIT_GAPS = re.compile(r"(?<=\d)[ \u00a0\u202f\u2009]+(?=\d)")


def _number(text: str, offset: int, what: str) -> Decimal:
    value = parse_number(text)
    if value is not None and math.isfinite(float(value)):
        return value
    if "," in text and parse_number(text.replace(",", ".")) is not None:
        raise GiftFormatError(
            _(
                "%(number)s is not a number: write decimals with a point, as in %(example)s.",
                number=text,
                example="3.14",
            ),
            offset,
        )
    if what == "tolerance":
        raise GiftFormatError(_("The tolerance %(number)s is not a number.", number=text), offset)
    raise GiftFormatError(_("%(number)s is not a number.", number=text or "''"), offset)


def _value_and_tolerance(text: str, offset: int) -> tuple[float | str, float]:
    if text == "*":
        return "*", 0.0
    if text.find("..") > 0:
        low_text, high_text = text.split("..", 1)
        low, high = _number(low_text, offset, "value"), _number(high_text, offset, "value")
        if low > high:
            raise GiftFormatError(_("The range %(range)s ends below its start.", range=text), offset)
        middle = (low + high) / 2
        return float(middle), float(high - middle)
    if text.find(":") > 0:
        value_text, tolerance_text = text.split(":", 1)
        tolerance = _number(tolerance_text, offset, "tolerance")
        if tolerance < 0:
            raise GiftFormatError(_("The tolerance %(number)s is negative.", number=tolerance_text), offset)
        return float(_number(value_text, offset, "value")), float(tolerance)
    return float(_number(text, offset, "value")), 0.0


def parse_response(raw: object) -> float:
    """A learner's number: JSON number, or a string with a decimal comma or point."""
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise ResponseError(_("Enter a number, for example %(example)s.", example="3,14"))
    if isinstance(raw, str):
        if len(raw) > MAX_LENGTH:
            raise ResponseError(_("Enter a number, for example %(example)s.", example="3,14"))
        text = _DIGIT_GAPS.sub("", raw.strip().replace("\u2212", "-"))
        commas, points = text.count(","), text.count(".")
        if commas and points:  # "1.234,5" or "1,234.5": the last one is the decimal separator
            decimal_sep = "," if text.rfind(",") > text.rfind(".") else "."
            text = text.replace("." if decimal_sep == "," else ",", "").replace(",", ".")
        elif commas == 1:
            text = text.replace(",", ".")
        elif commas > 1 or points > 1:  # "1.000.000" / "1,000,000": grouping only
            text = text.replace(",", "").replace(".", "")
        if not NUMBER_RE.fullmatch(text):
            raise ResponseError(_("Enter a number, for example %(example)s.", example="3,14"))
        raw = Decimal(text)
    try:
        value = float(raw)
    except OverflowError:
        value = math.inf
    if not math.isfinite(value):
        raise ResponseError(_("Enter a number, for example %(example)s.", example="3,14"))
    return value


def _matches(answer: dict, value: Decimal) -> bool:
    if answer["value"] == "*":
        return True
    target = Decimal(repr(float(answer["value"])))
    return abs(value - target) <= Decimal(repr(abs(float(answer["tolerance"]))))


class Numerical(QuestionType):
    name = "numerical"
    label = _l("Numerical")
    widget = "number"

    def from_gift(self, parts: GiftParts) -> dict:
        body = parts.answer[1:]  # the leading "#" marks the type
        tilde = body.find("~")
        wrong = body[tilde + 1 :] if tilde >= 0 else None
        body = body[:tilde] if tilde >= 0 else body
        answers: list[dict] = []
        for piece, offset in split_answers(body, "="):
            weight, rest = read_weight(piece.strip(), Decimal(100), offset + 1)
            answer, feedback = split_feedback(rest)
            _fmt, text = split_format(answer, parts.format)
            value, tolerance = _value_and_tolerance(text, offset + 1)
            item: dict = {"value": value, "tolerance": tolerance, "weight": weight}
            read_feedback(item, feedback, parts.format)
            answers.append(item)
        if not answers:
            raise GiftFormatError(_("A numerical question needs at least one answer."))
        if wrong is not None:  # "~#feedback": Moodle adds an "any other number" answer worth 0 %
            head, feedback = split_feedback(wrong)
            if head.strip():
                raise GiftFormatError(
                    _(
                        "Only feedback may follow '~' in a numerical question, as in %(example)s.",
                        example="~#feedback",
                    ),
                    tilde + 1,
                )
            item = {"value": "*", "tolerance": 0.0, "weight": 0.0}
            read_feedback(item, feedback, parts.format)
            answers.append(item)
        max_weight_error(answers)
        return {**base_config(parts), "answers": answers}

    def to_gift(self, config: dict) -> str:
        lines = []
        answers = config["answers"]
        for index, answer in enumerate(answers):
            feedback = write_feedback(answer, config)
            if answer["value"] == "*" and answer["weight"] == 0 and index == len(answers) - 1:
                lines.append("~" + (feedback or "#"))
                continue
            value = (
                "*"
                if answer["value"] == "*"
                else (f"{format_number(answer['value'])}:{format_number(answer['tolerance'])}")
            )
            lines.append(f"=%{percent(answer['weight'])}%{value}{feedback or '#'}")
        return question_head(config) + " " + answer_block(config, lines).replace("{", "{#", 1)

    def present(self, config: dict, order: dict | None = None) -> dict:
        return {**super().present(config, order), "max_length": MAX_LENGTH}

    def validate(self, config: dict, order: dict | None, raw: object) -> object:
        return parse_response(raw)

    def grade(self, config: dict, response: object) -> Grade:
        try:  # normally already validated; a raw "3,14" from an old snapshot is read the same way
            number = parse_response(response)
        except ResponseError:
            return Grade(0.0)
        value = Decimal(repr(number))
        for answer in config["answers"]:
            if _matches(answer, value):
                return Grade(clamp(answer["weight"]), answer.get("feedback", ""))
        return Grade(0.0)

    def key(self, config: dict) -> object:
        candidates = [0.0 if a["value"] == "*" else float(a["value"]) for a in config["answers"]]
        return max(candidates, key=lambda c: self.grade(config, c).fraction or 0.0)

    def describe_key(self, config: dict) -> str:
        best = max(a["weight"] for a in config["answers"])
        shown = []
        for answer in config["answers"]:
            if answer["weight"] != best:
                continue
            if answer["value"] == "*":
                shown.append(_("any number"))
            elif answer["tolerance"]:
                shown.append(f"{format_number(answer['value'])} ± {format_number(answer['tolerance'])}")
            else:
                shown.append(format_number(answer["value"]))
        return " / ".join(shown)
