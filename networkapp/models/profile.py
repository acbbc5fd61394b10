"""Career history: shared by profiles, suggestions (career path), jobs (seniority) and the feed (job changes)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from networkapp.database import UTCDateTime, new_uuid, utcnow
from networkapp.extensions import db


class Experience(db.Model):
    __tablename__ = "experience"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_uuid)
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    company: Mapped[str] = mapped_column(sa.String(120))
    position: Mapped[str] = mapped_column(sa.String(120))
    description: Mapped[str | None] = mapped_column(sa.Text)
    start_date: Mapped[date | None] = mapped_column(sa.Date)
    end_date: Mapped[date | None] = mapped_column(sa.Date)
    is_current: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    location: Mapped[str | None] = mapped_column(sa.String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        sa.CheckConstraint("end_date IS NULL OR start_date IS NULL OR end_date >= start_date", name="dates"),
        sa.CheckConstraint("NOT (is_current AND end_date IS NOT NULL)", name="current_has_no_end"),
        sa.Index("ix_experience_user_start", "user_id", "start_date"),
        # With the person: a company's people are then read from the index alone (suggestion pools).
        sa.Index("ix_experience_company_user", "company", "user_id"),
    )


class Education(db.Model):
    __tablename__ = "education"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_uuid)
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    institution: Mapped[str] = mapped_column(sa.String(160))
    degree: Mapped[str | None] = mapped_column(sa.String(120))
    field_of_study: Mapped[str | None] = mapped_column(sa.String(120))
    start_date: Mapped[date | None] = mapped_column(sa.Date)
    end_date: Mapped[date | None] = mapped_column(sa.Date)
    grade: Mapped[str | None] = mapped_column(sa.String(40))
    activities: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        sa.CheckConstraint("end_date IS NULL OR start_date IS NULL OR end_date >= start_date", name="dates"),
        sa.Index("ix_education_user_start", "user_id", "start_date"),
        sa.Index("ix_education_institution_user", "institution", "user_id"),
    )
