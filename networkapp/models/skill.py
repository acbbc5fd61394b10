from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from networkapp.database import UTCDateTime, new_uuid, utcnow
from networkapp.extensions import db


class Skill(db.Model):
    """The shared catalogue; reference rows ship with the schema (a data migration)."""

    __tablename__ = "skills"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_uuid)
    name: Mapped[str] = mapped_column(sa.String(100))
    # Lower-cased name: "python" and "Python" are one skill.
    name_key: Mapped[str] = mapped_column(sa.String(100), unique=True)
    category: Mapped[str] = mapped_column(sa.String(60), index=True)
    description: Mapped[str | None] = mapped_column(sa.String(500))
    usage_count: Mapped[int] = mapped_column(default=0, server_default="0")


class UserSkill(db.Model):
    __tablename__ = "user_skills"

    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    skill_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("skills.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    proficiency_level: Mapped[int] = mapped_column(default=3)
    years_experience: Mapped[int] = mapped_column(default=0)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when the user passes the skill's assessment: the public badge (scores stay private).
    assessment_passed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    skill = relationship(Skill, lazy="joined")

    __table_args__ = (
        sa.CheckConstraint("proficiency_level BETWEEN 1 AND 5", name="proficiency_level"),
        sa.CheckConstraint("years_experience BETWEEN 0 AND 80", name="years_experience"),
    )


class SkillEndorsement(db.Model):
    __tablename__ = "skill_endorsements"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_uuid)
    endorser_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    endorsee_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    skill_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("skills.id", ondelete="CASCADE"))
    endorsement_text: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("endorser_id", "endorsee_id", "skill_id"),
        sa.CheckConstraint("endorser_id <> endorsee_id", name="not_self"),
        # Profiles count endorsements per (endorsee, skill).
        sa.Index("ix_skill_endorsements_endorsee_skill", "endorsee_id", "skill_id", "created_at"),
    )
