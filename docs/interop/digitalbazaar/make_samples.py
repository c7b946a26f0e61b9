"""Write samples/ for check.mjs: a real credential, a tampered copy, the DID document, and the
status list before and after the certificate's revocation (a throw-away SQLite app).

Run from the repository root: PYTHONPATH=. .venv/bin/python docs/interop/digitalbazaar/make_samples.py
"""

import json
import tempfile
from pathlib import Path

from lms import create_app
from lms.courses.loader import import_courses
from lms.schema import upgrade
from tests.certs_helpers import pass_quiz
from tests.conftest import FIXTURES, base_config, login, make_user

out = Path(__file__).resolve().parent / "samples"
out.mkdir(exist_ok=True)
instance = Path(tempfile.mkdtemp())
app = create_app(base_config(instance, f"sqlite:///{instance}/lms.sqlite3")
                 | {"TESTING": False, "LMS_BASE_URL": "https://hoc.example-province.gov.vn/hoc"})
with app.app_context():
    upgrade()
    import_courses(FIXTURES / "courses", app.extensions["lms"].question_types)
make_user(app, "0912345678", "mat-khau-tot-2026", full_name="Nguyễn Thị Ánh Tuyết")
code = pass_quiz(app, app.test_client())["certificate"]["code"]
client = app.test_client()
login(client, "0912345678")
vc = json.loads(client.get(f"/certificates/{code}/credential.json").data)
(out / "vc.json").write_text(json.dumps(vc, ensure_ascii=False, indent=1))
(out / "tampered.json").write_text(json.dumps({**vc, "name": "Tiến sĩ"}, ensure_ascii=False, indent=1))
(out / "did.json").write_text(json.dumps(client.get("/did.json").json, indent=1))
(out / "status.json").write_text(client.get("/credentials/status/0").get_data(as_text=True))
result = app.test_cli_runner().invoke(args=["lms", "certs", "revoke", code, "--reason", "Thử"])
assert result.exit_code == 0, result.output
(out / "status_revoked.json").write_text(client.get("/credentials/status/0").get_data(as_text=True))
print(f"samples written to {out}")
