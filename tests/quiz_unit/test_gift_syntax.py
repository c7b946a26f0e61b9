"""GIFT syntax rules beyond the numbered edge cases: layout, escapes, formats, options, errors."""

from __future__ import annotations

import pytest

from lms.quiz.gift import GiftError, GiftSyntaxError, check_file, parse_gift, read_gift, summarize
from lms.quiz.registry import default_registry

REGISTRY = default_registry(plugins=False)


def parse(text: str | bytes) -> list:
    return parse_gift(text, "bank.gift", REGISTRY)


def errors(text: str) -> list[GiftError]:
    with pytest.raises(GiftSyntaxError) as caught:
        parse(text)
    return caught.value.errors


def grade(question, response):
    qtype = REGISTRY.get(question.qtype)
    return qtype.grade(question.config, qtype.validate(question.config, None, response))


def test_question_spread_over_lines_with_comments_inside():
    text = (
        "// bank header\n"
        "\n"
        "::Q1::[html]<p>Dòng một\n"
        "   dòng hai</p>\n"
        "// a comment in the middle\n"
        "{\n"
        "  =Đúng#Tốt lắm\n"
        "  ~Sai#Chưa đúng\n"
        "  ####Giải thích\n"
        "}\n"
    )
    [question] = parse(text)
    assert question.line == 3
    assert question.config["text"] == "<p>Dòng một\ndòng hai</p>"
    assert question.config["format"] == "html"
    assert question.config["choices"] == [
        {"text": "Đúng", "weight": 1.0, "feedback": "Tốt lắm"},
        {"text": "Sai", "weight": 0.0, "feedback": "Chưa đúng"},
    ]
    assert question.config["general_feedback"] == "Giải thích"
    assert question.source.startswith("::Q1::[html]<p>Dòng một")


def test_all_escapes():
    [question] = parse("::a\\:b::x \\~ \\= \\# \\{ \\} \\: y\\nz {=p\\~q\\=r ~s\\#t#f\\#g}")
    assert question.title == "a:b"
    assert question.config["text"] == "x ~ = # { } : y\nz"
    assert question.config["choices"][0] == {"text": "p~q=r", "weight": 1.0, "feedback": ""}
    assert question.config["choices"][1] == {"text": "s#t", "weight": 0.0, "feedback": "f#g"}


def test_per_answer_formats_are_kept_only_when_they_differ():
    [question] = parse("[markdown]Q {=[html]<b>a</b>#[plain]fb ~[markdown]b}")
    first, second = question.config["choices"]
    assert first == {
        "text": "<b>a</b>",
        "weight": 1.0,
        "feedback": "fb",
        "format": "html",
        "feedback_format": "plain",
    }
    assert second == {"text": "b", "weight": 0.0, "feedback": ""}
    shown = REGISTRY.get("single").present(question.config)
    assert {c["text"]: c["format"] for c in shown["choices"]} == {"<b>a</b>": "html", "b": "markdown"}


def test_categories_apply_until_the_next_one():
    questions = parse("Q0 {T}\n\n$CATEGORY: A/B\n\nQ1 {T}\n\nQ2 {T}\n\n$CATEGORY: C\n\nQ3 {T}")
    assert [q.category for q in questions] == ["", "A/B", "A/B", "C"]


def test_summarize_counts_per_type():
    questions = parse("A {T}\n\nB {F}\n\nC {=a ~b}\n\nD")
    assert summarize(questions) == {"truefalse": 2, "single": 1, "description": 1}


def test_all_errors_are_collected_and_nothing_is_imported():
    text = "Ok {T}\n\nBad {#abc}\n\nAlso ok {F}\n\nBad {~only}\n\nBroken {=a\n"
    found = errors(text)
    assert [(e.file, e.line) for e in found] == [("bank.gift", 3), ("bank.gift", 7), ("bank.gift", 9)]
    assert all(str(e).startswith(f"bank.gift:{e.line}: ") for e in found)
    questions, problems = read_gift(text, "bank.gift", REGISTRY)
    assert len(questions) == 2 and len(problems) == 3


def test_error_names_the_line_of_the_bad_answer_in_a_long_block():
    text = "Q1 {T}\n\nQ2 {#\n  =%100%5:1\n  =%50%abc\n}\n"
    [error] = errors(text)
    assert error.line == 5 and "abc" in error.message


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Q {~%150%a ~b}", "outside"),
        ("Q {~%50%a ~%20%b ~c}", "add up"),
        ("Q {~a ~b}", "add up"),
        ("Q {=a ~ ~b}", "empty"),
        ("Q {=%50%a =%50%b}", "100%"),
        ("Q {#=%50%1 =%20%2}", "100%"),
        ("Q {#5..1}", "below"),
        ("Q {#5:-1}", "negative"),
        ("Q {#}", "at least one"),
        ("Q {#5 ~x#no}", "feedback"),
        ("::Only a title::", "no text"),
    ],
)
def test_invalid_questions(text, words):
    [error] = errors(text)
    assert words in error.message, error.message
    assert error.line == 1


def test_not_utf8_names_the_line():
    data = b"Q1 {T}\n\nQ2 {F}\n" + b"Q3 \xff {T}\n"
    [error] = errors(data)
    assert error.line == 4 and "UTF-8" in error.message


def test_reserved_characters_are_refused():
    [error] = errors("Q1 {T}\n\nQ2 \ufdd0 {T}")
    assert error.line == 3


def test_accept_no_diacritics_marker():
    text = "// lms: accept-no-diacritics\n::Thủ đô::Thủ đô là gì? {=Hà Nội}\n\nCâu 2 {=Hà Nội}"
    marked, plain = parse(text)
    assert marked.config["accept_no_diacritics"] is True
    assert plain.config["accept_no_diacritics"] is False
    assert grade(marked, "Ha Noi").fraction == 1
    assert grade(marked, "ha  noi ").fraction == 1
    assert grade(plain, "Ha Noi").fraction == 0
    assert grade(plain, "hà   nội").fraction == 1


def test_case_sensitive_marker_and_both_on_one_line():
    [question] = parse("// LMS: case-sensitive, accept-no-diacritics\nQ {=Đà Nẵng}")
    assert question.config["case_sensitive"] is True
    assert grade(question, "Da Nang").fraction == 1
    assert grade(question, "da nang").fraction == 0


def test_marker_works_for_typed_missing_word():
    [question] = parse("// lms: accept-no-diacritics\nThủ đô là {=Hà Nội} nhé.")
    assert question.qtype == "missing_word"
    assert grade(question, "Ha Noi").fraction == 1


def test_misplaced_or_useless_markers_warn():
    text = (
        "// lms: accept-no-diacritics\n\nQ1 {=a}\n\n"
        "// lms: accept-no-diacritics\nQ2 {T}\n\n"
        "// lms: frobnicate\nQ3 {=a}"
    )
    questions, problems = read_gift(text, "bank.gift", REGISTRY)
    assert len(questions) == 3
    assert [(p.line, p.severity) for p in problems] == [(1, "warning"), (5, "warning"), (8, "warning")]
    assert questions[0].config["accept_no_diacritics"] is False
    assert questions[1].warnings and "ignored" in questions[1].warnings[0].message
    parse(text)  # warnings do not block the import


def test_empty_file_warns():
    questions, problems = read_gift("// only comments\n\n", "x.gift", REGISTRY)
    assert questions == [] and [p.severity for p in problems] == ["warning"]


def test_check_file(tmp_path):
    good = tmp_path / "good.gift"
    good.write_text("A {T}\n\nB {=a ~b}\n\nC {#1}\n", encoding="utf-8")
    assert check_file(good, REGISTRY) == ({"truefalse": 1, "single": 1, "numerical": 1}, [])
    bad = tmp_path / "bad.gift"
    bad.write_bytes("\ufeffA {T}\r\n\r\nB {=a ~b\r\n".encode())
    summary, problems = check_file(bad, REGISTRY)
    assert summary == {"truefalse": 1}
    assert [(p.file, p.line, p.severity) for p in problems] == [(str(bad), 3, "error")]
    summary, problems = check_file(tmp_path / "missing.gift", REGISTRY)
    assert summary == {} and problems[0].line == 0


def test_question_name_falls_back_to_text():
    [question] = parse("Một câu hỏi rất dài " * 10 + "{T}")
    assert question.title == ""
    assert question.name.startswith("Một câu hỏi rất dài") and len(question.name) == 80


def test_content_hash_ignores_layout():
    first = parse("::T::Q {=a ~b}")[0]
    second = parse("::T::Q {\n  =a\n  ~b\n}")[0]
    assert first.content_hash() == second.content_hash()
    assert first.content_hash() != parse("::T::Q {=a ~c}")[0].content_hash()


def test_shadowed_right_answer_warns():
    questions, problems = read_gift("Q {=%0%* =Hà Nội}\n\nQ2 {#=%50%3:1 =3.14:0.01}", "b.gift", REGISTRY)
    assert len(questions) == 2
    assert [(p.line, p.severity) for p in problems] == [(1, "warning"), (3, "warning")]
    assert "full marks" in problems[0].message
