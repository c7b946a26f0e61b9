"""The QR readers a certificate must satisfy, and the images they get (no tests here).

Two decoders: zxing-cpp (the reader in many iOS/Android apps and browsers' libraries) and
zbar (`zbarimg` from Debian's zbar-tools; many Android scanner apps build on it), which is
the pickier one about small modules. The PDF images: the whole A4 page rasterised at 150 and
96 dpi (pypdfium2), and at 150 dpi after a Gaussian blur of radius 1 and after JPEG quality 30.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from collections.abc import Callable

import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image, ImageFilter

PDF_CELLS = ("150 dpi", "96 dpi", "150 dpi + blur 1", "150 dpi + JPEG 30")


def zxing_texts(image: Image.Image) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(image.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode)]


def zbar_texts(image: Image.Image) -> list[str]:
    """QR texts zbarimg finds in ``image`` (one a line: our URLs hold no line break)."""
    if shutil.which("zbarimg") is None:
        pytest.fail("zbarimg is missing: `make test` installs zbar-tools with apt-get")
    with tempfile.NamedTemporaryFile(suffix=".png") as png:
        image.convert("L").save(png.name)
        found = subprocess.run(
            ["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", png.name],
            capture_output=True, text=True, timeout=60, check=False,
        )
    return [line for line in found.stdout.splitlines() if line]


DECODERS: dict[str, Callable[[Image.Image], list[str]]] = {"zxing-cpp": zxing_texts, "zbar": zbar_texts}


def pdf_images(pdf_bytes: bytes, page: int = 0) -> dict[str, Image.Image]:
    """The whole page as each PDF cell of the matrix sees it."""
    document = pdfium.PdfDocument(pdf_bytes)
    at_150 = document[page].render(scale=150 / 72).to_pil().convert("L")
    at_96 = document[page].render(scale=96 / 72).to_pil().convert("L")
    jpeg = io.BytesIO()
    at_150.save(jpeg, "JPEG", quality=30)
    jpeg.seek(0)
    return dict(zip(PDF_CELLS, (at_150, at_96, at_150.filter(ImageFilter.GaussianBlur(1)), Image.open(jpeg)),
                    strict=True))


def matrix(images: dict[str, Image.Image], expected: str) -> dict[tuple[str, str], bool]:
    """{(image, decoder): decoded exactly ``expected``} for every image and decoder."""
    return {(name, decoder): expected in read(image) for name, image in images.items()
            for decoder, read in DECODERS.items()}


def failures(cells: dict[tuple[str, str], bool]) -> list[str]:
    return [f"{decoder} on {name}" for (name, decoder), ok in cells.items() if not ok]
