"""What people publish: achievements, posts, and the likes and comments on posts.

The feed has no tables of its own: it is assembled on read from these rows
and the career/graph tables (see docs/feed.md), so every index here that
starts with the author and ``created_at`` serves the feed's candidate window.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from networkapp.database import UTCDateTime, new_uuid, utcnow
from networkapp.extensions import db

ACHIEVEMENT_CATEGORIES = ("certification", "award", "milestone", "publication", "project")
POST_TYPES = ("update", "article", "achievement")
POST_VISIBILITIES = ("public", "connections", "private")


class Achievement(db.Model):
    __tablename__ = "achievements"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_uuid)
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str | None] = mapped_column(sa.Text)
    achievement_date: Mapped[date | None] = mapped_column(sa.Date)
    category: Mapped[str] = mapped_column(sa.String(20))
    verification_url: Mapped[str | None] = mapped_column(sa.String(500))
    is_verified: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # The chronological view orders by the achievement's date, or by when it was added
    # when it has none; a non-null column keeps that a plain keyset over an index.
    sort_date: Mapped[date] = mapped_column(sa.Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (
        sa.CheckConstraint(
            "category IN ('certification', 'award', 'milestone', 'publication', 'project')", name="category"
        ),
        sa.Index("ix_achievements_user_sort", "user_id", "sort_date", "id"),
        sa.Index("ix_achievements_user_created", "user_id", "created_at"),
    )


class Post(db.Model):
    __tablename__ = "posts"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_uuid)
    author_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    content: Mapped[str] = mapped_column(sa.Text)
    post_type: Mapped[str] = mapped_column(sa.String(12), default="update", server_default="update")
    visibility: Mapped[str] = mapped_column(sa.String(12), default="public", server_default="public")
    # Denormalised counters, changed only by atomic UPDATE ... SET n = n +/- 1 in the
    # transaction that inserts or deletes the like/comment row.
    like_count: Mapped[int] = mapped_column(default=0, server_default="0")
    comment_count: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author = relationship("User", lazy="joined", innerjoin=True)

    __table_args__ = (
        sa.CheckConstraint("post_type IN ('update', 'article', 'achievement')", name="post_type"),
        sa.CheckConstraint("visibility IN ('public', 'connections', 'private')", name="visibility"),
        sa.CheckConstraint("like_count >= 0", name="like_count_nonnegative"),
        sa.CheckConstraint("comment_count >= 0", name="comment_count_nonnegative"),
        # The feed's candidate window: recent posts of a set of authors.
        sa.Index("ix_posts_author_created", "author_id", "created_at", "id"),
    )


class PostLike(db.Model):
    __tablename__ = "post_likes"

    post_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        # Affinity: "which posts has this person liked"; engagement: likes of a post before a time.
        sa.Index("ix_post_likes_user_post", "user_id", "post_id"),
        sa.Index("ix_post_likes_post_created", "post_id", "created_at"),
    )


class PostComment(db.Model):
    __tablename__ = "post_comments"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_uuid)
    post_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"))
    author_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    content: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author = relationship("User", lazy="joined", innerjoin=True)

    __table_args__ = (
        sa.Index("ix_post_comments_post_created", "post_id", "created_at", "id"),
        sa.Index("ix_post_comments_author_post", "author_id", "post_id"),
    )
