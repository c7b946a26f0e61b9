"""The picture a chat app shows beside a shared verification link (Open Graph ``og:image``).

A 1200 x 630 PNG (the size Facebook and Zalo ask for) drawn like the certificate: its frame,
"GIẤY CHỨNG NHẬN", the **masked** name (the one signed into the QR token and shown on the
verification page: never the full name), the course or path, the date, the code. A revoked
certificate's card is greyed out, has no name, and carries a red band "ĐÃ THU HỒI": it never
looks like a valid certificate. The card never says "valid" either: a picture can be copied and
kept, so it only says where to check.

Pure: a plain mapping in, PNG bytes out (no request, no database). Pillow draws it with the same
Vietnamese font as the PDF (~20 KB; tens of ms, see bench/RESULTS.md), once per certificate and
status: :mod:`lms.certificates.sharing` keeps each card.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Mapping
from datetime import date

from lms.printing.dates import vi_date

WIDTH, HEIGHT = 1200, 630
RED, BLUE, INK, MUTED, PAPER = "#9b1c1c", "#0b3d91", "#1f2328", "#57606a", "#fffdf7"
GREY, GREY_PAPER, BAND = "#8c959f", "#f3f4f6", "#b42318"
_MARGIN = 70
_REQUIRED = ("status", "kind", "title", "masked_name", "issued_on", "issuer", "code", "host")


@functools.lru_cache(maxsize=64)
def _fonts(size: int, bold: bool = False):  # -> ImageFont.FreeTypeFont
    from PIL import ImageFont  # Pillow loads on the first card only

    from lms.printing.fonts import find_fonts  # imports WeasyPrint: first card only

    files = find_fonts()
    return ImageFont.truetype(str((files.bold or files.regular) if bold else files.regular), size)


def _fit(draw, text: str, size: int, bold: bool, width: int, smallest: int):
    """The largest font (from ``size`` down to ``smallest``) in which ``text`` fits ``width``."""
    font = _fonts(size, bold)
    while size > smallest and draw.textlength(text, font=font) > width:
        size -= 2
        font = _fonts(size, bold)
    return font


def _lines(draw, text: str, font, width: int, most: int) -> list[str]:
    """``text`` wrapped on spaces into at most ``most`` lines (the last one cut with "…")."""
    lines: list[str] = []
    for word in text.split():
        if lines and draw.textlength(f"{lines[-1]} {word}", font=font) <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    if len(lines) > most:
        lines = lines[:most]
        while lines[-1] and draw.textlength(lines[-1] + " …", font=font) > width:
            lines[-1] = lines[-1][:-1]
        lines[-1] = lines[-1].rstrip() + " …"
    return lines


def render_card(card: Mapping) -> bytes:
    """The PNG for ``card``: ``status`` ("valid" | "revoked"), ``kind`` ("course" | "path"),
    ``title`` (Vietnamese), ``masked_name``, ``issued_on`` (date), ``issuer``, ``code``, ``host``
    (where to check, e.g. "hoc.example.vn"); optional ``revoked_on`` (date)."""
    missing = [key for key in _REQUIRED if not card.get(key)]
    if missing:
        raise ValueError(f"share card lacks {', '.join(missing)}")
    from PIL import Image, ImageDraw  # Pillow loads on the first card only

    revoked = card["status"] != "valid"
    ink, accent, name_ink = (GREY, GREY, GREY) if revoked else (INK, RED, BLUE)
    image = Image.new("RGB", (WIDTH, HEIGHT), GREY_PAPER if revoked else PAPER)
    draw = ImageDraw.Draw(image)
    # the certificate's double frame
    draw.rectangle((18, 18, WIDTH - 19, HEIGHT - 19), outline=accent, width=6)
    draw.rectangle((32, 32, WIDTH - 33, HEIGHT - 33), outline=accent, width=2)
    middle, inner = WIDTH // 2, WIDTH - 2 * _MARGIN

    def centred(y: int, text: str, font, fill: str) -> None:
        draw.text((middle, y), text, font=font, fill=fill, anchor="ma")

    centred(58, card["issuer"].upper(), _fit(draw, card["issuer"].upper(), 22, True, inner, 14), ink)
    centred(98, "GIẤY CHỨNG NHẬN", _fonts(66, True), accent)
    kind = "Chứng nhận phổ cập kỹ năng số" if card["kind"] == "path" else "Hoàn thành khóa học"
    centred(182, kind, _fonts(30, True), ink)
    if not revoked:
        centred(240, "Chứng nhận Ông/Bà", _fonts(24), MUTED)
        centred(274, card["masked_name"], _fit(draw, card["masked_name"], 58, True, inner, 30), name_ink)
        centred(356, "đã hoàn thành", _fonts(24), MUTED)
    title_font = _fonts(34, True)
    title_lines = _lines(draw, card["title"], title_font, inner, 1 if revoked else 2)
    for i, line in enumerate(title_lines):
        centred((394 if not revoked else 420) + i * 44, line, title_font, ink)
    issued = card["issued_on"]
    issued = date.fromisoformat(issued) if isinstance(issued, str) else issued
    centred(508, f"{vi_date(issued).capitalize()} · Mã {card['code']}", _fonts(24), MUTED if not revoked else GREY)
    centred(548, f"Kiểm tra chứng nhận tại {card['host']}", _fonts(22), MUTED if not revoked else GREY)
    if revoked:
        draw.rectangle((0, 236, WIDTH, 396), fill=BAND)
        centred(250, "ĐÃ THU HỒI", _fonts(72, True), "#ffffff")
        when = card.get("revoked_on")
        line = "Chứng nhận này không còn giá trị"
        if when:
            when = date.fromisoformat(when) if isinstance(when, str) else when
            line += f" (thu hồi {vi_date(when)})"
        centred(342, line, _fit(draw, line, 30, False, inner, 18), "#ffffff")
    out = io.BytesIO()
    # a palette of 64 colours: a third of the bytes of full colour, text still smooth; PNG's
    # "optimize" would save 8 % more bytes for twice the time
    image.quantize(colors=64, method=Image.Quantize.MEDIANCUT).save(out, format="PNG")
    return out.getvalue()
