"""Essay: ``Hãy mô tả cách tạo mật khẩu mạnh {}`` (or ``{####hint for the teacher's review}``).

Config: common keys only. Response: a string of at most 20000 characters. It is stored and
waits for a teacher: ``grade`` returns ``Grade(None)``.
"""

from __future__ import annotations

from lms.i18n import _, _l
from lms.quiz.types.base import GiftParts, Grade, QuestionType, ResponseError
from lms.quiz.types.common import base_config, general_feedback, question_head

MAX_LENGTH = 20000


class Essay(QuestionType):
    name = "essay"
    label = _l("Essay")
    widget = "textarea"

    def from_gift(self, parts: GiftParts) -> dict:
        return base_config(parts)

    def to_gift(self, config: dict) -> str:
        return question_head(config) + " {" + general_feedback(config) + "}"

    def present(self, config: dict, order: dict | None = None) -> dict:
        return {**super().present(config, order), "max_length": MAX_LENGTH}

    def validate(self, config: dict, order: dict | None, raw: object) -> object:
        if not isinstance(raw, str):
            raise ResponseError(_("Type your answer as text."))
        if len(raw) > MAX_LENGTH:
            raise ResponseError(_("Your answer is too long: at most %(max)d characters.", max=MAX_LENGTH))
        return raw

    def grade(self, config: dict, response: object) -> Grade:
        return Grade(None)  # a teacher grades it
