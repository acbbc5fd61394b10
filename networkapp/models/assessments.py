"""Skill assessments: a multiple-choice question bank per skill, and users' timed attempts.

The correct option of a question lives only here and in the scoring service;
no response schema has a field for it.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from networkapp.database import UTCDateTime, new_uuid, utcnow
from networkapp.extensions import db
from networkapp.models.skill import Skill

ATTEMPT_STATUSES = ("in_progress", "passed", "failed", "expired")
MIN_OPTIONS, MAX_OPTIONS = 3, 5


class AssessmentQuestion(db.Model):
    __tablename__ = "assessment_questions"

    # Derived from the skill and the question text (uuid5), so shipped and
    # imported questions have the same id in every database and re-importing
    # a file updates instead of duplicating.
    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_uuid)
    skill_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("skills.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(sa.String(1000))
    options: Mapped[list[str]] = mapped_column(sa.JSON)
    correct_index: Mapped[int] = mapped_column()
    explanation: Mapped[str | None] = mapped_column(sa.String(1000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        sa.CheckConstraint(f"correct_index >= 0 AND correct_index < {MAX_OPTIONS}", name="correct_index"),
    )


class AssessmentAttempt(db.Model):
    __tablename__ = "assessment_attempts"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_uuid)
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    skill_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("skills.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(sa.String(12), default="in_progress")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The deadline is fixed when the attempt starts: changing the configured
    # time limit never shortens or extends an attempt already running.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    question_count: Mapped[int] = mapped_column()
    pass_percent: Mapped[int] = mapped_column()
    correct_count: Mapped[int | None] = mapped_column()
    score: Mapped[int | None] = mapped_column()

    skill = relationship(Skill, lazy="joined")

    __table_args__ = (
        sa.CheckConstraint("status IN ('in_progress', 'passed', 'failed', 'expired')", name="status"),
        sa.CheckConstraint("score IS NULL OR (score BETWEEN 0 AND 100)", name="score"),
        # "My attempts" newest first, and the cool-down lookup per skill.
        sa.Index("ix_assessment_attempts_user_started", "user_id", "started_at", "id"),
        sa.Index("ix_assessment_attempts_user_skill_started", "user_id", "skill_id", "started_at"),
        # One running attempt per person and skill, even when two starts race.
        sa.Index(
            "ix_assessment_attempts_one_open",
            "user_id",
            "skill_id",
            unique=True,
            sqlite_where=sa.text("status = 'in_progress'"),
            postgresql_where=sa.text("status = 'in_progress'"),
        ),
    )


class AssessmentAttemptQuestion(db.Model):
    """A question drawn for an attempt, and the answer given to it."""

    __tablename__ = "assessment_attempt_questions"

    attempt_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("assessment_attempts.id", ondelete="CASCADE"), primary_key=True
    )
    question_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("assessment_questions.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column()
    answer_index: Mapped[int | None] = mapped_column()
    is_correct: Mapped[bool | None] = mapped_column()

    question = relationship(AssessmentQuestion, lazy="joined")

    __table_args__ = (sa.UniqueConstraint("attempt_id", "position"),)
