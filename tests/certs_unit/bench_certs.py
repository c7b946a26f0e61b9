"""Timing of certificate PDFs (not collected by pytest). Run from the repository root:

    /tmp/probe-venv/bin/python -m tests.certs_unit.bench_certs

Reports medians: a fresh process's first PDF (import, renderer set-up, render), a warm
single PDF, and the per-page time of a 100-page batch.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date

COLD = r"""
import json, time, tempfile
t0 = time.perf_counter()
from lms.certificates.pdf import CertificateRenderer
t1 = time.perf_counter()
renderer = CertificateRenderer()
if WARM:
    renderer.warm_up()
t2 = time.perf_counter()
renderer.render([json.loads(VIEW)])
t3 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "setup": t2 - t1, "first": t3 - t2}))
"""


def views(n: int) -> list[dict]:
    from lms.certificates.codes import generate_code
    from lms.certificates.keys import KeyStore
    from lms.certificates.tokens import CertificateClaims, mask_name, sign, verification_url

    store = KeyStore.load(tempfile.mkdtemp(), environ={})
    store.keygen()
    out = []
    for i in range(n):
        name = f"Nguyễn Thị Ánh Tuyết {i}"
        claims = CertificateClaims(generate_code(), mask_name(name), "path", "citizens", "citizens", "25920",
                                   date(2026, 3, 5))
        out.append(dict(
            full_name=name, kind="path", title="Phổ cập kỹ năng số cho người dân", audience="citizens",
            unit_name="Phường Sài Gòn, Thành phố Hồ Chí Minh", issued_on="2026-03-05",
            issuer="Ban Chỉ đạo phong trào Bình dân học vụ số", code=claims.code,
            verify_url=verification_url("https://hoc.example-province.gov.vn/hoc", sign(claims, store)),
            lookup_url="https://hoc.example-province.gov.vn/hoc/verify",
        ))
    return out


def main() -> None:
    sample = views(100)
    for warm in (False, True):
        runs = []
        for _ in range(5):
            code = COLD.replace("VIEW", repr(json.dumps(sample[0]))).replace("WARM", str(warm))
            result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
            runs.append(json.loads(result.stdout))
        med = {key: statistics.median(r[key] for r in runs) * 1e3 for key in ("import", "setup", "first")}
        setup = "renderer set-up + warm_up()" if warm else "renderer set-up"
        first = "first PDF after warm_up()" if warm else "first PDF"
        print(f"fresh process: import {med['import']:.0f} ms, {setup} {med['setup']:.0f} ms, "
              f"{first} {med['first']:.1f} ms (median of 5)")

    from lms.certificates.pdf import CertificateRenderer

    renderer = CertificateRenderer()
    renderer.render(sample[:1])
    single = []
    for view in sample[:21]:
        t = time.perf_counter()
        renderer.render([view])
        single.append(time.perf_counter() - t)
    print(f"warm single PDF      : median {statistics.median(single) * 1e3:6.1f} ms (21 runs)")
    batch = []
    for _ in range(5):
        t = time.perf_counter()
        data = renderer.render(sample)
        batch.append(time.perf_counter() - t)
    per_page = statistics.median(batch) * 1e3 / len(sample)
    print(f"100-page batch       : median {statistics.median(batch):.2f} s, {per_page:.1f} ms a page, "
          f"{len(data) // 1024} KiB")


if __name__ == "__main__":
    main()
