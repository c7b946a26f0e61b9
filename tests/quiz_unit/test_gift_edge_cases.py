"""Every edge case of quiz.md section 2.4, in order (numbers in the test names)."""

from __future__ import annotations

import unicodedata

import pytest

from lms.quiz.gift import GiftSyntaxError, export_gift, parse_gift, read_gift
from lms.quiz.registry import default_registry

REGISTRY = default_registry(plugins=False)


def parse(text: str) -> list:
    return parse_gift(text, "bank.gift", REGISTRY)


def one(text: str):
    questions = parse(text)
    assert len(questions) == 1, questions
    return questions[0]


def errors(text: str) -> list:
    with pytest.raises(GiftSyntaxError) as caught:
        parse(text)
    return caught.value.errors


def grade(question, response):
    qtype = REGISTRY.get(question.qtype)
    config = question.config
    return qtype.grade(config, qtype.validate(config, None, response))


def choice_id(question, text: str) -> str:
    shown = REGISTRY.get(question.qtype).present(question.config)
    return next(c["id"] for c in shown["choices"] if c["text"] == text)


def test_01_line_of_spaces_separates_questions():
    questions = parse("Q1 {T}\n   \t \nQ2 {F}\n")
    assert [q.config["text"] for q in questions] == ["Q1", "Q2"]


def test_02_comment_line_does_not_separate_and_two_blocks_are_rejected():
    found = errors("Q1 {T}\n// comment\nQ2 {F}\n")
    assert len(found) == 1 and found[0].line == 3
    assert "one answer block" in found[0].message


def test_03_double_slash_inside_a_line_is_text():
    question = one("Xem http://example.vn {T}")
    assert question.qtype == "truefalse"
    assert question.config["text"] == "Xem http://example.vn"


def test_04_escaped_colon_in_title():
    question = one("::Bài 1\\: Mạng::Wi-Fi là mạng không dây {T}")
    assert question.title == "Bài 1: Mạng"
    assert question.config["text"] == "Wi-Fi là mạng không dây"


def test_05_unclosed_title():
    question = one("::Không đóng tiêu đề {T}")
    assert question.title == ""
    assert question.config["text"] == "Không đóng tiêu đề"
    assert question.name == "Không đóng tiêu đề"


def test_06_no_braces_is_a_description():
    question = one("Phần 2: an toàn khi dùng mạng.")
    assert question.qtype == "description"
    assert question.config["text"] == "Phần 2: an toàn khi dùng mạng."
    qtype = REGISTRY.get("description")
    assert qtype.graded is False
    assert qtype.grade(question.config, None).fraction is None


def test_07_essay_and_essay_with_general_feedback():
    essay = one("Hãy mô tả cách tạo mật khẩu mạnh {}")
    assert essay.qtype == "essay"
    assert essay.config["general_feedback"] == ""
    assert REGISTRY.get("essay").grade(essay.config, "Dùng cụm từ dài").fraction is None
    hinted = one("Hãy mô tả cách tạo mật khẩu mạnh {####Gợi ý: dùng cụm từ}")
    assert hinted.qtype == "essay"
    assert hinted.config["general_feedback"] == "Gợi ý: dùng cụm từ"


@pytest.mark.parametrize(("block", "answer"), [("T", True), ("TRUE", True), ("F", False), ("FALSE", False)])
def test_08_true_false_keywords(block, answer):
    question = one(f"Câu hỏi {{{block}}}")
    assert question.qtype == "truefalse"
    assert question.config["answer"] is answer


def test_08_lowercase_true_is_a_short_answer():
    question = one("Câu hỏi {true}")
    assert question.qtype == "short"
    assert [a["text"] for a in question.config["answers"]] == ["true"]


def test_09_true_false_feedback_goes_to_the_pick():
    question = one("Trái đất phẳng {FALSE#Sai rồi#Chính xác}")
    assert question.config["answer"] is False
    assert grade(question, True).feedback == "Sai rồi"
    assert grade(question, True).fraction == 0
    assert grade(question, False).feedback == "Chính xác"
    assert grade(question, False).fraction == 1


def test_10_true_false_with_general_feedback():
    question = one("Q {T#a#b####c}")
    assert question.qtype == "truefalse"
    assert question.config["general_feedback"] == "c"
    assert grade(question, False).feedback == "a"
    assert grade(question, True).feedback == "b"


def test_11_single_choice():
    question = one("Dán {=Ctrl+V ~Ctrl+C ~Ctrl+X}")
    assert question.qtype == "single"
    assert [c["weight"] for c in question.config["choices"]] == [1, 0, 0]
    assert grade(question, choice_id(question, "Ctrl+V")).fraction == 1
    assert grade(question, choice_id(question, "Ctrl+C")).fraction == 0


def test_12_multiple_response_is_clamped():
    question = one("Chọn {~%50%A ~%50%B ~%-100%C}")
    assert question.qtype == "multiple"
    a, b, c = (choice_id(question, t) for t in "ABC")
    assert grade(question, [a, b]).fraction == 1
    assert grade(question, [a, c]).fraction == 0
    assert grade(question, [a]).fraction == 0.5
    assert grade(question, [a, b, c]).fraction == 0


def test_13_one_hundred_percent_without_equals_stays_multiple():
    question = one("Chọn {~%100%A ~%-50%B ~%-50%C}")
    assert question.qtype == "multiple"
    assert [c["weight"] for c in question.config["choices"]] == [1, -0.5, -0.5]


def test_14_weight_after_equals_is_rejected():
    found = errors("Chọn {=%50%A ~B}")
    assert len(found) == 1 and "~%50%answer" in found[0].message


def test_15_one_option():
    assert one("Q {=A}").qtype == "short"
    found = errors("Q {~A}")
    assert "at least two answers" in found[0].message


def test_16_escaped_equals_in_options():
    question = one("Đúng? {~ \\= 2 + 2 = \\= 2 + 3}")
    assert question.qtype == "single"
    assert [(c["text"], c["weight"]) for c in question.config["choices"]] == [("= 2 + 2", 0), ("= 2 + 3", 1)]


def test_17_fractional_weight_and_non_weight():
    question = one("Q {~%33.33333%A ~%33.33333%B ~%33.33333%C ~%abc%X}")
    assert question.config["choices"][0]["weight"] == 0.3333333
    assert question.config["choices"][3] == {"text": "%abc%X", "weight": 0.0, "feedback": ""}
    assert grade(question, [choice_id(question, t) for t in "ABC"]).fraction == 1


def test_18_short_answer_alternatives_without_case_flag():
    question = one("Thủ đô {=Hà Nội =Ha Noi}")
    assert [(a["text"], a["weight"]) for a in question.config["answers"]] == [("Hà Nội", 1), ("Ha Noi", 1)]
    assert question.config["case_sensitive"] is False
    assert grade(question, "hà nội").fraction == 1
    assert grade(question, "ha noi").fraction == 1


def test_19_wildcard_and_catch_all_first_match_wins():
    question = one("Tỉnh {=Lâm* =%0%*#Sai}")
    assert grade(question, "Lâm Đồng") == grade(question, "lâm đồng")
    assert grade(question, "Lâm Đồng").fraction == 1
    other = grade(question, "Huế")
    assert (other.fraction, other.feedback) == (0, "Sai")


def test_20_single_accepted_answer():
    question = one("2 + 2 = {=4}")
    assert question.qtype == "short"
    assert len(question.config["answers"]) == 1
    assert grade(question, " 4 ").fraction == 1


def test_21_missing_word():
    question = one("Thủ đô của Việt Nam là {=Hà Nội} nhé.")
    assert question.qtype == "missing_word"
    assert question.config["text"] == "Thủ đô của Việt Nam là _____ nhé."
    assert question.config["before"] == "Thủ đô của Việt Nam là "
    assert question.config["after"] == " nhé."
    assert grade(question, "Hà Nội").fraction == 1


def test_21_missing_word_with_choices():
    question = one("Thủ đô của Việt Nam là {=Hà Nội ~Huế ~Đà Nẵng} nhé.")
    assert question.qtype == "missing_word"
    assert question.config["mode"] == "choice"
    assert grade(question, choice_id(question, "Hà Nội")).fraction == 1


def test_22_blank_only_when_text_continues():
    question = one("Giá trị pi là {#3.14:0.01}.")
    assert question.qtype == "numerical"
    assert question.config["text"] == "Giá trị pi là _____."
    assert one("Giá trị pi là {#3.14:0.01}").config["text"] == "Giá trị pi là"


def test_23_exact_number():
    question = one("Năm {#2024}")
    assert question.config["answers"] == [{"value": 2024.0, "tolerance": 0.0, "weight": 1.0, "feedback": ""}]
    assert grade(question, 2024).fraction == 1
    assert grade(question, 2024.5).fraction == 0


def test_24_tolerance_is_inclusive():
    question = one("Pi {#3.14:0.01}")
    for value, expected in [(3.13, 1), (3.15, 1), (3.14, 1), (3.129, 0), (3.151, 0), ("3,13", 1)]:
        assert grade(question, value).fraction == expected, value


def test_25_range():
    question = one("Từ 1 đến 5 {#1..5}")
    assert (question.config["answers"][0]["value"], question.config["answers"][0]["tolerance"]) == (3, 2)
    assert [grade(question, v).fraction for v in (0.99, 1, 5, 5.01)] == [0, 1, 1, 0]


def test_26_several_numeric_answers_first_match_wins():
    question = one("Năm {# =2024:0 =%50%2024:2}")
    assert grade(question, 2024).fraction == 1
    assert grade(question, 2022).fraction == 0.5
    assert grade(question, 2026).fraction == 0.5
    assert grade(question, 2027).fraction == 0


def test_27_numeric_catch_all_feedback():
    question = one("Số {#5:0 ~#Đáp án là 5}")
    last = question.config["answers"][-1]
    assert last == {"value": "*", "tolerance": 0.0, "weight": 0.0, "feedback": "Đáp án là 5"}
    assert grade(question, 7) == grade(question, "7")
    assert (grade(question, 7).fraction, grade(question, 7).feedback) == (0, "Đáp án là 5")


def test_28_exponent_numbers():
    question = one("Số {#-1.5e3:10}")
    assert question.config["answers"][0]["value"] == -1500
    assert grade(question, -1495).fraction == 1


def test_29_non_numeric_answers_are_rejected():
    assert "tolerance" in errors("Số {#5:abc}")[0].message
    assert "not a number" in errors("Số {#abc}")[0].message


def test_30_decimal_comma_rejected_in_file_but_accepted_from_learner():
    assert "point" in errors("Số {#3,14}")[0].message
    question = one("Số {#3.14}")
    assert grade(question, "3,14").fraction == 1


def test_31_matching_with_distractor():
    question = one("Nối {=Wi-Fi -> Không dây =USB -> Cổng = -> Máy in}")
    assert question.qtype == "matching"
    assert question.config["pairs"] == [
        {"left": "Wi-Fi", "right": "Không dây"},
        {"left": "USB", "right": "Cổng"},
        {"left": "", "right": "Máy in"},
    ]
    shown = REGISTRY.get("matching").present(question.config)
    assert [item["text"] for item in shown["left"]] == ["Wi-Fi", "USB"]
    assert sorted(item["text"] for item in shown["right"]) == ["Cổng", "Không dây", "Máy in"]


def test_32_matching_needs_two_pairs_with_arrows():
    assert "two pairs" in errors("Nối {=Wi-Fi -> Không dây}")[0].message
    assert "->" in errors("Nối {=a -> b =c}")[0].message


def test_33_matching_hash_is_literal_with_a_warning():
    questions, problems = read_gift("Nối {=a -> b # hay =c -> d}", "bank.gift", REGISTRY)
    assert questions[0].config["pairs"][0]["right"] == "b # hay"
    assert [p.severity for p in problems] == ["warning"]
    assert problems[0].line == 1 and "bank.gift:1: warning:" in str(problems[0])


def test_34_tilde_wins_over_matching():
    question = one("Q {=x->y ~z}")
    assert question.qtype == "single"
    assert [c["text"] for c in question.config["choices"]] == ["x->y", "z"]


def test_35_arrow_in_short_answer_makes_matching():
    assert "two pairs" in errors("Hướng {=mũi tên -> phải}")[0].message


def test_36_hash_first_is_numerical():
    question = one("Số {#5:1 ~#Sai}")
    assert question.qtype == "numerical"
    assert errors("Số {#=a->b}")  # numerical, then "a->b" is not a number


def test_37_last_general_feedback_separator():
    question = one("Q {=a####x####y}")
    assert question.qtype == "short"
    assert question.config["general_feedback"] == "y"
    assert question.config["answers"] == [{"text": "a", "weight": 1.0, "feedback": "###x"}]


def test_38_general_feedback_format():
    html = one("[markdown]Q {T####[html]<b>Xem lại</b>}")
    assert (html.config["general_feedback"], html.config["general_feedback_format"]) == (
        "<b>Xem lại</b>",
        "html",
    )
    inherited = one("[markdown]Q {T####**Xem lại**}")
    assert inherited.config["general_feedback_format"] == "markdown"


def test_39_escaped_hash_is_not_feedback():
    question = one("Q {=A\\#B ~C}")
    assert question.config["choices"][0] == {"text": "A#B", "weight": 1.0, "feedback": ""}


def test_40_backslashes():
    question = one("Đường dẫn C\\:\\\\Windows\\nDòng hai {=\\*}")
    assert question.config["text"] == "Đường dẫn C:\\Windows\nDòng hai"
    assert question.config["answers"][0]["text"] == "\\*"
    assert grade(question, "*").fraction == 1
    assert grade(question, "abc").fraction == 0


@pytest.mark.parametrize("text", ["Q {=a ~b", "Q =a ~b}"])
def test_41_unbalanced_braces(text):
    found = errors(text)
    assert len(found) == 1 and "braces" in found[0].message.lower()


def test_42_text_formats():
    bold = one("[markdown]**Đậm** {T}")
    assert (bold.config["format"], bold.config["text"]) == ("markdown", "**Đậm**")
    unknown = one("[xyz]Hello {T}")
    assert (unknown.config["format"], unknown.config["text"]) == ("moodle", "[xyz]Hello")


def test_43_category_blocks():
    questions = parse("$CATEGORY: $course$/Kỹ năng số/An toàn\n\nQ1 {T}\n\nQ2 {F}")
    assert [q.category for q in questions] == ["$course$/Kỹ năng số/An toàn"] * 2
    found = errors("$CATEGORY: $course$/A\nQ1 {T}")
    assert len(found) == 1 and found[0].line == 1 and "$CATEGORY" in found[0].message


def test_44_tags_and_id_number_in_comments():
    question = one("// [tag:an-toan] [id:Q-001]\nQ {T}")
    assert (question.tags, question.idnumber) == (["an-toan"], "Q-001")
    split = one("// [tag:an-\n// toan] [id:A\\]B]\nQ {T}")
    assert (split.tags, split.idnumber) == ([], "A]B")


def test_45_bom_crlf_and_decomposed_diacritics():
    plain = "::Thủ đô::Thủ đô là gì? {=Hà Nội}\n\nCâu 2 {T}\n"
    variants = [
        plain,
        "\ufeff" + plain.replace("\n", "\r\n"),
        ("\ufeff" + plain.replace("\n", "\r\n")).encode("utf-8"),
        unicodedata.normalize("NFD", plain).encode("utf-8"),
        plain.replace("\n", "\r"),
    ]
    expected = [(q.qtype, q.title, q.config) for q in parse(plain)]
    for variant in variants:
        assert [(q.qtype, q.title, q.config) for q in parse(variant)] == expected
    question = parse(plain)[0]
    assert grade(question, unicodedata.normalize("NFD", "Hà Nội")).fraction == 1
    assert grade(question, "Ha Noi").fraction == 0


def test_46_two_answer_blocks_rejected():
    found = errors("Câu {=1} và câu {=2}")
    assert len(found) == 1 and "one answer block" in found[0].message


def test_47_export_format():
    bank = parse(
        "::T\\:1::Q\\{x\\} {=a#good ~b}\n\n"
        "Q2 {~%50%a ~%50%b ~%-100%c}\n\n"
        "Q3 {=Hà Nội}\n\n"
        "Q4 {#3:2#ok ~#no}\n\n"
        "Q5 {FALSE#wrong#right}\n\n"
        "Q6 {}\n\n"
        "Q7 line\\none {T}\n"
    )
    text = export_gift(bank, REGISTRY)
    assert "::T\\:1::Q\\{x\\} {\n\t=a#good\n\t~b\n}" in text
    assert "\t~%50%a\n\t~%50%b\n\t~%-100%c\n" in text
    assert "\t=%100%Hà Nội#\n" in text
    assert "Q4 {#\n\t=%100%3:2#ok\n\t~#no\n}" in text
    assert "Q5 {FALSE#wrong#right}" in text
    assert "Q6 {}" in text
    assert "Q7 line\\none {TRUE}" in text
    assert [(q.qtype, q.title, q.config) for q in parse(text)] == [(q.qtype, q.title, q.config) for q in bank]


def test_47_backslash_round_trip():
    question = one("Q a\\\\b {T}")
    assert question.config["text"] == "Q a\\b"
    text = export_gift([question], REGISTRY)
    assert "Q a\\\\b" in text
    assert parse(text)[0].config == question.config
