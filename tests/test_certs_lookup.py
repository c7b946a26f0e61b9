"""The verification look-up reads through the driver's cursor (lms.fastread): it must return
exactly what the ORM sees, types included, on every engine, valid and revoked alike."""

from __future__ import annotations

from datetime import date, datetime

from lms.certificates import records
from lms.certificates.records import Public
from lms.db import db
from tests.certs_helpers import earn, record


def test_fast_read_equals_the_orm_record(app, client, courses, units) -> None:
    code = earn(app, client, full_name="Trần Thị Ước", unit_code="26734")
    with app.test_request_context():
        for spelling in (code, code.lower().replace("-", " ")):
            fast = records.public_record(spelling)
            assert fast == Public.of(records.by_code(code))
        assert isinstance(fast.issued_on, date) and fast.revoked_at is None
        assert fast.course_title["vi"] and fast.parent_name  # the joins: course title (JSON), province
        cert = records.by_code(code)
        records.revoke(cert, "Cấp nhầm người", None)
        db.session.commit()
        db.session.expire_all()
        fast = records.public_record(code)
        assert fast == Public.of(records.by_code(code))
        assert fast.status == "revoked" and fast.revoked_reason == "Cấp nhầm người"
        assert isinstance(fast.revoked_at, datetime) and fast.revoked_at.utcoffset().total_seconds() == 0
        assert records.public_record("0000-0000-0000-0000") is None
        assert records.public_record("not a code") is None


def test_the_pool_is_left_as_it_was(app, client, courses, units) -> None:
    """The read switches PostgreSQL connections to autocommit only for itself."""
    code = earn(app, client, unit_code="26734")
    with app.test_request_context():
        for _ in range(5):
            assert records.public_record(code) is not None
        proxied = db.engine.raw_connection()
        try:
            assert getattr(proxied.driver_connection, "autocommit", False) is False
        finally:
            proxied.close()
        # and the session still works in its own transactions afterwards
        assert record(app, code).code == code
