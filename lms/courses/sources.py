"""A course folder as plain data, before it reaches the database (read by :mod:`lms.courses.schema`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from lms.problems import Problem

ImportProblem = Problem


@dataclass
class LessonSource:
    slug: str
    position: int
    title: dict[str, str]
    body: dict[str, str]


@dataclass
class CourseSource:
    slug: str
    title: dict[str, str]
    summary: dict[str, str]
    audiences: list[str]
    quiz: dict
    certificate: bool
    lessons: list[LessonSource] = field(default_factory=list)
    gift: str | None = None
    gift_name: str = "quiz.gift"
    assets: dict[str, str] = field(default_factory=dict)
    folder: Path | None = None


@dataclass
class CourseFolder:
    courses: list[CourseSource]
    paths: dict[str, list[str]]


class ProblemList(list):
    """Problems collected while reading a folder; nothing stops at the first one."""

    def add(self, path: Path | str, line: int, message: str) -> None:
        self.append(ImportProblem(str(path), line, message))
