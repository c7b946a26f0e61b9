"""Vietnamese alphabetical order (lms.collation) and the unit lists that use it."""

from __future__ import annotations

import random
import unicodedata

from lms.collation import ALPHABET, sort_vi, vi_key


def shuffled(items: list[str]) -> list[str]:
    copy = list(items)
    random.Random(7).shuffle(copy)
    return copy


def test_base_letters_in_the_vietnamese_alphabet_order() -> None:
    letters = list("aăâbcdđeêghiklmnoôơpqrstuưvxy")
    assert sort_vi(shuffled(letters)) == letters
    assert sort_vi(shuffled([c.upper() for c in letters])) == [c.upper() for c in letters]
    # the borrowed Latin letters keep their Latin places
    assert ALPHABET.index("f") == ALPHABET.index("e") + 2 and ALPHABET.index("z") == len(ALPHABET) - 1


def test_d_with_stroke_comes_after_d_and_before_e() -> None:
    assert sort_vi(["Điện Biên", "Đắk Lắk", "Đồng Nai", "Đà Nẵng", "Yên Bái", "Đắk Nông", "Dung", "Ea Súp"]) == [
        "Dung", "Đà Nẵng", "Đắk Lắk", "Đắk Nông", "Điện Biên", "Đồng Nai", "Ea Súp", "Yên Bái",
    ]


def test_ha_noi_is_among_the_h() -> None:
    names = ["Hưng Yên", "Hà Nội", "Gia Lai", "Huế", "Hải Phòng", "Khánh Hòa", "Hà Tĩnh", "An Giang"]
    ordered = sort_vi(names)
    assert ordered == ["An Giang", "Gia Lai", "Hà Nội", "Hà Tĩnh", "Hải Phòng", "Huế", "Hưng Yên", "Khánh Hòa"]
    # code-point order, what sorted() gives, puts Hà Nội after every plain H and Điện Biên after Y
    assert sorted(["Điện Biên", "Yên Bái"]) == ["Yên Bái", "Điện Biên"]


def test_tones_are_secondary_in_dictionary_order() -> None:
    # no mark, huyền, hỏi, ngã, sắc, nặng
    assert sort_vi(shuffled(["ma", "mà", "mả", "mã", "má", "mạ"])) == ["ma", "mà", "mả", "mã", "má", "mạ"]
    # the base letters decide first: a tone never outweighs a later letter
    assert sort_vi(["mạc", "mab"]) == ["mab", "mạc"]
    # secondary means over the whole text, as ICU does: letters of later words count before tones
    assert sort_vi(["Quảng Ngãi", "Quang Trung", "Quảng Nam"]) == ["Quảng Nam", "Quảng Ngãi", "Quang Trung"]
    assert sort_vi(["Quảng Trị", "Quang Trị"]) == ["Quang Trị", "Quảng Trị"]
    # a tone on a modified vowel: ệ is ê with nặng, after ề and before f
    assert sort_vi(["fa", "ệ", "ề", "e", "ê"]) == ["e", "ê", "ề", "ệ", "fa"]


def test_words_before_longer_words_and_case_last() -> None:
    assert sort_vi(["Hàm Yên", "Hà Nam", "Hà"]) == ["Hà", "Hà Nam", "Hàm Yên"]
    assert sort_vi(["Cao Bằng", "Cà Mau"]) == ["Cà Mau", "Cao Bằng"]
    assert sort_vi(["An", "an"]) == ["an", "An"]


def test_numbers_by_value_punctuation_ignored() -> None:
    assert sort_vi(["Phường 10", "Phường 2", "Phường 1", "Phường An Lạc"]) == [
        "Phường 1", "Phường 2", "Phường 10", "Phường An Lạc",
    ]
    assert sort_vi(["Ea Kar", "Ea H'Leo", "Ea Hleo"]) == ["Ea Hleo", "Ea H'Leo", "Ea Kar"]


def test_composed_and_decomposed_spellings_sort_together() -> None:
    nfc, nfd = "Thừa Thiên Huế", unicodedata.normalize("NFD", "Thừa Thiên Huế")
    assert vi_key(nfc)[:3] == vi_key(nfd)[:3]
    # old and new tone placement (Hoà / Hòa) are the same word at the first level
    assert vi_key("Hoà")[0] == vi_key("Hòa")[0]


def test_foreign_letters_and_empty_text_do_not_break() -> None:
    assert sort_vi(["Ωmega", "", "zeta", "Ñam", "  "]) == ["", "  ", "Ñam", "zeta", "Ωmega"]
    assert vi_key("x²")[0]  # a superscript digit is kept, not converted


def test_unit_names_go_by_their_proper_name() -> None:
    from lms.units.services import proper_name, sort_key

    assert proper_name("Thành phố Hà Nội") == "Hà Nội" and proper_name("Xã Tân Phú") == "Tân Phú"
    assert proper_name("Đặc khu Phú Quốc") == "Phú Quốc" and proper_name("Hà Nam") == "Hà Nam"
    assert proper_name("Phường") == "Phường"  # nothing left after the kind: the name stays
    names = ["Xã Tân Phú", "Phường Bến Thành", "Xã An Nhơn", "Phường 10", "Phường 2", "Đặc khu Côn Đảo"]
    assert sorted(names, key=sort_key) == [
        "Phường 2", "Phường 10", "Xã An Nhơn", "Phường Bến Thành", "Đặc khu Côn Đảo", "Xã Tân Phú",
    ]


def test_official_provinces_and_communes_in_vietnamese_order(app) -> None:
    from lms.units.importer import import_units, official_rows, official_version
    from lms.units.services import children, proper_name, provinces, units_below

    with app.app_context():
        import_units(official_rows(), "official", official_version())
        names = [u.name for u in provinces()]
        assert len(names) == 34
        # Điện Biên after Đắk Lắk, Hà Nội among the H (before Hà Tĩnh), An Giang first, no T-block of cities
        assert names.index("Điện Biên") == names.index("Đắk Lắk") + 1
        assert names.index("Gia Lai") < names.index("Thành phố Hà Nội") < names.index("Hà Tĩnh") < names.index(
            "Thành phố Hải Phòng") < names.index("Thành phố Hồ Chí Minh") < names.index("Thành phố Huế") < names.index(
            "Hưng Yên") < names.index("Khánh Hòa")
        assert names[0] == "An Giang" and names[-1] == "Vĩnh Long"
        proper = [proper_name(n) for n in names]
        assert proper == sort_vi(proper)
        hanoi = [u.name for u in units_below("01")]
        assert hanoi == [u.name for u in children(provinces()[names.index("Thành phố Hà Nội")])]
        assert [proper_name(n) for n in hanoi] == sort_vi([proper_name(n) for n in hanoi])
        assert hanoi.index("Phường Ba Đình") < hanoi.index("Phường Cầu Giấy") < hanoi.index("Phường Đống Đa")
