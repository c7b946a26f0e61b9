"""The registry of question types: built-ins plus packages' ``lms.question_types`` entry points.

A registry is an ordinary object (the extension keeps one in ``app.extensions["lms"]``), never a
module-level dict that plugins mutate (CTFd's ``CHALLENGE_CLASSES`` shows why: state leaks
between apps and tests). Names are unique, as in Indico's ``named_objects_from_signal``: a
second type with the same name is an error, not a silent override.

A separate package adds a type with, in its ``pyproject.toml``::

    [project.entry-points."lms.question_types"]
    ordering = "lms_ordering:OrderingType"

where ``OrderingType`` subclasses ``lms.quiz.types.base.QuestionType`` and its ``name`` equals
the entry point's name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from importlib.metadata import entry_points

from lms.quiz.types import BUILTIN_TYPES
from lms.quiz.types.base import QuestionType

ENTRY_POINT_GROUP = "lms.question_types"
_NAME_RE = re.compile(r"[a-z][a-z0-9_]{0,31}")  # fits Question.qtype (String(32))


class DuplicateQuestionTypeError(ValueError):
    """Two question types claim the same name."""


class UnknownQuestionTypeError(KeyError):
    """No question type has this name (e.g. a plugin was uninstalled)."""

    def __str__(self) -> str:  # KeyError would show the message in quotes
        return str(self.args[0]) if self.args else ""


class QuestionTypeRegistry:
    """Question types by name, in registration order."""

    def __init__(self) -> None:
        self._types: dict[str, QuestionType] = {}

    def register(self, qtype: type[QuestionType] | QuestionType) -> QuestionType:
        """Add a type (a class is instantiated); raise on a bad or already used name."""
        instance = qtype() if isinstance(qtype, type) else qtype
        name = getattr(instance, "name", None)
        if not isinstance(name, str) or not _NAME_RE.fullmatch(name):
            raise ValueError(
                f"question type {instance!r} needs a name of lowercase letters, digits and '_' "
                f"(at most 32 characters), got {name!r}"
            )
        if name in self._types:
            raise DuplicateQuestionTypeError(
                f"question type name {name!r} is already used by {type(self._types[name]).__qualname__}"
            )
        self._types[name] = instance
        return instance

    def get(self, name: str) -> QuestionType:
        """The type called ``name``; raise :class:`UnknownQuestionTypeError` (a KeyError)."""
        try:
            return self._types[name]
        except KeyError:
            known = ", ".join(self._types) or "none"
            raise UnknownQuestionTypeError(
                f"unknown question type {name!r} (known: {known}); is the package that provides it installed?"
            ) from None

    def names(self) -> list[str]:
        return list(self._types)

    def __contains__(self, name: object) -> bool:
        return name in self._types

    def __iter__(self) -> Iterator[QuestionType]:
        return iter(list(self._types.values()))

    def __len__(self) -> int:
        return len(self._types)

    def load_entry_points(self, group: str = ENTRY_POINT_GROUP) -> list[str]:
        """Register every type advertised in the entry point ``group``; return their names."""
        loaded = []
        for entry_point in sorted(entry_points(group=group), key=lambda ep: ep.name):
            try:
                target = entry_point.load()
            except Exception as error:  # a broken plugin must say which one it is
                raise RuntimeError(
                    f"cannot load question type entry point {entry_point.name!r} "
                    f"({entry_point.value}): {error}"
                ) from error
            instance = target() if isinstance(target, type) else target
            if getattr(instance, "name", None) != entry_point.name:
                raise ValueError(
                    f"entry point {entry_point.name!r} ({entry_point.value}) provides a type named "
                    f"{getattr(instance, 'name', None)!r}; the two names must be equal"
                )
            loaded.append(self.register(instance).name)
        return loaded


def default_registry(*, plugins: bool = True) -> QuestionTypeRegistry:
    """A new registry with the built-in types and (unless ``plugins=False``) installed plugins."""
    registry = QuestionTypeRegistry()
    for qtype in BUILTIN_TYPES:
        registry.register(qtype)
    if plugins:
        registry.load_entry_points()
    return registry
