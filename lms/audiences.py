"""The four audiences of the movement (Decision 757/QĐ-BKHCN's four target groups)."""

from __future__ import annotations

from lms.i18n import _l

AUDIENCES: tuple[str, ...] = ("officials", "students", "workers", "citizens")

AUDIENCE_LABELS = {
    "officials": _l("Officials and public employees"),
    "students": _l("Pupils and students"),
    "workers": _l("Workers in enterprises and cooperatives"),
    "citizens": _l("Citizens"),
}


def audience_label(code: str) -> str:
    label = AUDIENCE_LABELS.get(code)
    return str(label) if label is not None else code


def is_audience(code: object) -> bool:
    return isinstance(code, str) and code in AUDIENCES
