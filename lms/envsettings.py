"""Every ``LMS_*`` setting read from the environment (standalone mode), parsed to its type.

Precedence, highest first: the ``config`` passed to ``create_app()`` (tests, embedding code),
then the environment, then ``<instance>/lms.cfg``, then the defaults in :mod:`lms.config`. A
value that cannot be read stops start-up with a message naming the variable and what it
expects, instead of being ignored or failing later on a request.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from limits import parse_many
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError


class SettingError(ValueError):
    """A setting that cannot be read; the message names it and says what it expects."""


@dataclass(frozen=True)
class Kind:
    parse: Callable[[str], object]
    expects: str


def _integer(raw: str) -> int:
    return int(raw.strip().replace("_", ""))


def _seconds(raw: str) -> float:
    value = float(raw.strip())
    if value < 0 or value != value or value in (float("inf"),):
        raise ValueError(raw)
    return value


_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def _boolean(raw: str) -> bool:
    word = raw.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise ValueError(raw)


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmg]?i?b?)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "k": 1024, "kb": 1024, "kib": 1024, "m": 1024**2, "mb": 1024**2, "mib": 1024**2,
          "g": 1024**3, "gb": 1024**3, "gib": 1024**3}


def _size(raw: str) -> int:
    match = _SIZE.match(raw)
    if match is None or (match.group(2) or "").lower() not in _UNITS:
        raise ValueError(raw)
    return int(float(match.group(1)) * _UNITS[(match.group(2) or "").lower()])


def _rate(raw: str) -> str:
    parse_many(raw)  # "60 per minute", "5 per minute; 100 per day"
    return raw.strip()


def _text(raw: str) -> str:
    if not raw.strip():
        raise ValueError(raw)
    return raw.strip()


def _url(raw: str) -> str:
    parts = urlsplit(raw.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(raw)
    return raw.strip().rstrip("/")


def _redis_url(raw: str) -> str:
    parts = urlsplit(raw.strip())
    if parts.scheme not in ("redis", "rediss", "unix") or not (parts.netloc or parts.path):
        raise ValueError(raw)
    return raw.strip()


def _job_runner(raw: str) -> str:
    if raw.strip() not in ("auto", "rq", "thread"):
        raise ValueError(raw)
    return raw.strip()


def _locale(raw: str) -> str:
    if raw.strip() not in ("vi", "en"):
        raise ValueError(raw)
    return raw.strip()


def _prefix(raw: str) -> str:
    value = raw.strip().rstrip("/")
    if value and not value.startswith("/"):
        raise ValueError(raw)
    return value


def _log_format(raw: str) -> str:
    if raw.strip().lower() not in ("text", "json"):
        raise ValueError(raw)
    return raw.strip().lower()


def _networks(raw: str) -> str:
    for item in (part.strip() for part in raw.split(",")):
        if item:
            ipaddress.ip_network(item, strict=False)
    return raw.strip()


def _database_url(raw: str) -> str:
    try:
        make_url(raw.strip())
    except ArgumentError:
        raise ValueError(raw) from None
    return raw.strip()


def _hosts(raw: str) -> list[str]:
    hosts = [h.strip() for h in raw.split(",") if h.strip()]
    if not hosts:
        raise ValueError(raw)
    return hosts


INTEGER = Kind(_integer, "a whole number, e.g. 30")
SECONDS = Kind(_seconds, "a number of seconds, e.g. 60 or 0.5")
BOOLEAN = Kind(_boolean, "true or false (also 1/0, yes/no, on/off)")
SIZE = Kind(_size, "a size in bytes, e.g. 5242880, 512 KB or 5 MB")
RATE = Kind(_rate, 'a rate limit, e.g. "60 per minute" or "5 per minute; 100 per day"')
TEXT = Kind(_text, "some text")
URL = Kind(_url, "an http:// or https:// address, e.g. https://hoc.example.vn")
LOCALE = Kind(_locale, "vi or en")
PREFIX = Kind(_prefix, "a path starting with /, e.g. /hoc, or nothing")
REDIS_URL = Kind(_redis_url, "a Redis URL, e.g. redis://127.0.0.1:6379/0")
JOB_RUNNER = Kind(_job_runner, "auto, rq or thread")
LOG_FORMAT = Kind(_log_format, "text or json")
NETWORKS = Kind(_networks, "addresses or networks separated by commas, e.g. 127.0.0.1,10.0.0.0/8")
DATABASE_URL = Kind(_database_url, "a database URL, e.g. postgresql+psycopg://lms_ro@db-replica/lms")
HOSTS = Kind(_hosts, "host names separated by commas, e.g. hoc.example.vn,www.hoc.example.vn")

#: every setting an operator may give as an environment variable, with how to read it
KINDS: dict[str, Kind] = {
    "LMS_COURSES_DIR": TEXT,
    "LMS_URL_PREFIX": PREFIX,
    "LMS_DEFAULT_LOCALE": LOCALE,
    "LMS_SITE_NAME": TEXT,
    "LMS_ISSUER": TEXT,
    "LMS_BASE_URL": URL,
    "LMS_API_TOKEN_HOURS": INTEGER,
    "LMS_SUBMIT_GRACE_SECONDS": INTEGER,
    "LMS_VERIFY_RATE_LIMIT": RATE,
    "LMS_RATELIMIT_STORAGE_URI": TEXT,
    "LMS_VERIFY_CACHE_SECONDS": SECONDS,
    "LMS_VERIFY_CHANGE_SECONDS": SECONDS,
    "LMS_PASSWORD_MIN_LENGTH": INTEGER,
    "LMS_ASYNC_ANSWER_COMMIT": BOOLEAN,
    "LMS_ROSTER_MAX_ROWS": INTEGER,
    "LMS_ROSTER_MAX_BYTES": SIZE,
    "LMS_PASSWORD_SHEET_DAYS": INTEGER,
    "LMS_STUCK_DAYS": INTEGER,
    "LMS_ROSTER_UPLOAD_DAYS": INTEGER,
    "LMS_SIGNIN_LIMIT_ACCOUNT_ADDRESS": RATE,
    "LMS_SIGNIN_LIMIT_ADDRESS": RATE,
    "LMS_SIGNIN_LIMIT_ACCOUNT": RATE,
    "LMS_PAGE_CACHE_BYTES": SIZE,
    "LMS_RECOVERY_LIMIT_ACCOUNT_ADDRESS": RATE,
    "LMS_RECOVERY_LIMIT_ADDRESS": RATE,
    "LMS_RECOVERY_LIMIT_ACCOUNT": RATE,
    "LMS_CARD_LIMIT_ADDRESS": RATE,
    "LMS_CARD_LIMIT_CARD": RATE,
    "LMS_AMBASSADOR_ACTING_MINUTES": INTEGER,
    "LMS_RESET_LINK_MINUTES": INTEGER,
    "LMS_RESET_MAIL_LIMIT": RATE,
    "LMS_HOUSEHOLD_LIMIT": RATE,
    "LMS_MAIL_SERVER": TEXT,
    "LMS_MAIL_PORT": INTEGER,
    "LMS_MAIL_USERNAME": TEXT,
    "LMS_MAIL_PASSWORD": TEXT,
    "LMS_MAIL_USE_TLS": BOOLEAN,
    "LMS_MAIL_SENDER": TEXT,
    "LMS_SESSION_HOURS": SECONDS,
    "LMS_SESSION_COOKIE_SECURE": BOOLEAN,
    "LMS_MAX_CONTENT_LENGTH": SIZE,
    "LMS_API_MAX_BYTES": SIZE,
    "LMS_MAX_FORM_MEMORY_SIZE": SIZE,
    "LMS_MAX_FORM_PARTS": INTEGER,
    "LMS_REDIS_URL": REDIS_URL,
    "LMS_JOB_RUNNER": JOB_RUNNER,
    "LMS_JOB_QUEUE": TEXT,
    "LMS_JOB_TIMEOUT_SECONDS": INTEGER,
    "LMS_JOB_MAX_ATTEMPTS": INTEGER,
    "LMS_JOB_STALE_SECONDS": SECONDS,
    "LMS_JOB_KEEP_DAYS": SECONDS,
    "LMS_CLASS_PDF_SYNC_MAX": INTEGER,
    "LMS_PASSWORD_SHEET_SYNC_MAX": INTEGER,
    "LMS_ROSTER_SYNC_MAX": INTEGER,
    "LMS_PROXY_COUNT": INTEGER,
    "LMS_LOG_FORMAT": LOG_FORMAT,
    "LMS_METRICS_ALLOW": NETWORKS,
    "LMS_METRICS_TOKEN": TEXT,
    "LMS_DATABASE_REPLICA_URL": DATABASE_URL,
}
#: environment variables whose value goes into another config key
RENAMED = {"LMS_TRUSTED_HOSTS": ("TRUSTED_HOSTS", HOSTS)}
#: never printed whole
SECRET_NAMES = ("SECRET_KEY", "LMS_CERT_PRIVATE_KEYS", "LMS_KEY_ENCRYPTION_KEY", "LMS_METRICS_TOKEN",
                "LMS_MAIL_PASSWORD")


def parse_setting(name: str, raw: str) -> object:
    kind = KINDS.get(name) or RENAMED[name][1]
    try:
        return kind.parse(raw)
    except (ValueError, TypeError):
        raise SettingError(f"{name}={raw!r} cannot be used: expected {kind.expects}.") from None


def from_environment(environ: Mapping[str, str]) -> dict[str, object]:
    """The settings the environment gives, parsed; raises :class:`SettingError` on the first bad one."""
    found: dict[str, object] = {}
    for name in KINDS:
        if environ.get(name, "") != "":
            found[name] = parse_setting(name, environ[name])
    for name, (key, _kind) in RENAMED.items():
        if environ.get(name, "") != "":
            found[key] = parse_setting(name, environ[name])
    return found


def from_text(config: Mapping[str, object]) -> dict[str, object]:
    """The settings ``lms.cfg`` gives as text, read the way the environment's are (``"5 MB"``
    becomes 5242880; ``LMS_VERIFY_CACHE_SECONDS = "soon"`` stops start-up, named)."""
    return {name: parse_setting(name, value) for name in KINDS if isinstance(value := config.get(name), str)}


def masked(name: str, value: object) -> str:
    """How ``lms config`` shows a value: secrets hidden, passwords in URLs replaced by ***."""
    if value is None:
        return "(not set)"
    if name in SECRET_NAMES:
        return "*** (set)"
    text = str(value)
    parts = urlsplit(text)
    if parts.scheme and parts.password:
        netloc = parts.netloc.replace(":" + parts.password + "@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return text
