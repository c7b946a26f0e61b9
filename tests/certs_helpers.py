"""Helpers for the certificate integration tests (test_certs_*.py): earn a real certificate
through the quiz API, read a PDF's QR codes and text. No tests here."""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

import pypdfium2 as pdfium
import zxingcpp
from sqlalchemy import select

from lms.certificates.models import Certificate
from lms.db import db
from tests.conftest import make_user
from tests.quiz_helpers import right_answers, token_for

PASSWORD = "mat-khau-tot-2026"


def pass_quiz(app, client, username: str = "0912345678", slug: str = "dien-thoai") -> dict:
    """Take the course's quiz through the API with every answer right; the submit result."""
    headers = token_for(client, username, PASSWORD)
    started = client.post(f"/api/v1/courses/{slug}/attempts", headers=headers)
    assert started.status_code == 201, started.json
    attempt = started.json["id"]
    for position, response in right_answers(app, attempt).items():
        saved = client.put(f"/api/v1/attempts/{attempt}/answers/{position}", json={"response": response},
                           headers=headers)
        assert saved.status_code == 200, saved.json
    result = client.post(f"/api/v1/attempts/{attempt}/submit", headers=headers).json
    assert result["passed"] is True, result
    return result


def earn(app, client, username: str = "0912345678", full_name: str = "Nguyễn Văn An", **user) -> str:
    """A learner who passes the fixture course "dien-thoai"; the code of their certificate."""
    make_user(app, username, PASSWORD, full_name=full_name, **user)
    result = pass_quiz(app, client, username)
    assert result["certificate"] is not None, result
    return result["certificate"]["code"]


def record(app, code: str) -> Certificate:
    with app.app_context():
        cert = db.session.scalar(select(Certificate).where(Certificate.code == code))
        db.session.expunge(cert)
        return cert


def path_of(url: str) -> str:
    """The path to open with the test client for a verify URL read from a QR code."""
    return urlsplit(url).path


def qr_texts(pdf_bytes: bytes, page: int = 0, dpi: int = 150) -> list[str]:
    """Rasterise a PDF page and decode its QR codes with zxing-cpp."""
    document = pdfium.PdfDocument(pdf_bytes)
    image = document[page].render(scale=dpi / 72).to_pil()
    return [found.text for found in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]


def pdf_text(pdf_bytes: bytes, page: int = 0) -> str:
    """A page's text, NFC, with runs of white space (line breaks too) as one space."""
    document = pdfium.PdfDocument(pdf_bytes)
    return " ".join(unicodedata.normalize("NFC", document[page].get_textpage().get_text_range()).split())


def pdf_pages(pdf_bytes: bytes) -> int:
    return len(pdfium.PdfDocument(pdf_bytes))


def login_as(client, username: str) -> None:
    from tests.conftest import login

    login(client, username, PASSWORD)
