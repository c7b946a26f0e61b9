"""Machine-made secrets a person copies by hand: one-time passwords and recovery codes.

Both are drawn by ``secrets`` from an alphabet without 0/o, 1/l/i, so nothing is confused on
paper or a small screen.

* A **one-time password** (12 symbols, 59.4 bits) is what a teacher's roster or a helper's reset
  hands out; it is hashed with PBKDF2 at a reduced count (see :mod:`lms.classes.passwords` for why
  that is enough for a machine-made secret) and must be replaced at first sign-in.
* A **recovery code** (16 symbols in 4 groups of 4, 79.3 bits) lets a learner who forgot their
  password choose a new one. Only its SHA-256 (:func:`lms.accounts.services.secret_digest`, like
  session ids and API tokens) is stored: with 79 bits of randomness, a salt or a slow hash buys
  nothing (2^78 SHA-256 guesses on average, ~480,000 years of a GPU at 2e10 a second), and the
  guesses that matter, through the web, are rate-limited. It is shown once.
"""

from __future__ import annotations

import secrets

from werkzeug.security import generate_password_hash

#: no 0/o, 1/l/i: nothing to confuse on paper or a small screen
OTP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
OTP_LENGTH = 12
OTP_ITERATIONS = 1000
RECOVERY_GROUPS, RECOVERY_GROUP = 4, 4
RECOVERY_ALPHABET = OTP_ALPHABET.upper()


def new_one_time_password() -> str:
    return "".join(secrets.choice(OTP_ALPHABET) for _ in range(OTP_LENGTH))


def hash_one_time_password(password: str, iterations: int = OTP_ITERATIONS) -> str:
    """A werkzeug hash string for a *machine-generated* one-time password (never a chosen one)."""
    return generate_password_hash(password, method=f"pbkdf2:sha256:{iterations}")


def new_recovery_code() -> str:
    """ "K7QX-M3TD-PW9A-HC4R": groups of four, easy to copy by hand."""
    symbols = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_GROUPS * RECOVERY_GROUP))
    return "-".join(symbols[i:i + RECOVERY_GROUP] for i in range(0, len(symbols), RECOVERY_GROUP))


def normalize_recovery_code(typed: str | None) -> str:
    """What was typed, without case, spaces, dashes or dots: "k7qx m3td-pw9a.hc4r" -> "K7QXM3TDPW9AHC4R"."""
    return "".join(ch for ch in (typed or "").upper() if ch.isalnum())[:64]
