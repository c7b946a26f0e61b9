"""Config keys and GIFT writing shared by every built-in type.

Every config has ``text``, ``format`` (moodle, html, plain or markdown), ``general_feedback`` and
``general_feedback_format``. A per-answer text or feedback whose format differs from the
question's carries its own ``format`` / ``feedback_format`` key; absent means "as the question".
"""

from __future__ import annotations

from decimal import Decimal

from lms.i18n import _
from lms.quiz.types.base import GiftFormatError, GiftParts
from lms.quiz.types.giftsyntax import (
    DEFAULT_FORMAT,
    split_format,
    take_weight,
    write_text,
)


def base_config(parts: GiftParts) -> dict:
    """The keys every type stores."""
    return {
        "text": parts.text,
        "format": parts.format,
        "general_feedback": parts.general_feedback,
        "general_feedback_format": parts.general_feedback_format,
    }


def qformat(config: dict) -> str:
    return config.get("format", DEFAULT_FORMAT)


def question_head(config: dict) -> str:
    """The question text as written in GIFT (format prefix + escaped text)."""
    return write_text(config.get("text", ""), qformat(config), DEFAULT_FORMAT)


def general_feedback(config: dict) -> str:
    """``####feedback`` (with a format prefix if needed), or nothing."""
    text = config.get("general_feedback", "")
    if not text:
        return ""
    return "####" + write_text(text, config.get("general_feedback_format", qformat(config)), qformat(config))


def answer_block(config: dict, lines: list[str]) -> str:
    """A multi-line answer block, one answer per line, general feedback last (as Moodle writes)."""
    body = "".join(f"\t{line}\n" for line in lines)
    feedback = general_feedback(config)
    if feedback:
        body += f"\t{feedback}\n"
    return "{\n" + body + "}"


def read_feedback(item: dict, protected: str | None, default_format: str, key: str = "feedback") -> None:
    """Store ``#feedback`` (and its format if it has its own) into ``item``."""
    item[key] = ""
    if protected is None:
        return
    fmt, text = split_format(protected, default_format)
    item[key] = text
    if text and fmt != default_format:  # an empty feedback has nothing to format
        item[key + "_format"] = fmt


def write_feedback(item: dict, config: dict, key: str = "feedback") -> str:
    """``#feedback`` for an answer, or nothing when it has none."""
    text = item.get(key, "")
    if not text:
        return ""
    return "#" + write_text(text, item.get(key + "_format", qformat(config)), qformat(config))


def read_weight(piece: str, default: Decimal, offset: int) -> tuple[float, str]:
    """Read an optional ``%n%`` weight; return (fraction, rest); reject weights beyond ±100 %."""
    weight, rest = take_weight(piece)
    if weight is None:
        weight = default
    if not Decimal(-100) <= weight <= Decimal(100):
        raise GiftFormatError(
            _("The weight %(weight)s%% is outside the range -100%% to 100%%.", weight=weight), offset
        )
    return float(weight / 100), rest


def max_weight_error(answers: list[dict]) -> None:
    """Moodle refuses such a question on save: nobody could earn full marks."""
    if not answers or max(a["weight"] for a in answers) < 1:
        raise GiftFormatError(_("At least one answer must be worth %(full)s.", full="100%"))
