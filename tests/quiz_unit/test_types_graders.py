"""Each built-in type: present() shapes, validation, grading, answer order, keys."""

from __future__ import annotations

import json
import random
import re

import pytest

from lms.quiz.gift import parse_gift
from lms.quiz.registry import default_registry
from lms.quiz.types import ResponseError

REGISTRY = default_registry(plugins=False)


def load(text: str):
    [question] = parse_gift(text, "t.gift", REGISTRY)
    return REGISTRY.get(question.qtype), question.config


def ids_by_text(qtype, config) -> dict[str, str]:
    return {c["text"]: c["id"] for c in qtype.present(config)["choices"]}


def test_present_shapes():
    shapes = {
        "Q {=a ~b}": {"type", "widget", "text", "format", "choices"},
        "Q {~%50%a ~%50%b}": {"type", "widget", "text", "format", "choices"},
        "Q {T}": {"type", "widget", "text", "format", "choices"},
        "Q {=a}": {"type", "widget", "text", "format", "max_length"},
        "Q {#1}": {"type", "widget", "text", "format", "max_length"},
        "Q {=a -> 1 =b -> 2}": {"type", "widget", "text", "format", "left", "right"},
        "A {=a ~b} B": {"type", "widget", "text", "format", "before", "after", "choices"},
        "A {=a} B": {"type", "widget", "text", "format", "before", "after", "max_length"},
        "Q {}": {"type", "widget", "text", "format", "max_length"},
        "Q": {"type", "widget", "text", "format"},
    }
    widgets = []
    for text, keys in shapes.items():
        qtype, config = load(text)
        shown = qtype.present(config)
        assert set(shown) == keys, text
        assert shown["type"] == qtype.name
        widgets.append(shown["widget"])
        json.dumps(shown)
    assert widgets == [
        "radio",
        "checkbox",
        "truefalse",
        "text",
        "number",
        "matching",
        "blank",
        "blank",
        "textarea",
        "none",
    ]


def test_choice_ids_hide_order_and_correctness():
    qtype, config = load("Q {=Đúng ~Sai ~Cũng sai}")
    _qtype, swapped = load("Q {~Sai ~Cũng sai =Đúng}")
    ids = ids_by_text(qtype, config)
    assert ids == ids_by_text(qtype, swapped)  # the id depends on the text, not the position
    assert all(re.fullmatch(r"[0-9a-f]{8}", cid) for cid in ids.values())
    assert len(set(ids.values())) == 3
    _qtype, other_question = load("Another {=Đúng ~Sai ~Cũng sai}")
    assert ids["Đúng"] != ids_by_text(qtype, other_question)["Đúng"]


def test_duplicate_choice_texts_get_distinct_ids():
    qtype, config = load("Q {=Có ~Có ~Không}")
    shown = qtype.present(config)["choices"]
    assert len({c["id"] for c in shown}) == 3


def test_single_choice_negative_weight_and_feedback():
    qtype, config = load("Q {=a#yes ~%-50%b#penalty ~%50%c#half}")
    ids = ids_by_text(qtype, config)
    assert qtype.grade(config, ids["a"]).feedback == "yes"
    assert qtype.grade(config, ids["b"]).fraction == 0  # clamped, never negative
    assert qtype.grade(config, ids["c"]).fraction == 0.5
    assert qtype.key(config) == ids["a"]
    assert qtype.describe_key(config) == "a"
    for bad in ["zzz", 1, None, [ids["a"]], {"id": ids["a"]}]:
        with pytest.raises(ResponseError):
            qtype.validate(config, None, bad)


def test_multiple_response_validation_and_feedback():
    qtype, config = load("Q {~%50%a#fa ~%50%b#fb ~%-100%c#fc}")
    ids = ids_by_text(qtype, config)
    assert qtype.validate(config, None, [ids["b"], ids["a"], ids["a"]]) == [ids["a"], ids["b"]]
    assert qtype.validate(config, None, []) == []
    assert qtype.grade(config, [ids["a"], ids["b"]]).feedback == "fa\nfb"
    assert sorted(qtype.key(config)) == sorted([ids["a"], ids["b"]])
    assert qtype.describe_key(config) == "a; b"
    for bad in [ids["a"], ["nope"], [1], None, {"a": 1}]:
        with pytest.raises(ResponseError):
            qtype.validate(config, None, bad)


def test_true_false():
    qtype, config = load("Q {TRUE#wrong#right}")
    assert qtype.validate(config, None, "true") is True
    assert qtype.validate(config, None, False) is False
    assert qtype.grade(config, True).feedback == "right"
    assert qtype.key(config) is True and qtype.describe_key(config) == "True"
    assert qtype.answer_order(config, random.Random(1), True) == {}
    for bad in [1, 0, "yes", None, []]:
        with pytest.raises(ResponseError):
            qtype.validate(config, None, bad)


def test_short_answer_normalisation_and_limits():
    qtype, config = load("Q {=Hà Nội#ok =%50%Hà*#half}")
    assert qtype.grade(config, "  HÀ   NỘI ").fraction == 1
    assert qtype.grade(config, "Hà Tây").fraction == 0.5
    assert qtype.grade(config, "").fraction == 0
    assert qtype.key(config) == "Hà Nội"
    assert qtype.validate(config, None, "x" * 2000) == "x" * 2000
    with pytest.raises(ResponseError, match="2000"):
        qtype.validate(config, None, "x" * 2001)
    with pytest.raises(ResponseError):
        qtype.validate(config, None, 4)


def test_short_answer_catch_all_does_not_credit_blank():
    qtype, config = load("Q {=a =%0%*#Sai}")
    assert qtype.grade(config, "   ").feedback == ""
    assert qtype.grade(config, "b").feedback == "Sai"


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        (3.14, 3.14),
        (3, 3.0),
        ("3,14", 3.14),
        ("3.14", 3.14),
        (" -2,5 ", -2.5),
        ("−2,5", -2.5),
        ("1.234,5", 1234.5),
        ("1,234.5", 1234.5),
        ("1.000.000", 1e6),
        ("1 000", 1000.0),
        ("1e3", 1000.0),
    ],
)
def test_numerical_responses(raw, value):
    qtype, config = load("Q {#1}")
    assert qtype.validate(config, None, raw) == value


@pytest.mark.parametrize(
    "raw", ["ba", "", "3,1,4x", True, None, [3], float("nan"), float("inf"), "1" * 101, "1e999"]
)
def test_numerical_rejects_words(raw):
    qtype, config = load("Q {#1}")
    with pytest.raises(ResponseError):
        qtype.validate(config, None, raw)


def test_numerical_key_and_description():
    qtype, config = load("Q {#=3.14:0.01 =%50%3:1 ~#no}")
    assert qtype.key(config) == 3.14
    assert qtype.describe_key(config) == "3.14 ± 0.01"
    shadowed, config = load("Q {#=%50%3:1 =3.14:0.01}")  # 3.14 is caught by the first answer
    assert shadowed.grade(config, shadowed.key(config)).fraction == 0.5


def test_matching_order_validation_and_grading():
    qtype, config = load("Q {=a -> 1 =b -> 2 =c -> 1 = -> 9}")
    shown = qtype.present(config)
    left = {item["text"]: item["id"] for item in shown["left"]}
    right = {item["text"]: item["id"] for item in shown["right"]}
    assert sorted(right) == ["1", "2", "9"]  # equal answers appear once
    order = qtype.answer_order(config, random.Random(3), shuffle=False)
    assert order["left"] == [left["a"], left["b"], left["c"]]
    assert sorted(order["right"]) == sorted(right.values())
    orders = {tuple(qtype.answer_order(config, random.Random(seed), False)["right"]) for seed in range(20)}
    assert len(orders) > 1  # the right column is shuffled even without "shuffle"
    response = qtype.validate(config, order, {left["a"]: right["1"], left["b"]: right["1"], left["c"]: None})
    assert qtype.grade(config, response).fraction == pytest.approx(1 / 3, abs=1e-6)
    assert qtype.grade(config, qtype.key(config)).fraction == 1
    assert qtype.describe_key(config) == "a → 1; b → 2; c → 1"
    for bad in [[left["a"]], {"zz": right["1"]}, {left["a"]: "zz"}, {left["a"]: 1}, "x"]:
        with pytest.raises(ResponseError):
            qtype.validate(config, order, bad)


def test_missing_word_present_and_order():
    qtype, config = load("Thủ đô là {=Hà Nội ~Huế ~Vinh} nhé.")
    shown = qtype.present(config, qtype.answer_order(config, random.Random(5), True))
    assert (shown["before"], shown["after"], shown["widget"]) == ("Thủ đô là ", " nhé.", "blank")
    assert sorted(c["text"] for c in shown["choices"]) == ["Huế", "Hà Nội", "Vinh"]
    assert qtype.describe_key(config) == "Hà Nội"


def test_essay_and_description():
    essay, config = load("Q {####Gợi ý}")
    assert essay.validate(config, None, "x" * 20000)
    with pytest.raises(ResponseError, match="20000"):
        essay.validate(config, None, "x" * 20001)
    assert essay.grade(config, "anything").fraction is None and essay.key(config) is None
    description, config = load("Chỉ là lời dẫn.")
    assert description.validate(config, None, None) is None
    with pytest.raises(ResponseError):
        description.validate(config, None, "an answer")
    assert description.grade(config, None).fraction is None


def test_answer_order_is_reproducible_and_present_follows_it():
    qtype, config = load("Q {=a ~b ~c ~d ~e}")
    first = qtype.answer_order(config, random.Random(42), True)
    assert first == qtype.answer_order(config, random.Random(42), True)
    assert [c["id"] for c in qtype.present(config, first)["choices"]] == first["choices"]
    unshuffled = qtype.answer_order(config, random.Random(42), False)
    assert [c["text"] for c in qtype.present(config, unshuffled)["choices"]] == list("abcde")
    stale = {"choices": ["gone", *first["choices"][:2]]}
    assert len(qtype.present(config, stale)["choices"]) == 5  # unknown ids dropped, missing ones kept
