"""A web worker loads only what pages use; the command line still has every command; the favicon."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from tests.conftest import REPO, base_config, make_user

#: libraries only the command line or a job uses (migrations, course files, spreadsheets, PDFs and their
#: fonts), qrcode with PIL, which load on a worker's first QR code, and PyLD with requests, which load
#: on the first credential signed or verified
CLI_AND_JOB_ONLY = ("alembic", "mako", "pygments", "openpyxl", "weasyprint", "pydyf", "fontTools",
                    "lms.schema", "lms.setup_cli", "lms.printing.fonts", "lms.certificates.pdf", "lms.classes.pdf",
                    "qrcode", "PIL", "yaml", "pyld", "requests", "urllib3")
LMS_COMMANDS = ["certs", "classes", "config", "courses", "coverage", "init", "make-migration", "quiz", "seed-demo",
                "units", "users", "worker"]

# a fresh interpreter, so that what other tests imported does not count
WORKER = """
import json, re, sys
from lms import create_app
config, names = json.loads(sys.argv[1]), json.loads(sys.argv[2])
client = create_app(config).test_client()
page = client.get("/login").get_data(as_text=True)
token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
signed_in = client.post("/login", data={"csrf_token": token, "login": "0912345678", "password": "mat-khau-tot-2026"})
lesson = client.get("/courses/dien-thoai/lessons/01-bat-may")
print(json.dumps({"statuses": [signed_in.status_code, lesson.status_code],
                  "loaded": sorted(n for n in sys.modules if any(n == x or n.startswith(x + ".") for x in names))}))
"""


def test_web_app_never_imports_cli_or_job_libraries(app, courses) -> None:
    make_user(app)
    config = base_config(Path(app.instance_path), app.config["SQLALCHEMY_DATABASE_URI"])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-c", WORKER, json.dumps(config), json.dumps(CLI_AND_JOB_ONLY)],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["statuses"] == [302, 200]
    assert result["loaded"] == []


def test_lms_group_lists_and_runs_every_command(app, runner) -> None:
    from lms.cli import main

    flask_help = runner.invoke(args=["lms", "--help"])
    assert flask_help.exit_code == 0
    standalone = CliRunner().invoke(main, ["--help"], env={"LMS_INSTANCE_PATH": app.instance_path})
    assert standalone.exit_code == 0
    for name in LMS_COMMANDS:
        assert f"\n  {name} " in flask_help.output and f"\n  {name} " in standalone.output
    assert "\n  run " in standalone.output
    assert app.cli.get_command(None, "lms").list_commands(None) == LMS_COMMANDS
    assert runner.invoke(args=["lms", "nope"]).exit_code != 0
    assert "Manage accounts" in runner.invoke(args=["lms", "users", "--help"]).output


def test_favicon_is_a_real_icon_kept_a_year(client) -> None:
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/x-icon"
    assert icon.data[:4] == b"\x00\x00\x01\x00" and len(icon.data) < 4096
    assert icon.headers["Cache-Control"] in ("public, max-age=31536000", "max-age=31536000, public")
    again = client.get("/favicon.ico", headers={"If-None-Match": icon.headers["ETag"]})
    assert again.status_code == 304
    page = client.get("/login").get_data(as_text=True)
    assert '<link rel="icon" href="/static/favicon.ico?v=' in page


def test_credentials_still_sign_and_verify_with_pyld_loaded_on_first_use() -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from lms.certificates import rdfc

    key = Ed25519PrivateKey.generate()
    document = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"],
                "issuer": "did:web:example.vn", "validFrom": "2026-12-03T00:00:00Z",
                "credentialSubject": {"id": "did:example:123"}}
    proof = rdfc.create_proof(document, key, verification_method="did:web:example.vn#key-1",
                              created="2026-12-03T00:00:00Z")
    assert rdfc.verify_proof({**document, "proof": proof}, proof, key.public_key())
    assert not rdfc.verify_proof({**document, "issuer": "did:web:other.vn", "proof": proof}, proof, key.public_key())


FORK = """
import json, os, sys
from lms import create_app
from lms.app import warm_up
from lms.db import db
app = create_app(json.loads(sys.argv[1]))
warm_up(app)
with app.app_context():
    warmed = db.engine.pool.checkedin()  # warm_up opens no connection
    db.session.execute(db.text("SELECT 1"))
    db.session.remove()
    parent = db.engine.pool.checkedin()
read, write = os.pipe()
pid = os.fork()
if pid == 0:
    with app.app_context():
        child = db.engine.pool.checkedin()
        db.session.execute(db.text("SELECT 1"))  # the child opens its own and it works
        db.session.remove()
        mine = db.engine.pool.checkedin()
    os.write(write, json.dumps([child, mine, app.test_client().get("/courses/").status_code]).encode())
    os._exit(0)
os.waitpid(pid, 0)
child, mine, status = json.loads(os.read(read, 1000))
with app.app_context():
    db.session.execute(db.text("SELECT 1"))  # the parent's own connection still works
    db.session.remove()
print(json.dumps({"warmed": warmed, "parent": parent, "child": child, "mine": mine, "status": status,
                  "compiled": "lms/courses/catalogue.html" in {t for _, t in app.jinja_env.cache.keys()}}))
"""


def test_a_forked_worker_never_shares_the_masters_database_connections(app, courses) -> None:
    """gunicorn preloads the app (gunicorn.conf.py): a worker forked from the master must open its own
    connections (two processes on one socket corrupt each other's results), and the warm-up done in
    the master opens none."""
    config = base_config(Path(app.instance_path), app.config["SQLALCHEMY_DATABASE_URI"])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-c", FORK, json.dumps(config)], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"warmed": 0, "parent": 1, "child": 0, "mine": 1, "status": 200, "compiled": True}


def test_compiled_templates_are_kept_in_the_instance_folder(app, client) -> None:
    """A restarted server loads the learner pages' compiled code instead of compiling them again."""
    folder = Path(app.instance_path) / "cache" / "templates"
    assert client.get("/login").status_code == 200
    kept = sorted(folder.glob("__jinja2_*.cache"))
    assert kept, "no compiled template was kept"
    cache = app.jinja_env.bytecode_cache
    assert cache is not None and Path(cache.directory) == folder
