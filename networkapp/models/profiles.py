"""Profile extras: contact details, who viewed whom, portfolio, media, the search document map."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from networkapp.database import UTCDateTime, new_uuid, utcnow
from networkapp.extensions import db

FIELD_VISIBILITIES = ("public", "connections", "private")
MEDIA_PURPOSES = ("gallery", "photo")


class ContactInfo(db.Model):
    """Contact details beyond the account e-mail, each with its own audience."""

    __tablename__ = "contact_info"

    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    website: Mapped[str | None] = mapped_column(sa.String(300))
    email_visibility: Mapped[str] = mapped_column(sa.String(12), default="connections", server_default="connections")
    phone_visibility: Mapped[str] = mapped_column(sa.String(12), default="connections", server_default="connections")
    website_visibility: Mapped[str] = mapped_column(sa.String(12), default="public", server_default="public")

    __table_args__ = tuple(
        sa.CheckConstraint(f"{name}_visibility IN ('public', 'connections', 'private')", name=f"{name}_visibility")
        for name in ("email", "phone", "website")
    )


class ProfileView(db.Model):
    """One counted view per viewer, profile and UTC day (anonymous views are counted, not recorded)."""

    __tablename__ = "profile_views"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_uuid)
    profile_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    viewer_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    viewed_on: Mapped[date] = mapped_column(sa.Date)
    viewed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("profile_id", "viewer_id", "viewed_on"),
        # "Who viewed my profile" reads newest first, keyset on (viewed_at, id).
        sa.Index("ix_profile_views_profile_viewed", "profile_id", "viewed_at", "id"),
    )


class Project(db.Model):
    __tablename__ = "projects"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_uuid)
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(sa.String(160))
    description: Mapped[str | None] = mapped_column(sa.Text)
    url: Mapped[str | None] = mapped_column(sa.String(500))
    # Free-form tags: a project's skills describe the project, they do not count towards the catalogue.
    skills: Mapped[list] = mapped_column(sa.JSON, default=list)
    start_date: Mapped[date | None] = mapped_column(sa.Date)
    end_date: Mapped[date | None] = mapped_column(sa.Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        sa.CheckConstraint("end_date IS NULL OR start_date IS NULL OR end_date >= start_date", name="dates"),
        sa.Index("ix_projects_user_start", "user_id", "start_date"),
    )


class Media(db.Model):
    """An uploaded file; the bytes live under MEDIA_ROOT with a random name."""

    __tablename__ = "media"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_uuid)
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(sa.String(10), default="gallery")
    content_type: Mapped[str] = mapped_column(sa.String(50))
    size: Mapped[int] = mapped_column()
    storage_name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    caption: Mapped[str | None] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        sa.CheckConstraint("purpose IN ('gallery', 'photo')", name="purpose"),
        sa.Index("ix_media_user_created", "user_id", "created_at", "id"),
    )


class ProfileSearchDoc(db.Model):
    """A stable integer key per user for the full-text index (SQLite FTS5 rows need an integer rowid).

    Rows are written by database triggers when a user is created; the index
    itself (``profile_search_fts``) is hand-written in the migration per dialect.
    """

    __tablename__ = "profile_search_docs"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), unique=True)


# The full-text index is hand-written per dialect in the migration; autogenerate must leave it alone.
db.metadata.info.setdefault("unmanaged_tables", set()).add("profile_search_fts")
