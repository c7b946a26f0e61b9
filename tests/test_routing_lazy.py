"""The app's URL rules compile their builders on first use (lms.web.routing) and build exactly the
URLs Werkzeug's own rules build, for every rule of the app."""

from __future__ import annotations

import re

from werkzeug.routing import Map, Rule

from lms.web.routing import LazyBuilderRule


def sample_values(rule: Rule) -> dict[str, object]:
    """A value for each of the rule's arguments that its converter accepts."""
    values: dict[str, object] = {}
    for name in rule.arguments:
        if rule.defaults and name in rule.defaults:
            continue
        converter = rule._converters.get(name)
        kind = type(converter).__name__ if converter else ""
        if kind == "AnyConverter":
            values[name] = sorted(converter.items)[0]
        else:
            values[name] = 7 if kind == "IntegerConverter" else "a/b" if kind == "PathConverter" else "x-7"
    return values


def test_every_rule_of_the_app_is_lazy_and_builds_what_werkzeug_builds(app) -> None:
    rules = list(app.url_map.iter_rules())
    assert len(rules) > 150 and all(isinstance(rule, LazyBuilderRule) for rule in rules)
    eager_map = Map(converters=app.url_map.converters)
    adapter = app.url_map.bind("lms.example", url_scheme="https")
    checked = 0
    for rule in rules:
        eager = rule.empty()
        eager.__class__ = Rule  # the same rule as Werkzeug's own kind
        eager_map.add(eager)
        values = sample_values(rule)
        extra = {**values, "page": 2}  # an unknown argument becomes the query string
        assert rule._build_unknown.__name__ == "build_once"  # nothing compiled before its first use
        for given in (values, extra):
            lazy_url = adapter.build(rule.endpoint, given, method=next(iter(rule.methods or ["GET"])))
            if len([r for r in rules if r.endpoint == rule.endpoint]) == 1:
                assert lazy_url == eager_map.bind("lms.example", url_scheme="https").build(
                    rule.endpoint, given, method=next(iter(rule.methods or ["GET"])))
                checked += 1
    assert checked > 300
    # built once, kept: the compiled builder replaced the lazy one
    built = next(rule for rule in rules if rule.endpoint == "lms_courses.catalogue")
    assert built._build_unknown.__name__ != "build_once"
    assert built._build.__name__ == "build_once"  # only Map.build(append_unknown=False) uses it


def test_a_lazy_rule_matches_and_builds_with_converters_and_defaults() -> None:
    url_map = Map([LazyBuilderRule("/c/<slug>/lessons/<int:n>", endpoint="lesson"),
                   LazyBuilderRule("/p/", defaults={"page": 1}, endpoint="pages"),
                   LazyBuilderRule("/p/<int:page>", endpoint="pages")])
    adapter = url_map.bind("example.vn")
    assert adapter.match("/c/dien-thoai/lessons/3") == ("lesson", {"slug": "dien-thoai", "n": 3})
    assert adapter.build("lesson", {"slug": "điện thoại", "n": 3}) == "/c/%C4%91i%E1%BB%87n%20tho%E1%BA%A1i/lessons/3"
    assert adapter.build("lesson", {"slug": "a", "n": 3, "q": "x y"}) == "/c/a/lessons/3?q=x+y"
    assert adapter.build("pages", {"page": 1}) == "/p/"
    assert adapter.build("pages", {"page": 4}) == "/p/4"
    assert re.fullmatch(r"https://example\.vn/p/4", adapter.build("pages", {"page": 4}, force_external=True,
                                                                  url_scheme="https"))
