"""Messages the account pages show once, shared by their views modules."""

from __future__ import annotations

from flask import flash
from markupsafe import Markup, escape

from lms.i18n import _


def flash_recovery_code(code: str) -> None:
    """Show the new recovery code once, on the next page, with what to do with it. (The cookie
    carries it for that one redirect; it is the learner's own secret, and no page shows it again.)"""
    flash(
        Markup('{} <strong class="recovery-code" id="recovery-code">{}</strong><br>{}').format(
            escape(_("Your recovery code:")), code,
            _("Write it on paper now and keep it safe. If you forget your password, this code lets you "
              "choose a new one (\"Forgot your password?\" on the sign-in page). It is shown only this once."),
        ),
        "recovery",
    )
