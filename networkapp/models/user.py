from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column

from networkapp.database import UTCDateTime, new_uuid, utcnow
from networkapp.extensions import db

PROFILE_VISIBILITIES = ("public", "connections", "private")


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_uuid)
    # Stored lower-case: usernames and e-mail addresses are case-insensitive identities.
    username: Mapped[str] = mapped_column(sa.String(30), unique=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    first_name: Mapped[str] = mapped_column(sa.String(80))
    last_name: Mapped[str] = mapped_column(sa.String(80))
    headline: Mapped[str | None] = mapped_column(sa.String(220))
    bio: Mapped[str | None] = mapped_column(sa.Text)
    industry: Mapped[str | None] = mapped_column(sa.String(100), index=True)
    location: Mapped[str | None] = mapped_column(sa.String(120), index=True)
    profile_image_url: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_active: Mapped[datetime | None] = mapped_column(UTCDateTime, default=utcnow)
    connection_count: Mapped[int] = mapped_column(default=0, server_default="0")
    profile_views: Mapped[int] = mapped_column(default=0, server_default="0")
    is_verified: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    # Privacy settings live on the user row: every endpoint that shows a
    # person reads them, so they must never cost a second query.
    profile_visibility: Mapped[str] = mapped_column(sa.String(12), default="public", server_default="public")
    show_email: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    show_connections: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    open_to_work: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    __table_args__ = (
        sa.CheckConstraint("profile_visibility IN ('public', 'connections', 'private')", name="profile_visibility"),
        sa.CheckConstraint("connection_count >= 0", name="connection_count_nonnegative"),
    )

    # Set by the session loader: the server-side session this request authenticated with.
    session_id = None  # type: str | None

    def get_id(self) -> str:
        # Flask-Login stores this in the cookie; it is the revocable session id, not the user id.
        if self.session_id is None:
            raise RuntimeError("log users in through networkapp.auth.sessions")
        return self.session_id

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class UserSession(db.Model):
    """A login.  Deleting the row revokes every copy of its cookie."""

    __tablename__ = "user_sessions"

    # sha256 of the random token held in the signed cookie.
    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ip_address: Mapped[str | None] = mapped_column(sa.String(45))
    user_agent: Mapped[str | None] = mapped_column(sa.String(255))
