"""Prepare questions for a page: text rendered by its format, responses read from a form."""

from __future__ import annotations

import nh3
from markupsafe import Markup, escape
from werkzeug.datastructures import MultiDict

from lms.web.markdown import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, render_markdown


def render_text(text: str, text_format: str) -> Markup:
    """Question text in its GIFT format: markdown, html/moodle (sanitised) or plain."""
    if text_format == "markdown":
        return render_markdown(text)
    if text_format in ("html", "moodle"):
        cleaned = nh3.clean(text, tags=ALLOWED_TAGS | {"span", "sub", "sup", "u", "i", "b"},
                            attributes=ALLOWED_ATTRIBUTES, url_schemes={"http", "https", "mailto"})
        return Markup(cleaned.replace("\n", "<br>\n"))  # noqa: S704 - sanitised by nh3
    return Markup("<br>\n".join(escape(line) for line in text.split("\n")))  # noqa: S704 - escaped


def response_from_form(widget: str, form: MultiDict, presented: dict) -> object | None:
    """Read the learner's response from a per-question form (JavaScript off); None if empty."""
    if widget == "checkbox":
        values = form.getlist("response")
        return values if values or form.get("answered") else None
    if widget == "matching":
        pairs = {}
        for left in presented.get("left", []):
            value = form.get(f"match-{left['id']}", "")
            if value:
                pairs[left["id"]] = value
        return pairs or None
    value = form.get("response")
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if widget == "truefalse":
        return {"true": True, "false": False}.get(value, value)
    return value
