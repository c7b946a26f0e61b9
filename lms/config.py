"""Settings: ``LMS_*`` defaults a host may override, and the standalone app's own config.

Every setting is documented in README.md ("Configuration").
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask

DEFAULTS: dict[str, object] = {
    "LMS_COURSES_DIR": None,  # default: ./courses beside the current directory
    "LMS_DEFAULT_LOCALE": "vi",
    "LMS_SITE_NAME": "Bình dân học vụ số",
    "LMS_ISSUER": "Ban Chỉ đạo phong trào Bình dân học vụ số",
    "LMS_BASE_URL": None,  # public base URL used in certificate QR codes; default: the request's
    "LMS_API_TOKEN_HOURS": 24 * 30,
    "LMS_SUBMIT_GRACE_SECONDS": 30,
    "LMS_VERIFY_RATE_LIMIT": "60 per minute",
    "LMS_RATELIMIT_STORAGE_URI": "memory://",
    "LMS_VERIFY_CACHE_SECONDS": 60,  # certificate records kept per process; a revocation empties it at once
    "LMS_VERIFY_CHANGE_SECONDS": 1,  # how often a process looks for revocations made on other servers
    "LMS_PASSWORD_MIN_LENGTH": 8,
    "LMS_ASYNC_ANSWER_COMMIT": False,  # opt-in, PostgreSQL: answer saves skip the WAL flush wait (may lose the last
    # acknowledged saves in a database crash)
    "LMS_ROSTER_MAX_ROWS": 10_000,
    "LMS_ROSTER_MAX_BYTES": 5 * 1024 * 1024,
    "LMS_PASSWORD_SHEET_DAYS": 7,
    "LMS_STUCK_DAYS": 7,
    "LMS_ROSTER_UPLOAD_DAYS": 30,
    # failed sign-ins (lms/accounts/throttle.py): growing waits per account+address, a generous
    # budget per address (many people share one), a short ceiling per account over all addresses
    "LMS_SIGNIN_LIMIT_ACCOUNT_ADDRESS": "5 per minute; 10 per 15 minutes; 20 per hour; 50 per day",
    "LMS_SIGNIN_LIMIT_ADDRESS": "30 per minute; 300 per hour; 1000 per day",
    "LMS_SIGNIN_LIMIT_ACCOUNT": "20 per 10 minutes; 60 per hour",
    # signed-in learner pages kept whole per process (lms.web.pagecache); 0 turns the cache off
    "LMS_PAGE_CACHE_BYTES": 8 * 1024 * 1024,
    # wrong recovery codes (lms/accounts/recovery.py), counted like failed sign-ins but apart from them
    "LMS_RECOVERY_LIMIT_ACCOUNT_ADDRESS": "5 per minute; 10 per hour; 20 per day",
    "LMS_RECOVERY_LIMIT_ADDRESS": "20 per hour; 100 per day",
    "LMS_RECOVERY_LIMIT_ACCOUNT": "10 per hour; 30 per day",
    # sign-in cards (lms/ambassadors/cards.py): every use counts, per client address and per card
    "LMS_CARD_LIMIT_ADDRESS": "10 per minute; 60 per hour",
    "LMS_CARD_LIMIT_CARD": "10 per hour; 30 per day",
    # an ambassador acting as a citizen (lms/ambassadors/acting.py): the citizen's session on the
    # ambassador's device ends this long after it began
    "LMS_AMBASSADOR_ACTING_MINUTES": 120,
    # e-mailed reset links (lms/accounts/resetmail.py): off until LMS_MAIL_SERVER and LMS_MAIL_SENDER are set
    "LMS_RESET_LINK_MINUTES": 30,
    "LMS_RESET_MAIL_LIMIT": "3 per hour; 10 per day",  # links sent to one e-mail address
    # household invitations sent and household codes tried, per account (lms/households/limits.py)
    "LMS_HOUSEHOLD_LIMIT": "10 per hour; 30 per day",
    "LMS_MAIL_SERVER": None,
    "LMS_MAIL_PORT": 587,
    "LMS_MAIL_USERNAME": None,
    "LMS_MAIL_PASSWORD": None,
    "LMS_MAIL_USE_TLS": True,  # STARTTLS; on port 465, TLS from the first byte
    "LMS_MAIL_SENDER": None,
    "LMS_SESSION_HOURS": 24 * 14,  # a browser session ends on the server this long after sign-in
    "LMS_SESSION_COOKIE_SECURE": None,  # standalone: None = on when LMS_BASE_URL starts with https://
    # request size limits (lms.web.inputs): a larger body is refused with 413 before it is read whole
    "LMS_MAX_CONTENT_LENGTH": 2 * 1024 * 1024,  # any page; uploads have their own (LMS_ROSTER_MAX_BYTES)
    "LMS_API_MAX_BYTES": 256 * 1024,  # a JSON body of API v1
    "LMS_MAX_FORM_MEMORY_SIZE": 500_000,  # form fields (not files) kept in memory
    "LMS_MAX_FORM_PARTS": 500,  # fields and files of one form
    # the job queue (lms.jobs): RQ on this Redis with `lms worker`; without it, a thread of each app process
    "LMS_REDIS_URL": None,
    "LMS_JOB_RUNNER": "auto",  # auto (rq when LMS_REDIS_URL is set) | rq | thread
    "LMS_JOB_QUEUE": "lms",  # the RQ queue's name (two sites on one Redis: two names)
    "LMS_JOB_TIMEOUT_SECONDS": 1800,  # a job running longer is stopped and shown as failed
    "LMS_JOB_MAX_ATTEMPTS": 3,  # runs of a job whose worker died, before it is shown as failed
    "LMS_JOB_STALE_SECONDS": 60,  # a running job without a heartbeat this long is queued again
    "LMS_JOB_KEEP_DAYS": 7,  # finished jobs and their files (they name learners) are deleted after
    "LMS_CLASS_PDF_SYNC_MAX": 30,  # a class's certificates PDF up to this many pages is made on the request
    "LMS_ROSTER_SYNC_MAX": 1000,  # a roster of more rows is imported by a job
    "LMS_PASSWORD_SHEET_SYNC_MAX": 300,  # a password sheet of more slips is laid out as one PDF by a job
    # operations (lms/ops, lms/logs.py, lms/metrics.py)
    "LMS_PROXY_COUNT": 0,  # standalone: reverse proxies in front whose X-Forwarded-For/-Proto are trusted
    "LMS_LOG_FORMAT": "text",  # "json": one JSON object a line, with the request id
    "LMS_METRICS_ALLOW": "127.0.0.1,::1",  # who may read /metrics without LMS_METRICS_TOKEN
    "LMS_METRICS_TOKEN": None,  # a bearer token for /metrics (secret: environment only)
    "LMS_DATABASE_REPLICA_URL": None,  # a read-only copy for dashboards and public pages
}


def session_cookie_settings(config: dict) -> dict[str, object]:
    """Flask's cookie settings the standalone app sets unless the operator set them (a mounted LMS
    leaves the host's alone): SameSite=Lax, HttpOnly, Secure when served over HTTPS, and a
    cookie lifetime equal to the server-side session's."""
    secure = config.get("LMS_SESSION_COOKIE_SECURE")
    if secure is None:
        secure = str(config.get("LMS_BASE_URL") or "").lower().startswith("https://")
    hours = float(config.get("LMS_SESSION_HOURS") or DEFAULTS["LMS_SESSION_HOURS"])
    return {
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SECURE": bool(secure),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=hours),
    }


def apply_defaults(app: Flask) -> None:
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    if app.config["LMS_COURSES_DIR"] is None:
        app.config["LMS_COURSES_DIR"] = str(Path.cwd() / "courses")


def database_url(instance_path: str) -> str:
    """``LMS_DATABASE_URL`` or an SQLite file in the instance folder."""
    url = os.environ.get("LMS_DATABASE_URL")
    if url:
        return url
    return "sqlite:///" + str(Path(instance_path) / "lms.sqlite3")


def load_secret_key(instance_path: str) -> str:
    """``SECRET_KEY`` from the environment, else one generated once and kept (mode 0600)."""
    from_env = os.environ.get("SECRET_KEY")
    if from_env:
        return from_env
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
