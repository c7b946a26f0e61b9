"""The offline check (static/verify-offline.js) in a real Chromium, served from loopback."""

from __future__ import annotations

import json
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import playwright.sync_api as playwright_api
import pytest

from lms.certificates.codes import ALPHABET
from lms.certificates.keys import KeyStore
from lms.certificates.tokens import TEXT_ALPHABET, sign, verification_url, verify
from tests.browser_helpers import wait_until

from .conftest import BASE_URL, LONG_MASKED, make_claims

CHROMIUM = "/usr/bin/chromium"
STATIC = Path(__file__).resolve().parents[2] / "lms" / "certificates" / "static"
# `make test` installs Chromium with apt-get: a missing browser is a failed install, not a skip
pytestmark = pytest.mark.browser
assert shutil.which(CHROMIUM), "Chromium is missing: `make test` installs it with apt-get"

PAGE = """<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Kiểm tra</title></head>
<body><div data-lms-verify-offline data-keys-url="/hoc/.well-known/lms-keys.json" data-online-base="/hoc"
 data-sw-url="/hoc/verify-sw.js" data-sw-scope="/hoc/" data-page-url="/hoc/verify/offline"
 data-messages='{"valid": "Chữ ký hợp lệ"}'></div>
<script src="/hoc/static/verify-offline.js" defer></script></body></html>"""


def serve(jwks: dict) -> ThreadingHTTPServer:
    """A loopback-only stand-in for the Flask routes the integrator will wire."""
    files = {
        "/hoc/verify/offline": (PAGE.encode(), "text/html; charset=utf-8"),
        "/hoc/static/verify-offline.js": ((STATIC / "verify-offline.js").read_bytes(), "text/javascript"),
        "/hoc/verify-sw.js": ((STATIC / "verify-sw.js").read_bytes(), "text/javascript"),
        "/hoc/.well-known/lms-keys.json": (json.dumps(jwks).encode(), "application/json"),
    }

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            path = self.path.split("?")[0]
            if path in files:
                body, kind = files[path]
            elif path.lower().startswith("/hoc/v/"):
                body, kind = b"<p id=online>online verify page</p>", "text/html"
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    store = KeyStore.load(tmp_path_factory.mktemp("instance"), environ={})
    store.keygen()
    old = sign(make_claims(masked_name="Trần B."), store)  # signed before a rotation
    store.rotate()
    return store, old


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"],
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def site(keys):
    server = serve(keys[0].public_jwks())
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def page(browser, site):
    context = browser.new_context(service_workers="block")
    page = context.new_page()
    page.goto(site + "/hoc/verify/offline")
    wait_until(page, "window.LmsCertVerify !== undefined")
    yield page
    context.close()


def js_verify(page, token, jwks):
    return page.evaluate("([t, k]) => LmsCertVerify.verifyToken(t, k)", [token, jwks])


def test_webcrypto_ed25519_is_available(page):
    assert page.evaluate("""async () => {
        const k = await crypto.subtle.generateKey({name: "Ed25519"}, false, ["sign", "verify"]);
        const s = await crypto.subtle.sign({name: "Ed25519"}, k.privateKey, new Uint8Array([1]));
        return crypto.subtle.verify({name: "Ed25519"}, k.publicKey, s, new Uint8Array([1]));
    }""")


def test_same_text_table_as_python(page):
    assert page.evaluate("LmsCertVerify.TEXT_ALPHABET") == TEXT_ALPHABET


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"masked_name": LONG_MASKED, "subject": "an-toan-thong-tin-tren-mang-xh"},
        {"kind": "path", "subject": "officials", "audience": "officials", "unit_code": None},
        {"masked_name": "Łukasz Ž.", "audience": None},  # UTF-8 fallback
    ],
)
def test_js_verifies_a_real_token_like_python(page, keys, overrides):
    store, _ = keys
    token = sign(make_claims(**overrides), store)
    expected = verify(token, store)
    result = js_verify(page, token, store.public_jwks())
    assert result["ok"] is True
    claims = result["claims"]
    assert claims == {
        "code": expected.code, "maskedName": expected.masked_name, "kind": expected.kind,
        "subject": expected.subject, "audience": expected.audience, "unitCode": expected.unit_code,
        "issuedOn": expected.issued_on.isoformat(), "kid": expected.kid,
    }
    # a token pasted as a whole verify URL works too
    url = verification_url(BASE_URL, token)
    assert page.evaluate("u => LmsCertVerify.tokenFrom(u)", url) == token


def test_js_rejects_tampered_tokens(page, keys):
    store, _ = keys
    token = sign(make_claims(), store)
    jwks = store.public_jwks()
    tampered = []
    for i in (0, 5, 12, 30, 60, len(token) // 2, len(token) - 40, len(token) - 2, len(token) - 1):
        tampered.append(token[:i] + ALPHABET[(ALPHABET.index(token[i]) + 9) % 32] + token[i + 1 :])
    results = page.evaluate(
        "async ([ts, k]) => Promise.all(ts.map(t => LmsCertVerify.verifyToken(t, k)))", [tampered, jwks]
    )
    assert all(r["ok"] is False for r in results)
    assert {r["reason"] for r in results} <= {"format", "signature", "unknown_key"}
    for bad in ("", token[:-1], token + "=", "xyz", token.replace(token[3], "U")):
        assert js_verify(page, bad, jwks)["ok"] is False


def test_js_unknown_key_and_rotation(page, keys, tmp_path):
    store, old_token = keys
    assert js_verify(page, old_token, store.public_jwks())["ok"] is True  # retired key still published
    stranger = KeyStore.load(tmp_path, environ={})
    stranger.keygen()
    result = js_verify(page, sign(make_claims(), stranger), store.public_jwks())
    assert result == {"ok": False, "reason": "unknown_key", "kid": stranger.active_kid}
    # a key whose kid was swapped to pose as ours is not accepted
    forged = stranger.public_jwks()
    forged["keys"][0]["kid"] = store.active_kid
    assert js_verify(page, sign(make_claims(), stranger), forged)["ok"] is False


def test_page_shows_result_from_the_address(browser, site, keys):
    store, _ = keys
    token = sign(make_claims(masked_name="Nguyễn T. Á. T."), store)
    context = browser.new_context(service_workers="block")
    page = context.new_page()
    page.goto(f"{site}/hoc/verify/offline#{token}")
    page.wait_for_selector("[data-result]")
    root = page.locator("[data-lms-verify-offline]")
    assert root.get_attribute("data-result") == "valid"
    # no revocation list on this stand-in server: a good signature, but the status is not confirmed
    assert root.get_attribute("data-status") == "unconfirmed"
    text = root.inner_text()
    assert "SIGNATURE VALID" in text and "No revocation list on this device yet" in text
    assert "Nguyễn T. Á. T." in text and "online" in text
    assert page.locator("a.lms-vo-online").get_attribute("href") == f"/hoc/V/{token}"
    bad = token[:20] + ("0" if token[20] != "0" else "1") + token[21:]
    page.fill("input[name=token]", bad)
    page.click("button")
    wait_until(page, "document.querySelector('[data-result]').dataset.result !== 'valid'")
    # as in test_certs_tokens: a flip inside the claims breaks either their encoding or the signature
    assert root.get_attribute("data-result") in ("signature", "format")
    assert "Nguyễn" not in page.locator(".lms-vo-result").inner_text()  # nothing shown from a bad token
    context.close()


def test_offline_after_one_visit(browser, keys):
    """Visit once online; then, with the server gone, scanning a QR (opening /hoc/V/<token>)
    still shows the signature check, from the service worker and cached keys."""
    store, _ = keys
    server = serve(store.public_jwks())
    site = f"http://127.0.0.1:{server.server_port}"
    token = sign(make_claims(masked_name="Lê V. Ước"), store)
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(site + "/hoc/verify/offline")
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        page.goto(f"{site}/hoc/V/{token}")  # online: the server's own page (revocation lives there)
        assert page.locator("#online").count() == 1
    finally:
        server.shutdown()
        server.server_close()
    page.goto(f"{site}/hoc/V/{token}")  # offline now
    page.wait_for_selector("[data-result]")
    assert page.locator("[data-lms-verify-offline]").get_attribute("data-result") == "valid"
    assert "Lê V. Ước" in page.inner_text("body")
    context.close()


def test_js_opens_only_a_genuine_revocation_list_and_hashes_codes_like_python(page, keys, tmp_path):
    import base64

    from lms.certificates.offlinelist import SIGNING_CONTEXT, code_hash

    store, _ = keys
    code = make_claims().code
    payload = json.dumps({"type": "BdhvsRevocationList", "version": 1, "date": "2026-12-03T07:00:00Z",
                          "revoked": {code_hash(code): "2026-12-02"}, "courses": {}, "units": {}})
    kid, private = store.signing_key()

    def signed(text, key=private, kid=kid):
        sig = key.sign(SIGNING_CONTEXT + text.encode())
        return {"kid": kid, "payload": text, "signature": base64.urlsafe_b64encode(sig).rstrip(b"=").decode()}

    jwks = store.public_jwks()
    opened = page.evaluate("([d, k]) => LmsCertVerify.openList(d, k)", [signed(payload), jwks])
    assert opened["revoked"] == {code_hash(code): "2026-12-02"}
    assert page.evaluate("c => LmsCertVerify.codeHash(c)", code) == code_hash(code)
    tampered = {**signed(payload), "payload": payload.replace("2026-12-02", "2026-12-01")}
    stranger = KeyStore.load(tmp_path, environ={})
    stranger.keygen()
    foreign = signed(payload, stranger.signing_key()[1], kid)  # another key posing under our kid
    token_signature = signed(payload)
    token_signature["signature"] = base64.urlsafe_b64encode(
        private.sign(b"BDHVS-CERT:" + payload.encode())).rstrip(b"=").decode()  # another context
    for bad in (tampered, foreign, token_signature, {"kid": kid}, None):
        assert page.evaluate("([d, k]) => LmsCertVerify.openList(d, k)", [bad, jwks]) is None
