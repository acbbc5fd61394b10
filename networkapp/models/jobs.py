"""The job marketplace: companies, postings, applications and their history, saved searches.

Full-text search over postings lives outside these models (an FTS5 table on
SQLite, a tsvector table on PostgreSQL, both named ``jobs_fts`` and kept in
sync by triggers in the migration); see ``networkapp.jobs.search``.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from networkapp.database import UTCDateTime, new_uuid, utcnow
from networkapp.extensions import db

EMPLOYMENT_TYPES = ("full-time", "part-time", "contract", "internship")
WORKPLACES = ("remote", "on-site", "hybrid")
CLOSED_REASONS = ("filled", "withdrawn", "expired")
APPLICATION_STATUSES = ("applied", "reviewed", "interviewed", "hired", "rejected", "withdrawn")
COMPANY_SIZES = ("1-10", "11-50", "51-200", "201-500", "501-1000", "1001-5000", "5001+")

Money = sa.Numeric(14, 2)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Company(db.Model):
    __tablename__ = "companies"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_uuid)
    name: Mapped[str] = mapped_column(sa.String(160))
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    industry: Mapped[str | None] = mapped_column(sa.String(100))
    size: Mapped[str | None] = mapped_column(sa.String(10))
    location: Mapped[str | None] = mapped_column(sa.String(120))
    website: Mapped[str | None] = mapped_column(sa.String(500))
    description: Mapped[str | None] = mapped_column(sa.Text)
    logo_url: Mapped[str | None] = mapped_column(sa.String(500))
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (sa.CheckConstraint(f"size IS NULL OR {_in('size', COMPANY_SIZES)}", name="size"),)


class CompanyAdmin(db.Model):
    __tablename__ = "company_admins"

    company_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    added_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User", foreign_keys=[user_id], lazy="joined")

    __table_args__ = (sa.Index("ix_company_admins_user", "user_id", "company_id"),)


class Job(db.Model):
    __tablename__ = "jobs"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_uuid)
    poster_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    company_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("companies.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(sa.String(200))
    company: Mapped[str] = mapped_column(sa.String(160))
    description: Mapped[str | None] = mapped_column(sa.Text)
    requirements: Mapped[str | None] = mapped_column(sa.Text)
    location: Mapped[str | None] = mapped_column(sa.String(120))
    workplace: Mapped[str | None] = mapped_column(sa.String(10))
    employment_type: Mapped[str | None] = mapped_column(sa.String(12))
    salary_range: Mapped[str | None] = mapped_column(sa.String(100))
    salary_min: Mapped[float | None] = mapped_column(Money)
    salary_max: Mapped[float | None] = mapped_column(Money)
    salary_currency: Mapped[str | None] = mapped_column(sa.String(3))
    salary_period: Mapped[str | None] = mapped_column(sa.String(5))
    # The parsed range normalised to a year: what the salary filter and insights compare.
    salary_year_min: Mapped[float | None] = mapped_column(Money)
    salary_year_max: Mapped[float | None] = mapped_column(Money)
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    is_active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    closed_reason: Mapped[str | None] = mapped_column(sa.String(10))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    company_profile = relationship("Company", lazy="raise")
    skill_links = relationship("JobSkill", lazy="raise", cascade="all, delete-orphan", passive_deletes=True)

    __table_args__ = (
        sa.CheckConstraint(f"employment_type IS NULL OR {_in('employment_type', EMPLOYMENT_TYPES)}", name="type"),
        sa.CheckConstraint(f"workplace IS NULL OR {_in('workplace', WORKPLACES)}", name="workplace"),
        sa.CheckConstraint(f"closed_reason IS NULL OR {_in('closed_reason', CLOSED_REASONS)}", name="closed_reason"),
        # The listing: open postings newest first, keyset on (posted_at, id).
        sa.Index("ix_jobs_active_posted", "is_active", "posted_at", "id"),
        sa.Index("ix_jobs_poster_posted", "poster_id", "posted_at"),
        sa.Index("ix_jobs_company_id", "company_id", "is_active"),
        sa.Index("ix_jobs_expires", "expires_at"),
        sa.Index("ix_jobs_title", "title"),
    )


class JobSkill(db.Model):
    __tablename__ = "job_skills"

    job_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    skill_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("skills.id", ondelete="CASCADE"), primary_key=True)

    skill = relationship("Skill", lazy="joined")

    # Recommendations and skill filters start from the skill.
    __table_args__ = (sa.Index("ix_job_skills_skill", "skill_id", "job_id"),)


class JobApplication(db.Model):
    __tablename__ = "job_applications"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_uuid)
    job_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("jobs.id", ondelete="CASCADE"))
    applicant_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(sa.String(12), default="applied")
    cover_letter: Mapped[str | None] = mapped_column(sa.Text)
    resume_url: Mapped[str | None] = mapped_column(sa.String(500))
    application_notes: Mapped[str | None] = mapped_column(sa.Text)
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # First move by the poster (any status change not made by the applicant): response-rate analytics.
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set by the poster when moving the application to "interviewed"; exported as an iCalendar invitation.
    interview_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    interview_minutes: Mapped[int | None] = mapped_column()
    interview_location: Mapped[str | None] = mapped_column(sa.String(300))

    job = relationship("Job", lazy="raise")
    applicant = relationship("User", lazy="raise")

    __table_args__ = (
        sa.UniqueConstraint("job_id", "applicant_id"),
        sa.CheckConstraint(_in("status", APPLICATION_STATUSES), name="status"),
        sa.Index("ix_job_applications_applicant_applied", "applicant_id", "applied_at", "id"),
        sa.Index("ix_job_applications_job_status", "job_id", "status", "applied_at"),
    )


class ApplicationStatusChange(db.Model):
    __tablename__ = "application_status_changes"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_uuid)
    application_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("job_applications.id", ondelete="CASCADE"))
    from_status: Mapped[str | None] = mapped_column(sa.String(12))
    to_status: Mapped[str] = mapped_column(sa.String(12))
    changed_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # Written by the poster; never shown to the applicant.
    note: Mapped[str | None] = mapped_column(sa.Text)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        sa.Index("ix_application_status_changes_app", "application_id", "changed_at"),
        sa.Index("ix_application_status_changes_changed_by", "changed_by_id"),
    )


class JobAlert(db.Model):
    __tablename__ = "job_alerts"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_uuid)
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str | None] = mapped_column(sa.String(100))
    q: Mapped[str | None] = mapped_column(sa.String(200))
    location: Mapped[str | None] = mapped_column(sa.String(120))
    employment_type: Mapped[str | None] = mapped_column(sa.String(12))
    workplace: Mapped[str | None] = mapped_column(sa.String(10))
    # Lower-cased skill names (Skill.name_key); the job must carry all of them.
    skills: Mapped[list] = mapped_column(sa.JSON, default=list)
    salary_min: Mapped[float | None] = mapped_column(Money)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (
        sa.Index("ix_job_alerts_user", "user_id", "created_at"),
        # Candidate alerts for a new posting are selected by these cheap columns.
        sa.Index("ix_job_alerts_type_workplace", "employment_type", "workplace"),
    )
