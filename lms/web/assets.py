"""Static files served from memory, with a content hash in their URLs.

The LMS has a handful of small static files per blueprint. Serving them from memory lets the
compression hook treat them like pages, and a URL made by :func:`asset_url` carries the file's
content hash, so a browser may keep it for a year; a URL without the hash is kept an hour.
"""

from __future__ import annotations

import hashlib
import mimetypes
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, request, url_for

YEAR = 365 * 24 * 3600
HOUR = 3600


@lru_cache(maxsize=64)
def asset(folder: str, filename: str) -> tuple[bytes, str, str]:
    """The file's bytes, MIME type and content hash; 404 for anything outside ``folder``."""
    path = Path(folder) / filename
    if "/" in filename or "\\" in filename or filename.startswith(".") or not path.is_file():
        abort(404)
    data = path.read_bytes()
    mimetype = "text/javascript" if filename.endswith(".js") else mimetypes.guess_type(filename)[0] or "text/plain"
    return data, mimetype, hashlib.sha256(data).hexdigest()[:16]


class AssetBlueprint(Blueprint):
    """A blueprint whose static files come from :func:`asset`, with an ETag and a cache life."""

    def send_static_file(self, filename: str) -> Response:
        data, mimetype, etag = asset(str(self.static_folder), filename)
        response = current_app.response_class(data, mimetype=mimetype)
        response.cache_control.public = True
        response.cache_control.max_age = YEAR if request.args.get("v") else HOUR
        response.set_etag(etag)
        return response.make_conditional(request)


def favicon() -> Response:
    """``/favicon.ico`` at the LMS's root, which browsers ask for unprompted: a real icon, kept a year
    (pages also link to the hashed copy, which a host app mounting the LMS under a prefix needs)."""
    folder = current_app.blueprints["lms"].static_folder
    data, _mimetype, etag = asset(str(folder), "favicon.ico")
    response = current_app.response_class(data, mimetype="image/x-icon")
    response.cache_control.public = True
    response.cache_control.max_age = YEAR
    response.set_etag(etag)
    return response.make_conditional(request)


def asset_url(blueprint: str, filename: str) -> str:
    """The file's URL with its content hash; kept per app, since pages ask on every request."""
    urls = current_app.extensions["lms"].extras.setdefault("asset_urls", {})
    key = (blueprint, filename, request.script_root)
    if key not in urls:
        folder = current_app.blueprints[blueprint].static_folder
        version = asset(str(folder), filename)[2][:10]
        urls[key] = url_for(f"{blueprint}.static", filename=filename, v=version)
    return urls[key]
