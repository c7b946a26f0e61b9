"""Each process keeps the certificate records it has verified (lms.certificates.recordcache);
a revocation shows at once in the process that made it and within LMS_VERIFY_CHANGE_SECONDS in
every other process of every server on the database, whatever the instance folders' state."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from sqlalchemy import update

from lms import changes, create_app
from lms.certificates import records
from lms.certificates.models import Certificate
from lms.certificates.sealing import new_kek
from lms.db import db
from tests.certs_helpers import earn, record
from tests.conftest import make_user

JSON = {"Accept": "application/json"}


def status(client, token: str) -> str:
    return client.get(f"/V/{token}", headers=JSON).json["status"]


@pytest.fixture
def reads(monkeypatch):
    """Counts the database reads behind the cache."""
    seen: list[str] = []
    real = records.public_record

    def counting(code: str | None):
        seen.append(code)
        return real(code)

    monkeypatch.setattr(records, "public_record", counting)
    return seen


def test_a_repeat_check_does_not_read_the_database(app, client, courses, reads) -> None:
    code = earn(app, client)
    token = record(app, code).token
    assert [status(client, token) for _ in range(3)] == ["valid"] * 3
    assert client.get(f"/api/v1/certificates/{code}").json["status"] == "valid"
    assert client.get(f"/verify?code={code.lower()}").status_code == 200
    assert reads == [code]  # one read, then the cache: by token, by code, typed in lower case
    # unknown codes are read every time and never kept: guessing cannot fill the cache
    for _ in range(2):
        assert client.get("/api/v1/certificates/0000-0000-0000-0000").json["status"] == "unknown"
    assert reads.count("0000-0000-0000-0000") == 2
    assert list(app.extensions["lms"].extras["cert_record_cache"].entries) == [code]


def other_server(app, tmp_path):
    """A second app on the same database with its own instance folder: another server, or the CLI
    (every server is given the same key-encryption key: a revocation re-signs the status list)."""
    return create_app({**{k: app.config[k] for k in ("TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI",
                                                     "LMS_COURSES_DIR", "LMS_RATELIMIT_STORAGE_URI",
                                                     "LMS_KEY_ENCRYPTION_KEY")},
                       "LMS_INSTANCE_PATH": str(tmp_path / "other-server")})


@pytest.mark.parametrize("look_every", [0, 3600])
def test_a_revocation_on_another_server_shows_within_the_interval(app, client, courses, tmp_path,
                                                                  look_every) -> None:
    """Another server (its own instance folder) revokes through the CLI; this app, whose cache holds
    the certificate, says REVOKED once it has looked at the change counter: on the next check when
    it looks every time, once the interval has passed otherwise (and not before: the cache works)."""
    app.config["LMS_VERIFY_CHANGE_SECONDS"] = look_every
    app.config["LMS_KEY_ENCRYPTION_KEY"] = new_kek()
    code = earn(app, client)
    token = record(app, code).token
    assert status(client, token) == "valid"
    other = other_server(app, tmp_path)
    result = other.test_cli_runner().invoke(args=["lms", "certs", "revoke", code, "--reason", "Cấp nhầm người"])
    assert result.exit_code == 0, result.output
    with other.app_context():
        db.engine.dispose()
    if look_every:
        assert status(client, token) == "valid"  # not looked yet
        app.extensions["lms"].extras["cert_record_cache"].watch.looked_at -= look_every  # the interval passes
    answer = client.get(f"/V/{token}", headers=JSON).json
    assert answer["status"] == "revoked" and answer["revocation_reason"] == "Cấp nhầm người"
    assert client.get(f"/api/v1/certificates/{code}").json["status"] == "revoked"


def test_a_revocation_never_depends_on_the_instance_folder(app, client, courses, tmp_path, caplog) -> None:
    """Reproduction: with the folder unwritable a revocation returned 500 and was rolled back; with
    a full disk it was saved but every worker answered VALID for 59 s. Here nothing can be written
    under <instance>/certificates (a file stands where the folder should be)."""
    from tests.conftest import login, post_form

    app.config["LMS_KEY_ENCRYPTION_KEY"] = new_kek()
    code = earn(app, client)
    token = record(app, code).token
    other = other_server(app, tmp_path)
    other_client = other.test_client()
    assert status(client, token) == "valid" and status(other_client, token) == "valid"
    folder = Path(app.instance_path) / "certificates"
    shutil.rmtree(folder, ignore_errors=True)
    folder.write_text("not a folder")
    make_user(app, "quantri", "mat-khau-quan-tri", roles={"admin"})
    admin = app.test_client()
    login(admin, "quantri", "mat-khau-quan-tri")
    done = post_form(admin, "/certificates/revoke", {"code": code, "reason": "Gian lận khi thi"})
    assert done.status_code == 302 and record(app, code).status == "revoked"
    assert status(client, token) == "revoked"  # this server: at once
    time.sleep(float(other.config["LMS_VERIFY_CHANGE_SECONDS"]) + 0.05)
    assert status(other_client, token) == "revoked"  # the other server: within the interval
    with other.app_context():
        db.engine.dispose()


def test_a_web_revocation_shows_at_once(app, client, courses) -> None:
    from tests.conftest import login, post_form

    code = earn(app, client)
    token = record(app, code).token
    assert status(client, token) == "valid"
    make_user(app, "quantri", "mat-khau-quan-tri", roles={"admin"})
    admin = app.test_client()
    login(admin, "quantri", "mat-khau-quan-tri")
    post_form(admin, "/certificates/revoke", {"code": code, "reason": "Gian lận khi thi"})
    assert status(client, token) == "revoked"


def test_any_status_change_through_the_orm_counts_and_a_rollback_does_not(app, client, courses) -> None:
    code = earn(app, client)
    token = record(app, code).token
    assert status(client, token) == "valid"
    with app.app_context():
        counted = changes.read(changes.CERTIFICATES)
        db.session.get(Certificate, record(app, code).id).status = "revoked"
        db.session.flush()
        db.session.rollback()
        assert changes.read(changes.CERTIFICATES) == counted
    assert status(client, token) == "valid"
    with app.app_context():
        cert = db.session.get(Certificate, record(app, code).id)
        db.session.expire(cert)  # not loaded: the old value must still be compared
        cert.status = "revoked"
        db.session.commit()
        assert changes.read(changes.CERTIFICATES) == counted + 1
    assert status(client, token) == "revoked"


def test_entries_expire_and_zero_turns_the_cache_off(app, client, courses, reads) -> None:
    """A change made behind the ORM's back (plain SQL) shows once the entry is older than the setting."""
    code = earn(app, client)
    token = record(app, code).token
    assert status(client, token) == "valid"
    with app.app_context():
        db.session.execute(update(Certificate).where(Certificate.code == code).values(status="revoked"))
        db.session.commit()
    assert status(client, token) == "valid"  # kept: nothing told this process
    app.config["LMS_VERIFY_CACHE_SECONDS"] = 0.05
    import time

    time.sleep(0.06)
    assert status(client, token) == "revoked"
    app.config["LMS_VERIFY_CACHE_SECONDS"] = 0
    before = len(reads)
    status(client, token), status(client, token)
    assert len(reads) == before + 2


def test_pages_kept_for_a_certificate_follow_language_and_user(app, client, courses) -> None:
    from tests.conftest import login

    code = earn(app, client)
    token = record(app, code).token
    guest = app.test_client()
    first = guest.get(f"/V/{token}").get_data(as_text=True)
    assert "CÒN HIỆU LỰC</b>" in first and 'lang="vi"' in first
    assert guest.get(f"/V/{token}").get_data(as_text=True) == first  # the kept page
    english = app.test_client()
    with english.session_transaction() as session:
        session["lms_locale"] = "en"  # a guest who chose English earlier
    assert "VALID</b>" in english.get(f"/V/{token}").get_data(as_text=True)
    assert "VALID</b>" in guest.get(f"/V/{token}?lang=en").get_data(as_text=True)
    make_user(app, "quantri", "mat-khau-quan-tri", roles={"admin"})
    admin = app.test_client()
    login(admin, "quantri", "mat-khau-quan-tri")
    assert "/certificates/revoke?code=" in admin.get(f"/V/{token}").get_data(as_text=True)
    assert "/certificates/revoke" not in guest.get(f"/V/{token}").get_data(as_text=True)
    gz = guest.get(f"/V/{token}", headers={"Accept-Encoding": "gzip"})
    assert gz.headers["Content-Encoding"] == "gzip"
    # typed spellings of the code each make a page; only a few are kept
    for n in range(20):
        assert guest.get(f"/verify?code={code}{' ' * n}").status_code == 200
    entry = app.extensions["lms"].extras["cert_record_cache"].entries[code]
    assert len(entry.pages) <= 4
    from tests.conftest import post_form

    post_form(admin, "/certificates/revoke", {"code": code, "reason": "Cấp nhầm"})
    for reader in (guest, english):
        page = reader.get(f"/V/{token}").get_data(as_text=True)
        assert "st-revoked" in page and "Cấp nhầm" in page
