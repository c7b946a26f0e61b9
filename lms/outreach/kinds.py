"""The kinds of outreach activity, in the forms the provincial guidance on outreach lists
(Hướng dẫn tuyên truyền phong trào “Bình dân học vụ số”, part II.2 and III).

The codes are stored and exported (a contract: never renamed, only added); the labels translate.
"""

from __future__ import annotations

from lms.i18n import _l

#: in the guidance's order: II.2.2, II.2.2, II.2.5, II.2.1, II.2.4, II.2.3/2.5, II.2.6
KINDS: tuple[str, ...] = ("meeting", "talk", "broadcast", "post", "visual", "community", "day_1010")

KIND_LABELS = {
    "meeting": _l("Party cell and association meetings"),
    "talk": _l("Talks, thematic briefings and conferences of reporters"),
    "broadcast": _l("Broadcasts on the grassroots loudspeaker system"),
    "post": _l("News items and articles in the press, on portals and social networks"),
    "visual": _l("Visual outreach: billboards, posters, banners, electronic boards and LED screens"),
    "community": _l("Community and socio-political events, reaching every household"),
    "day_1010": _l("Activities for the Day of digital learning for all (10 October)"),
}

#: a short column heading for the report's tables
KIND_SHORT = {
    "meeting": _l("Meetings"),
    "talk": _l("Talks and conferences"),
    "broadcast": _l("Loudspeakers"),
    "post": _l("News and articles"),
    "visual": _l("Banners and LED screens"),
    "community": _l("Community events"),
    "day_1010": _l("10/10 events"),
}


def kind_label(code: str, short: bool = False) -> str:
    label = (KIND_SHORT if short else KIND_LABELS).get(code)
    return str(label) if label is not None else code
