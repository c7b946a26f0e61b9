"""One shape for every "this file, this line, this is wrong" report (imports of courses, GIFT banks,
units, baselines, rosters), so the CLI and the pages print them the same way."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class ProblemsError(Exception):
    """Raised with every problem found; nothing was changed."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems
