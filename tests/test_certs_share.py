"""Sharing (issue 16 item 5, issue 17 item 6): a verification link pasted into Zalo or Facebook
shows a card (Open Graph / Twitter tags and a picture with the masked name, REVOKED once
revoked); the holder's page offers the link to share; the public figures page has a card too."""

from __future__ import annotations

import io
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urlsplit

from PIL import Image

import lms.certificates.sharing as sharing
from lms.certificates.sharecard import BAND, HEIGHT, WIDTH
from tests.certs_helpers import earn, login_as, record
from tests.conftest import make_user, vi

NAME = "Nguyễn Thị Ánh Tuyết"
MASKED = "Nguyễn T. Á. T."
BASE = "http://localhost"


class Meta(HTMLParser):
    """The page's <meta property|name=... content=...> tags."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list) -> None:
        found = dict(attrs)
        key = found.get("property") or found.get("name")
        if tag == "meta" and key and "content" in found:
            self.tags[key] = found["content"]


def meta(html: str) -> dict[str, str]:
    parser = Meta()
    parser.feed(html)
    return parser.tags


def card_tags(tags: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in tags.items() if k.startswith(("og:", "twitter:")) or k == "description"}


def draws(monkeypatch) -> list[dict]:
    """Record what each share card is drawn from (the picture's only input)."""
    drawn: list[dict] = []
    real = sharing.render_card

    def spy(card):
        drawn.append(dict(card))
        return real(card)

    monkeypatch.setattr(sharing, "render_card", spy)
    return drawn


def test_the_verification_page_carries_a_card_with_the_masked_name(app, client, courses, units, monkeypatch) -> None:
    code = earn(app, client, full_name=NAME, unit_code="26734")
    client.post("/logout")
    token = record(app, code).token
    page = client.get(f"/V/{token}")
    html = page.get_data(as_text=True)
    tags = meta(html)
    assert tags["og:url"] == f"{BASE}/V/{token}"
    assert tags["og:image"] == f"{BASE}/V/{token}/card.png?s=valid" == tags["twitter:image"]
    assert tags["twitter:card"] == "summary_large_image" and tags["og:type"] == "website"
    assert (tags["og:image:width"], tags["og:image:height"], tags["og:image:type"]) == ("1200", "630", "image/png")
    assert tags["og:locale"] == "vi_VN" and tags["og:site_name"] == "Bình dân học vụ số"
    assert tags["og:title"] == vi("Certificate of %(name)s: %(title)s") % {
        "name": MASKED, "title": "Dùng điện thoại thông minh"}
    assert MASKED in tags["og:description"] and "Dùng điện thoại thông minh" in tags["og:description"]
    for key, value in card_tags(tags).items():  # never the full name, nor any part beyond the mask
        assert NAME not in value and "Ánh" not in value and "Tuyết" not in value, key
    assert NAME not in html
    # the typed code's verdict points at the same canonical link and card
    typed = meta(client.get(f"/verify?code={code}").get_data(as_text=True))
    assert typed["og:url"] == tags["og:url"] and typed["og:image"] == tags["og:image"]
    # a verifier's page (full name, private) has no card: a link preview fetches the public page
    make_user(app, "canbo", roles={"official"}, full_name="Trần Văn Cán", unit_code="26734")
    login_as(client, "canbo")
    full = client.get(f"/V/{token}").get_data(as_text=True)
    assert NAME in full and not card_tags(meta(full))
    # nothing to share about a token that is not ours
    assert not card_tags(meta(client.get(f"/V/{token[:-8]}AAAAAAAA").get_data(as_text=True)))


def test_the_card_picture_is_drawn_once_from_public_facts(app, client, courses, units, monkeypatch) -> None:
    code = earn(app, client, full_name=NAME, unit_code="26734")
    client.post("/logout")
    token = record(app, code).token
    drawn = draws(monkeypatch)
    image_url = meta(client.get(f"/V/{token}").get_data(as_text=True))["og:image"]
    card = client.get(urlsplit(image_url).path + "?" + urlsplit(image_url).query)
    assert card.status_code == 200 and card.mimetype == "image/png"
    assert card.headers["Cache-Control"] in ("public, max-age=300", "max-age=300, public")
    assert card.headers["ETag"] and card.headers["X-Robots-Tag"] == "noindex"
    picture = Image.open(io.BytesIO(card.data))
    assert picture.size == (WIDTH, HEIGHT) == (1200, 630)
    # drawn from the masked name, never the full name
    assert len(drawn) == 1 and drawn[0]["masked_name"] == MASKED and drawn[0]["status"] == "valid"
    texts = [value for value in drawn[0].values() if isinstance(value, str)]
    assert not [text for text in texts if "Ánh" in text or "Tuyết" in text]
    assert NAME.encode() not in card.data and NAME not in card.headers.get("Content-Disposition", "")
    # kept: the next request (any worker on this instance folder) draws nothing
    assert client.get(f"/V/{token}/card.png").data == card.data and len(drawn) == 1
    assert client.get(f"/V/{token}/card.png", headers={"If-None-Match": card.headers["ETag"]}).status_code == 304
    kept = Path(app.instance_path) / "certificates" / "cards" / f"{code}.valid.v{sharing.CARD_VERSION}.png"
    assert kept.read_bytes() == card.data
    # not ours: 404, nothing drawn
    assert client.get(f"/V/{token[:-8]}AAAAAAAA/card.png").status_code == 404 and len(drawn) == 1


def test_a_revoked_certificate_card_says_revoked(app, client, courses, units, monkeypatch) -> None:
    code = earn(app, client, full_name=NAME, unit_code="26734")
    client.post("/logout")
    token = record(app, code).token
    valid = client.get(f"/V/{token}/card.png").data
    drawn = draws(monkeypatch)
    result = app.test_cli_runner().invoke(args=["lms", "certs", "revoke", code, "--reason", "Thi hộ"])
    assert result.exit_code == 0, result.output
    cards = Path(app.instance_path) / "certificates" / "cards"
    assert not list(cards.glob(f"{code}.valid.*"))  # the revocation deleted the valid card
    tags = meta(client.get(f"/V/{token}").get_data(as_text=True))
    assert tags["og:image"] == f"{BASE}/V/{token}/card.png?s=revoked"  # a new URL: chat apps fetch it anew
    assert tags["og:title"].startswith("Chứng nhận ĐÃ THU HỒI")
    assert "thu hồi" in tags["og:description"] and MASKED not in tags["og:description"]
    # even the old URL now gets the revoked picture
    revoked = client.get(f"/V/{token}/card.png?s=valid")
    assert revoked.status_code == 200 and revoked.data != valid
    assert drawn[0]["status"] == "revoked" and drawn[0]["revoked_on"] is not None
    # the red band across the card, where the valid card shows the name on paper
    band = tuple(int(BAND[i:i + 2], 16) for i in (1, 3, 5))
    probe = (WIDTH // 10, 300)
    assert Image.open(io.BytesIO(revoked.data)).convert("RGB").getpixel(probe) == band
    assert Image.open(io.BytesIO(valid)).convert("RGB").getpixel(probe) != band


def test_the_holder_page_offers_the_link_to_share(app, client, courses, units) -> None:
    code = earn(app, client, full_name=NAME, unit_code="26734")
    token = record(app, code).token
    login_as(client, "0912345678")
    html = client.get(f"/certificates/{code}").get_data(as_text=True)
    link = f"{BASE}/V/{token}"
    # visible without JavaScript: the link itself, and Facebook's plain share link
    assert f'id="share-url" class="share-url" type="url" value="{link}" readonly' in html
    assert f'href="https://www.facebook.com/sharer/sharer.php?u={quote(link, safe="")}"' in html
    assert 'id="share-button" hidden' in html and 'id="copy-button" class="secondary" hidden' in html
    assert "share.js" in html and vi("Share your certificate") in html
    # their teacher or an admin sees the certificate, not a share box
    client.post("/logout")
    make_user(app, "quantri", roles={"admin"}, full_name="Quản Trị Viên")
    login_as(client, "quantri")
    assert 'id="share-url"' not in client.get(f"/certificates/{code}").get_data(as_text=True)
    # nothing to share once revoked
    assert app.test_cli_runner().invoke(args=["lms", "certs", "revoke", code, "--reason", "Thi hộ"]).exit_code == 0
    client.post("/logout")
    login_as(client, "0912345678")
    assert 'id="share-url"' not in client.get(f"/certificates/{code}").get_data(as_text=True)


def test_the_public_figures_page_has_a_card_with_nothing_personal(app, client, courses, units, monkeypatch) -> None:
    import lms.coverage.views as coverage_views

    # the page keeps its report per process (5 minutes), across apps: keep this test's apart
    monkeypatch.setattr(coverage_views, "_public_cache", {})
    earn(app, client, full_name=NAME, unit_code="26734")
    client.post("/logout")
    html = client.get("/coverage/public?unit=79&year=2026").get_data(as_text=True)
    tags = card_tags(meta(html))
    assert tags["og:url"] == f"{BASE}/coverage/public?unit=79&year=2026"
    assert tags["og:image"] == f"{BASE}/static/share.png" and tags["twitter:card"] == "summary_large_image"
    assert "Thành phố Hồ Chí Minh" in tags["og:title"] and "2026" in tags["og:title"]
    assert tags["og:description"].startswith(vi("Figures as of %(date)s").split("%")[0])
    for value in tags.values():
        assert NAME not in value and "0912345678" not in value
    image = client.get("/static/share.png")
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert Image.open(io.BytesIO(image.data)).size == (1200, 630)
