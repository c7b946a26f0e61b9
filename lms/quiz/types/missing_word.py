"""Missing word: the answer block stands inside the sentence, ``Thủ đô là {=Hà Nội ~Huế} nhé.``

As in Moodle, a question whose text continues after ``}`` shows a blank ("_____") where the
block stood. With ``~`` in the block it is a single choice (``mode: "choice"``, response = a
choice id), otherwise a typed short answer (``mode: "text"``, response = a string; the same
matching rules and ``// lms:`` options as ``short``).

Config: common keys (``text`` holds the sentence with "_____") + ``before``, ``after`` (the text
around the blank, spaces kept) + ``mode`` + either ``choices`` (as ``single``) or ``answers``,
``case_sensitive``, ``accept_no_diacritics`` (as ``short``). Other types with a mid-sentence
block (e.g. ``Pi là {#3.14:0.01}.``) keep their own type and the "_____" in their text.
"""

from __future__ import annotations

import random

import lms.quiz.types.choices as ch
import lms.quiz.types.short as short
from lms.i18n import _l
from lms.quiz.types.base import GiftFormatError, GiftParts, Grade, QuestionType, clamp
from lms.quiz.types.common import answer_block, base_config, max_weight_error, qformat
from lms.quiz.types.giftsyntax import DEFAULT_FORMAT, escape, write_text


def _choice_mode(config: dict) -> bool:
    return config.get("mode") == "choice"


class MissingWord(QuestionType):
    name = "missing_word"
    label = _l("Missing word")
    widget = "blank"  # present() has "choices" for a drop-down, else the blank is a text box

    def from_gift(self, parts: GiftParts) -> dict:
        if not parts.has_blank:
            raise GiftFormatError("missing word without text after the answer block")  # parser bug
        config = {**base_config(parts), "before": parts.before, "after": parts.after}
        if "~" in parts.answer:
            config["mode"] = "choice"
            config["choices"] = ch.parse_choices(parts)
            max_weight_error(config["choices"])
        else:
            config["mode"] = "text"
            config.update(short.parse_typed_answers(parts))
        return config

    def to_gift(self, config: dict) -> str:
        if _choice_mode(config):
            block = answer_block(config, ch.write_choices(config, single=True))
            head = ""
        else:
            block = answer_block(config, short.write_typed_answers(config))
            head = short.directive_lines(config)
        before = write_text(config["before"], qformat(config), DEFAULT_FORMAT)
        return head + before + block + escape(config["after"])

    def answer_order(self, config: dict, rng: random.Random, shuffle: bool) -> dict:
        return ch.order_choices(config, rng, shuffle) if _choice_mode(config) else {}

    def present(self, config: dict, order: dict | None = None) -> dict:
        shown = {**super().present(config, order), "before": config["before"], "after": config["after"]}
        if _choice_mode(config):  # a drop-down in the sentence
            return {**shown, "choices": ch.present_choices(config, order)}
        return {**shown, "max_length": short.MAX_LENGTH}  # a text box in the sentence

    def validate(self, config: dict, order: dict | None, raw: object) -> object:
        return ch.validate_one(config, raw) if _choice_mode(config) else short.validate_typed(raw)

    def grade(self, config: dict, response: object) -> Grade:
        if not _choice_mode(config):
            return short.grade_typed(config, response)
        choice = ch.by_id(config).get(response) if isinstance(response, str) else None
        if choice is None:
            return Grade(0.0)
        return Grade(clamp(choice["weight"]), choice.get("feedback", ""))

    def key(self, config: dict) -> object:
        return ch.best_choice_ids(config)[0] if _choice_mode(config) else short.typed_key(config)

    def describe_key(self, config: dict) -> str:
        if not _choice_mode(config):
            return short.describe_typed(config)
        choices = ch.by_id(config)
        return " / ".join(choices[cid]["text"] for cid in ch.best_choice_ids(config))
