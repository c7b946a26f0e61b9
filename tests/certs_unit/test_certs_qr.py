import io
import re
import xml.etree.ElementTree as ET

import pytest
import zxingcpp
from PIL import Image, ImageDraw
from qrcode.util import MODE_ALPHA_NUM

from lms.certificates.tokens import sign, verification_url
from lms.printing.qr import (
    QUIET_ZONE,
    QRTooLarge,
    _segments,
    make_qr_png,
    make_qr_svg,
    qr_info,
    qr_version,
)

from .conftest import BASE_URL, LONG_MASKED, make_claims


@pytest.fixture
def longest_url(keystore):
    """Realistic worst case: the example base URL with a prefix, a 40-character masked name
    full of diacritics, a 30-character course slug and a commune code."""
    claims = make_claims(masked_name=LONG_MASKED, subject="an-toan-thong-tin-tren-mang-xh")
    return verification_url(BASE_URL, sign(claims, keystore))


def decode(image: Image.Image) -> list:
    return zxingcpp.read_barcodes(image.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode)


def test_longest_url_fits_version_10_at_m_or_better(longest_url):
    info = qr_info(longest_url)
    assert info.version <= 10
    assert info.error_correction in ("M", "Q", "H")
    assert qr_version(longest_url) == info.version


def test_png_decodes_to_the_exact_url(longest_url):
    png = make_qr_png(longest_url, scale=4)
    (result,) = decode(Image.open(io.BytesIO(png)))
    assert result.text == longest_url
    assert result.ec_level in ("M", "Q", "H")


def test_typical_url_is_smaller(keystore):
    url = verification_url(BASE_URL, sign(make_claims(), keystore))
    assert qr_info(url).version <= 9
    (result,) = decode(Image.open(io.BytesIO(make_qr_png(url, scale=3))))
    assert result.text == url


def test_upper_case_parts_use_alphanumeric_mode(longest_url):
    segments = _segments(longest_url)
    assert [s.mode == MODE_ALPHA_NUM for s in segments] == [True, False, True]  # HOST / hoc / V/TOKEN
    assert segments[1].data == b"hoc"


def test_short_alphanumeric_runs_stay_in_byte_mode():
    assert len(_segments("https://a.b/c")) == 1


def test_higher_error_correction_when_it_is_free():
    assert qr_info("HTTPS://X.VN/V/AB").error_correction in ("M", "Q", "H")
    assert qr_info("HELLO").error_correction == "H"


def test_too_long_raises():
    with pytest.raises(QRTooLarge):
        qr_info("HTTPS://X.VN/V/" + "A" * 400)
    with pytest.raises(QRTooLarge):
        make_qr_png("x" * 300)


def svg_to_image(svg: str, scale: int = 4) -> Image.Image:
    root = ET.fromstring(svg)  # noqa: S314 - our own markup; the point is that it is well-formed
    side = int(root.get("viewBox").split()[2])
    image = Image.new("L", (side * scale, side * scale), 255)
    draw = ImageDraw.Draw(image)
    path = root.find("{http://www.w3.org/2000/svg}path").get("d")
    for x, y, w in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\3z", path):
        x, y, w = int(x), int(y), int(w)
        draw.rectangle([x * scale, y * scale, (x + w) * scale - 1, (y + 1) * scale - 1], fill=0)
    return image


def test_svg_decodes_to_the_exact_url(longest_url):
    svg = make_qr_svg(longest_url, label='QR "code" <x>')
    assert svg.startswith("<svg") and "<x>" not in svg
    (result,) = decode(svg_to_image(svg))
    assert result.text == longest_url


def test_png_has_a_quiet_zone(longest_url):
    image = Image.open(io.BytesIO(make_qr_png(longest_url))).convert("L")
    side = image.size[0]
    assert side == qr_info(longest_url).modules + 2 * QUIET_ZONE
    border = [image.getpixel((x, y)) for x in range(side) for y in range(QUIET_ZONE)]
    assert set(border) == {255}


def test_auto_mask_also_decodes(longest_url):
    (result,) = decode(Image.open(io.BytesIO(make_qr_png(longest_url, scale=4, mask=None))))
    assert result.text == longest_url
