"""The question-type registry: built-ins, duplicates, unknown names, and a real entry point."""

from __future__ import annotations

import sys
import textwrap

import pytest

from lms.quiz.gift import export_gift, parse_gift
from lms.quiz.registry import (
    DuplicateQuestionTypeError,
    QuestionTypeRegistry,
    UnknownQuestionTypeError,
    default_registry,
)
from lms.quiz.types import BUILTIN_TYPES, SingleChoice
from lms.quiz.types.base import QuestionType

BUILTIN_NAMES = [
    "single",
    "multiple",
    "truefalse",
    "short",
    "numerical",
    "matching",
    "missing_word",
    "essay",
    "description",
]

TOY_PACKAGE = '''
"""A toy question type: the answer block is ``{toy:WORD}``; typing WORD earns full credit."""

from lms.quiz.types.base import Grade, QuestionType, ResponseError


class ToyType(QuestionType):
    name = "toy"
    label = "Toy"
    widget = "text"

    def claims_gift(self, parts):
        return parts.answer.startswith("toy:")

    def from_gift(self, parts):
        return {"text": parts.text, "format": parts.format, "word": parts.answer[4:].strip()}

    def to_gift(self, config):
        return config["text"] + " {toy:" + config["word"] + "}"

    def validate(self, config, order, raw):
        if not isinstance(raw, str):
            raise ResponseError("Type a word.")
        return raw

    def grade(self, config, response):
        return Grade(1.0 if response == config["word"] else 0.0)

    def key(self, config):
        return config["word"]


class DuplicateSingle(ToyType):
    name = "single"
'''


def install_toy(tmp_path, monkeypatch, entry_points: str) -> None:
    """A real installed distribution on sys.path: a package plus its dist-info."""
    package = tmp_path / "toy_pkg"
    package.mkdir()
    (package / "__init__.py").write_text(TOY_PACKAGE, encoding="utf-8")
    dist_info = tmp_path / "toy_pkg-0.1.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: toy_pkg\nVersion: 0.1\n", encoding="utf-8"
    )
    (dist_info / "entry_points.txt").write_text(textwrap.dedent(entry_points), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "toy_pkg", raising=False)  # a fresh import per test


def test_builtins_in_order():
    registry = default_registry(plugins=False)
    assert registry.names() == BUILTIN_NAMES
    assert [t.name for t in BUILTIN_TYPES] == BUILTIN_NAMES
    assert all(str(registry.get(name).label) for name in BUILTIN_NAMES)
    assert "single" in registry and len(registry) == 9


def test_duplicate_names_are_rejected():
    registry = QuestionTypeRegistry()
    registry.register(SingleChoice)
    with pytest.raises(DuplicateQuestionTypeError, match="single"):
        registry.register(SingleChoice())


def test_unknown_name_is_a_clear_key_error():
    registry = default_registry(plugins=False)
    with pytest.raises(KeyError) as caught:
        registry.get("ordering")
    assert isinstance(caught.value, UnknownQuestionTypeError)
    assert "ordering" in str(caught.value) and "single" in str(caught.value)


@pytest.mark.parametrize("name", ["", "Bad Name", "x" * 33, None])
def test_bad_names_are_rejected(name):
    class Bad(QuestionType):
        pass

    Bad.name = name
    with pytest.raises(ValueError, match="name"):
        QuestionTypeRegistry().register(Bad)


def test_registries_are_independent():
    first = default_registry(plugins=False)
    first.register(type("Extra", (SingleChoice,), {"name": "extra"}))
    assert "extra" not in default_registry(plugins=False)


def test_toy_type_through_a_real_entry_point(tmp_path, monkeypatch):
    install_toy(
        tmp_path,
        monkeypatch,
        """
        [lms.question_types]
        toy = toy_pkg:ToyType
    """,
    )
    registry = default_registry()
    assert "toy" in registry.names()
    assert registry.names()[:9] == BUILTIN_NAMES
    toy = registry.get("toy")
    with pytest.raises(DuplicateQuestionTypeError):
        registry.register(type(toy))
    with pytest.raises(DuplicateQuestionTypeError):
        registry.load_entry_points()  # loading the same plugin twice is a duplicate too
    # The plugin is reachable from GIFT import and export like a built-in type.
    [question] = parse_gift("::Toy::Say hello {toy:hello}\n\nQ {T}", "toy.gift", registry)[:1]
    assert (question.qtype, question.config["word"]) == ("toy", "hello")
    assert toy.grade(question.config, toy.validate(question.config, None, "hello")).fraction == 1
    again = parse_gift(export_gift([question], registry), "toy.gift", registry)
    assert again[0].config == question.config


@pytest.mark.parametrize(
    ("entry", "error", "match"),
    [
        ("single = toy_pkg:DuplicateSingle", DuplicateQuestionTypeError, "single"),  # a built-in's name
        ("other = toy_pkg:ToyType", ValueError, "must be equal"),  # entry name differs from the type's
        ("toy = toy_pkg:DoesNotExist", RuntimeError, "toy"),  # a broken entry point names itself
    ],
    ids=["builtin-name-rejected", "entry-name-must-match", "broken-entry-named"],
)
def test_bad_plugin_entry_points_are_refused(tmp_path, monkeypatch, entry, error, match):
    install_toy(tmp_path, monkeypatch, f"""
        [lms.question_types]
        {entry}
    """)
    with pytest.raises(error, match=match):
        default_registry()
