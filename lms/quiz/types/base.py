"""The small interface every question type implements, and the values it exchanges.

A type is a stateless object: every method takes the question's JSON ``config`` (as stored in
``Question.config``) and returns plain data. Nothing here reads a Flask request or touches the
database, so graders can be tested directly and a plugin cannot commit behind the engine's back.

Lifecycle of one question in an attempt:

1. import: ``from_gift(parts)`` builds the config from a parsed GIFT question;
2. attempt start: ``answer_order(config, rng, shuffle)`` is frozen into the attempt snapshot;
3. display: ``present(config, order)`` is all the learner's browser ever receives;
4. save: ``validate(config, order, raw)`` turns the raw JSON response into a normalized one
   (or raises :class:`ResponseError` with a message for the learner);
5. grading: ``grade(config, response)`` returns a :class:`Grade`;
6. review: ``key`` and ``describe_key`` give the right answer.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from lms.quiz.types.giftsyntax import DEFAULT_FORMAT


@dataclass(frozen=True)
class Grade:
    """What a grader decided for one response."""

    #: in [0, 1]; None = waits for a teacher (essay) or is never graded (description)
    fraction: float | None
    #: the specific feedback for what the learner chose (not the general feedback)
    feedback: str = ""


class ResponseError(ValueError):
    """A response the learner must fix; ``str(error)`` is a translated, user-facing message."""


class GiftFormatError(ValueError):
    """A question that cannot be imported; the message is translated and user-facing.

    ``offset`` is a position in :attr:`GiftParts.answer` so the parser can name the exact line.
    """

    def __init__(self, message: str, offset: int | None = None) -> None:
        super().__init__(message)
        self.offset = offset


@dataclass
class GiftParts:
    """One GIFT question cut into parts by the parser, before a type interprets its answer block.

    ``answer`` is still *protected* (escapes replaced by placeholders, see ``giftsyntax``); call
    ``giftsyntax.restore`` on every piece of it that becomes final text.
    """

    text: str  #: question text, escapes resolved, "_____" where a mid-sentence block stood
    format: str = DEFAULT_FORMAT
    answer: str = ""  #: protected answer block without braces and general feedback, stripped
    has_block: bool = False
    before: str | None = None  #: text before the blank when text continues after "}"
    after: str | None = None
    general_feedback: str = ""
    general_feedback_format: str = DEFAULT_FORMAT
    #: words from "// lms: ..." comment lines of the block, e.g. {"accept-no-diacritics"}
    directives: frozenset[str] = frozenset()
    line_at: Callable[[int], int] = lambda offset: 0
    warnings: list[tuple[str, int | None]] = field(default_factory=list)

    @property
    def has_blank(self) -> bool:
        return self.after is not None

    def warn(self, message: str, offset: int | None = None) -> None:
        """Record a problem that does not stop the import (the parser reports it with its line)."""
        self.warnings.append((message, offset))


def clamp(value: float) -> float:
    """Clamp a fraction into [0, 1] and drop float noise (3 x 0.3333333 counts as 1)."""
    return min(1.0, max(0.0, round(float(value), 6)))


def make_ids(salt: str, question_text: str, texts: Iterable[str]) -> list[str]:
    """Short, stable ids for a question's choices that reveal neither correctness nor order.

    An id hashes the question text and the choice text (plus a counter for duplicate texts), so
    it is the same in every attempt and after re-import, but says nothing a learner cannot see.
    """
    ids: list[str] = []
    seen: dict[str, int] = {}
    for text in texts:
        count = seen.get(text, 0)
        seen[text] = count + 1
        salt_n = count
        while True:
            raw = f"{salt}\x00{question_text}\x00{text}\x00{salt_n}".encode()
            candidate = hashlib.sha256(raw).hexdigest()[:8]
            if candidate not in ids:
                break
            salt_n += 1000  # a hash collision inside one question: deterministic retry
        ids.append(candidate)
    return ids


def ordered(ids: list[str], wanted: Iterable[str] | None) -> list[str]:
    """Put ``ids`` in the frozen order, tolerating a stale order (unknown ids dropped, new ones last)."""
    wanted = [i for i in (wanted or []) if i in ids]
    return list(dict.fromkeys(wanted + ids))


class QuestionType:
    """Base class of a question type; subclasses set the class variables and the methods."""

    #: stored in ``Question.qtype``; at most 32 characters
    name: ClassVar[str] = ""
    #: human-readable name, a lazy string (``_l``)
    label: ClassVar[Any] = ""
    #: how the page asks for the response: radio, checkbox, truefalse, text, number, matching,
    #: textarea, blank (missing word) or none
    widget: ClassVar[str] = "none"
    #: counts toward the score (an essay does, once a teacher grades it; a description never)
    graded: ClassVar[bool] = True

    def claims_gift(self, parts: GiftParts) -> bool:
        """Return True to take a GIFT question before the built-in detection (plugin types)."""
        return False

    def from_gift(self, parts: GiftParts) -> dict:
        """Build the JSON config from a parsed GIFT question; raise :class:`GiftFormatError`."""
        raise NotImplementedError

    def to_gift(self, config: dict) -> str:
        """Write the question's text and answer block (the exporter adds title and category).

        Leading ``//`` comment lines are allowed (e.g. the ``// lms:`` directives).
        """
        raise NotImplementedError

    def answer_order(self, config: dict, rng: random.Random, shuffle: bool) -> dict:
        """The order of choices for one attempt (frozen into the attempt's snapshot)."""
        return {}

    def present(self, config: dict, order: dict | None = None) -> dict:
        """What the learner's page may receive: never a weight, feedback or accepted answer."""
        return {
            "type": self.name,
            "widget": self.widget,
            "text": config.get("text", ""),
            "format": config.get("format", DEFAULT_FORMAT),
        }

    def validate(self, config: dict, order: dict | None, raw: object) -> object:
        """Turn a raw JSON response into a normalized one or raise :class:`ResponseError`."""
        raise NotImplementedError

    def grade(self, config: dict, response: object) -> Grade:
        """Grade a validated response; pure, and the fraction is always in [0, 1] (or None)."""
        raise NotImplementedError

    def key(self, config: dict) -> object:
        """A response that earns the best possible grade (None when nothing is auto-graded)."""
        return None

    def describe_key(self, config: dict) -> str:
        """The right answer(s) in words, for the review page."""
        return ""
