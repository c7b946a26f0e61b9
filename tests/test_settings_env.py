"""Settings from the environment (scale-out issue, item 1): every setting of the README's table can
be given as an LMS_* variable, parsed to its type; precedence config > environment > lms.cfg >
defaults; a bad value stops start-up naming the variable; ``lms config`` masks secrets.

Reproduction: ``LMS_VERIFY_RATE_LIMIT="5 per minute" lms run`` still allowed 60 a minute."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from lms import create_app
from lms.config import DEFAULTS
from lms.envsettings import KINDS, SettingError, from_environment

REPO = Path(__file__).resolve().parent.parent


def test_every_setting_can_come_from_the_environment_and_the_readme_lists_it() -> None:
    assert set(DEFAULTS) <= set(KINDS)
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `(LMS_[A-Z_]+)`", readme, flags=re.M))
    assert set(KINDS) <= documented, sorted(set(KINDS) - documented)


@pytest.mark.parametrize("name, raw, value", [
    ("LMS_VERIFY_RATE_LIMIT", "5 per minute", "5 per minute"),
    ("LMS_SIGNIN_LIMIT_ACCOUNT", "3 per minute; 10 per hour", "3 per minute; 10 per hour"),
    ("LMS_ROSTER_MAX_BYTES", "2 MB", 2 * 1024 * 1024),
    ("LMS_ROSTER_MAX_BYTES", "700000", 700000),
    ("LMS_ROSTER_MAX_ROWS", "20_000", 20000),
    ("LMS_ASYNC_ANSWER_COMMIT", "false", False),
    ("LMS_SESSION_COOKIE_SECURE", "yes", True),
    ("LMS_VERIFY_CACHE_SECONDS", "0.5", 0.5),
    ("LMS_BASE_URL", "https://hoc.example.vn/", "https://hoc.example.vn"),
    ("LMS_URL_PREFIX", "/hoc/", "/hoc"),
])
def test_values_are_parsed_to_their_type(name: str, raw: str, value: object) -> None:
    assert from_environment({name: raw}) == {name: value}
    assert from_environment({"LMS_TRUSTED_HOSTS": "a.vn, b.vn"}) == {"TRUSTED_HOSTS": ["a.vn", "b.vn"]}


@pytest.mark.parametrize("name, raw", [
    ("LMS_VERIFY_CACHE_SECONDS", "soon"), ("LMS_VERIFY_RATE_LIMIT", "many"), ("LMS_ROSTER_MAX_BYTES", "big"),
    ("LMS_ASYNC_ANSWER_COMMIT", "maybe"), ("LMS_BASE_URL", "hoc.example.vn"), ("LMS_DEFAULT_LOCALE", "fr"),
    ("LMS_API_TOKEN_HOURS", "1.5"), ("LMS_VERIFY_CHANGE_SECONDS", "-1"),
])
def test_a_bad_value_stops_start_up_naming_the_variable(tmp_path: Path, monkeypatch, name: str, raw: str) -> None:
    monkeypatch.setenv(name, raw)
    with pytest.raises(SettingError, match=name):
        create_app({"LMS_INSTANCE_PATH": str(tmp_path), "TESTING": True})


def test_precedence_config_then_environment_then_lms_cfg(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "lms.cfg").write_text('LMS_SITE_NAME = "từ lms.cfg"\nLMS_ISSUER = "từ lms.cfg"\n'
                                      'LMS_STUCK_DAYS = 3\n', encoding="utf-8")
    monkeypatch.setenv("LMS_SITE_NAME", "từ môi trường")
    monkeypatch.setenv("LMS_ISSUER", "từ môi trường")
    app = create_app({"LMS_INSTANCE_PATH": str(tmp_path), "TESTING": True, "LMS_ISSUER": "từ mã"})
    assert app.config["LMS_ISSUER"] == "từ mã"
    assert app.config["LMS_SITE_NAME"] == "từ môi trường"
    assert app.config["LMS_STUCK_DAYS"] == 3
    assert app.config["LMS_PASSWORD_SHEET_DAYS"] == DEFAULTS["LMS_PASSWORD_SHEET_DAYS"]


def test_the_verification_rate_limit_from_the_environment_applies(tmp_path: Path, monkeypatch, template_db) -> None:
    monkeypatch.setenv("LMS_VERIFY_RATE_LIMIT", "5 per minute")
    import shutil

    from tests.conftest import base_config

    url = template_db
    if url.startswith("sqlite"):
        shutil.copy(url.removeprefix("sqlite:///"), tmp_path / "lms.sqlite3")
        url = f"sqlite:///{tmp_path / 'lms.sqlite3'}"
    config = base_config(tmp_path, url)
    config.pop("LMS_RATELIMIT_STORAGE_URI")  # the default, counting in this process
    app = create_app(config)
    assert app.config["LMS_VERIFY_RATE_LIMIT"] == "5 per minute"
    client = app.test_client()
    answers = [client.get("/api/v1/certificates/0000-0000-0000-0000").status_code for _ in range(6)]
    assert answers == [200] * 5 + [429]


def _lms(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(Path(sys.executable).parent / "lms"), *args], env=env, capture_output=True,
                          text=True, timeout=120, check=False)


def test_lms_config_shows_the_effective_settings_with_secrets_masked(tmp_path: Path) -> None:
    env = {**os.environ, "LMS_INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "khong-duoc-in-ra",
           "LMS_DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3", "LMS_VERIFY_RATE_LIMIT": "5 per minute",
           "LMS_RATELIMIT_STORAGE_URI": "redis://:mat-khau-redis@127.0.0.1:6379/0"}
    shown = _lms(env, "config")
    assert shown.returncode == 0, shown.stderr
    assert "khong-duoc-in-ra" not in shown.stdout and "mat-khau-redis" not in shown.stdout
    assert re.search(r"^LMS_VERIFY_RATE_LIMIT +5 per minute +\[environment\]$", shown.stdout, flags=re.M)
    assert re.search(r"^LMS_RATELIMIT_STORAGE_URI +redis://:\*\*\*@127.0.0.1:6379/0 +\[environment\]$",
                     shown.stdout, flags=re.M)
    assert re.search(r"^LMS_STUCK_DAYS +7 +\[default\]$", shown.stdout, flags=re.M)
    bad = _lms({**env, "LMS_VERIFY_CACHE_SECONDS": "soon"}, "config")
    assert bad.returncode != 0
    assert "LMS_VERIFY_CACHE_SECONDS='soon' cannot be used" in bad.stderr and "Traceback" not in bad.stderr


@pytest.mark.parametrize("line, name", [('LMS_VERIFY_CACHE_SECONDS = "soon"', "LMS_VERIFY_CACHE_SECONDS"),
                                        ('LMS_VERIFY_RATE_LIMIT = "many"', "LMS_VERIFY_RATE_LIMIT"),
                                        ('LMS_BASE_URL = "hoc.example.vn"', "LMS_BASE_URL")])
def test_a_bad_value_in_lms_cfg_stops_start_up_too(tmp_path: Path, line: str, name: str) -> None:
    (tmp_path / "lms.cfg").write_text(line + "\n", encoding="utf-8")
    with pytest.raises(SettingError, match=name):
        create_app({"LMS_INSTANCE_PATH": str(tmp_path), "TESTING": True})


def test_text_in_lms_cfg_is_read_like_the_environment(tmp_path: Path) -> None:
    (tmp_path / "lms.cfg").write_text('LMS_ROSTER_MAX_BYTES = "2 MB"\nLMS_ASYNC_ANSWER_COMMIT = "no"\n')
    app = create_app({"LMS_INSTANCE_PATH": str(tmp_path), "TESTING": True})
    assert app.config["LMS_ROSTER_MAX_BYTES"] == 2 * 1024 * 1024 and app.config["LMS_ASYNC_ANSWER_COMMIT"] is False
