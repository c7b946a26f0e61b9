"""Description: a block without braces, text shown between questions; never graded (mark 0).

Config: common keys only (``general_feedback`` is always empty). Takes no response.
"""

from __future__ import annotations

from lms.i18n import _, _l
from lms.quiz.types.base import GiftParts, Grade, QuestionType, ResponseError
from lms.quiz.types.common import base_config, question_head


class Description(QuestionType):
    name = "description"
    label = _l("Description")
    widget = "none"
    graded = False

    def from_gift(self, parts: GiftParts) -> dict:
        return base_config(parts)

    def to_gift(self, config: dict) -> str:
        return question_head(config)

    def validate(self, config: dict, order: dict | None, raw: object) -> object:
        if raw in (None, ""):
            return None
        raise ResponseError(_("This item takes no answer."))

    def grade(self, config: dict, response: object) -> Grade:
        return Grade(None)
