"""Matching: ``{=Wi-Fi -> Không dây =USB -> Cổng = -> Máy in}``; pick an answer for each item.

Config: common keys + ``pairs``: ``[{"left", "right"}]`` in file order (+ optional ``format`` of
the left text); an empty ``left`` is an extra distractor answer. Response: an object
``{left_id: right_id}`` (unanswered items may be missing). Fraction = correct items / items.
The right-hand column is always shuffled, since in file order it would give the pairs away;
equal answer texts appear once in it.
"""

from __future__ import annotations

import random

from lms.i18n import _, _l
from lms.quiz.types.base import (
    GiftFormatError,
    GiftParts,
    Grade,
    QuestionType,
    ResponseError,
    make_ids,
    ordered,
)
from lms.quiz.types.common import answer_block, base_config, qformat, question_head
from lms.quiz.types.giftsyntax import escape, restore, split_answers, split_format, write_text


def _stems(config: dict) -> list[dict]:
    return [pair for pair in config["pairs"] if pair["left"]]


def left_ids(config: dict) -> dict[str, dict]:
    stems = _stems(config)
    return dict(zip(make_ids("left", config.get("text", ""), (p["left"] for p in stems)), stems, strict=True))


def right_ids(config: dict) -> dict[str, str]:
    texts = list(dict.fromkeys(pair["right"] for pair in config["pairs"]))
    return dict(zip(make_ids("right", config.get("text", ""), texts), texts, strict=True))


def _right_id_of(config: dict) -> dict[str, str]:
    return {text: rid for rid, text in right_ids(config).items()}


class Matching(QuestionType):
    name = "matching"
    label = _l("Matching")
    widget = "matching"

    def from_gift(self, parts: GiftParts) -> dict:
        pairs: list[dict] = []
        for piece, offset in split_answers(parts.answer, "="):
            raw = piece.strip()
            if "->" not in raw:
                raise GiftFormatError(
                    _(
                        "Each matching item needs '->' between the item and its answer, as in %(example)s.",
                        example="=Wi-Fi -> Không dây",
                    ),
                    offset,
                )
            left, right = raw.split("->", 1)
            fmt, left_text = split_format(left, parts.format)
            right_text = restore(right).strip()
            if not right_text:
                raise GiftFormatError(_("An answer is empty."), offset)
            if "#" in right:
                # Moodle has no per-pair feedback and keeps "# ..." in the answer text.
                parts.warn(
                    _(
                        "Matching items take no feedback: the answer is %(answer)s, '#' included.",
                        answer=f"“{right_text}”",
                    ),
                    offset,
                )
            pair = {"left": left_text, "right": right_text}
            if left_text and fmt != parts.format:
                pair["format"] = fmt
            pairs.append(pair)
        if sum(1 for pair in pairs if pair["left"]) < 2:
            raise GiftFormatError(_("A matching question needs at least two pairs."))
        return {**base_config(parts), "pairs": pairs}

    def to_gift(self, config: dict) -> str:
        lines = []
        for pair in config["pairs"]:
            if "->" in pair["left"]:
                raise ValueError("a matching item containing '->' cannot be written in GIFT")
            left = write_text(pair["left"], pair.get("format", qformat(config)), qformat(config))
            lines.append(f"={left} -> {escape(pair['right'])}")
        return question_head(config) + " " + answer_block(config, lines)

    def answer_order(self, config: dict, rng: random.Random, shuffle: bool) -> dict:
        left = list(left_ids(config))
        right = list(right_ids(config))
        if shuffle:
            rng.shuffle(left)
        rng.shuffle(right)  # always: the file order of answers would reveal the pairs
        return {"left": left, "right": right}

    def present(self, config: dict, order: dict | None = None) -> dict:
        order = order or {}
        lefts, rights = left_ids(config), right_ids(config)
        return {
            **super().present(config, order),
            "left": [
                {"id": lid, "text": lefts[lid]["left"], "format": lefts[lid].get("format", qformat(config))}
                for lid in ordered(list(lefts), order.get("left"))
            ],
            "right": [
                {"id": rid, "text": rights[rid], "format": "plain"}
                for rid in ordered(sorted(rights), order.get("right"))
            ],
        }

    def validate(self, config: dict, order: dict | None, raw: object) -> object:
        lefts, rights = left_ids(config), right_ids(config)
        if not isinstance(raw, dict):
            raise ResponseError(_("Match each item with one of the offered answers."))
        response = {}
        for left, right in raw.items():
            if right in (None, ""):
                continue
            if left not in lefts or not isinstance(right, str) or right not in rights:
                raise ResponseError(_("Match each item with one of the offered answers."))
            response[left] = right
        return response

    def grade(self, config: dict, response: object) -> Grade:
        lefts, right_of = left_ids(config), _right_id_of(config)
        if not lefts:
            return Grade(0.0)
        answered = response if isinstance(response, dict) else {}
        correct = sum(1 for lid, pair in lefts.items() if answered.get(lid) == right_of[pair["right"]])
        return Grade(round(correct / len(lefts), 6))

    def key(self, config: dict) -> object:
        right_of = _right_id_of(config)
        return {lid: right_of[pair["right"]] for lid, pair in left_ids(config).items()}

    def describe_key(self, config: dict) -> str:
        return "; ".join(f"{pair['left']} → {pair['right']}" for pair in _stems(config))
