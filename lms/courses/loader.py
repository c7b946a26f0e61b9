"""Import course folders into the database: validate everything, then apply in one transaction.

Importing again updates changed text and keeps every learner's progress, attempts and
certificates: rows are matched by slug and never deleted, only archived.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from flask import current_app
from sqlalchemy import select

from lms.courses.models import Course, CourseSourceFile, Lesson, PathStep
from lms.courses.schema import CourseFolder, CourseSource, ImportProblem, read_folder
from lms.db import db
from lms.problems import ProblemsError


class CourseImportError(ProblemsError):
    """A course folder with problems; the database was left as it was."""


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    archived: list[str] = field(default_factory=list)
    questions: int = 0


class QuestionBanks(Protocol):
    """Parses and stores a course's question bank: the quiz package (:mod:`lms.quiz.bank`), which the
    extension puts in ``app.extensions["lms"].question_banks`` (courses never import the quiz)."""

    def parse_bank(self, text: str, filename: str, registry: Any) -> list:
        """The parsed questions; raises a :class:`ProblemsError` naming every problem."""

    def store_bank(self, course: Course, text: str, source_name: str, parsed_questions: list) -> int:
        """Upsert the bank's questions; the number stored."""


def question_banks() -> QuestionBanks:
    return current_app.extensions["lms"].question_banks


def validate_folder(root: Path, registry: Any) -> tuple[CourseFolder, dict[str, list], list[ImportProblem]]:
    folder, problems = read_folder(root)
    banks: dict[str, list] = {}
    for course in folder.courses:
        if course.gift is None:
            continue
        gift_path = str(course.folder / course.gift_name) if course.folder else course.gift_name
        try:
            banks[course.slug] = question_banks().parse_bank(course.gift, gift_path, registry)
        except ProblemsError as error:
            problems.extend(ImportProblem(p.file, p.line, p.message) for p in error.problems)
    return folder, banks, problems


def import_courses(root: Path, registry: Any) -> ImportReport:
    """Validate ``root`` and import it; raise ``CourseImportError`` and change nothing on any problem."""
    folder, banks, problems = validate_folder(root, registry)
    if problems:
        raise CourseImportError(problems)
    report = ImportReport()
    try:
        existing = {c.slug: c for c in db.session.scalars(select(Course))}
        for source in folder.courses:
            course = existing.get(source.slug)
            digest = _content_hash(source)
            if course is None:
                course = Course(slug=source.slug, title=source.title)
                db.session.add(course)
                report.created.append(source.slug)
            elif course.content_hash == digest and not course.archived:
                report.unchanged.append(source.slug)
                continue
            else:
                report.updated.append(source.slug)
            _apply_course(course, source, digest)
            db.session.flush()
            _apply_lessons(course, source)
            _apply_assets(course, source)
            if source.slug in banks:
                report.questions += question_banks().store_bank(
                    course, source.gift, source.gift_name, banks[source.slug]
                )
        for slug, course in existing.items():
            if slug not in {c.slug for c in folder.courses} and not course.archived:
                course.archived = True
                report.archived.append(slug)
        _apply_paths(folder.paths)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return report


def _content_hash(source: CourseSource) -> str:
    blob = json.dumps(
        {
            "title": source.title, "summary": source.summary, "audiences": source.audiences,
            "quiz": source.quiz, "certificate": source.certificate,
            "lessons": [(x.slug, x.position, x.title, x.body) for x in source.lessons],
            "gift": source.gift, "assets": source.assets,
        },
        sort_keys=True, ensure_ascii=False,
    )
    return hashlib.sha256(blob.encode()).hexdigest()


def _apply_course(course: Course, source: CourseSource, digest: str) -> None:
    course.title = source.title
    course.summary = source.summary
    course.audiences = source.audiences
    course.quiz_settings = source.quiz
    course.issues_certificate = source.certificate
    course.archived = False
    course.content_hash = digest


def _apply_lessons(course: Course, source: CourseSource) -> None:
    rows = {x.slug: x for x in db.session.scalars(select(Lesson).where(Lesson.course_id == course.id))}
    for lesson_source in source.lessons:
        lesson = rows.pop(lesson_source.slug, None)
        if lesson is None:
            lesson = Lesson(course_id=course.id, slug=lesson_source.slug)
            db.session.add(lesson)
        lesson.position = lesson_source.position
        lesson.title = lesson_source.title
        lesson.body = lesson_source.body
        lesson.archived = False
    for gone in rows.values():
        gone.archived = True  # progress rows keep pointing at it


def _apply_assets(course: Course, source: CourseSource) -> None:
    rows = {
        f.name: f
        for f in db.session.scalars(select(CourseSourceFile).where(CourseSourceFile.course_id == course.id))
    }
    for name, content in source.assets.items():
        row = rows.pop(name, None)
        if row is None:
            db.session.add(CourseSourceFile(course_id=course.id, name=name, content=content))
        else:
            row.content = content
    for name, row in rows.items():
        if name.startswith(("images/", "lessons/")):
            db.session.delete(row)


def _apply_paths(paths: dict[str, list[str]]) -> None:
    if not paths:
        return
    ids = dict(db.session.execute(select(Course.slug, Course.id)).all())
    for audience, slugs in paths.items():
        for step in db.session.scalars(select(PathStep).where(PathStep.audience == audience)):
            db.session.delete(step)
        db.session.flush()
        for position, slug in enumerate(slugs):
            db.session.add(PathStep(audience=audience, position=position, course_id=ids[slug]))
