"""Keep a course's GIFT bank: parse it (all or nothing) and store its questions."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from lms.courses.models import Course, CourseSourceFile
from lms.db import db, now_utc
from lms.problems import Problem, ProblemsError
from lms.quiz.gift import GiftSyntaxError, ParsedQuestion, parse_gift
from lms.quiz.models import Question, QuestionBank
from lms.quiz.registry import QuestionTypeRegistry


class BankProblem(ProblemsError):
    """A GIFT bank with errors; nothing was imported."""


def parse_bank(text: str, filename: str, registry: QuestionTypeRegistry) -> list[ParsedQuestion]:
    try:
        return parse_gift(text, filename, registry)
    except GiftSyntaxError as error:
        raise BankProblem([Problem(e.file, e.line, e.message) for e in error.errors]) from error


def _question_hash(parsed: ParsedQuestion) -> str:
    return hashlib.sha256(f"{parsed.qtype}\x00{parsed.category}\x00{parsed.source}".encode()).hexdigest()


def store_bank(course: Course, text: str, source_name: str, parsed_questions: list[ParsedQuestion]) -> int:
    """Upsert the bank: unchanged questions keep their rows, removed ones are deactivated."""
    bank = db.session.scalar(select(QuestionBank).where(QuestionBank.course_id == course.id))
    if bank is None:
        bank = QuestionBank(course_id=course.id)
        db.session.add(bank)
        db.session.flush()
    bank.source_name = source_name
    bank.source_hash = hashlib.sha256(text.encode()).hexdigest()
    bank.imported_at = now_utc()
    raw = db.session.scalar(
        select(CourseSourceFile).where(
            CourseSourceFile.course_id == course.id, CourseSourceFile.name == source_name
        )
    )
    if raw is None:
        db.session.add(CourseSourceFile(course_id=course.id, name=source_name, content=text))
    else:
        raw.content = text
    existing: dict[str, list[Question]] = {}
    for question in db.session.scalars(select(Question).where(Question.bank_id == bank.id)):
        existing.setdefault(question.source_hash, []).append(question)
    for position, parsed in enumerate(parsed_questions, start=1):
        digest = _question_hash(parsed)
        matches = existing.get(digest)
        question = matches.pop(0) if matches else None
        if question is None:
            question = Question(bank_id=bank.id, source_hash=digest)
            db.session.add(question)
        question.position = position
        question.qtype = parsed.qtype
        question.title = (parsed.title or "")[:255]
        question.category = (parsed.category or "")[:255]
        question.config = parsed.config
        question.active = True
    for leftovers in existing.values():
        for question in leftovers:
            question.active = False
    return len(parsed_questions)
