"""True/false: ``{T}`` ``{TRUE}`` ``{F}`` ``{FALSE}``, optionally ``{TRUE#if wrong#if right}``.

Config: common keys + ``answer`` (bool), ``feedback_true`` (shown when the learner picks True),
``feedback_false`` (when they pick False), each with an optional ``*_format``. In GIFT the first
``#`` text is the feedback for the *wrong* pick and the second for the right one; we store it by
pick instead, which is what the page needs. Response: ``true`` / ``false``. Never shuffled.
"""

from __future__ import annotations

from lms.i18n import _, _l
from lms.quiz.types.base import GiftParts, Grade, QuestionType, ResponseError
from lms.quiz.types.common import base_config, general_feedback, question_head, read_feedback
from lms.quiz.types.common import write_feedback as _write_feedback
from lms.quiz.types.giftsyntax import split_format

KEYWORDS = {"T": True, "TRUE": True, "F": False, "FALSE": False}


class TrueFalse(QuestionType):
    name = "truefalse"
    label = _l("True/false")
    widget = "truefalse"

    def from_gift(self, parts: GiftParts) -> dict:
        bits = parts.answer.split("#", 2)
        _fmt, keyword = split_format(bits[0], parts.format)
        answer = KEYWORDS[keyword]  # the parser only sends T/TRUE/F/FALSE here
        wrong: dict = {}
        right: dict = {}
        read_feedback(wrong, bits[1] if len(bits) > 1 else None, parts.format)
        read_feedback(right, bits[2] if len(bits) > 2 else None, parts.format)
        config = base_config(parts)
        config["answer"] = answer
        for pick, source in ((answer, right), (not answer, wrong)):
            key = "feedback_true" if pick else "feedback_false"
            config[key] = source["feedback"]
            if "feedback_format" in source:
                config[key + "_format"] = source["feedback_format"]
        return config

    def to_gift(self, config: dict) -> str:
        answer = bool(config["answer"])
        right = _write_feedback(config, config, "feedback_true" if answer else "feedback_false")
        wrong = _write_feedback(config, config, "feedback_false" if answer else "feedback_true")
        block = "TRUE" if answer else "FALSE"
        if wrong:
            block += wrong
        elif right:
            block += "#"
        block += right + general_feedback(config)
        return question_head(config) + " {" + block + "}"

    def present(self, config: dict, order: dict | None = None) -> dict:
        choices = [
            {"id": "true", "text": _("True"), "format": "plain"},
            {"id": "false", "text": _("False"), "format": "plain"},
        ]
        return {**super().present(config, order), "choices": choices}

    def validate(self, config: dict, order: dict | None, raw: object) -> object:
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.strip().lower() in ("true", "false"):
            return raw.strip().lower() == "true"
        raise ResponseError(_("Choose True or False."))

    def grade(self, config: dict, response: object) -> Grade:
        try:
            response = self.validate(config, None, response)
        except ResponseError:
            return Grade(0.0)
        feedback = config.get("feedback_true" if response else "feedback_false", "")
        return Grade(1.0 if response == bool(config["answer"]) else 0.0, feedback)

    def key(self, config: dict) -> object:
        return bool(config["answer"])

    def describe_key(self, config: dict) -> str:
        return _("True") if config["answer"] else _("False")
