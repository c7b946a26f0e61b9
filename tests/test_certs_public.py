"""The public pages' promises: tiny, private, uncacheable verdicts; the code form; the offline check's files."""

from __future__ import annotations

import gzip
import json
import re

from tests.certs_helpers import earn, record

BUDGET = 20 * 1024


def linked(client, html: str, tag: str) -> list[bytes]:
    urls = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html) if tag == "css" else re.findall(
        r'<script src="([^"]+)"', html)
    return [client.get(url).data for url in urls]


def test_verify_page_weighs_under_20_kb_with_its_css_and_runs_no_script(app, client, courses, units) -> None:
    code = earn(app, client, full_name="Nguyễn Thị Ánh Tuyết", unit_code="26734")
    token = record(app, code).token
    for path in (f"/V/{token}", f"/V/{token[:-3]}AAA", f"/verify?code={code}", "/verify"):
        page = client.get(path)  # uncompressed: gzip would make it smaller still
        html = page.get_data(as_text=True)
        css = linked(client, html, "css")
        assert len(page.data) + sum(map(len, css)) < BUDGET, path
        assert "<script" not in html and "<style" not in html and ' style="' not in html
        assert 'name="viewport"' in html
    gzipped = client.get(f"/V/{token}", headers={"Accept-Encoding": "gzip"})
    assert gzipped.headers.get("Content-Encoding") == "gzip" and len(gzipped.data) < 2048
    assert gzip.decompress(gzipped.data) == client.get(f"/V/{token}").data  # the same page, whole
    assert {"Accept", "Accept-Encoding"} <= {v.strip() for v in gzipped.headers["Vary"].split(",")}
    refused = client.get(f"/V/{token}", headers={"Accept-Encoding": "gzip;q=0, br"})
    # gzip refused: the page comes whole or in brotli, whichever the compressor prefers, never gzip
    assert refused.headers.get("Content-Encoding") in (None, "br")


def test_verdicts_are_private_and_never_cached(app, client, courses) -> None:
    token = record(app, earn(app, client)).token
    for path in (f"/V/{token}", "/V/BAD", "/verify?code=0000-0000-0000-0000"):
        answer = client.get(path)
        assert answer.headers["Cache-Control"] == "no-store"
        assert answer.headers["X-Robots-Tag"] == "noindex"
        assert answer.headers["Referrer-Policy"] == "no-referrer"  # the URL holds the token
        assert "Accept" in answer.headers["Vary"]
    assert "Set-Cookie" not in client.get(f"/V/{token}").headers  # a verifier is not tracked


def test_failures_look_alike(app, client, courses) -> None:
    token = record(app, earn(app, client)).token
    forged = token[:30] + ("A" if token[30] != "A" else "B") + token[31:]
    unknown_code = client.get("/verify?code=0000-0000-0000-0000&lang=en")
    pages = [client.get(p + "?lang=en") for p in (f"/V/{forged}", "/V/0", "/V/" + "Z" * 300)]
    for page in pages:
        assert page.status_code == 200
        assert page.get_data(as_text=True) == pages[0].get_data(as_text=True)
    # a typed code no certificate has is a typo until shown otherwise: "not found", not "not valid"
    assert 'class="st st-notfound"' in unknown_code.get_data(as_text=True)


def test_code_form_accepts_what_people_type_and_pasted_links(app, client, courses) -> None:
    code = earn(app, client)
    token = record(app, code).token
    typed = code.lower().replace("-", " ").replace("1", "l").replace("0", "o")
    assert 'class="st st-valid"' in client.get("/verify", query_string={"code": typed}).get_data(as_text=True)
    bad = client.get("/verify", query_string={"code": "12345", "lang": "en"}).get_data(as_text=True)
    assert "16 letters and digits" in bad and 'class="st ' not in bad and 'aria-invalid="true"' in bad
    pasted = client.get("/verify", query_string={"code": f"https://hoc.example.vn/V/{token}"})
    assert pasted.status_code == 302 and pasted.location.endswith(f"/V/{token}")
    empty = client.get("/verify").get_data(as_text=True)
    assert 'name="code"' in empty and 'class="st ' not in empty


def test_offline_page_service_worker_and_keys(app, client) -> None:
    page = client.get("/verify/offline?lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "max-age" in page.headers["Cache-Control"] and page.headers["ETag"]
    assert 'data-keys-url="/.well-known/lms-keys.json"' in html and 'data-sw-url="/sw.js"' in html
    assert 'data-sw-scope="/"' in html and 'data-page-url="/verify/offline"' in html
    assert 'data-revocations-url="/verify/offline/revoked.json"' in html and 'data-max-list-days="7"' in html
    assert "The date of the revocation list is shown under every answer" in html
    messages = json.loads(re.search(r"data-messages='([^']+)'", html).group(1))
    assert {"valid", "invalid", "status_revoked", "list_date", "no_list", "citizens", "check"} <= messages.keys()
    assert messages["list_date"] == "Revocation list of {date}" and messages["status_revoked"] == "REVOKED"
    [script] = linked(client, html, "js")
    assert b"data-lms-verify-offline" in script
    worker = client.get("/verify-sw.js")
    assert worker.mimetype == "text/javascript" and worker.headers["Service-Worker-Allowed"] == "/"
    assert b"caches.open" in worker.data
    keys = client.get("/.well-known/lms-keys.json")
    assert keys.status_code == 200 and keys.json["keys"]


def test_mounted_under_a_prefix(tmp_path) -> None:
    from flask import Flask

    from lms.extension import LMS

    host = Flask("host", instance_path=str(tmp_path))
    host.config.update(SECRET_KEY="k", SQLALCHEMY_DATABASE_URI="sqlite://", TESTING=True)
    LMS(host, url_prefix="/hoc")
    from lms.db import db

    with host.app_context():
        db.create_all()  # the signing keys published in the DID document live in the database
    client = host.test_client()
    worker = client.get("/hoc/verify-sw.js")
    assert worker.status_code == 200 and worker.headers["Service-Worker-Allowed"] == "/hoc/"
    html = client.get("/hoc/verify/offline").get_data(as_text=True)
    assert 'data-sw-scope="/hoc/"' in html and 'data-online-base="/hoc"' in html
    assert client.get("/hoc/V/BAD").status_code == 200 and client.get("/hoc/v/BAD").status_code == 200
    assert client.get("/hoc/did.json").json["id"] == "did:web:localhost:hoc"
