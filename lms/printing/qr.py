"""QR codes for verify URLs: at most version 10 (57x57 modules), error correction M or better.

Version 10 is the budget that still scans from a phone screen and from the certificate's 52 mm
print with zbar as well as zxing (zbar needs about 3 pixels a module: a whole A4 page at 96 dpi
gets that from 52 mm, not from 36 mm; see lms/certificates/README.md, "QR for every reader").
The URL is split into QR segments by hand: the upper-cased ``HTTPS://HOST`` and
``/V/<token>`` parts use alphanumeric mode (5.5 bits a character), only a lower-case path
prefix such as ``/hoc`` falls back to byte mode (8 bits). When the data leaves room, the
error correction is raised to Q or H at the same version, which costs nothing in size.

The mask pattern is fixed rather than chosen by the ISO penalty score: scoring all eight
masks costs ~14 ms a code in pure Python (most of a batch page's budget), and on random
base32 tokens every mask scored within 1.3x of the best one (40 samples). Pass
``mask=None`` to score them anyway.

qrcode (which imports PIL: together ~10 MB and ~30 ms) is imported inside the functions, on the
first QR code a worker draws, so a web worker that never shows one never loads it.
"""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import qrcode
    from qrcode.util import QRData

MAX_VERSION = 10
DEFAULT_MASK = 3
QUIET_ZONE = 4  # modules of white border the standard requires
_ALNUM = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")


class QRTooLarge(ValueError):
    """The data needs a QR code above version 10 at error correction M."""


@dataclass(frozen=True)
class QRInfo:
    version: int
    error_correction: str  # "M", "Q" or "H"
    modules: int  # side length without the quiet zone


def _segments(data: str) -> list[QRData]:
    """Maximal runs of alphanumeric-mode characters vs. the rest; short alnum runs join bytes.

    A separate alphanumeric segment costs a 15-bit header (and splits a byte run, another
    20 bits) but saves 2.5 bits a character, so it pays from 6 characters at either end of
    the data and from 14 in the middle.
    """
    from qrcode.util import MODE_8BIT_BYTE, MODE_ALPHA_NUM, QRData  # first use: see the module's note

    runs: list[list] = []
    for ch in data:
        alnum = ch in _ALNUM
        if runs and runs[-1][0] == alnum:
            runs[-1][1] += ch
        else:
            runs.append([alnum, ch])
    merged: list[list] = []
    for i, (alnum, text) in enumerate(runs):
        limit = 6 if i in (0, len(runs) - 1) else 14
        if alnum and len(runs) > 1 and len(text) < limit:
            alnum = False
        if merged and merged[-1][0] == alnum:
            merged[-1][1] += text
        else:
            merged.append([alnum, text])
    return [
        QRData(text, mode=MODE_ALPHA_NUM) if alnum else QRData(text.encode("utf-8"), mode=MODE_8BIT_BYTE)
        for alnum, text in merged
    ]


def _bits(segments: list[QRData], version: int) -> int:
    # computed, not written into a BitBuffer: qrcode's bit-by-bit best_fit costs ~1 ms a try
    from qrcode.util import MODE_ALPHA_NUM, mode_sizes_for_version  # first use: see the module's note

    sizes = mode_sizes_for_version(version)
    total = 0
    for seg in segments:
        n = len(seg.data)
        body = 11 * (n // 2) + 6 * (n % 2) if seg.mode == MODE_ALPHA_NUM else 8 * n
        total += 4 + sizes[seg.mode] + body
    return total


def _fit(segments: list[QRData], level: int) -> int | None:
    """The smallest version holding ``segments`` at error correction ``level``."""
    from qrcode.util import BIT_LIMIT_TABLE  # first use: see the module's note

    for version in range(1, 41):
        if _bits(segments, version) <= BIT_LIMIT_TABLE[level][version]:
            return version
    return None


def _plan(data: str, max_version: int) -> tuple[list[QRData], int, int]:
    from qrcode.constants import ERROR_CORRECT_H, ERROR_CORRECT_M, ERROR_CORRECT_Q  # first use: see the module's note

    segments = _segments(data)
    version = _fit(segments, ERROR_CORRECT_M)
    if version is None or version > max_version:
        raise QRTooLarge(f"{len(data)} characters need more than QR version {max_version} at M")
    levels = (ERROR_CORRECT_H, ERROR_CORRECT_Q, ERROR_CORRECT_M)
    level = next(ec for ec in levels if _fit(segments, ec) == version)
    return segments, version, level


def make_qr(data: str, *, max_version: int = MAX_VERSION, mask: int | None = DEFAULT_MASK) -> qrcode.QRCode:
    """A built QR code for ``data``; raises :class:`QRTooLarge` above ``max_version`` at M."""
    import qrcode  # first use: see the module's note

    segments, version, level = _plan(data, max_version)
    qr = qrcode.QRCode(version=version, error_correction=level, border=0, mask_pattern=mask)
    for segment in segments:
        qr.add_data(segment)
    qr.make(fit=False)
    return qr


def qr_info(data: str, *, max_version: int = MAX_VERSION) -> QRInfo:
    """Version and error correction the code for ``data`` gets, without drawing it."""
    from qrcode.constants import ERROR_CORRECT_H, ERROR_CORRECT_M, ERROR_CORRECT_Q  # first use: see the module's note

    _, version, level = _plan(data, max_version)
    names = {ERROR_CORRECT_M: "M", ERROR_CORRECT_Q: "Q", ERROR_CORRECT_H: "H"}
    return QRInfo(version, names[level], version * 4 + 17)


def qr_version(data: str) -> int:
    """The QR version the verify URL needs (the contract: <= 10)."""
    return qr_info(data).version


def _matrix(data: str, mask: int | None) -> list[list[bool]]:
    return [[bool(m) for m in row] for row in make_qr(data, mask=mask).modules]


def make_qr_svg(
    data: str, *, label: str = "QR", css_class: str = "qr", mask: int | None = DEFAULT_MASK
) -> str:
    """Inline ``<svg>`` markup: one path of horizontal runs, quiet zone included, no XML prolog."""
    rows = _matrix(data, mask)
    side = len(rows) + 2 * QUIET_ZONE
    parts = []
    for y, row in enumerate(rows):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                parts.append(f"M{start + QUIET_ZONE} {y + QUIET_ZONE}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {side} {side}"'
        f' class="{html.escape(css_class)}" role="img" aria-label="{html.escape(label)}"'
        f' shape-rendering="crispEdges">'
        f'<rect width="{side}" height="{side}" fill="#fff"/><path fill="#000" d="{"".join(parts)}"/></svg>'
    )


def make_qr_png(data: str, *, scale: int = 1, mask: int | None = DEFAULT_MASK) -> bytes:
    """A 1-bit PNG, ``scale`` pixels a module, quiet zone included.

    At scale 1 it is ~300 bytes; the PDF scales it up with ``image-rendering: pixelated``
    (no interpolation), so print stays sharp.
    """
    from PIL import Image  # first use: see the module's note

    rows = _matrix(data, mask)
    side = len(rows) + 2 * QUIET_ZONE
    pixels = bytearray(b"\xff" * (side * side))
    for y, row in enumerate(rows):
        base = (y + QUIET_ZONE) * side + QUIET_ZONE
        for x, dark in enumerate(row):
            if dark:
                pixels[base + x] = 0
    image = Image.frombytes("L", (side, side), bytes(pixels)).convert("1")
    if scale > 1:
        image = image.resize((side * scale, side * scale), Image.Resampling.NEAREST)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def png_data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
