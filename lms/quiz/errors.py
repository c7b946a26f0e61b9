"""The quiz engine's refusal, shared by the HTML pages and the API."""

from __future__ import annotations


class QuizError(Exception):
    """A refused quiz action; ``code`` is stable for the API, ``message`` is for people."""

    def __init__(self, code: str, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
