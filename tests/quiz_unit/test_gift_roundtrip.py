"""Export then import gives the same bank: a bank with every type, and the shipped examples."""

from __future__ import annotations

from pathlib import Path

import pytest

from lms.quiz.gift import export_gift, parse_gift
from lms.quiz.registry import default_registry

REGISTRY = default_registry(plugins=False)
REPO = Path(__file__).resolve().parents[2]
SHIPPED = sorted({*REPO.glob("courses/**/*.gift"), *REPO.glob("tests/fixtures/**/*.gift")})

EVERY_TYPE = r"""
// A bank with every built-in type and the awkward corners of the syntax.

$CATEGORY: $course$/Kỹ năng số/An toàn

// [id:Q-001] [tag:an-toan] [tag:mật khẩu]
::Single\: one::[markdown]Chọn **một** {
    =Đúng#[html]<b>Tốt</b>
    ~%-50%Đoán bừa#Bị trừ điểm
    ~%0%%50%X#literal weight-like text
    ~[html]<i>Sai</i>
    ####[html]<p>Giải thích</p>
}

::Multi::Chọn hai {~%50%A ~%50%B ~%-100%C#no ~%0%%D ~%-33.33333%E}

::Thirds::Ba phần {~%33.33333%a ~%33.33333%b ~%33.33333%c ~%-100%d}

::TF::Trái đất quay {TRUE#Sai rồi#Chính xác####Giải thích}

::TF2::Mặt trời lạnh {F##Đúng}

// lms: accept-no-diacritics
::Short::Thủ đô? {=Hà Nội#Đúng =%50%Hà*#Gần đúng =%0%*#Sai####Hà Nội là thủ đô.}

// lms: case-sensitive
::Short2::Viết hoa {=OTP}

::Num::Pi {#3.14:0.01#ok}

::Num2::Năm {# =%100%2024:0#đúng =%50%2024:2#gần ~#Sai}

::Range::Từ 1 đến 5 {#1..5}

::Exp::Lớn {#-1.5e3:10}

::Match::Nối {
    =[html]<b>Wi-Fi</b> -> Không dây
    =USB -> Cổng
    =Bluetooth -> Không dây
    = -> Máy in
    ####Ghi nhớ
}

::Blank choice::Thủ đô của Việt Nam là {=Hà Nội ~Huế ~Vinh} nhé.

// lms: accept-no-diacritics
::Blank typed::Thủ đô của Việt Nam là {=Hà Nội} nhé.

::Pi blank::Giá trị pi là {#3.14:0.01}.

::Essay::Hãy mô tả cách tạo mật khẩu mạnh {####Gợi ý: dùng cụm từ}

::Essay2::Viết gì đó {}

$CATEGORY: Khác

Phần 2\: đọc kỹ trước khi trả lời. Escapes\: \{ \} \~ \= \# \\ and a\nnew line.

::Escapes::Ký tự \{ \} \~ \= \# \: \\ // và [plain] {=a\=b\#c ~d\~e ~//f}
"""


def same(question) -> tuple:
    return (
        question.qtype,
        question.title,
        question.category,
        question.config,
        question.tags,
        question.idnumber,
    )


def round_trip(bank: list) -> list:
    return parse_gift(export_gift(bank, REGISTRY), "exported.gift", REGISTRY)


def test_every_type_round_trips():
    bank = parse_gift(EVERY_TYPE, "every.gift", REGISTRY)
    types = {q.qtype for q in bank}
    assert types == set(REGISTRY.names())
    again = round_trip(bank)
    assert [same(q) for q in again] == [same(q) for q in bank]
    assert round_trip(again) and export_gift(again, REGISTRY) == export_gift(bank, REGISTRY)


def test_every_type_details():
    bank = {q.title or q.qtype: q for q in parse_gift(EVERY_TYPE, "every.gift", REGISTRY)}
    single = bank["Single: one"]
    assert single.idnumber == "Q-001" and single.tags == ["an-toan", "mật khẩu"]
    assert single.config["choices"][2] == {
        "text": "%50%X",
        "weight": 0.0,
        "feedback": "literal weight-like text",
    }
    assert bank["Multi"].config["choices"][3]["text"] == "%D"
    assert bank["Short"].config["accept_no_diacritics"] is True
    assert bank["Short2"].config["case_sensitive"] is True
    assert bank["Blank typed"].config["accept_no_diacritics"] is True
    assert bank["Escapes"].config["text"] == "Ký tự { } ~ = # : \\ // và [plain]"
    assert [c["text"] for c in bank["Escapes"].config["choices"]] == ["a=b#c", "d~e", "//f"]
    assert (
        bank["description"].config["text"]
        == "Phần 2: đọc kỹ trước khi trả lời. Escapes: { } ~ = # \\ and a\nnew line."
    )
    assert bank["description"].category == "Khác"


def test_export_writes_category_lines_only_on_change():
    bank = parse_gift(EVERY_TYPE, "every.gift", REGISTRY)
    text = export_gift(bank, REGISTRY)
    assert text.count("$CATEGORY:") == 2
    assert "// [id:Q-001] [tag:an-toan] [tag:mật khẩu]\n::Single\\: one::[markdown]" in text
    assert "// lms: accept-no-diacritics\n::Short::" in text


def test_export_accepts_plain_tuples_and_rows():
    class Row:  # what a DB row offers
        qtype, title, category = "truefalse", "Row", "Cat"
        config = {
            "text": "Q",
            "format": "moodle",
            "general_feedback": "",
            "general_feedback_format": "moodle",
            "answer": True,
            "feedback_true": "",
            "feedback_false": "",
        }

    text = export_gift(
        [
            (
                "essay",
                {
                    "text": "Viết",
                    "format": "moodle",
                    "general_feedback": "",
                    "general_feedback_format": "moodle",
                },
            ),
            Row(),
        ],
        REGISTRY,
    )
    assert text == "Viết {}\n\n$CATEGORY: Cat\n\n::Row::Q {TRUE}\n"
    assert [q.qtype for q in parse_gift(text, "x.gift", REGISTRY)] == ["essay", "truefalse"]


def test_short_answer_with_arrow_cannot_be_exported():
    config = {
        "text": "Q",
        "format": "moodle",
        "general_feedback": "",
        "general_feedback_format": "moodle",
        "answers": [{"text": "a -> b", "weight": 1.0, "feedback": ""}],
        "case_sensitive": False,
        "accept_no_diacritics": False,
    }
    with pytest.raises(ValueError, match="->"):
        export_gift([("short", config)], REGISTRY)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(REPO)))
def test_shipped_examples_parse_and_round_trip(path):
    bank = parse_gift(path.read_bytes(), str(path), REGISTRY)
    assert bank
    for question in bank:
        qtype = REGISTRY.get(question.qtype)
        if qtype.graded and question.qtype != "essay":
            assert qtype.grade(question.config, qtype.key(question.config)).fraction == 1, question.title
    assert [same(q) for q in round_trip(bank)] == [same(q) for q in bank]


def test_there_are_shipped_examples():
    assert SHIPPED, "no .gift files found under courses/ or tests/fixtures/"


def test_metadata_with_brackets_round_trips():
    bank = parse_gift("// [id:A\\]B] [tag:x\\]y] [tag:z]\nQ {T}", "m.gift", REGISTRY)
    assert (bank[0].idnumber, bank[0].tags) == ("A]B", ["x]y", "z"])
    assert [same(q) for q in round_trip(bank)] == [same(q) for q in bank]
