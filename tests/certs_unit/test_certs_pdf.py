import shutil
import subprocess
import unicodedata
from datetime import date

import pypdfium2 as pdfium
import pytest
import zxingcpp
from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError

from lms.certificates.pdf import (
    CertificateRenderer,
    prepare_view,
    render_batch_pdf,
    render_certificate_html,
    render_certificate_pdf,
)
from lms.certificates.tokens import sign, verification_url
from lms.printing.dates import vi_date
from lms.printing.fonts import RestrictedFetcher, find_fonts

from .conftest import BASE_URL, FULL_NAME, LONG_MASKED, make_claims

A4_LANDSCAPE = (841.89, 595.28)  # points


@pytest.fixture(scope="module")
def renderer():
    return CertificateRenderer()


def make_view(keystore, full_name=FULL_NAME, **overrides):
    claims = make_claims(**{k: v for k, v in overrides.items() if k in ("kind", "subject", "audience")})
    view = dict(
        full_name=full_name,
        kind=claims.kind,
        title="Kỹ năng số cơ bản cho người dân",
        audience=claims.audience,
        unit_name="Phường Sài Gòn, Thành phố Hồ Chí Minh",
        issued_on=claims.issued_on,
        issuer="Ban Chỉ đạo phong trào Bình dân học vụ số",
        code=claims.code,
        verify_url=verification_url(BASE_URL, sign(claims, keystore)),
        lookup_url=BASE_URL + "/verify",
    )
    view.update({k: v for k, v in overrides.items() if k not in ("kind", "subject", "audience")})
    return view


def page_qr_texts(pdf: pdfium.PdfDocument, index: int, dpi: int = 150) -> list[str]:
    image = pdf[index].render(scale=dpi / 72).to_pil().convert("L")
    return [r.text for r in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]


def page_text(pdf: pdfium.PdfDocument, index: int) -> str:
    return pdf[index].get_textpage().get_text_range()


def test_single_pdf(keystore, renderer):
    view = make_view(keystore)
    data = render_certificate_pdf(view, renderer=renderer)
    assert data.startswith(b"%PDF-")
    pdf = pdfium.PdfDocument(data)
    assert len(pdf) == 1
    width, height = pdf[0].get_size()
    assert width == pytest.approx(A4_LANDSCAPE[0], abs=1) and height == pytest.approx(A4_LANDSCAPE[1], abs=1)
    assert page_qr_texts(pdf, 0) == [view["verify_url"]]
    text = unicodedata.normalize("NFC", page_text(pdf, 0))
    expected_texts = (FULL_NAME, "GIẤY CHỨNG NHẬN", view["code"], "Kỹ năng số cơ bản cho người dân",
                      "Người dân", "Ngày 05 tháng 3 năm 2026", "Phường Sài Gòn")
    for expected in expected_texts:
        assert expected in text


@pytest.mark.parametrize("masked", ["Nguyễn T. Á. T.", LONG_MASKED])  # QR versions 9 and 10
# zxing-cpp misreads a few exact nearest-neighbour scales of a perfect raster (e.g. a v10
# code drawn at 199 px, 3.06 px a module); 150 dpi is the tester checklist's resolution.
@pytest.mark.parametrize("dpi", [150, 200, 300])
def test_qr_decodes_from_rasters(keystore, renderer, masked, dpi):
    claims = make_claims(masked_name=masked)
    url = verification_url(BASE_URL, sign(claims, keystore))
    view = make_view(keystore, verify_url=url, code=claims.code)
    pdf = pdfium.PdfDocument(render_certificate_pdf(view, renderer=renderer))
    assert page_qr_texts(pdf, 0, dpi=dpi) == [view["verify_url"]]


def test_path_certificate_wording(keystore, renderer):
    view = make_view(keystore, kind="path", subject="citizens", title="Phổ cập kỹ năng số")
    pdf = pdfium.PdfDocument(render_certificate_pdf(view, renderer=renderer))
    text = unicodedata.normalize("NFC", page_text(pdf, 0))
    assert "Chứng nhận phổ cập kỹ năng số" in text


def test_hard_diacritics_render_with_an_embedded_font(keystore, renderer, tmp_path):
    name = "Đặng Thị Ngọc Ước Ỷ Lự Quỳnh"
    path = tmp_path / "cert.pdf"
    path.write_bytes(render_certificate_pdf(make_view(keystore, full_name=name), renderer=renderer))
    assert name in unicodedata.normalize("NFC", page_text(pdfium.PdfDocument(str(path)), 0))
    if shutil.which("pdffonts"):
        out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
        lines = out.splitlines()[2:]
        assert lines and all(line.split()[-5] == "yes" for line in lines)  # "emb" column
        assert all("CertSans" in line for line in lines)  # only the certificate's own @font-face


def test_batch_is_one_pdf_with_a_page_each(keystore, renderer):
    views = [make_view(keystore, full_name=n) for n in ("Nguyễn Văn An", "Trần Thị Bích", "Lê Hoàng Ước")]
    pdf = pdfium.PdfDocument(render_batch_pdf(views, renderer=renderer))
    assert len(pdf) == 3
    for i, view in enumerate(views):
        assert page_qr_texts(pdf, i) == [view["verify_url"]]
        assert view["full_name"] in unicodedata.normalize("NFC", page_text(pdf, i))


def test_markup_in_values_is_escaped(keystore, renderer):
    view = make_view(keystore, full_name='<img src="file:///etc/passwd"> Lê')
    html = renderer.html([view])
    assert "<img src=\"file:///etc/passwd\">" not in html
    text = page_text(pdfium.PdfDocument(render_certificate_pdf(view, renderer=renderer)), 0)
    assert '<img src="file:///etc/passwd"> Lê' in text


@pytest.mark.parametrize("url", ["file:///etc/passwd", "http://127.0.0.1:9/x.png", "https://example.com/a.css"])
def test_fetcher_refuses_everything_but_data_and_fonts(url):
    fetcher = RestrictedFetcher([find_fonts().regular])
    with pytest.raises(FatalURLFetchingError):
        fetcher.fetch(url)
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"
    font = fetcher.fetch(find_fonts().regular.resolve().as_uri()).read()
    assert font[:4] in (b"\x00\x01\x00\x00", b"OTTO", b"true")


def test_a_document_asking_for_a_file_fails_to_render(renderer):
    html = HTML(string='<img src="file:///etc/hostname">', url_fetcher=renderer._fetcher)
    with pytest.raises(FatalURLFetchingError):
        html.write_pdf(stylesheets=[renderer._css], font_config=renderer._font_config)


def test_phone_html_page(keystore):
    view = make_view(keystore, full_name="Nguyễn <b>An</b>")
    page = render_certificate_html(view, pdf_url="/c/1.pdf")
    assert "Nguyễn &lt;b&gt;An&lt;/b&gt;" in page
    assert "<svg" in page and view["code"] in page and 'href="/c/1.pdf"' in page
    assert "Certificate of course completion" in page  # English msgids outside a request
    assert 'name="viewport"' in page and "<script" not in page


def test_view_validation():
    with pytest.raises(ValueError):
        prepare_view({"full_name": "A"})
    view = prepare_view(dict(full_name="A", kind="path", title="T", issued_on="2026-01-02", issuer="I",
                             code="C", verify_url="U", audience="workers", place="Hà Nội"))
    assert view["date_line"] == "Hà Nội, ngày 02 tháng 01 năm 2026"
    assert view["audience_vi"] == "Người lao động trong doanh nghiệp, hợp tác xã"


def test_vietnamese_date_style():
    assert vi_date(date(2026, 2, 5)) == "ngày 05 tháng 02 năm 2026"
    assert vi_date(date(2026, 11, 25)) == "ngày 25 tháng 11 năm 2026"


def test_warm_up(renderer):
    renderer.warm_up()  # no output, no error
