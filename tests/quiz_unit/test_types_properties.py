"""Property tests (hypothesis) for every built-in type: graders, present() and GIFT round trip."""

from __future__ import annotations

import copy
import json
import os
import random
import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lms.quiz.gift import export_gift, parse_gift
from lms.quiz.registry import default_registry
from lms.quiz.types import ResponseError
from lms.quiz.types.choices import choice_ids
from lms.quiz.types.matching import left_ids

REGISTRY = default_registry(plugins=False)
FORMATS = ["moodle", "html", "plain", "markdown"]
# Vietnamese letters plus every character GIFT treats specially.
ALPHABET = "abcxyzAĐăâêôơưàảãáạằẳẵắặđÀỘ0129 {}~=#:\\%[]/*->_.,!?\n\t&$"
# QUIZ_PROPS_EXAMPLES=3000 for a long run; 60 keeps the suite fast.
PROPS = settings(
    max_examples=int(os.environ.get("QUIZ_PROPS_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def _clean(text: str) -> bool:
    return text == text.strip() and unicodedata.is_normalized("NFC", text)


texts = st.text(ALPHABET, min_size=1, max_size=14).filter(lambda s: _clean(s) and s != "")
maybe_texts = st.one_of(st.just(""), texts)
no_arrow = texts.filter(lambda s: "->" not in s)
maybe_no_arrow = st.one_of(st.just(""), no_arrow)
titles = st.one_of(st.just(""), texts.map(lambda s: " ".join(s.split())).filter(bool))
categories = st.one_of(
    st.just(""), st.text("abcĐà/$ :\\-", min_size=1, max_size=12).filter(lambda s: s == s.strip() and s != "")
)
WEIGHTS = [0.0, 0.0, -1.0, -0.5, 0.5, 0.3333333, 0.25, 0.9, -0.3333333]


@st.composite
def common(draw, text=maybe_texts) -> dict:
    fmt = draw(st.sampled_from(FORMATS))
    feedback = draw(maybe_texts)
    return {
        "text": draw(text),
        "format": fmt,
        "general_feedback": feedback,
        "general_feedback_format": draw(st.sampled_from(FORMATS)) if feedback else fmt,
    }


def _with_formats(draw, item: dict, qformat: str, text_key: str | None = "text") -> dict:
    if text_key and draw(st.booleans()):
        other = draw(st.sampled_from(FORMATS))
        if other != qformat:
            item["format"] = other
    if item.get("feedback") and draw(st.booleans()):
        other = draw(st.sampled_from(FORMATS))
        if other != qformat:
            item["feedback_format"] = other
    return item


@st.composite
def choice_list(draw, config: dict, single: bool) -> list[dict]:
    if single:
        weights = [1.0] + draw(st.lists(st.sampled_from(WEIGHTS), min_size=1, max_size=4))
    else:
        positives = draw(st.sampled_from([[1.0], [0.5, 0.5], [0.3333333] * 3, [0.25] * 4, [0.6, 0.4]]))
        extra = st.lists(
            st.sampled_from([0.0, -1.0, -0.5]),
            min_size=2 - len(positives) if len(positives) < 2 else 0,
            max_size=3,
        )
        weights = positives + draw(extra)
    choices = []
    for index, weight in enumerate(weights):
        # the one right answer of a single choice must be writable with "=" (no leading "%n%")
        text = draw(texts.filter(lambda s: not s.startswith("%")) if single and index == 0 else texts)
        choice = {"text": text, "weight": weight, "feedback": draw(maybe_texts)}
        choices.append(_with_formats(draw, choice, config["format"]))
    return draw(st.permutations(choices))


@st.composite
def typed_answers(draw, config: dict) -> dict:
    weights = [1.0] + draw(st.lists(st.sampled_from([1.0, 0.5, 0.0, 0.9]), max_size=3))
    answers = [
        _with_formats(
            draw,
            {"text": draw(no_arrow), "weight": w, "feedback": draw(maybe_no_arrow)},
            config["format"],
            None,
        )
        for w in weights
    ]
    answers = draw(st.permutations(answers))
    if draw(st.booleans()):
        answers.append({"text": "*", "weight": 0.0, "feedback": draw(maybe_no_arrow)})
    return {
        "answers": answers,
        "case_sensitive": draw(st.booleans()),
        "accept_no_diacritics": draw(st.booleans()),
    }


numbers = st.one_of(
    st.integers(-(10**6), 10**6).map(float), st.floats(-1e12, 1e12, allow_nan=False, allow_infinity=False)
)
tolerances = st.one_of(st.just(0.0), st.floats(0, 1e6, allow_nan=False, allow_infinity=False))


@st.composite
def configs(draw, qtype: str | None = None) -> tuple[str, dict]:
    qtype = qtype or draw(st.sampled_from(REGISTRY.names()))
    config = draw(common(texts if qtype == "description" else maybe_texts))
    if qtype in ("single", "multiple"):
        config["choices"] = draw(choice_list(config, qtype == "single"))
    elif qtype == "truefalse":
        config.update(
            answer=draw(st.booleans()), feedback_true=draw(maybe_texts), feedback_false=draw(maybe_texts)
        )
    elif qtype == "short":
        config.update(draw(typed_answers(config)))
    elif qtype == "numerical":
        answers = [
            {
                "value": draw(numbers),
                "tolerance": draw(tolerances),
                "weight": w,
                "feedback": draw(maybe_texts),
            }
            for w in [1.0] + draw(st.lists(st.sampled_from([0.5, 0.0, 1.0]), max_size=2))
        ]
        answers = draw(st.permutations(answers))
        if draw(st.booleans()):
            answers.append({"value": "*", "tolerance": 0.0, "weight": 0.0, "feedback": draw(maybe_texts)})
        config["answers"] = answers
    elif qtype == "matching":
        stems = draw(st.lists(no_arrow, min_size=2, max_size=4))
        pairs = [
            _with_formats(draw, {"left": s, "right": draw(texts)}, config["format"], None) for s in stems
        ]
        for pair in pairs:
            if draw(st.booleans()):
                pair["format"] = draw(st.sampled_from([f for f in FORMATS if f != config["format"]]))
        pairs += [{"left": "", "right": draw(texts)} for _ in range(draw(st.integers(0, 2)))]
        config["pairs"] = draw(st.permutations(pairs))
    elif qtype == "missing_word":
        before = draw(st.one_of(st.just(""), texts.map(lambda s: s + " ")))
        after = draw(texts.map(lambda s: " " + s))
        config.update(text=before + "_____" + after, before=before, after=after)
        if draw(st.booleans()):
            config.update(mode="choice", choices=draw(choice_list(config, True)))
        else:
            config.update(mode="text", **draw(typed_answers(config)))
    elif qtype == "description":
        config.update(general_feedback="", general_feedback_format=config["format"])
    return qtype, config


def responses(qtype_name: str, config: dict):
    """Valid-looking responses of every kind a learner could send."""
    qtype = REGISTRY.get(qtype_name)
    shown = qtype.present(config)
    if "choices" in shown and qtype_name != "truefalse":
        ids = [c["id"] for c in shown["choices"]]
        return (
            st.lists(st.sampled_from(ids), unique=True) if qtype_name == "multiple" else st.sampled_from(ids)
        )
    if qtype_name == "truefalse":
        return st.booleans()
    if qtype_name == "numerical":
        near = [a["value"] + a["tolerance"] for a in config["answers"] if a["value"] != "*"]
        return st.one_of(numbers, st.sampled_from(near))
    if qtype_name == "matching":
        lefts, rights = [i["id"] for i in shown["left"]], [i["id"] for i in shown["right"]]
        return st.dictionaries(st.sampled_from(lefts), st.sampled_from(rights))
    if qtype_name in ("short", "missing_word", "essay"):
        return st.one_of(texts, st.sampled_from([a["text"] for a in config.get("answers", [])] or ["x"]))
    return st.none()


@PROPS
@given(data=st.data(), item=configs())
def test_score_is_always_in_range(data, item):
    name, config = item
    qtype = REGISTRY.get(name)
    response = qtype.validate(config, None, data.draw(responses(name, config)))
    fraction = qtype.grade(config, response).fraction
    if name in ("essay", "description"):
        assert fraction is None
    else:
        assert 0.0 <= fraction <= 1.0


@PROPS
@given(item=configs())
def test_key_earns_full_credit(item):
    name, config = item
    qtype = REGISTRY.get(name)
    key = qtype.key(config)
    if name in ("essay", "description"):
        assert key is None
        return
    if name in ("short", "missing_word", "numerical") and config.get("mode") != "choice":
        # an earlier answer may shadow the right one (the importer warns about it)
        best = max(qtype.grade(config, qtype.validate(config, None, a)).fraction for a in _literals(config))
        assert qtype.grade(config, qtype.validate(config, None, key)).fraction >= best
        return
    assert qtype.grade(config, qtype.validate(config, None, key)).fraction == 1.0


def _literals(config: dict) -> list:
    from lms.quiz.types.normalize import literal_of

    if "choices" not in config and config.get("answers") and "value" in config["answers"][0]:
        return [0.0 if a["value"] == "*" else a["value"] for a in config["answers"]]
    return [literal_of(a["text"]) or "x" for a in config["answers"]]


@PROPS
@given(
    data=st.data(),
    item=configs().filter(
        lambda i: i[0] in ("single", "multiple", "matching", "missing_word") and i[1].get("mode") != "text"
    ),
)
def test_order_of_choices_never_matters(data, item):
    name, config = item
    qtype = REGISTRY.get(name)
    raw = data.draw(responses(name, config))
    expected = qtype.grade(config, qtype.validate(config, None, raw))
    # 1. another frozen answer order validates and grades the same
    order = qtype.answer_order(config, random.Random(data.draw(st.integers())), True)
    assert qtype.grade(config, qtype.validate(config, order, raw)) == expected
    # 2. the same choices listed in another order in the bank grade the same
    key = "pairs" if name == "matching" else "choices"
    permutation = data.draw(st.permutations(range(len(config[key]))))
    shuffled = copy.deepcopy(config)
    shuffled[key] = [config[key][i] for i in permutation]
    old_ids = list(left_ids(config)) if name == "matching" else choice_ids(config)
    new_ids = list(left_ids(shuffled)) if name == "matching" else choice_ids(shuffled)
    items = [p for p in config[key] if p.get("left", True)]
    new_items = [p for p in shuffled[key] if p.get("left", True)]
    rename = {
        old_ids[i]: new_ids[next(j for j, n in enumerate(new_items) if n is items[i])]
        for i in range(len(items))
    }
    if name == "matching":
        moved = {rename[left]: right for left, right in raw.items()}
    elif name == "multiple":
        moved = [rename[cid] for cid in raw]
    else:
        moved = rename[raw]
    regraded = qtype.grade(shuffled, qtype.validate(shuffled, None, moved))
    assert regraded.fraction == expected.fraction
    # several feedbacks (multiple response) follow the bank's order; their set is the same
    assert sorted(regraded.feedback.split("\n")) == sorted(expected.feedback.split("\n"))


junk = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=6,
)


@PROPS
@given(item=configs(), raw=junk)
def test_validate_accepts_or_raises_response_error(item, raw):
    name, config = item
    qtype = REGISTRY.get(name)
    try:
        response = qtype.validate(config, None, raw)
    except ResponseError as error:
        assert str(error)
        return
    fraction = qtype.grade(config, response).fraction
    assert fraction is None or 0 <= fraction <= 1


@PROPS
@given(item=configs())
def test_validate_rejects_bad_shapes(item):
    name, config = item
    qtype = REGISTRY.get(name)
    bad = {
        "single": ["no-such-id", 3, None, ["x"]],
        "multiple": [["no-such-id"], "x", None, [1]],
        "truefalse": [1, "maybe", None],
        "short": [3, None, ["a"], "x" * 2001],
        "numerical": ["ba mươi", None, True, [1]],
        "matching": [[], "x", {"nope": "nope"}],
        "missing_word": [None, ["x"], 5],
        "essay": [None, 5, "x" * 20001],
        "description": ["text", 5],
    }[name]
    for raw in bad:
        try:
            qtype.validate(config, None, raw)
        except ResponseError:
            continue
        raise AssertionError(f"{name} accepted {raw!r}")


ALLOWED_KEYS = {
    "type",
    "widget",
    "text",
    "format",
    "choices",
    "id",
    "left",
    "right",
    "before",
    "after",
    "max_length",
}


def _keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | set().union(*(_keys(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_keys(v) for v in value))
    return set()


@PROPS
@given(item=configs(), seed=st.integers())
def test_present_never_leaks_answers(item, seed):
    name, config = item
    qtype = REGISTRY.get(name)
    # Give every secret a marker that cannot occur in the generated texts.
    secret = copy.deepcopy(config)
    secret["general_feedback"] = "¤general¤"
    for index, entry in enumerate(secret.get("choices", []) + secret.get("answers", [])):
        entry["feedback"] = f"¤feedback{index}¤"
    for index, entry in enumerate(secret.get("answers", [])):
        if "text" in entry:
            entry["text"] = f"¤answer{index}¤"
    if name == "truefalse":
        secret.update(feedback_true="¤t¤", feedback_false="¤f¤")
    shown = qtype.present(secret, qtype.answer_order(secret, random.Random(seed), True))
    dumped = json.dumps(shown, ensure_ascii=False)
    assert "¤" not in dumped
    assert _keys(shown) <= ALLOWED_KEYS
    for choice in secret.get("choices", []):  # every choice text is shown, nothing more
        assert json.dumps(choice["text"], ensure_ascii=False)[1:-1] in dumped


@PROPS
@given(item=configs(), title=titles, category=categories)
def test_gift_round_trip(item, title, category):
    name, config = item
    text = export_gift([(name, config, title, category)], REGISTRY)
    [question] = parse_gift(text, "roundtrip.gift", REGISTRY)
    assert (question.qtype, question.title, question.category) == (name, title, category), text
    assert question.config == config, text
