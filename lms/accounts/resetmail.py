"""Single-use links, sent by e-mail: to choose a new password, and to confirm an address.

Reset links go only to an address its owner confirmed (a link sent to it when they saved it on
their page, valid :data:`CONFIRM_HOURS`): an address a teacher's roster typed, or one mistyped,
never receives the power to reset an account.

Offered only when the site can send mail (``LMS_MAIL_SERVER`` and ``LMS_MAIL_SENDER``). A link
carries 256 random bits; only their SHA-256 is stored (:func:`secret_digest`, like sessions),
it works once and for ``LMS_RESET_LINK_MINUTES`` (30). Asking for links answers the same page
whether the address belongs to an account or not, and the mail leaves from a background thread
so the answer takes the same time too. Links sent to one address are limited
(``LMS_RESET_MAIL_LIMIT``); each request also counts against the client address's recovery budget.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
import ssl
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import func, select, update

from lms.accounts.models import PasswordResetLink, User
from lms.accounts.services import audit, secret_digest, set_password
from lms.accounts.throttle import client_key, parse_limits
from lms.counters import spend_all
from lms.db import db, now_utc
from lms.i18n import _
from lms.web.urls import public_url

log = logging.getLogger(__name__)
SCOPE_MAIL = "lms-reset-mail"
#: how long a link to confirm an address works
CONFIRM_HOURS = 24


@dataclass(frozen=True)
class MailSettings:
    server: str
    port: int
    username: str | None
    password: str | None
    use_tls: bool
    sender: str

    @classmethod
    def from_config(cls, config: Mapping[str, object]) -> MailSettings | None:
        """The settings, or None when the site cannot send mail (the e-mail option is not offered)."""
        if not config.get("LMS_MAIL_SERVER") or not config.get("LMS_MAIL_SENDER"):
            return None
        return cls(
            server=str(config["LMS_MAIL_SERVER"]), port=int(config.get("LMS_MAIL_PORT") or 587),
            username=config.get("LMS_MAIL_USERNAME") or None, password=config.get("LMS_MAIL_PASSWORD") or None,
            use_tls=bool(config.get("LMS_MAIL_USE_TLS")), sender=str(config["LMS_MAIL_SENDER"]),
        )


def send_mail(settings: MailSettings, to: str, subject: str, body: str) -> None:
    """One plain-text message through the configured server (STARTTLS, or TLS at once on port 465)."""
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = settings.sender, to, subject
    message.set_content(body)
    if settings.use_tls and settings.port == 465:
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(settings.server, settings.port, timeout=20,
                                              context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(settings.server, settings.port, timeout=20)
    with smtp:
        if settings.use_tls and settings.port != 465:
            smtp.starttls(context=ssl.create_default_context())
        if settings.username:
            smtp.login(settings.username, settings.password or "")
        smtp.send_message(message)


def _send_in_background(settings: MailSettings, messages: list[tuple[str, str, str]]) -> threading.Thread:
    def run() -> None:
        for to, subject, body in messages:
            try:
                send_mail(settings, to, subject, body)
            except (OSError, smtplib.SMTPException) as error:
                # never the link (it is a password) nor the address (personal data) in the log
                log.warning("a password-reset e-mail could not be sent: %s", type(error).__name__)

    thread = threading.Thread(target=run, name="lms-reset-mail", daemon=True)
    thread.start()
    return thread


def may_send(email: str, address: str) -> bool:
    """Count one request for this e-mail address and this client; False once either is spent."""
    per_email = parse_limits(current_app.config.get("LMS_RESET_MAIL_LIMIT"))
    per_address = parse_limits(current_app.config.get("LMS_RECOVERY_LIMIT_ADDRESS"))
    where = "mail|" + client_key(address)
    return spend_all("reset-mail", [(item, SCOPE_MAIL, "to|" + email) for item in per_email]
                     + [(item, SCOPE_MAIL, where) for item in per_address])


def _new_link(user: User, purpose: str, lifetime: timedelta, email: str | None = None) -> str:
    """Store a new link (its SHA-256) and return the token it carries."""
    raw = secrets.token_urlsafe(32)
    now = now_utc()
    db.session.add(PasswordResetLink(user_id=user.id, purpose=purpose, email=email, token_hash=secret_digest(raw),
                                     created_at=now, expires_at=now + lifetime))
    return raw


def send_reset_links(email: str, settings: MailSettings) -> threading.Thread | None:
    """A new link for every account whose owner confirmed this address, each in its own e-mail
    (a family may share one address); nothing when none has it. An address nobody confirmed (one
    a teacher's roster typed, or a typo) gets nothing. Commits the links before the mail leaves."""
    users = list(db.session.scalars(
        select(User).where(func.lower(User.email) == email, User.email_verified_at.is_not(None))))
    if not users:
        return None
    minutes = int(current_app.config.get("LMS_RESET_LINK_MINUTES") or 30)
    messages = []
    for user in users:
        raw = _new_link(user, "reset", timedelta(minutes=minutes))
        body = "\n\n".join([
            _("Hello %(name)s,", name=user.full_name),
            _("Someone, probably you, asked to choose a new password for the account %(login)s on %(site)s. "
              "Open this link within %(minutes)d minutes to choose it; it works only once:",
              login=user.phone or user.username, site=current_app.config["LMS_SITE_NAME"], minutes=minutes),
            public_url("lms_accounts.reset_with_link", token=raw),
            _("If you did not ask for it, ignore this e-mail: your password stays as it is."),
        ])
        messages.append((user.email, _("Choose a new password – %(site)s", site=current_app.config["LMS_SITE_NAME"]),
                         body))
    db.session.commit()
    return _send_in_background(settings, messages)


class LinkRefused(Exception):
    """The link cannot be used; ``message`` says why, in the reader's language."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message, self.status = message, status


def send_confirmation(user: User, settings: MailSettings) -> threading.Thread:
    """A link to the account's new address: opening it and pressing the button proves the address
    the owner's. Commits the link before the mail leaves."""
    raw = _new_link(user, "confirm_email", timedelta(hours=CONFIRM_HOURS), email=user.email)
    site = current_app.config["LMS_SITE_NAME"]
    body = "\n\n".join([
        _("Hello %(name)s,", name=user.full_name),
        _("To receive a link here when you forget your password on %(site)s, open this link within %(hours)d "
          "hours and press the button:", site=site, hours=CONFIRM_HOURS),
        public_url("lms_accounts.confirm_email", token=raw),
        _("If you did not ask for it, ignore this e-mail."),
    ])
    db.session.commit()
    return _send_in_background(settings, [(user.email, _("Confirm your e-mail address – %(site)s", site=site),
                                           body)])


def confirm_email(raw: str) -> User:
    """Use a confirmation link: the address it was sent to is now the owner's (caller commits)."""
    link = live_link(raw, "confirm_email")
    user = link.user
    claimed = db.session.execute(update(PasswordResetLink).where(
        PasswordResetLink.id == link.id, PasswordResetLink.used_at.is_(None)).values(used_at=now_utc()))
    if claimed.rowcount != 1:
        raise LinkRefused(_("This link has already been used. Each link works only once: ask for a new one."), 410)
    if (user.email or "").lower() != (link.email or ""):
        raise LinkRefused(_("This link was sent to an address that is no longer on your account."), 410)
    user.email_verified_at = now_utc()
    audit(user, "confirm_email", "user", user.id, {})
    return user


def live_link(raw: str, purpose: str = "reset") -> PasswordResetLink:
    """The link behind this token, if it may still be used; else :class:`LinkRefused`."""
    link = db.session.scalar(select(PasswordResetLink).where(
        PasswordResetLink.token_hash == secret_digest(raw or ""), PasswordResetLink.purpose == purpose))
    if link is None:
        raise LinkRefused(_("This link is not right. Copy the whole link from the e-mail, or ask for a new one."), 404)
    if link.used_at is not None:
        raise LinkRefused(_("This link has already been used. Each link works only once: ask for a new one."), 410)
    if link.expires_at <= now_utc() and purpose == "reset":
        raise LinkRefused(_("This link has expired. Links work for %(minutes)d minutes: ask for a new one.",
                            minutes=int(current_app.config.get("LMS_RESET_LINK_MINUTES") or 30)), 410)
    if link.expires_at <= now_utc():
        raise LinkRefused(_("This link has expired. Save your e-mail address again on your account page to get "
                            "a new one."), 410)
    return link


def reset_with_link(raw: str, new_password: str) -> User:
    """Use the link: a new password (every session and token ends), the link and the account's
    other links spent. The caller commits; a password the rules refuse leaves the link unused."""
    link = live_link(raw)
    user = link.user
    now = now_utc()
    # claimed with a conditional UPDATE: of two requests racing with one link, one wins
    claimed = db.session.execute(update(PasswordResetLink).where(
        PasswordResetLink.id == link.id, PasswordResetLink.used_at.is_(None)).values(used_at=now))
    if claimed.rowcount != 1:
        raise LinkRefused(_("This link has already been used. Each link works only once: ask for a new one."), 410)
    set_password(user, new_password, min_length=int(current_app.config.get("LMS_PASSWORD_MIN_LENGTH") or 8))
    db.session.execute(update(PasswordResetLink).where(
        PasswordResetLink.user_id == user.id, PasswordResetLink.used_at.is_(None), PasswordResetLink.purpose == "reset",
    ).values(used_at=now))
    audit(user, "reset_with_link", "user", user.id, {})
    return user
