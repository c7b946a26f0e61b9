"""Host header (security issue, item 4): what leaves the request (QR codes, PDFs, credentials,
API links) is built on LMS_BASE_URL, never on the request's Host header.

Reproduction from the attack run: the first download of a certificate PDF with
``Host: evil.example`` cached a PDF whose QR and printed address pointed to evil.example for
everyone after."""

from __future__ import annotations

import pytest

from tests.certs_helpers import PASSWORD, earn, pdf_text, qr_texts
from tests.quiz_helpers import token_for

EVIL = {"Host": "evil.example"}


@pytest.mark.parametrize("base, expected", [
    ("https://hoc.example.vn", "HTTPS://HOC.EXAMPLE.VN/V/"),
    (None, "HTTP://LOCALHOST/V/"),  # unset: the development address, still not the request's host
])
def test_a_forged_host_never_reaches_the_kept_pdf(app, client, courses, base, expected) -> None:
    app.config["LMS_BASE_URL"] = base
    code = earn(app, client)
    headers = token_for(client, "0912345678", PASSWORD)
    first = client.get(f"/api/v1/certificates/{code}/pdf", headers={**headers, **EVIL})
    assert first.status_code == 200
    for pdf in (first.data, client.get(f"/api/v1/certificates/{code}/pdf", headers=headers).data):
        [qr] = qr_texts(pdf)
        assert qr.startswith(expected), qr
        assert "evil" not in qr.lower() and "evil" not in pdf_text(pdf).lower()


def test_api_links_and_the_credential_ignore_the_host_header(app, client, courses) -> None:
    app.config["LMS_BASE_URL"] = "https://hoc.example.vn"
    code = earn(app, client)
    headers = {**token_for(client, "0912345678", PASSWORD), **EVIL}
    mine = client.get("/api/v1/me/certificates", headers=headers).json
    assert mine[0]["pdf_url"] == f"https://hoc.example.vn/api/v1/certificates/{code}/pdf"
    assert mine[0]["verify_url"].startswith("HTTPS://HOC.EXAMPLE.VN/V/")
    courses_list = client.get("/api/v1/courses", headers=EVIL).json
    assert all(c["url"].startswith("https://hoc.example.vn/courses/") for c in courses_list)
    credential = client.get(f"/api/v1/certificates/{code}/credential", headers=headers).get_data(as_text=True)
    assert "evil" not in credential and "hoc.example.vn" in credential
    assert client.get("/did.json", headers=EVIL).json["id"] == "did:web:hoc.example.vn"


def test_trusted_hosts_refuse_any_other_host(app, client) -> None:
    app.config["TRUSTED_HOSTS"] = ["hoc.example.vn"]
    assert client.get("/courses/", headers=EVIL).status_code == 400
    assert client.get("/courses/", headers={"Host": "hoc.example.vn"}).status_code == 200
