"""The kernel's shared budgets (lms.counters.spend_all): all or nothing, one counter per app."""

from __future__ import annotations

from limits import parse

from lms.counters import app_counter, spend_all


def test_a_refused_try_uses_up_none_of_the_other_budgets(app) -> None:
    one, five = parse("1/hour"), parse("5/hour")
    with app.app_context():
        assert spend_all("test", [(one, "scope", "a"), (five, "scope", "b")])
        # "a" is spent: refused, and "b" is not counted for it
        assert not spend_all("test", [(one, "scope", "a"), (five, "scope", "b")])
        assert not spend_all("test", [(one, "scope", "a"), (five, "scope", "b")])
        assert [spend_all("test", [(five, "scope", "b")]) for _ in range(5)] == [True, True, True, True, False]
        # another scope: a budget of its own (scopes, not counters, keep budgets apart on a shared Redis)
        assert spend_all("test", [(one, "elsewhere", "a")])
        assert spend_all("test", [])
        assert app_counter("test") is app_counter("test") and app_counter("test") is not app_counter("other")
