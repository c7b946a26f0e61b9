"""Vietnamese-aware comparison of typed answers (short answer, typed missing word).

Moodle compares NFC-normalized, trimmed strings, case-insensitively, with ``*`` wildcards
(``question/type/shortanswer/question.php``, ``compare_string_with_wildcard``). We do the same
and also fold runs of white space, since learners on phones often type double spaces, and can
optionally ignore diacritics ("Ha Noi" for "Hà Nội"), which many learners cannot type.
"""

from __future__ import annotations

import re
import unicodedata

# "đ" is a letter of its own, not "d" + a combining mark, so NFD alone would keep it.
_NO_DIACRITICS = str.maketrans({"đ": "d", "Đ": "D"})
_STARS_RE = re.compile(r"(?<!\\)\*+")


def strip_diacritics(text: str) -> str:
    """Remove Vietnamese (and other Latin) diacritics: "Hà Nội, Đà Nẵng" -> "Ha Noi, Da Nang"."""
    decomposed = unicodedata.normalize("NFD", text.translate(_NO_DIACRITICS))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", bare)


def normalize(text: str, *, case_sensitive: bool = False, no_diacritics: bool = False) -> str:
    """NFC, white space folded and trimmed, then optionally case- and diacritic-folded."""
    text = " ".join(unicodedata.normalize("NFC", text).split())
    if no_diacritics:
        text = strip_diacritics(text)
    if not case_sensitive:
        text = unicodedata.normalize("NFC", text.casefold())
    return text


def wildcard_match(
    pattern: str, response: str, *, case_sensitive: bool = False, no_diacritics: bool = False
) -> bool:
    """True when ``response`` matches ``pattern``, where ``*`` is any text and ``\\*`` a star."""
    options = {"case_sensitive": case_sensitive, "no_diacritics": no_diacritics}
    bits = _STARS_RE.split(normalize(pattern, **options))
    regex = ".*".join(re.escape(bit.replace("\\*", "*")) for bit in bits)
    return re.fullmatch(regex, normalize(response, **options), flags=re.DOTALL) is not None


def literal_of(pattern: str, filler: str = "") -> str:
    """A text that the pattern accepts: wildcards replaced by ``filler``, ``\\*`` made literal."""
    return _STARS_RE.sub(filler, pattern).replace("\\*", "*").strip()
