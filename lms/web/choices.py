"""WTForms select choices from (value, label) pairs (WTForms 3.4 drops plain tuples)."""

from __future__ import annotations

from collections.abc import Iterable

from wtforms.fields import SelectChoice


def choices(pairs: Iterable[tuple[object, object]]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]
