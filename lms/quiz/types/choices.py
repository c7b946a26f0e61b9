"""Choice lists shared by single choice, multiple response and missing word with choices.

A choice in the config is ``{"text", "weight", "feedback"}`` (+ optional ``format``,
``feedback_format``); ``weight`` is a fraction in [-1, 1]. Choice ids are not stored: they are
derived from the question text and the choice text (``base.make_ids``), so they never leak the
file order, in which authors usually put the right answer first.
"""

from __future__ import annotations

import random
from decimal import Decimal

from lms.i18n import _
from lms.quiz.types.base import GiftFormatError, GiftParts, ResponseError, make_ids, ordered
from lms.quiz.types.common import qformat, read_feedback, read_weight, write_feedback
from lms.quiz.types.giftsyntax import (
    WEIGHT_RE,
    percent,
    split_answers,
    split_feedback,
    split_format,
    write_text,
)


def parse_choices(parts: GiftParts) -> list[dict]:
    """Read ``=right ~wrong ~%50%partial#feedback`` answers (Moodle's multichoice rules)."""
    choices: list[dict] = []
    for piece, offset in split_answers(parts.answer, "~=", keep="="):
        raw = piece.strip()
        if raw.startswith("="):
            if WEIGHT_RE.match(raw[1:]):
                # Moodle silently gives such an answer 100 % and keeps "%50%" in its text.
                raise GiftFormatError(
                    _(
                        "'=' marks an answer worth %(full)s and cannot take a weight; write a partial "
                        "answer as %(example)s.",
                        full="100%",
                        example="~%50%answer",
                    ),
                    offset,
                )
            weight, rest = 1.0, raw[1:]
        else:
            weight, rest = read_weight(raw, Decimal(0), offset)
        answer, feedback = split_feedback(rest)
        fmt, text = split_format(answer, parts.format)
        if not text:
            raise GiftFormatError(_("An answer is empty."), offset)
        choice: dict = {"text": text, "weight": weight}
        if fmt != parts.format:
            choice["format"] = fmt
        read_feedback(choice, feedback, parts.format)
        choices.append(choice)
    if len(choices) < 2:
        raise GiftFormatError(_("A multiple-choice question needs at least two answers."))
    return choices


def choice_ids(config: dict) -> list[str]:
    return make_ids("choice", config.get("text", ""), (c["text"] for c in config["choices"]))


def by_id(config: dict) -> dict[str, dict]:
    return dict(zip(choice_ids(config), config["choices"], strict=True))


def order_choices(config: dict, rng: random.Random, shuffle: bool) -> dict:
    ids = choice_ids(config)
    if shuffle:
        rng.shuffle(ids)
    return {"choices": ids}


def present_choices(config: dict, order: dict | None) -> list[dict]:
    choices = by_id(config)
    return [
        {"id": cid, "text": choices[cid]["text"], "format": choices[cid].get("format", qformat(config))}
        for cid in ordered(list(choices), (order or {}).get("choices"))
    ]


def validate_one(config: dict, raw: object) -> str:
    if not isinstance(raw, str) or raw not in choice_ids(config):
        raise ResponseError(_("Choose one of the offered answers."))
    return raw


def validate_many(config: dict, raw: object) -> list[str]:
    if not isinstance(raw, list | tuple) or not all(isinstance(item, str) for item in raw):
        raise ResponseError(_("Choose answers from the offered list."))
    ids = choice_ids(config)
    unknown = [item for item in raw if item not in ids]
    if unknown:
        raise ResponseError(_("Choose answers from the offered list."))
    chosen = set(raw)
    return [cid for cid in ids if cid in chosen]  # canonical order: the config's


def best_choice_ids(config: dict) -> list[str]:
    """Ids of the choices with the highest weight (usually the one worth 100 %)."""
    best = max(c["weight"] for c in config["choices"])
    return [cid for cid, c in by_id(config).items() if c["weight"] == best]


def write_choices(config: dict, single: bool) -> list[str]:
    """One GIFT line per choice: ``=`` / ``~`` in a single-choice question, ``~%n%`` otherwise."""
    lines: list[str] = []
    has_equals = False
    for choice in config["choices"]:
        text = write_text(choice["text"], choice.get("format", qformat(config)), qformat(config))
        weight = choice["weight"]
        looks_weighted = WEIGHT_RE.match(text) is not None  # literal "%50%..." needs an explicit weight
        if single and weight == 1 and not looks_weighted:
            marker, has_equals = "=", True
        elif weight == 0 and not looks_weighted:
            marker = "~"
        else:
            marker = f"~%{percent(weight)}%"
        lines.append(marker + text + write_feedback(choice, config))
    if single and not has_equals:
        raise ValueError("a single-choice question needs a right answer that GIFT can mark with '='")
    return lines
