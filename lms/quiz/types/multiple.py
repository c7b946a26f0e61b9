"""Multiple response: ``{~%50%right ~%50%also right ~%-100%wrong}`` (no ``=`` in the block).

Config: common keys + ``choices``. Response: a list of choice ids. Moodle's rule: the fraction
is the sum of the chosen weights, clamped to [0, 1], so ticking everything scores 0 when the
wrong answers carry negative weights.
"""

from __future__ import annotations

import random

from lms.i18n import _, _l
from lms.quiz.types.base import GiftFormatError, GiftParts, Grade, QuestionType, clamp
from lms.quiz.types.choices import (
    by_id,
    order_choices,
    parse_choices,
    present_choices,
    validate_many,
    write_choices,
)
from lms.quiz.types.common import answer_block, base_config, question_head
from lms.quiz.types.giftsyntax import percent


class MultipleResponse(QuestionType):
    name = "multiple"
    label = _l("Multiple response")
    widget = "checkbox"

    def from_gift(self, parts: GiftParts) -> dict:
        config = base_config(parts)
        config["choices"] = parse_choices(parts)
        total = sum(c["weight"] for c in config["choices"] if c["weight"] > 0)
        # Moodle refuses this on save (fractionsaddwrong), rounding to whole percent.
        if abs(total - 1) > 0.005:
            raise GiftFormatError(
                _(
                    "The positive weights must add up to %(full)s (here %(total)s). In a single-choice "
                    "question mark the right answer with '='.",
                    full="100%",
                    total=percent(total) + "%",
                )
            )
        return config

    def to_gift(self, config: dict) -> str:
        return question_head(config) + " " + answer_block(config, write_choices(config, single=False))

    def answer_order(self, config: dict, rng: random.Random, shuffle: bool) -> dict:
        return order_choices(config, rng, shuffle)

    def present(self, config: dict, order: dict | None = None) -> dict:
        return {**super().present(config, order), "choices": present_choices(config, order)}

    def validate(self, config: dict, order: dict | None, raw: object) -> object:
        return validate_many(config, raw)

    def grade(self, config: dict, response: object) -> Grade:
        choices = by_id(config)
        chosen = {r for r in response if isinstance(r, str)} if isinstance(response, list | tuple) else set()
        picked = [c for cid, c in choices.items() if cid in chosen]
        feedback = "\n".join(c["feedback"] for c in picked if c.get("feedback"))
        return Grade(clamp(sum(c["weight"] for c in picked)), feedback)

    def key(self, config: dict) -> object:
        return [cid for cid, c in by_id(config).items() if c["weight"] > 0]

    def describe_key(self, config: dict) -> str:
        return "; ".join(c["text"] for c in config["choices"] if c["weight"] > 0)
