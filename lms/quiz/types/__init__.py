"""Built-in question types, one module each, behind the interface in ``base.py``."""

from __future__ import annotations

from lms.quiz.types.base import GiftFormatError, GiftParts, Grade, QuestionType, ResponseError
from lms.quiz.types.description import Description
from lms.quiz.types.essay import Essay
from lms.quiz.types.matching import Matching
from lms.quiz.types.missing_word import MissingWord
from lms.quiz.types.multiple import MultipleResponse
from lms.quiz.types.numerical import Numerical
from lms.quiz.types.short import ShortAnswer
from lms.quiz.types.single import SingleChoice
from lms.quiz.types.truefalse import TrueFalse

#: in the order a teacher meets them; the registry keeps this order
BUILTIN_TYPES: tuple[type[QuestionType], ...] = (
    SingleChoice,
    MultipleResponse,
    TrueFalse,
    ShortAnswer,
    Numerical,
    Matching,
    MissingWord,
    Essay,
    Description,
)

__all__ = [
    "BUILTIN_TYPES",
    "Description",
    "Essay",
    "GiftFormatError",
    "GiftParts",
    "Grade",
    "Matching",
    "MissingWord",
    "MultipleResponse",
    "Numerical",
    "QuestionType",
    "ResponseError",
    "ShortAnswer",
    "SingleChoice",
    "TrueFalse",
]
