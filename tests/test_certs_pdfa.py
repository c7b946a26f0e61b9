"""The certificate PDF carries its credential (issue 16, item 3): PDF/A-3b with XMP metadata and
an output intent, the signed Open Badges credential embedded as an associated file, byte for
byte the credential the download and the API serve, and its proof verifies."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import pypdf
import pypdfium2 as pdfium

from lms.certificates.credential import verify_credential
from lms.certificates.keys import KeyStore
from tests.certs_helpers import PASSWORD, earn, login_as, pdf_pages, qr_texts, record
from tests.conftest import make_user
from tests.quiz_helpers import token_for
from tests.test_certs_pages import make_class

PDFAID = "http://www.aiim.org/pdfa/ns/id/"


def attachments_by_pdfium(data: bytes) -> dict[str, bytes]:
    """The embedded files as PDFium (Chrome's PDF engine) sees them."""
    pdf = pdfium.PdfDocument(data)
    found = {}
    for index in range(pdf.count_attachments()):
        attachment = pdf.get_attachment(index)
        found[attachment.get_name()] = bytes(attachment.get_data())
    return found


def pdfa_facts(data: bytes) -> dict:
    """What a PDF/A checker looks at first: the XMP identification, the output intent, the
    associated files and their relationship."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    xmp = reader.xmp_metadata
    description = next(node for node in xmp.rdf_root.getElementsByTagNameNS(
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "Description") if node.hasAttributeNS(PDFAID, "part"))
    intents = [intent.get_object() for intent in root.get("/OutputIntents", [])]
    return {
        "part": description.getAttributeNS(PDFAID, "part"),
        "conformance": description.getAttributeNS(PDFAID, "conformance"),
        "intents": [(str(i["/S"]), i["/DestOutputProfile"].get_object().get("/N")) for i in intents],
        "associated": [(str(f.get_object()["/UF"]), str(f.get_object()["/AFRelationship"])) for f in root["/AF"]],
        "title": xmp.dc_title,
        "version": reader.pdf_header,
    }


def test_the_pdf_is_pdfa3b_and_carries_the_served_credential(app, client, courses, units) -> None:
    code = earn(app, client, full_name="Nguyễn Thị Ánh Tuyết", unit_code="26734")
    login_as(client, "0912345678")
    pdf = client.get(f"/certificates/{code}/pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    name = f"chung-nhan-{code}.json"

    # one attachment: the credential, under the name the download gives it
    embedded = attachments_by_pdfium(pdf.data)
    assert list(embedded) == [name]
    data = embedded[name]
    served = client.get(f"/certificates/{code}/credential.json")
    assert served.status_code == 200 and f'filename="{name}"' in served.headers["Content-Disposition"]
    by_api = client.get(f"/api/v1/certificates/{code}/credential", headers=token_for(client, "0912345678", PASSWORD))
    assert data == served.data == by_api.data  # byte for byte

    # it verifies with the project's verifier against the published keys, and names this certificate
    vc = json.loads(data)
    keys = KeyStore.from_jwks(client.get("/.well-known/lms-keys.json").json)
    verified = verify_credential(vc, keys, base_url="http://localhost")
    assert verified["id"] == f"http://localhost/V/{record(app, code).token}"
    assert code in vc["description"] and "Nguyễn Thị Ánh Tuyết" not in data.decode()
    tampered = json.loads(data)
    tampered["credentialSubject"]["achievement"]["name"] = "Thạc sĩ"
    try:
        verify_credential(tampered, keys)
    except ValueError:
        pass
    else:
        raise AssertionError("an altered embedded credential verified")

    # PDF/A-3 level B, sRGB output intent, the file associated with the document
    facts = pdfa_facts(pdf.data)
    assert facts["part"] == "3" and facts["conformance"] == "B"
    assert facts["intents"] == [("/GTS_PDFA1", 3)]
    assert facts["associated"] == [(name, "/Alternative")]
    assert facts["title"] == {"x-default": f"Giấy chứng nhận {code}"}  # never the holder's name
    assert facts["version"] == "%PDF-1.7"

    # still the printable certificate: its QR reads back as the verify URL
    assert qr_texts(pdf.data) == [f"HTTP://LOCALHOST/V/{record(app, code).token}"]


def test_poppler_lists_and_extracts_the_credential(app, client, courses, units, tmp_path: Path) -> None:
    """What the README tells people to run: ``pdfdetach -list`` / ``-saveall``."""
    code = earn(app, client, unit_code="26734")
    login_as(client, "0912345678")
    pdf = tmp_path / "cert.pdf"
    pdf.write_bytes(client.get(f"/certificates/{code}/pdf").data)
    pdfdetach = shutil.which("pdfdetach")
    assert pdfdetach, "poppler-utils (pdfdetach) is needed"
    listing = subprocess.run([pdfdetach, "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert f"chung-nhan-{code}.json" in listing
    subprocess.run([pdfdetach, "-saveall", "-o", str(tmp_path), str(pdf)], check=True)
    saved = (tmp_path / f"chung-nhan-{code}.json").read_bytes()
    assert saved == client.get(f"/certificates/{code}/credential.json").data


def test_the_credential_is_signed_once_and_kept(app, client, courses, units, monkeypatch) -> None:
    """Downloads (and the PDF) after the first send the kept bytes: no new signature, no new
    ``created``; a new key later does not change a credential already handed out."""
    code = earn(app, client, unit_code="26734")
    login_as(client, "0912345678")
    first = client.get(f"/certificates/{code}/credential.json").data
    import lms.certificates.downloads as downloads

    def refuse(*_args, **_kwargs):
        raise AssertionError("signed again")

    monkeypatch.setattr(downloads, "sign_credential", refuse)
    assert client.get(f"/certificates/{code}/credential.json").data == first
    assert attachments_by_pdfium(client.get(f"/certificates/{code}/pdf").data) == {f"chung-nhan-{code}.json": first}
    kept = Path(app.instance_path) / "certificates" / f"{code}.json"
    assert kept.read_bytes() == first and (kept.stat().st_mode & 0o777) == 0o600


def test_the_kept_credential_first_writer_wins(tmp_path: Path, monkeypatch) -> None:
    import os

    from lms.certificates.files import write_once

    path = tmp_path / "certs" / "X.json"
    assert write_once(path, b"first") == b"first"
    assert write_once(path, b"second") == b"first" and path.read_bytes() == b"first"
    assert sorted(p.name for p in path.parent.iterdir()) == ["X.json"]  # no temporary file left

    def no_hard_links(*_args):
        raise PermissionError("this file system has no hard links")

    monkeypatch.setattr(os, "link", no_hard_links)  # e.g. some network or container volumes
    other = tmp_path / "certs" / "Y.json"
    assert write_once(other, b"first") == b"first" and write_once(other, b"second") == b"first"
    assert sorted(p.name for p in path.parent.iterdir()) == ["X.json", "Y.json"]


def test_a_class_pdf_carries_each_certificates_credential(app, client, courses, units) -> None:
    codes = [earn(app, client, "0912000001", "Nguyễn Văn An", unit_code="26734"),
             earn(app, client, "0912000002", "Lê Thị Bình", unit_code="26740")]
    make_user(app, "cogiao", roles={"teacher"}, full_name="Phạm Thị Giáo")
    class_id = make_class(app, "cogiao", ["0912000001", "0912000002"])
    login_as(client, "cogiao")
    batch = client.get(f"/certificates/class/{class_id}.pdf")
    assert batch.status_code == 200 and pdf_pages(batch.data) == 2
    embedded = attachments_by_pdfium(batch.data)
    assert sorted(embedded) == sorted(f"chung-nhan-{code}.json" for code in codes)
    keys = KeyStore.from_jwks(client.get("/.well-known/lms-keys.json").json)
    for code in codes:  # each the holder's own download, and valid
        data = embedded[f"chung-nhan-{code}.json"]
        assert data == client.get(f"/certificates/{code}/credential.json").data
        assert verify_credential(json.loads(data), keys)["id"].endswith(record(app, code).token)
    facts = pdfa_facts(batch.data)
    assert (facts["part"], facts["conformance"]) == ("3", "B") and len(facts["associated"]) == 2
