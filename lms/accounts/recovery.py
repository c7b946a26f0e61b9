"""Getting back into an account: the learner's recovery code, and a new one-time password given by
someone who looks after the learner. Plain functions; the callers commit.

Wrong recovery codes are counted like failed sign-ins (:mod:`lms.accounts.throttle`: per account
and address, per address, per account), in budgets of their own (``LMS_RECOVERY_LIMIT_*``), so
guessing codes never spends the owner's sign-in budget and the other way round. An unknown login
is counted and answered like a wrong code: the page never tells who has an account.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping

from werkzeug.security import check_password_hash

from lms.accounts.models import User
from lms.accounts.onetime import (
    hash_one_time_password,
    new_one_time_password,
    new_recovery_code,
    normalize_recovery_code,
)
from lms.accounts.services import (
    AccountError,
    SignInBlocked,
    audit,
    find_by_login,
    revoke_credentials,
    secret_digest,
    set_password,
)
from lms.accounts.throttle import SignInLimits, client_key, parse_limits, throttle_for_app
from lms.i18n import _
from lms.signals import anyone_agrees, manages_learner
from lms.units.services import within

#: roles whose accounts are never reset through the web (``lms users set-password`` does it)
STAFF_ROLES = ("teacher", "verifier", "official", "admin", "ambassador")


def recovery_limits(config: Mapping[str, object]) -> SignInLimits:
    return SignInLimits(
        pair=parse_limits(config.get("LMS_RECOVERY_LIMIT_ACCOUNT_ADDRESS")),
        address=parse_limits(config.get("LMS_RECOVERY_LIMIT_ADDRESS")),
        account=parse_limits(config.get("LMS_RECOVERY_LIMIT_ACCOUNT")),
    )


def recovery_digest(code: str) -> str:
    """What is stored of a recovery code: the SHA-256 of its normalised form (see lms.accounts.onetime)."""
    return secret_digest("recovery:" + normalize_recovery_code(code))


def issue_recovery_code(user: User) -> str:
    """A new recovery code for the account, to show once; the previous one stops working."""
    code = new_recovery_code()
    user.recovery_code_hash = recovery_digest(code)
    return code


def code_matches(user: User | None, code: str) -> bool:
    if user is None or not user.recovery_code_hash or not normalize_recovery_code(code):
        hmac.compare_digest("0" * 64, recovery_digest(code))  # the same work for an unknown account
        return False
    return hmac.compare_digest(user.recovery_code_hash, recovery_digest(code))


def recover_with_code(
    login: str, code: str, new_password: str, address: str, config: Mapping[str, object]
) -> tuple[User, str]:
    """Set a new password with the recovery code; returns the account and its *new* recovery code.

    Raises :class:`SignInBlocked` while this client must wait (before the code is looked at),
    ``AccountError("code")`` for a wrong code or an unknown login (the same words for both),
    ``AccountError("new_password")`` for a password the rules refuse (the code stays valid).
    Every session and API token of the account ends (:func:`set_password`).
    """
    user = find_by_login(login)
    account = f"recovery:user:{user.id}" if user is not None else "recovery:login:" + (login or "").strip().lower()[:64]
    where = "recovery|" + client_key(address)  # apart from the sign-in address budget
    limits = recovery_limits(config)
    throttle = throttle_for_app()
    wait = throttle.wait_seconds(account, where, limits)
    if wait:
        raise SignInBlocked(wait)
    if not code_matches(user, code):
        throttle.failed(account, where, limits)
        raise AccountError("code", _("This phone number or username and this recovery code do not match."))
    throttle.succeeded(account, where, limits)
    set_password(user, new_password, min_length=int(config.get("LMS_PASSWORD_MIN_LENGTH") or 8))
    new_code = issue_recovery_code(user)
    audit(user, "recover_with_code", "user", user.id, {})
    return user, new_code


def is_staff(user: User) -> bool:
    return user.has_role(*STAFF_ROLES)


def may_give_password(helper: User | None, learner: User | None) -> bool:
    """May ``helper`` give ``learner`` a new one-time password? A learner's teacher (any member of
    their classes), an official for learners of their unit and the units below it, an admin for
    any learner. Never one's own account, never a staff account."""
    if helper is None or learner is None or helper.id == learner.id or is_staff(learner):
        return False
    if helper.has_role("admin"):
        return True
    if helper.has_role("official") and within(learner.unit, helper.unit):
        return True
    # a teacher for their classes' members (lms.classes), an ambassador for the people they
    # registered or helped in their commune (lms.ambassadors)
    return helper.has_role("teacher", "ambassador") and anyone_agrees(
        manages_learner, helper=helper, learner_id=learner.id)


def give_one_time_password(helper: User, learner: User) -> str:
    """A new one-time password for the learner, to show once to the helper. The learner's sessions
    and tokens end, and they must choose their own password at the next sign-in. Audited (without
    the password). The caller has checked :func:`may_give_password`."""
    password = new_one_time_password()
    learner.password_hash = hash_one_time_password(password)
    learner.must_change_password = True
    revoke_credentials(learner.id)
    roles = sorted(helper.roles & {"teacher", "official", "admin", "ambassador"})
    audit(helper, "give_one_time_password", "user", learner.id, {"as": roles})
    return password


def choose_first_password(user: User, new_password: str, confirm: str, min_length: int) -> str:
    """The learner replaces a one-time password: checked like any new password, not the one-time
    password again. Returns a new recovery code to show (the learner may have lost theirs)."""
    if new_password != confirm:
        raise AccountError("confirm", _("The two passwords are not the same."))
    if check_password_hash(user.password_hash, new_password or ""):
        raise AccountError("new_password", _("Choose a password different from the one-time password."))
    set_password(user, new_password, min_length=min_length)
    return issue_recovery_code(user)
