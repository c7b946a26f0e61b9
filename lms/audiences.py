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

#: the certificates' fixed Vietnamese wording for each audience (the printed document is always Vietnamese)
AUDIENCE_VI = {
    "officials": "Cán bộ, công chức, viên chức",
    "students": "Học sinh, sinh viên",
    "workers": "Người lao động trong doanh nghiệp, hợp tác xã",
    "citizens": "Người dân",
}


def audience_label(code: str) -> str:
    label = AUDIENCE_LABELS.get(code)
    return str(label) if label is not None else code
