"""``LMS_PROXY_COUNT`` (scale-out issue, item 5: the reverse proxy in front, ProxyFix set right):
behind one proxy each client has its own verification budget, from the ``X-Forwarded-For``
entry the proxy wrote; an entry a client made up is ignored; without the setting the header is
not trusted at all (every client is the proxy: one budget, and no one picks their own)."""

from __future__ import annotations

import pytest

from lms import create_app
from tests.conftest import base_config

PROXY = "10.0.0.1"  # nginx, as the app sees it


def checks(app, tmp_path, count: int, forwarded: list[str]) -> list[int]:
    behind = create_app({**base_config(tmp_path / f"behind-{count}", app.config["SQLALCHEMY_DATABASE_URI"]),
                         "LMS_PROXY_COUNT": count, "LMS_VERIFY_RATE_LIMIT": "2 per minute"})
    client = behind.test_client()
    return [client.get("/V/X", headers={"X-Forwarded-For": value}, environ_base={"REMOTE_ADDR": PROXY}).status_code
            for value in forwarded]


@pytest.mark.parametrize(("count", "expected"), [(1, [200] * 6), (0, [200, 200] + [429] * 4)])
def test_one_proxy_in_front_gives_each_client_its_own_budget(app, tmp_path, count: int, expected) -> None:
    clients = [f"203.0.113.{n}" for n in (1, 1, 2, 2, 3, 3)]  # three people, two checks each
    assert checks(app, tmp_path, count, clients) == expected


def test_an_address_a_client_makes_up_is_ignored(app, tmp_path) -> None:
    # the client sends its own X-Forwarded-For; nginx appends the address it really came from
    made_up = [f"198.51.100.{n}, 203.0.113.9" for n in range(3)]
    assert checks(app, tmp_path, 1, made_up) == [200, 200, 429]
