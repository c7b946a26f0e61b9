"""Verification is rate-limited per address (LMS_VERIFY_RATE_LIMIT, 60 a minute by default), with a
429 page in the user's language; nothing else is limited, least of all a host app's own routes."""

from __future__ import annotations

import pytest
from flask import Flask

from lms.certificates.codes import generate_code
from lms.config import DEFAULTS
from lms.extension import LMS
from tests.conftest import REPO

LIMIT = 60


def test_the_documented_default() -> None:
    assert DEFAULTS["LMS_VERIFY_RATE_LIMIT"] == "60 per minute"
    readme = (REPO / "lms" / "certificates" / "README.md").read_text(encoding="utf-8")
    assert "60 per minute" in readme and "LMS_VERIFY_RATE_LIMIT" in readme


def test_past_the_limit_one_address_gets_429_in_its_language(client) -> None:
    for _ in range(LIMIT):
        assert client.get("/V/NOTATOKEN").status_code == 200
    refused = client.get("/V/NOTATOKEN")
    assert refused.status_code == 429
    html = refused.get_data(as_text=True)
    assert "Có quá nhiều yêu cầu" in html  # Vietnamese, the default language
    assert int(refused.headers["Retry-After"]) > 0
    english = client.get("/V/NOTATOKEN?lang=en")
    assert english.status_code == 429 and "Too many requests" in english.get_data(as_text=True)
    # one budget for every way of asking: the code form and the JSON API are refused too
    assert client.get(f"/verify?code={generate_code()}").status_code == 429
    api = client.get(f"/api/v1/certificates/{generate_code()}")
    assert api.status_code == 429 and api.json["error"]["code"] == "too_many_requests"
    as_json = client.get("/V/NOTATOKEN", headers={"Accept": "application/json"})
    assert as_json.status_code == 429 and as_json.json["error"]["message"]
    # another address is not affected
    other = client.get("/V/NOTATOKEN", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert other.status_code == 200


def test_other_lms_pages_are_not_limited(client) -> None:
    for _ in range(LIMIT + 1):
        client.get("/V/NOTATOKEN")
    for path in ("/", "/.well-known/lms-keys.json", "/verify/offline", "/login"):
        for _ in range(3):
            assert client.get(path).status_code == 200, path


def test_the_limit_is_a_setting(app, client) -> None:
    app.config["LMS_VERIFY_RATE_LIMIT"] = "3 per minute"
    assert [client.get("/V/X").status_code for _ in range(4)] == [200, 200, 200, 429]


def test_a_host_apps_routes_are_never_limited(tmp_path) -> None:
    host = Flask("host", instance_path=str(tmp_path))
    host.config.update(SECRET_KEY="host", SQLALCHEMY_DATABASE_URI="sqlite://", TESTING=True,
                       RATELIMIT_DEFAULT="1 per minute", RATELIMIT_APPLICATION="2 per minute")

    @host.get("/shop")
    def shop() -> str:
        return "host page"

    LMS(host, url_prefix="/hoc")
    client = host.test_client()
    for _ in range(LIMIT + 5):
        assert client.get("/shop").status_code == 200
    codes = [client.get("/hoc/V/NOTATOKEN").status_code for _ in range(LIMIT + 1)]
    assert codes == [200] * LIMIT + [429]
    page = client.get("/shop")
    assert page.status_code == 200 and "X-RateLimit-Limit" not in page.headers and "Retry-After" not in page.headers


def _app_with(tmp_path, storage: str):
    from lms import create_app
    from tests.conftest import base_config

    instance = tmp_path / storage.replace(":", "_").replace("/", "_")
    instance.mkdir(parents=True)
    config = {**base_config(instance, f"sqlite:///{instance}/lms.sqlite3"),
              "LMS_RATELIMIT_STORAGE_URI": storage, "LMS_VERIFY_RATE_LIMIT": "3 per minute"}
    return create_app(config)


def test_a_shared_storage_gives_all_workers_one_budget(tmp_path) -> None:
    """Two apps (two gunicorn workers) counting in one Redis: the budget is shared."""
    import secrets

    import redis

    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("no Redis answers on 127.0.0.1:6379 (make test runs this wherever one does, as on CI)")
    address = {"REMOTE_ADDR": f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"}
    first, second = (_app_with(tmp_path / str(n), "redis://127.0.0.1:6379/0").test_client() for n in (1, 2))
    assert [first.get("/V/X", environ_base=address).status_code for _ in range(2)] == [200, 200]
    assert [second.get("/V/X", environ_base=address).status_code for _ in range(2)] == [200, 429]


def test_a_failing_storage_never_stops_verification(tmp_path) -> None:
    """Nothing listens on port 1: the process counts in memory instead, and still limits."""
    client = _app_with(tmp_path, "redis://127.0.0.1:1/0").test_client()
    assert [client.get("/V/X").status_code for _ in range(4)] == [200, 200, 200, 429]


@pytest.mark.parametrize(("setting", "value", "says"), [
    ("LMS_VERIFY_RATE_LIMIT", "lots", "60 per minute"),
    ("LMS_VERIFY_RATE_LIMIT", "60 per fortnight", "60 per minute"),
    ("LMS_VERIFY_CACHE_SECONDS", "sixty", "number of seconds"),
])
def test_a_bad_setting_stops_start_up_with_a_message(tmp_path, setting: str, value: str, says: str) -> None:
    """Refused when the app starts, naming the setting, rather than a 500 on every verification."""
    from lms import create_app
    from tests.conftest import base_config

    with pytest.raises(ValueError, match=setting) as refused:
        create_app({**base_config(tmp_path, f"sqlite:///{tmp_path}/lms.sqlite3"), setting: value})
    assert says in str(refused.value) and repr(value) in str(refused.value)
