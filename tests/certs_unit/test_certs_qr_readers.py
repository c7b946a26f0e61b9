"""The certificate PDF's QR for every reader: zxing-cpp and zbar, on the whole A4 page at 150
and 96 dpi, blurred, and as a JPEG of quality 30, for a typical and the longest verify URL.
(The phone page's cell, with a live server and Chromium, is in tests/test_certs_browser.py.)"""

import pytest

from lms.certificates.pdf import CertificateRenderer
from lms.certificates.tokens import sign, verification_url
from lms.printing.qr import qr_info
from tests.qr_readers import PDF_CELLS, failures, matrix, pdf_images

from .conftest import BASE_URL, FULL_NAME, LONG_MASKED, make_claims


@pytest.fixture(scope="module")
def renderer():
    return CertificateRenderer()


@pytest.mark.parametrize(
    ("masked", "subject", "version"),
    [("Nguyễn T. Á. T.", "ky-nang-so-co-ban", 9), (LONG_MASKED, "an-toan-thong-tin-tren-mang-xh", 10)],
    ids=["typical", "longest"],
)
def test_every_reader_decodes_the_pdf_qr(keystore, renderer, masked, subject, version):
    claims = make_claims(masked_name=masked, subject=subject)
    url = verification_url(BASE_URL, sign(claims, keystore))
    assert qr_info(url).version == version <= 10
    pdf = renderer.render([dict(
        full_name=FULL_NAME, kind="course", title="Kỹ năng số cơ bản cho người dân", audience="citizens",
        unit_name="Phường Sài Gòn, Thành phố Hồ Chí Minh", issued_on=claims.issued_on,
        issuer="Ban Chỉ đạo phong trào Bình dân học vụ số", code=claims.code, verify_url=url,
        lookup_url=BASE_URL + "/verify",
    )])
    cells = matrix(pdf_images(pdf), url)
    assert len(cells) == 2 * len(PDF_CELLS)
    assert failures(cells) == []
