"""An A4 report (the coverage report, the outreach report, a campaign's honour roll) as a PDF.

Each report is a template; this renders it with the font files the PDF embeds and the issuer's
name, and lets WeasyPrint fetch nothing but those fonts and ``data:`` URIs (lms.printing.fonts).
WeasyPrint and the fonts load on the first PDF, not in every web worker.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template


def a4_report_pdf(template: str, **context: Any) -> bytes:
    """``template`` rendered with ``context`` plus ``issuer``, ``font_regular`` and ``font_bold``
    (file URIs; ``font_bold`` None when the family has no bold face), as PDF bytes."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    from lms.printing.fonts import RestrictedFetcher, find_fonts

    fonts = find_fonts()
    html = render_template(
        template, issuer=current_app.config["LMS_ISSUER"], font_regular=fonts.regular.resolve().as_uri(),
        font_bold=fonts.bold.resolve().as_uri() if fonts.bold else None, **context,
    )
    return HTML(string=html, url_fetcher=RestrictedFetcher(fonts.paths())).write_pdf(font_config=FontConfiguration())
