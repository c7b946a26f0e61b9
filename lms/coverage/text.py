"""Text helpers of the coverage pages: folding for search and column names, reading an uploaded CSV.

(The roster reader in ``lms.classes`` does the same for rosters; the layers rule keeps the two
domains apart, so the few lines are repeated here rather than imported sideways.)
"""

from __future__ import annotations

import re
import unicodedata


def fold(text: str) -> str:
    """Lower case, no accents, single spaces: "Điện Biên" -> "dien bien", so a search works without diacritics."""
    text = unicodedata.normalize("NFKD", str(text).replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def decode(data: bytes) -> str | None:
    """UTF-16 (with BOM), UTF-8 (BOM or not), then Windows-1258 (old Vietnamese Excel); NFC. None: unreadable."""
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            text = data.decode("utf-16")
        else:
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = data.decode("cp1258")
    except UnicodeDecodeError:
        return None
    # Windows-1258 writes tone marks as separate combining characters
    return unicodedata.normalize("NFC", text)
