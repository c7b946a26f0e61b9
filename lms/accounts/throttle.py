"""Failed sign-ins are counted, and past a limit the next try must wait (the ``limits`` library counts).

Three budgets, each a list of moving windows (``LMS_SIGNIN_LIMIT_*``, e.g. "5 per minute; 10 per
15 minutes; 20 per hour; 50 per day"). Several windows make the wait grow: the 5th failure in a
minute means waiting until the oldest of them is a minute old; the 10th in a quarter of an hour,
up to 15 minutes; and so on. Only failures are counted; a correct password clears the
account+address budget (never the others, or one valid account would reset an address).

* **account + address** (tight, growing): one client guessing one account's password.
* **address** (generous: a school or a mobile operator puts many people behind one address):
  one client trying many accounts.
* **account** (a ceiling over all addresses, short windows): many clients guessing one account.
  It only stops addresses that have themselves failed on this account within the longest
  account+address window: an address with no failure for this account (the owner at home) still
  signs in, so an attacker cannot lock the owner out by failing on purpose.

The check comes before the password is looked at, so while a budget is spent even the right
password is refused from that client. Storage is ``LMS_RATELIMIT_STORAGE_URI`` (Redis shares the
counts between workers); when it fails, this process counts in memory for a while and sign-in
goes on. Behind a reverse proxy, ProxyFix must give the client's address (see README). An IPv6
client is counted by its /64 network: one household or phone gets a whole /64 and could
otherwise take a fresh address for every guess.
"""

from __future__ import annotations

import ipaddress
import math
import time
from dataclasses import dataclass
from functools import lru_cache

from flask import current_app
from limits import RateLimitItem, parse_many
from limits.strategies import MovingWindowRateLimiter

from lms.counters import ResilientCounter
from lms.i18n import _

SCOPE_PAIR, SCOPE_ADDRESS, SCOPE_ACCOUNT = "lms-signin-pair", "lms-signin-address", "lms-signin-account"


@lru_cache(maxsize=16)
def parse_limits(setting: str | None) -> tuple[RateLimitItem, ...]:
    """ "5 per minute; 10 per 15 minutes" -> windows; empty -> none (that budget is off)."""
    if not setting or not str(setting).strip():
        return ()
    try:
        return tuple(parse_many(str(setting)))
    except ValueError:
        raise ValueError(f'sign-in limits must read like "5 per minute; 20 per hour", not {setting!r}') from None


@dataclass(frozen=True)
class SignInLimits:
    pair: tuple[RateLimitItem, ...]
    address: tuple[RateLimitItem, ...]
    account: tuple[RateLimitItem, ...]

    @classmethod
    def from_config(cls, config: dict) -> SignInLimits:
        return cls(
            pair=parse_limits(config.get("LMS_SIGNIN_LIMIT_ACCOUNT_ADDRESS")),
            address=parse_limits(config.get("LMS_SIGNIN_LIMIT_ADDRESS")),
            account=parse_limits(config.get("LMS_SIGNIN_LIMIT_ACCOUNT")),
        )


class SignInThrottle:
    """Counts failed sign-ins of one app; shared through the configured storage."""

    def __init__(self, uri: str | None) -> None:
        self.counter = ResilientCounter(uri, MovingWindowRateLimiter, "sign-in")

    def wait_seconds(self, account: str, address: str, limits: SignInLimits) -> int:
        """0 when this client may try this account now, else the seconds to wait."""

        def check(counter: MovingWindowRateLimiter) -> int:
            pair = f"{account}|{address}"
            resets = [_reset(counter, item, SCOPE_PAIR, pair) for item in limits.pair]
            resets += [_reset(counter, item, SCOPE_ADDRESS, address) for item in limits.address]
            account_resets = [_reset(counter, item, SCOPE_ACCOUNT, account) for item in limits.account]
            if any(account_resets) and not _clean(counter, limits, pair):
                resets += account_resets
            wait = max(resets, default=0.0)
            return max(1, math.ceil(wait - time.time())) if wait else 0

        return self.counter.run(check)

    def failed(self, account: str, address: str, limits: SignInLimits) -> None:
        def count(counter: MovingWindowRateLimiter) -> None:
            for item in limits.pair:
                counter.hit(item, SCOPE_PAIR, f"{account}|{address}")
            for item in limits.address:
                counter.hit(item, SCOPE_ADDRESS, address)
            for item in limits.account:
                counter.hit(item, SCOPE_ACCOUNT, account)

        self.counter.run(count)

    def succeeded(self, account: str, address: str, limits: SignInLimits) -> None:
        def clear(counter: MovingWindowRateLimiter) -> None:
            for item in limits.pair:
                counter.clear(item, SCOPE_PAIR, f"{account}|{address}")

        self.counter.run(clear)


def _reset(counter: MovingWindowRateLimiter, item: RateLimitItem, scope: str, key: str) -> float:
    """When this spent window lets one more try in (epoch seconds), or 0.0 when it is not spent."""
    if counter.test(item, scope, key):
        return 0.0
    return float(counter.get_window_stats(item, scope, key).reset_time)


def _clean(counter: MovingWindowRateLimiter, limits: SignInLimits, pair: str) -> bool:
    """No failure for this account from this address within the longest account+address window."""
    if not limits.pair:
        return False
    longest = max(limits.pair, key=lambda item: item.get_expiry())
    return counter.get_window_stats(longest, SCOPE_PAIR, pair).remaining >= longest.amount


def client_key(address: str | None) -> str:
    """The address that is counted: IPv4 as is, IPv6 as its /64 network."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return address or "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def throttle_for_app() -> SignInThrottle:
    """This app's throttle, made on first use from ``LMS_RATELIMIT_STORAGE_URI``."""
    extras = current_app.extensions["lms"].extras
    throttle = extras.get("signin_throttle")
    if throttle is None:
        throttle = extras.setdefault(
            "signin_throttle", SignInThrottle(current_app.config.get("LMS_RATELIMIT_STORAGE_URI"))
        )
    return throttle


def blocked_message(seconds: int) -> str:
    """What the person reads, in their language: how long to wait."""
    if seconds < 120:
        return _("Too many failed sign-in attempts. Please wait %(seconds)d seconds and try again.",
                 seconds=seconds)
    return _("Too many failed sign-in attempts. Please wait %(minutes)d minutes and try again.",
             minutes=math.ceil(seconds / 60))
