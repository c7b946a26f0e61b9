"""Certificate PDFs (A4 landscape, WeasyPrint) and the plain HTML page for phones.

A certificate view is a plain mapping, so this runs without a request or a database:

    full_name, kind ("course"|"path"), title, issued_on (date or ISO string), issuer,
    code, verify_url; optional: audience (code), unit_name, lookup_url, place.

Speed: the stylesheet (with its ``@font-face`` rules) is parsed once per
:class:`CertificateRenderer` and its FontConfiguration reused, so fonts are loaded once
per process; the QR is a ~500-byte 1-bit PNG scaled with ``image-rendering: pixelated``
(an inline SVG path of ~1,000 runs costs WeasyPrint ~55 ms a page to parse and draw).

Archival and machine-checkable: every PDF is PDF/A-3b (:data:`PDF_VARIANT`: XMP metadata
with ``pdfaid:part`` 3 and conformance B, an sRGB output intent, embedded fonts), and each
certificate's signed Open Badges credential, when given, is embedded as an associated file
(``chung-nhan-<CODE>.json``, ``AFRelationship /Alternative``: the same achievement in a form a
machine checks), so one file is both printed and verified.

Safety: fonts and images come through :class:`lms.printing.fonts.RestrictedFetcher` (only
``data:`` URIs and our font files: no file system, no network).
"""

from __future__ import annotations

import functools
import io
import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from weasyprint import CSS, HTML, Attachment
from weasyprint.text.fonts import FontConfiguration

from lms.audiences import AUDIENCE_VI, audience_label
from lms.i18n import _
from lms.printing.dates import vi_date
from lms.printing.fonts import FontFiles, RestrictedFetcher, find_fonts
from lms.printing.qr import make_qr_png, make_qr_svg, png_data_uri
from lms.textcheck import printable

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"
_PREFIX = "lms/certificates/"
_WARM_UP_VIEW = {
    "full_name": "Nguyễn Văn A", "kind": "path", "title": "Kỹ năng số", "issued_on": date(2026, 1, 1),
    "issuer": "Bình dân học vụ số", "code": "0000-0000-0000-0000", "verify_url": "HTTPS://EXAMPLE.VN/V/0",
}
#: ISO 19005-3 level B: archival, and the only PDF/A part that may embed a non-PDF file
PDF_VARIANT = "pdf/a-3b"
#: the embedded credential is another representation of the certificate (ISO 32000-2, 7.11.3;
#: Factur-X uses the same for its XML beside the printed invoice)
CREDENTIAL_RELATIONSHIP = "Alternative"
_REQUIRED = ("full_name", "kind", "title", "issued_on", "issuer", "code", "verify_url")


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["_"] = _  # English msgids; Vietnamese in a request with the vi locale
    return env


_env = _environment()


def prepare_view(view: Mapping) -> dict:
    """Check a certificate view and add what the templates show (labels, dates, QR)."""
    missing = [key for key in _REQUIRED if not view.get(key)]
    if missing:
        raise ValueError(f"certificate view lacks {', '.join(missing)}")
    if view["kind"] not in ("course", "path"):
        raise ValueError("kind must be 'course' or 'path'")
    issued = view["issued_on"]
    issued = date.fromisoformat(issued) if isinstance(issued, str) else issued
    audience = view.get("audience")
    if audience and "audience_label" not in view:
        label = audience_label(audience)
    else:
        label = view.get("audience_label")
    place = view.get("place")
    audience_vi = AUDIENCE_VI.get(audience or "", label)
    facts = [f"Đối tượng: {audience_vi}"] if audience_vi else []
    if view.get("unit_name"):
        facts.append(f"Đơn vị: {view['unit_name']}")
    return {
        **view,
        # a name stored before names were checked may hold a text-direction override or a
        # control character: it must never print reversed, nor break the PDF
        "full_name": printable(view["full_name"]) or "—",
        "issued_on": issued,
        "issued_vi": vi_date(issued),
        "issued_iso": issued.isoformat(),
        "date_line": f"{place}, {vi_date(issued)}" if place else vi_date(issued).capitalize(),
        "audience_vi": audience_vi,
        # one element with `white-space: pre-line` instead of two: fewer boxes, faster
        "facts_vi": "\n".join(facts),
        "audience_label": label,
    }


class CertificateRenderer:
    """Renders certificate PDFs; keep one per process (fonts and stylesheet are parsed once)."""

    def __init__(self, fonts: FontFiles | None = None) -> None:
        self.fonts = fonts or find_fonts()
        files = [self.fonts.regular] + ([self.fonts.bold] if self.fonts.bold else [])
        self._fetcher = RestrictedFetcher(files)
        self._font_config = FontConfiguration()
        css = _env.get_template(_PREFIX + "certificate_pdf.css").render(
            font_regular=self.fonts.regular.resolve().as_uri(),
            font_bold=self.fonts.bold.resolve().as_uri() if self.fonts.bold else None,
        )
        self._css = CSS(string=css, font_config=self._font_config, url_fetcher=self._fetcher)
        # Pango/fontconfig state is shared by every render: one at a time per renderer
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        """Render and drop one certificate: fontconfig, Pango and HarfBuzz load their fonts
        and caches on first use (~70 ms); call this at start-up, not in a learner's request."""
        self.render([_WARM_UP_VIEW])

    def html(self, views: Sequence[Mapping]) -> str:
        pages = []
        for view in views:
            page = prepare_view(view)
            page["qr_src"] = png_data_uri(make_qr_png(page["verify_url"]))
            pages.append(page)
        return _env.get_template(_PREFIX + "certificate_pdf.html").render(certs=pages)

    def render(self, views: Sequence[Mapping], credentials: Sequence[bytes | None] | None = None) -> bytes:
        """One PDF/A-3b, one A4 landscape page per view; ``credentials[i]`` (the signed Open
        Badges JSON of ``views[i]``, or None) is embedded as ``chung-nhan-<code>.json``."""
        attachments = _attachments(views, credentials)
        document = HTML(string=self.html(views), url_fetcher=self._fetcher)
        with self._lock:
            return document.write_pdf(stylesheets=[self._css], font_config=self._font_config,
                                      pdf_variant=PDF_VARIANT, attachments=attachments,
                                      finisher=_one_association_each)

    def render_in_parts(self, views: Sequence[Mapping], progress: Callable[[int, int], None],
                        credentials: Sequence[bytes | None] | None = None, part: int = 25) -> bytes:
        """As :meth:`render`, laid out ``part`` pages at a time, calling ``progress(done, total)``
        after each part (a batch of a thousand pages takes tens of seconds: its job shows how far)."""
        attachments = _attachments(views, credentials)
        documents = []
        for start in range(0, len(views), part):
            chunk = HTML(string=self.html(views[start:start + part]), url_fetcher=self._fetcher)
            with self._lock:
                documents.append(chunk.render(stylesheets=[self._css], font_config=self._font_config,
                                              pdf_variant=PDF_VARIANT))
            progress(min(start + part, len(views)), len(views))
        pages = [page for document in documents for page in document.pages]
        with self._lock:
            return documents[0].copy(pages).write_pdf(pdf_variant=PDF_VARIANT, attachments=attachments,
                                                     finisher=_one_association_each)


def _attachments(views: Sequence[Mapping], credentials: Sequence[bytes | None] | None) -> list[Attachment]:
    """The credentials to embed, one per certificate page (None: that page has none)."""
    if not views:
        raise ValueError("no certificates to render")
    if credentials is not None and len(credentials) != len(views):
        raise ValueError("one credential (or None) per certificate")
    return [credential_attachment(view["code"], data)
            for view, data in zip(views, credentials or (), strict=False) if data]


def _one_association_each(_document: object, pdf: object) -> None:
    """WeasyPrint 70 lists each embedded file twice in the catalog's ``/AF`` (once from the
    name tree, once from the file specifications): keep each file specification once."""
    catalog = pdf.catalog  # type: ignore[attr-defined]
    if "AF" in catalog:
        seen = list(dict.fromkeys(catalog["AF"]))
        catalog["AF"].clear()
        catalog["AF"].extend(seen)


def credential_name(code: str) -> str:
    """The embedded credential's file name (the name the credential download gives it)."""
    return f"chung-nhan-{code}.json"


def credential_attachment(code: str, credential: bytes) -> Attachment:
    """The signed credential as a PDF/A-3 associated file, bytes unchanged."""
    return Attachment(file_obj=io.BytesIO(credential), name=credential_name(code),
                      description=f"Open Badges 3.0 credential (signed) {code}",
                      relationship=CREDENTIAL_RELATIONSHIP)

@functools.cache
def default_renderer() -> CertificateRenderer:
    """One renderer per process: it keeps the parsed stylesheet and fonts between PDFs."""
    return CertificateRenderer()


def render_certificate_pdf(cert_view: Mapping, *, credential: bytes | None = None,
                           renderer: CertificateRenderer | None = None) -> bytes:
    """A one-page certificate PDF/A-3b, with ``credential`` (signed JSON bytes) embedded."""
    return (renderer or default_renderer()).render([cert_view], [credential])


def render_batch_pdf(cert_views: Sequence[Mapping], *, credentials: Sequence[bytes | None] | None = None,
                     renderer: CertificateRenderer | None = None,
                     progress: Callable[[int, int], None] | None = None) -> bytes:
    """All certificates (e.g. of a class) as ONE PDF, one page each, in the given order, each
    page's credential embedded; ``progress(done, total)`` is told as pages are laid out."""
    if progress is None:
        return (renderer or default_renderer()).render(list(cert_views), credentials)
    return (renderer or default_renderer()).render_in_parts(list(cert_views), progress, credentials)


def render_certificate_html(cert_view: Mapping, **context: object) -> str:
    """The phone-friendly standalone HTML certificate page.

    Optional context: ``pdf_url``, ``credential_url``, ``stylesheet_url`` (without it the
    card's CSS, static/certificate.css, is inlined so the file stands alone).
    """
    cert = prepare_view(cert_view)
    svg = make_qr_svg(cert["verify_url"], label=f"QR {cert['code']}")
    if not context.get("stylesheet_url"):
        context["inline_css"] = (STATIC / "certificate.css").read_text(encoding="utf-8")
    return _env.get_template(_PREFIX + "certificate.html").render(cert=cert, qr_svg=svg, **context)
