"""Translations for the LMS: its own gettext domain ``lms`` so a host's catalog never shadows ours.

Import ``_``, ``_l`` and ``ngettext`` from here everywhere. Vietnamese is the default locale.
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app, g, has_request_context, request, session
from flask_babel import Domain

LOCALES: tuple[str, ...] = ("vi", "en")
DEFAULT_LOCALE = "vi"

TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"
_REPO_TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"

domain = Domain(
    translation_directories=str(
        _REPO_TRANSLATIONS if _REPO_TRANSLATIONS.is_dir() else TRANSLATIONS_DIR
    ),
    domain="lms",
)

_ = domain.gettext
_l = domain.lazy_gettext
ngettext = domain.ngettext
lazy_ngettext = domain.lazy_ngettext


def select_locale() -> str:
    """Pick the locale: the signed-in user's choice, then the guest's session, then Vietnamese."""
    if not has_request_context():
        return DEFAULT_LOCALE
    user = g.get("lms_user")
    locale = user.locale if user is not None else g.get("lms_user_locale")
    if locale in LOCALES:
        return locale
    chosen = session.get("lms_locale")
    if chosen in LOCALES:
        return chosen
    if request.args.get("lang") in LOCALES:
        return request.args["lang"]
    return current_app.config.get("LMS_DEFAULT_LOCALE", DEFAULT_LOCALE)
