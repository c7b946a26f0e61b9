"""URL rules whose builders are compiled when first used, not at start-up.

Werkzeug compiles two URL builders (Python code, through ``compile()``) for every rule as it is
added: for the LMS's ~165 rules that is ~40 ms of every server start, about a twentieth of the
one-second start (bench/startup.py), while a worker only ever builds the URLs of the pages it
renders. :class:`LazyBuilderRule` compiles each builder on its first ``url_for`` instead and then
keeps it, so matching, building and the URLs themselves stay Werkzeug's own.

It relies on ``Rule._compile_builder`` (checked on Werkzeug 3.1): tests/test_routing_lazy.py builds
every rule of the app through both kinds of rule and fails if a Werkzeug release changes this.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from werkzeug.routing import Rule


class LazyBuilderRule(Rule):
    """A Werkzeug rule that compiles each of its two URL builders on first use."""

    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        eager = Rule._compile_builder
        attribute = "_build_unknown" if append_unknown else "_build"

        def build_once(rule: Rule, **values: Any) -> tuple[str, str]:
            # two threads may both compile it: the same function, so either one can be kept
            compiled = eager(rule, append_unknown).__get__(rule, None)
            setattr(rule, attribute, compiled)
            return compiled(**values)

        return build_once
