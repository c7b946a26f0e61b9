"""Which readers decode the certificate PDF's QR, by printed size (issue 4, item 4).

For each printed size of the code (quiet zone included) and each of a typical verify URL (QR
version 9) and the longest (version 10), renders ``--samples`` certificates with fresh tokens
and counts, per cell, how many decode to the exact URL: zxing-cpp and zbar (``zbarimg``) on the
whole A4 page at 150 and 96 dpi, at 150 dpi after a Gaussian blur of radius 1, and after JPEG
quality 30 (tests/qr_readers.py). The size is forced with a style added to the page; the
shipped stylesheet (certificate_pdf.css) sets the size chosen from this table.

Run from the repository root: PYTHONPATH=. .venv/bin/python bench/qr_readers.py [--sizes 36,52] [--samples 3]
Prints Markdown. ~1 s a certificate.
"""

from __future__ import annotations

import argparse
import tempfile
from datetime import date

from weasyprint import HTML

from lms.certificates.codes import generate_code
from lms.certificates.keys import KeyStore
from lms.certificates.pdf import CertificateRenderer
from lms.certificates.tokens import CertificateClaims, sign, verification_url
from lms.printing.qr import qr_info
from tests.qr_readers import DECODERS, PDF_CELLS, matrix, pdf_images

BASE_URL = "https://hoc.example-province.gov.vn/hoc"
CASES = {
    "typical": ("Nguyễn T. Á. T.", "ky-nang-so-co-ban"),
    "longest": ("Phạm Đ. Ư. Ơ. Ă. Â. Ê. Ô. Ị. Ỹ. Ể. Ữ. Ự.", "an-toan-thong-tin-tren-mang-xh"),
}


def render(renderer: CertificateRenderer, view: dict, size_mm: float) -> bytes:
    html = renderer.html([view]).replace(
        "</head>", f"<style>.qr {{ width: {size_mm}mm; height: {size_mm}mm; }}</style></head>")
    document = HTML(string=html, url_fetcher=renderer._fetcher)
    return document.write_pdf(stylesheets=[renderer._css], font_config=renderer._font_config)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="36,44,46,48,50,52")
    parser.add_argument("--samples", type=int, default=3)
    args = parser.parse_args()
    keystore = KeyStore.load(tempfile.mkdtemp(), environ={})
    keystore.keygen()
    renderer = CertificateRenderer()
    columns = [(cell, decoder) for cell in PDF_CELLS for decoder in DECODERS]
    print("| size | URL (QR) | " + " | ".join(f"{d} {c}" for c, d in columns) + " |")
    print("|---|---|" + "---|" * len(columns))
    for size in (float(s) for s in args.sizes.split(",")):
        for case, (masked, subject) in CASES.items():
            counts = dict.fromkeys(columns, 0)
            for _ in range(args.samples):
                claims = CertificateClaims(code=generate_code(), masked_name=masked, kind="course", subject=subject,
                                           audience="citizens", unit_code="25920", issued_on=date(2026, 3, 5))
                url = verification_url(BASE_URL, sign(claims, keystore))
                view = dict(full_name="Nguyễn Thị Ánh Tuyết", kind="course", title="Kỹ năng số cơ bản",
                            audience="citizens", unit_name="Phường Sài Gòn", issued_on=claims.issued_on,
                            issuer="Ban Chỉ đạo", code=claims.code, verify_url=url, lookup_url=BASE_URL + "/verify")
                for cell, ok in matrix(pdf_images(render(renderer, view, size)), url).items():
                    counts[cell] += ok
            info = qr_info(url)
            print(f"| {size:g} mm | {case} (v{info.version}-{info.error_correction}) | "
                  + " | ".join(f"{counts[c]}/{args.samples}" for c in columns) + " |")


if __name__ == "__main__":
    main()
