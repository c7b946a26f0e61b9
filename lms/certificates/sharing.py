"""A verification link pasted into Zalo or Facebook shows a card: the Open Graph and Twitter tags
of the verdict page (:func:`share_tags`), and its picture (:func:`card_file`).

Only what the verification page already shows the public goes in: the masked name signed into
the token, course or path, date, issuer, code. Never the full name (the card is drawn from the
public record, :class:`lms.certificates.records.Public`, which does not hold it).

The picture is drawn once per certificate and status and kept as
``<instance>/certificates/cards/<CODE>.<status>.v<N>.png``; the status is in the file name, and
read from the same record the verdict page uses, so a revoked certificate's card says REVOKED on
every server as soon as its page does, and its og:image URL changes too (``?s=revoked``), so a
chat app that kept the old picture by URL fetches the new one. A revocation also deletes the
kept cards of this process's instance folder (:data:`lms.signals.certificate_revoked`).
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import quote, urlsplit

from flask import Flask, current_app

from lms.audiences import AUDIENCE_VI
from lms.certificates.files import write_atomically
from lms.certificates.records import Public
from lms.certificates.sharecard import HEIGHT, WIDTH, render_card
from lms.clock import local_day
from lms.signals import certificate_revoked
from lms.web.urls import base_url, public_url

log = logging.getLogger(__name__)
#: bump when the card's drawing changes: kept cards of the old drawing are then left unread
CARD_VERSION = 1
STATUSES = ("valid", "revoked")


def cards_folder(app: Flask | None = None) -> Path:
    return Path((app or current_app).instance_path) / "certificates" / "cards"


def card_path(code: str, status: str, app: Flask | None = None) -> Path:
    return cards_folder(app) / f"{code}.{status}.v{CARD_VERSION}.png"


def title_vi(record: Public) -> str:
    """What the (Vietnamese) card says was completed: as the PDF says it."""
    if record.kind == "path":
        group = AUDIENCE_VI.get(record.audience or "", "")
        return "Chương trình phổ cập kỹ năng số" + (f" dành cho {group.lower()}" if group else "")
    titles = record.course_title or {}
    return titles.get("vi") or record.subject


def card_facts(record: Public) -> dict:
    """The mapping :func:`lms.certificates.sharecard.render_card` draws: public facts only."""
    return {
        "status": "valid" if record.status == "valid" else "revoked",
        "kind": record.kind,
        "title": title_vi(record),
        "masked_name": record.masked_name,
        "issued_on": record.issued_on,
        "issuer": current_app.config["LMS_ISSUER"],
        "code": record.code,
        "host": urlsplit(base_url()).netloc or base_url(),
        "revoked_on": local_day(record.revoked_at) if record.revoked_at else None,
    }


def card_file(record: Public) -> Path:
    """The kept card of ``record`` in its current status, drawn now if it was not yet."""
    facts = card_facts(record)
    path = card_path(record.code, facts["status"])
    if not path.is_file():
        write_atomically(path, render_card(facts))
    return path


def card_url(record: Public) -> str:
    """The card's absolute URL; its query names the status, so it changes with it."""
    status = "valid" if record.status == "valid" else "revoked"
    return public_url("lms_certificates.share_card", token=record.token, s=status)


def page_url(token: str) -> str:
    """The verification page's canonical absolute URL (``og:url``, the link a holder shares)."""
    return public_url("lms_certificates.verify_token", token=token)


def share_links(token: str) -> dict:
    """For the holder's page: the link to share, and Facebook's plain share link (no script of
    theirs on our page; Zalo has no documented share URL, so it is reached through the phone's
    share sheet, Web Share API, or by pasting the copied link)."""
    url = page_url(token)
    return {"share_url": url, "facebook_url": "https://www.facebook.com/sharer/sharer.php?u=" + quote(url, safe="")}


def share_tags(record: Public, facts: dict, texts: dict[str, str], issued: str, revoked: str,
               locale: str = "vi") -> dict:
    """The Open Graph / Twitter values of a verdict page about ``record`` (``texts``: the page's
    translated texts; ``issued``, ``revoked``: its formatted dates), for ``lms/_share.html``."""
    values = {"name": facts["masked_name"], "title": facts["title"], "date": issued, "issuer": facts["issuer"],
              "revoked": revoked}
    if record.status == "valid":
        title, description = texts["og_title_valid"] % values, texts["og_description_valid"] % values
    else:
        title, description = texts["og_title_revoked"] % values, texts["og_description_revoked"] % values
    return {
        "title": title,
        "description": description,
        "url": page_url(record.token),
        "image": card_url(record),
        "image_alt": title,
        "width": WIDTH,
        "height": HEIGHT,
        "site_name": current_app.config["LMS_SITE_NAME"],
        "locale": locale,
    }


@certificate_revoked.connect
def _discard_cards(app: Flask, *, code: str, status: str) -> None:
    """A revoked certificate's kept valid card is deleted (the revoked one is drawn on demand)."""
    for old in STATUSES:
        try:
            card_path(code, old, app).unlink(missing_ok=True)
        except OSError:
            log.exception("cannot delete the share card of certificate %s", code)
