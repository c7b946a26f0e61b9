"""Printable PDFs of a class: the one-time password slips and the join poster (A4, WeasyPrint).

Uses the printing helpers (lms.printing): a font with Vietnamese glyphs (``find_fonts``), the
restricted URL fetcher (only ``data:`` URIs and our font files, no file system or network)
and the 1-bit PNG QR scaled with ``image-rendering: pixelated``.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from flask import render_template
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from lms.i18n import domain
from lms.printing.fonts import FontFiles, RestrictedFetcher, find_fonts
from lms.printing.qr import make_qr_png, png_data_uri
from lms.textcheck import printable

_MONO_CANDIDATES = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf"),
    Path("/usr/share/fonts/truetype/liberation/LiberationMono-Bold.ttf"),
)
SLIPS_PER_PAGE = 10


class ClassPdfRenderer:
    """Fonts and stylesheet are parsed once per process; one render at a time (Pango state)."""

    def __init__(self, fonts: FontFiles | None = None) -> None:
        self.fonts = fonts or find_fonts()
        self.mono = next((p for p in _MONO_CANDIDATES if p.is_file()), None)
        files = [f for f in (self.fonts.regular, self.fonts.bold, self.mono) if f is not None]
        self._fetcher = RestrictedFetcher(files)
        self._font_config = FontConfiguration()
        self._css: CSS | None = None
        self._lock = threading.Lock()

    def _stylesheet(self) -> CSS:
        if self._css is None:
            css = render_template(
                "lms/classes/pdf.css",
                font_regular=self.fonts.regular.resolve().as_uri(),
                font_bold=self.fonts.bold.resolve().as_uri() if self.fonts.bold else None,
                font_mono=self.mono.resolve().as_uri() if self.mono else None,
            )
            self._css = CSS(string=css, font_config=self._font_config, url_fetcher=self._fetcher)
        return self._css

    def render(self, html: str) -> bytes:
        document = HTML(string=html, url_fetcher=self._fetcher)
        with self._lock:
            return document.write_pdf(stylesheets=[self._stylesheet()], font_config=self._font_config)

    def render_parts(self, htmls: Sequence[str], progress: Callable[[int, int], None]) -> bytes:
        """One PDF of several HTML documents laid out one after another, ``progress(done, total)``
        told after each (a job's long sheet shows how far it is)."""
        documents = []
        for done, html in enumerate(htmls, start=1):
            document = HTML(string=html, url_fetcher=self._fetcher)
            with self._lock:
                documents.append(document.render(stylesheets=[self._stylesheet()], font_config=self._font_config))
            progress(done, len(htmls))
        with self._lock:
            return documents[0].copy([page for document in documents for page in document.pages]).write_pdf()


@functools.cache
def renderer() -> ClassPdfRenderer:
    """One renderer per process: it keeps the parsed stylesheet and fonts between PDFs."""
    return ClassPdfRenderer()


def _pages(entries: Sequence[Mapping], size: int) -> list[list[Mapping]]:
    return [list(entries[i : i + size]) for i in range(0, len(entries), size)] or [[]]


#: slips laid out at a time when a job makes a whole sheet (ten pages)
PART_SLIPS = 100


def password_sheet_pdf(entries: Sequence[Mapping], *, class_name: str, site_name: str, login_url: str,
                       progress: Callable[[int, int], None] | None = None) -> bytes:
    """Slips to cut apart, ten a page: name, login, one-time password, where to sign in. With
    ``progress`` (a job), laid out :data:`PART_SLIPS` at a time, telling it (done, total) parts."""
    # names stored before they were checked: no control or text-direction character in print
    entries = [{**entry, "name": printable(entry.get("name"))} for entry in entries]

    def html(part: Sequence[Mapping]) -> str:
        return render_template(
            "lms/classes/sheet_pdf.html",
            pages=_pages(part, SLIPS_PER_PAGE),
            class_name=printable(class_name),
            site_name=site_name,
            login_url=login_url,
            _=domain.gettext,
        )

    if progress is None or len(entries) <= PART_SLIPS:
        return renderer().render(html(entries))
    parts = [entries[i : i + PART_SLIPS] for i in range(0, len(entries), PART_SLIPS)]
    return renderer().render_parts([html(part) for part in parts], progress)


def join_poster_pdf(
    *, class_name: str, organisation: str, code: str, join_url: str, short_url: str, site_name: str
) -> bytes:
    """One A4 page: the class, a large QR of the join link, the code to type by hand."""
    html = render_template(
        "lms/classes/poster_pdf.html",
        class_name=printable(class_name),
        organisation=printable(organisation),
        code=code,
        join_url=join_url,
        short_url=short_url,
        site_name=site_name,
        qr_src=png_data_uri(make_qr_png(join_url)),
        _=domain.gettext,
    )
    return renderer().render(html)
