"""The registration form's places: Vietnamese ordering cost and the commune list's weight.

Run: .venv/bin/python bench/units_order.py  (a temporary SQLite database with the official list)
Prints a Markdown table: sorting every unit name with a cold key cache (the first request of a
worker), the register page and a province's commune JSON (gzip bytes, medians of 20 requests).
Goals: the commune JSON of the largest province under 4 KB with gzip; a cold sort under 100 ms.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from lms import create_app  # noqa: E402
from lms.collation import vi_key  # noqa: E402
from lms.schema import upgrade  # noqa: E402
from lms.units.importer import import_units, official_rows, official_version  # noqa: E402
from lms.units.services import provinces, sort_key  # noqa: E402


def median_ms(action, rounds: int = 20) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> int:
    instance = Path(tempfile.mkdtemp(prefix="lms-units-"))
    app = create_app({"LMS_INSTANCE_PATH": str(instance), "SECRET_KEY": "bench",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance}/lms.sqlite3"})
    names = [row.name for row in official_rows()]
    with app.app_context():
        upgrade()
        import_units(official_rows(), "official", official_version())
        counts = Counter(row.parent_code for row in official_rows() if row.level == "commune")
        largest = max(provinces(), key=lambda p: counts[p.code])

    def cold_sort() -> None:
        vi_key.cache_clear()
        sort_key.cache_clear()
        sorted(names, key=sort_key)

    client = app.test_client()
    gzip = {"Accept-Encoding": "gzip"}
    communes = f"/register/communes/{largest.code}.json"
    rows = [
        (f"sort all {len(names)} unit names, cold key cache", median_ms(cold_sort, 7), "", ""),
        ("sort them again, warm", median_ms(lambda: sorted(names, key=sort_key)), "", ""),
        ("GET /register", median_ms(lambda: client.get("/register", headers=gzip)),
         len(client.get("/register", headers=gzip).data), ""),
        (f"GET {communes} ({largest.name})", median_ms(lambda: client.get(communes, headers=gzip)),
         len(client.get(communes, headers=gzip).data), len(client.get(communes).data)),
    ]
    print("| what | median ms | bytes (gzip) | bytes (plain) |\n|---|---|---|---|")
    for what, ms, zipped, plain in rows:
        print(f"| {what} | {ms:.1f} | {zipped} | {plain} |")
    return 0 if rows[0][1] < 100 and rows[3][2] < 4096 else 1


if __name__ == "__main__":
    raise SystemExit(main())
