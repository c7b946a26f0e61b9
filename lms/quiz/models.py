"""Question banks, questions, attempts and answers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import UTCDateTime, db, now_utc


class QuestionBank(db.Model):
    __tablename__ = "lms_question_banks"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("lms_courses.id"), unique=True)
    source_name: Mapped[str] = mapped_column(String(200), default="quiz.gift")
    source_hash: Mapped[str] = mapped_column(String(64), default="")
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    questions: Mapped[list[Question]] = relationship(
        back_populates="bank",
        order_by="Question.position",
        primaryjoin="and_(QuestionBank.id == Question.bank_id, Question.active == True)",
        viewonly=True,
    )


class Question(db.Model):
    """One question: its type name plus the type's JSON config (no table per type)."""

    __tablename__ = "lms_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("lms_question_banks.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    qtype: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(255), default="")
    category: Mapped[str] = mapped_column(String(255), default="")
    #: everything the type needs (text, choices, answers, feedback); never sent to a browser as is
    config: Mapped[dict] = mapped_column(db.JSON)
    #: hash of the question's GIFT source: an unchanged question keeps its row on re-import
    source_hash: Mapped[str] = mapped_column(String(64), default="", index=True)
    active: Mapped[bool] = mapped_column(default=True)

    bank: Mapped[QuestionBank] = relationship(back_populates="questions")


class Attempt(db.Model):
    __tablename__ = "lms_attempts"
    __table_args__ = (
        CheckConstraint(
            "state IN ('in_progress', 'pending_review', 'finished', 'abandoned')", name="state_known"
        ),
        UniqueConstraint("user_id", "course_id", "number"),
        Index("ix_lms_attempts_user_course", "user_id", "course_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_users.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("lms_courses.id"))
    #: 1 for the learner's first attempt at this course, 2 for the second...
    number: Mapped[int] = mapped_column(default=1)
    state: Mapped[str] = mapped_column(String(16), default="in_progress")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    #: None when the quiz has no time limit
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: frozen at start: questions (with their configs), order, answer order, settings
    snapshot: Mapped[dict] = mapped_column(db.JSON)
    #: where the learner was, so a reload resumes at the same question
    current_position: Mapped[int] = mapped_column(default=1)
    score_percent: Mapped[float | None] = mapped_column()
    passed: Mapped[bool | None] = mapped_column()

    answers: Mapped[list[Answer]] = relationship(
        back_populates="attempt", order_by="Answer.position", cascade="all, delete-orphan"
    )


class Answer(db.Model):
    __tablename__ = "lms_answers"
    __table_args__ = (UniqueConstraint("attempt_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("lms_attempts.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column()
    response: Mapped[object] = mapped_column(db.JSON, nullable=True)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    #: the grader's fraction in [0, 1]; None until graded (essays wait for a teacher)
    fraction: Mapped[float | None] = mapped_column()
    feedback: Mapped[str | None] = mapped_column(Text)
    graded_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_users.id"))

    attempt: Mapped[Attempt] = relationship(back_populates="answers")


class QuizOverride(db.Model):
    """A teacher's exception for one learner: extra attempts, extra minutes."""

    __tablename__ = "lms_quiz_overrides"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("lms_users.id", ondelete="CASCADE"), primary_key=True
    )
    course_id: Mapped[int] = mapped_column(ForeignKey("lms_courses.id"), primary_key=True)
    extra_attempts: Mapped[int] = mapped_column(default=0)
    extra_minutes: Mapped[int] = mapped_column(default=0)


class OfflineOp(db.Model):
    """An action a phone queued without a signal (an answer, a lesson done, a submit), by the
    id the phone gave it: a replay of the same id is answered from here and applied only once."""

    __tablename__ = "lms_offline_ops"

    user_id: Mapped[int] = mapped_column(ForeignKey("lms_users.id", ondelete="CASCADE"), primary_key=True)
    op_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("lms_attempts.id", ondelete="CASCADE"), index=True)
    position: Mapped[int | None] = mapped_column()
    #: "saved", "submitted", or why it was refused ("time_up", "attempt_closed", "not_found", ...)
    status: Mapped[str] = mapped_column(String(32))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
