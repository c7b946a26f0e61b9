"""Waiting in a browser test for something on a page our Content Security Policy protects.

Playwright's ``page.wait_for_function`` with a string evaluates it once through the DevTools
protocol and, when it is not yet true, keeps polling with ``new Function``: on our pages
(``script-src 'self'``, no ``unsafe-eval``) that second step fails with an EvalError, so a test
passed or failed by a race. :func:`wait_until` polls with ``page.evaluate`` only, which the page's
CSP does not govern.
"""

from __future__ import annotations

from playwright.sync_api import Error, Page


def wait_until(page: Page, expression: str, seconds: float = 15) -> None:
    """Poll ``expression`` (JavaScript: an expression or an arrow function) until it is truthy."""
    for _ in range(int(seconds * 10)):
        try:
            if page.evaluate(expression):
                return
        except Error as error:  # a navigation replaced the page's context meanwhile: ask again
            if "context was destroyed" not in str(error) and "navigation" not in str(error).lower():
                raise
        page.wait_for_timeout(100)
    raise AssertionError(f"never true within {seconds} s: {expression}")
