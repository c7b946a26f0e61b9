"""A font with Vietnamese glyphs, and a WeasyPrint URL fetcher that can reach nothing else.

Safety: the fetcher serves only ``data:`` URIs and the configured font files, and refuses
everything else (no file system, no network), as Indico does for its PDFs.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote_to_bytes

from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

_PACKAGE = Path(__file__).resolve().parent.parent
#: first family found wins; a deployment may drop Noto Sans files into lms/printing/fonts/
#: (lms/certificates/fonts/, where earlier versions looked, still counts)
FONT_CANDIDATES = (
    (_PACKAGE / "printing" / "fonts", "NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),
    (_PACKAGE / "certificates" / "fonts", "NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),
    (Path("/usr/share/fonts/truetype/noto"), "NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),
    (Path("/usr/share/fonts/truetype/dejavu"), "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
)


@dataclass(frozen=True)
class FontFiles:
    regular: Path
    bold: Path | None = None

    def paths(self) -> list[Path]:
        return [self.regular] + ([self.bold] if self.bold else [])


def find_fonts() -> FontFiles:
    """A font with Vietnamese glyphs: Noto Sans (fonts-noto-core), else DejaVu Sans (fonts-dejavu)."""
    for folder, regular, bold in FONT_CANDIDATES:
        if (folder / regular).is_file():
            return FontFiles(folder / regular, folder / bold if (folder / bold).is_file() else None)
    raise FileNotFoundError("no font with Vietnamese glyphs: install fonts-noto-core or fonts-dejavu-core")


class RestrictedFetcher(URLFetcher):
    """Serves ``data:`` URIs and a fixed set of font files from memory; refuses the rest."""

    def __init__(self, files: Sequence[Path]) -> None:
        super().__init__(fail_on_errors=True)
        self._files = {path.resolve().as_uri(): path.read_bytes() for path in files}

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            meta, _, data = url[5:].partition(",")
            body = base64.b64decode(data) if meta.endswith(";base64") else unquote_to_bytes(data)
            mime = meta.split(";")[0] or "text/plain"
            return URLFetcherResponse(url, body, {"Content-Type": mime})
        if url in self._files:
            return URLFetcherResponse(url, self._files[url], {"Content-Type": "font/ttf"})
        raise FatalURLFetchingError(f"PDF may not fetch {url[:80]!r}")
