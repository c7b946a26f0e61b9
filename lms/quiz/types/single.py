"""Single choice: ``{=right ~wrong ~%-50%guess-penalty}``, one radio button.

Config: common keys + ``choices`` (see ``choices.py``). Response: a choice id. The fraction is
the chosen answer's weight, clamped to [0, 1] (a negative weight is a guessing penalty in
Moodle; a single question never scores below zero here).
"""

from __future__ import annotations

import random

from lms.i18n import _l
from lms.quiz.types.base import GiftParts, Grade, QuestionType, clamp
from lms.quiz.types.choices import (
    best_choice_ids,
    by_id,
    order_choices,
    parse_choices,
    present_choices,
    validate_one,
    write_choices,
)
from lms.quiz.types.common import answer_block, base_config, max_weight_error, question_head


class SingleChoice(QuestionType):
    name = "single"
    label = _l("Single choice")
    widget = "radio"

    def from_gift(self, parts: GiftParts) -> dict:
        config = base_config(parts)
        config["choices"] = parse_choices(parts)
        max_weight_error(config["choices"])
        return config

    def to_gift(self, config: dict) -> str:
        return question_head(config) + " " + answer_block(config, write_choices(config, single=True))

    def answer_order(self, config: dict, rng: random.Random, shuffle: bool) -> dict:
        return order_choices(config, rng, shuffle)

    def present(self, config: dict, order: dict | None = None) -> dict:
        return {**super().present(config, order), "choices": present_choices(config, order)}

    def validate(self, config: dict, order: dict | None, raw: object) -> object:
        return validate_one(config, raw)

    def grade(self, config: dict, response: object) -> Grade:
        choice = by_id(config).get(response) if isinstance(response, str) else None
        if choice is None:
            return Grade(0.0)
        return Grade(clamp(choice["weight"]), choice.get("feedback", ""))

    def key(self, config: dict) -> object:
        return best_choice_ids(config)[0]

    def describe_key(self, config: dict) -> str:
        choices = by_id(config)
        return " / ".join(choices[cid]["text"] for cid in best_choice_ids(config))
