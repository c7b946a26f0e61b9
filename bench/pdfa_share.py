"""What PDF/A-3b with the embedded credential costs, and what a share card costs (issue 16, items 3 and 5).

In one process, interleaved (A, B, A, B, ...) so that a busy machine slows both alike; the
ratio is the figure to read, the milliseconds depend on the machine's load:

* A: the certificate PDF as before (plain PDF, no attachment): WeasyPrint ``write_pdf``;
* B: as now: ``pdf_variant="pdf/a-3b"``, the signed credential (~4 KB JSON) attached;
  for one certificate and for a class of 20 (a page and a credential each);
* the credential signed and serialised (once per certificate, then kept);
* the share card drawn (once per certificate and status, then kept).

Run: .venv/bin/python bench/pdfa_share.py [--samples 21]. Prints Markdown.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from weasyprint import HTML  # noqa: E402

from lms.certificates.credential import build_credential, sign_credential  # noqa: E402
from lms.certificates.keys import KeyStore  # noqa: E402
from lms.certificates.pdf import CertificateRenderer  # noqa: E402
from lms.certificates.sharecard import render_card  # noqa: E402
from lms.certificates.tokens import CertificateClaims, sign, verification_url  # noqa: E402

BASE = "https://hoc.example-province.gov.vn"


def claims(i: int) -> CertificateClaims:
    return CertificateClaims(code=f"7KQ4-M2XD-9RTE-{i:04d}".replace("0", "A"), masked_name="Nguyễn T. Á. T.",
                             kind="course", subject="dien-thoai", audience="citizens", unit_code="26734",
                             issued_on=date(2026, 3, 5), kid="")


def view(keystore: KeyStore, i: int) -> tuple[dict, bytes]:
    c = claims(i)
    token = sign(c, keystore)
    v = {"full_name": "Nguyễn Thị Ánh Tuyết", "kind": "course", "title": "Dùng điện thoại thông minh",
         "issued_on": c.issued_on, "issuer": "Ban Chỉ đạo phong trào Bình dân học vụ số", "code": c.code,
         "verify_url": verification_url(BASE, token), "audience": "citizens",
         "unit_name": "Phường Sài Gòn, Thành phố Hồ Chí Minh", "lookup_url": BASE[8:] + "/verify"}
    return v, credential(keystore, c, token)


def credential(keystore: KeyStore, c: CertificateClaims, token: str) -> bytes:
    vc = build_credential(c, full_name="Nguyễn Thị Ánh Tuyết", title="Dùng điện thoại thông minh",
                          issuer_name="Bình dân học vụ số", base_url=BASE,
                          credential_id=verification_url(BASE, token), issued_at=datetime(2026, 3, 5, tzinfo=UTC),
                          salt="0" * 32)
    return json.dumps(sign_credential(vc, keystore), ensure_ascii=False, indent=2).encode("utf-8")


def plain(renderer: CertificateRenderer, views: list[dict]) -> bytes:
    """The PDF as rendered before this change (same HTML, stylesheet and fonts)."""
    document = HTML(string=renderer.html(views), url_fetcher=renderer._fetcher)
    return document.write_pdf(stylesheets=[renderer._css], font_config=renderer._font_config)


def timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return (time.perf_counter() - start) * 1000, result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=21)
    args = parser.parse_args()
    import tempfile

    keystore = KeyStore.load(Path(tempfile.mkdtemp()))
    keystore.keygen()
    renderer = CertificateRenderer()
    one, one_cred = view(keystore, 1)
    pairs = [view(keystore, i) for i in range(20)]
    many, creds = [v for v, _ in pairs], [c for _, c in pairs]
    renderer.render([one], [one_cred])
    plain(renderer, [one])  # warm both paths
    rows: dict[str, list[float]] = {k: [] for k in ("a1", "b1", "a20", "b20", "sign", "card")}
    sizes: dict[str, int] = {}
    for _ in range(args.samples):
        ms, data = timed(lambda: plain(renderer, [one]))
        rows["a1"].append(ms)
        sizes["a1"] = len(data)
        ms, data = timed(lambda: renderer.render([one], [one_cred]))
        rows["b1"].append(ms)
        sizes["b1"] = len(data)
    for _ in range(max(5, args.samples // 4)):
        ms, data = timed(lambda: plain(renderer, many))
        rows["a20"].append(ms)
        sizes["a20"] = len(data)
        ms, data = timed(lambda: renderer.render(many, creds))
        rows["b20"].append(ms)
        sizes["b20"] = len(data)
    card = {"status": "valid", "kind": "course", "title": "Dùng điện thoại thông minh",
            "masked_name": "Nguyễn T. Á. T.", "issued_on": date(2026, 3, 5),
            "issuer": "Ban Chỉ đạo phong trào Bình dân học vụ số",
            "code": "7KQ4-M2XD-9RTE-H3AB", "host": "hoc.example-province.gov.vn"}
    render_card(card)
    for i in range(args.samples):
        c = claims(i)
        rows["sign"].append(timed(lambda c=c: credential(keystore, c, sign(c, keystore)))[0])
        ms, data = timed(lambda: render_card(card))
        rows["card"].append(ms)
        sizes["card"] = len(data)
    med = {k: statistics.median(v) for k, v in rows.items()}
    try:
        load = Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        load = "?"
    print(f"Machine: {platform.machine()}, Python {platform.python_version()}, load average {load} at the end; "
          f"{args.samples} samples, medians.\n")
    print("| what | before (plain PDF) | now (PDF/A-3b + credential) | ratio | size before -> now |")
    print("|---|---|---|---|---|")
    print(f"| one certificate | {med['a1']:.1f} ms | {med['b1']:.1f} ms | {med['b1'] / med['a1']:.2f} | "
          f"{sizes['a1'] // 1024} -> {sizes['b1'] // 1024} KiB |")
    print(f"| class of 20, per page | {med['a20'] / 20:.1f} ms | {med['b20'] / 20:.1f} ms | "
          f"{med['b20'] / med['a20']:.2f} | {sizes['a20'] // 1024} -> {sizes['b20'] // 1024} KiB |")
    print()
    print(f"Credential signed and serialised (once per certificate, then kept): {med['sign']:.2f} ms. "
          f"Share card drawn (once per certificate and status, then kept): {med['card']:.0f} ms, "
          f"{sizes['card'] // 1024} KiB.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
