"""Each process keeps the certificate records it has verified (lms.certificates.recordcache);
a revocation must still show on the very next check, in every process of the host."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from lms import create_app
from lms.certificates import recordcache, records
from lms.certificates.models import Certificate
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


def test_a_revocation_in_another_process_shows_on_the_next_check(app, client, courses) -> None:
    """A second app on the same instance folder and database stands for another gunicorn worker
    or the CLI: it revokes; this app, whose cache holds the certificate, says REVOKED at once."""
    code = earn(app, client)
    token = record(app, code).token
    assert status(client, token) == "valid"
    other = create_app({**{k: app.config[k] for k in ("TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI",
                                                      "LMS_COURSES_DIR", "LMS_RATELIMIT_STORAGE_URI")},
                        "LMS_INSTANCE_PATH": app.instance_path})
    result = other.test_cli_runner().invoke(args=["lms", "certs", "revoke", code, "--reason", "Cấp nhầm người"])
    assert result.exit_code == 0, result.output
    with other.app_context():
        db.engine.dispose()
    answer = client.get(f"/V/{token}", headers=JSON).json
    assert answer["status"] == "revoked" and answer["revocation_reason"] == "Cấp nhầm người"
    assert client.get(f"/api/v1/certificates/{code}").json["status"] == "revoked"


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
    stamp = recordcache.read_stamp(recordcache.stamp_path(app.instance_path))
    with app.app_context():
        db.session.get(Certificate, record(app, code).id).status = "revoked"
        db.session.rollback()
    assert recordcache.read_stamp(recordcache.stamp_path(app.instance_path)) == stamp
    assert status(client, token) == "valid"
    with app.app_context():
        cert = db.session.get(Certificate, record(app, code).id)
        db.session.expire(cert)  # not loaded: the old value must still be compared
        cert.status = "revoked"
        db.session.commit()
    assert recordcache.read_stamp(recordcache.stamp_path(app.instance_path)) != stamp
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
    make_user(app, "canbo", "mat-khau-can-bo", roles={"official"})
    official = app.test_client()
    login(official, "canbo", "mat-khau-can-bo")
    from tests.conftest import post_form

    post_form(official, "/certificates/revoke", {"code": code, "reason": "Cấp nhầm"})
    for reader in (guest, english):
        page = reader.get(f"/V/{token}").get_data(as_text=True)
        assert "st-revoked" in page and "Cấp nhầm" in page


def test_an_unwritable_stamp_never_fails_the_revocation(app, client, courses, caplog) -> None:
    """The revocation is committed before the stamp is written: a stamp that cannot be written
    is logged, the revocation stands, and it shows once cached entries age out."""
    code = earn(app, client)
    token = record(app, code).token
    assert status(client, token) == "valid"
    stamp = recordcache.stamp_path(app.instance_path)
    stamp.unlink(missing_ok=True)
    stamp.mkdir(parents=True)  # a folder where the file should be: the rename fails
    (stamp / "x").write_text("x")
    result = app.test_cli_runner().invoke(args=["lms", "certs", "revoke", code, "--reason", "Cấp nhầm"])
    assert result.exit_code == 0, result.output
    assert record(app, code).status == "revoked"
    assert "revocations.stamp" in caplog.text
    app.config["LMS_VERIFY_CACHE_SECONDS"] = 0  # what the log says: entries age out
    assert status(client, token) == "revoked"
