"""Communities: professional groups, events and mentorship.

Counters that a hot path reads or a rule guards (a group's ``member_count``,
an event's ``going_count``, a mentor's ``active_mentee_count``) live on the
parent row and change in the same transaction as the rows they count; the
capacity counters are also bounded by CHECK constraints, so even a service
bug cannot overbook.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from networkapp.database import UTCDateTime, new_uuid, utcnow
from networkapp.extensions import db

GROUP_VISIBILITIES = ("public", "private")
GROUP_ROLES = ("admin", "member")
JOIN_REQUEST_STATUSES = ("pending", "approved", "declined")
RSVP_STATUSES = ("going", "interested", "not_going")
MENTORSHIP_STATUSES = ("pending", "active", "declined", "withdrawn", "ended")
MENTORSHIP_SKILL_KINDS = ("topic", "goal")


class Group(db.Model):
    __tablename__ = "groups"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_uuid)
    name: Mapped[str] = mapped_column(sa.String(120))
    description: Mapped[str | None] = mapped_column(sa.Text)
    industry: Mapped[str | None] = mapped_column(sa.String(100))
    visibility: Mapped[str] = mapped_column(sa.String(10))
    creator_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    member_count: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (
        sa.CheckConstraint("visibility IN ('public', 'private')", name="visibility"),
        sa.CheckConstraint("member_count >= 0", name="member_count_nonnegative"),
        # The directory pages newest first; recommendations filter by industry.
        sa.Index("ix_groups_created", "created_at", "id"),
        sa.Index("ix_groups_industry", "industry"),
    )


class GroupMember(db.Model):
    __tablename__ = "group_members"

    group_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(sa.String(10), default="member")
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User", lazy="joined")

    __table_args__ = (
        sa.CheckConstraint("role IN ('admin', 'member')", name="role"),
        # "My groups" and "groups my connections belong to" start from the user.
        sa.Index("ix_group_members_user", "user_id", "group_id"),
        sa.Index("ix_group_members_group_joined", "group_id", "joined_at", "user_id"),
    )


class GroupJoinRequest(db.Model):
    """One row per (group, person): a new request after a decline reopens it."""

    __tablename__ = "group_join_requests"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_uuid)
    group_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("groups.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(sa.String(10), default="pending")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User", lazy="joined")

    __table_args__ = (
        sa.UniqueConstraint("group_id", "user_id"),
        sa.CheckConstraint("status IN ('pending', 'approved', 'declined')", name="status"),
        sa.Index("ix_group_join_requests_group_status", "group_id", "status", "created_at"),
    )


class GroupPost(db.Model):
    __tablename__ = "group_posts"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_uuid)
    group_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("groups.id", ondelete="CASCADE"))
    author_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    content: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author = relationship("User", lazy="joined")

    __table_args__ = (sa.Index("ix_group_posts_group_created", "group_id", "created_at", "id"),)


class Event(db.Model):
    __tablename__ = "events"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_uuid)
    organizer_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # A group's events go with the group: kept, they would leak a private group's plans.
    group_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("groups.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str | None] = mapped_column(sa.Text)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # IANA zone the organiser planned in: the .ics export and clients show wall-clock times in it.
    timezone: Mapped[str] = mapped_column(sa.String(64))
    online_url: Mapped[str | None] = mapped_column(sa.String(500))
    location: Mapped[str | None] = mapped_column(sa.String(200))
    capacity: Mapped[int | None] = mapped_column()
    going_count: Mapped[int] = mapped_column(default=0, server_default="0")
    interested_count: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    organizer = relationship("User", lazy="joined")

    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("capacity IS NULL OR capacity >= 1", name="capacity_positive"),
        sa.CheckConstraint("going_count >= 0 AND interested_count >= 0", name="counts_nonnegative"),
        # The last line of defence against overbooking.
        sa.CheckConstraint("capacity IS NULL OR going_count <= capacity", name="not_overbooked"),
        sa.Index("ix_events_starts", "starts_at", "id"),
        sa.Index("ix_events_group_starts", "group_id", "starts_at"),
    )


class EventRsvp(db.Model):
    __tablename__ = "event_rsvps"

    event_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[str] = mapped_column(sa.String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user = relationship("User", lazy="joined")

    __table_args__ = (
        sa.CheckConstraint("status IN ('going', 'interested', 'not_going')", name="status"),
        # "Events I attend" (also-attending suggestions, recommendations) start from the user.
        sa.Index("ix_event_rsvps_user_status", "user_id", "status", "event_id"),
        sa.Index("ix_event_rsvps_event_status", "event_id", "status", "created_at", "user_id"),
    )


class MentorshipProfile(db.Model):
    """A person's opt-in as mentor and/or mentee (``None`` capacity: not mentoring)."""

    __tablename__ = "mentorship_profiles"

    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    is_mentor: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    mentor_capacity: Mapped[int] = mapped_column(default=0, server_default="0")
    mentor_bio: Mapped[str | None] = mapped_column(sa.String(2000))
    is_mentee: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    mentee_bio: Mapped[str | None] = mapped_column(sa.String(2000))
    active_mentee_count: Mapped[int] = mapped_column(default=0, server_default="0")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (
        sa.CheckConstraint("mentor_capacity >= 0", name="capacity_nonnegative"),
        sa.CheckConstraint("active_mentee_count >= 0", name="active_nonnegative"),
        sa.Index("ix_mentorship_profiles_mentor", "is_mentor", "user_id"),
    )


class MentorshipSkill(db.Model):
    """A mentor's topic or a mentee's goal, always a catalogue skill so it can be matched."""

    __tablename__ = "mentorship_skills"

    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("mentorship_profiles.user_id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(sa.String(5), primary_key=True)
    skill_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("skills.id", ondelete="CASCADE"), primary_key=True)

    skill = relationship("Skill", lazy="joined")

    __table_args__ = (
        sa.CheckConstraint("kind IN ('topic', 'goal')", name="kind"),
        sa.Index("ix_mentorship_skills_skill", "skill_id", "kind", "user_id"),
    )


class MentorshipRequest(db.Model):
    __tablename__ = "mentorship_requests"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_uuid)
    mentor_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    mentee_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(sa.String(10), default="pending")
    message: Mapped[str | None] = mapped_column(sa.String(1000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    mentor = relationship("User", foreign_keys=[mentor_id], lazy="joined")
    mentee = relationship("User", foreign_keys=[mentee_id], lazy="joined")

    __table_args__ = (
        sa.CheckConstraint(
            "status IN ('pending', 'active', 'declined', 'withdrawn', 'ended')",
            name="status",
        ),
        sa.CheckConstraint("mentor_id <> mentee_id", name="not_self"),
        # At most one open (pending or active) mentorship per pair, whatever the race.
        sa.Index(
            "uq_mentorship_requests_open_pair",
            "mentor_id",
            "mentee_id",
            unique=True,
            sqlite_where=sa.text("status IN ('pending', 'active')"),
            postgresql_where=sa.text("status IN ('pending', 'active')"),
        ),
        sa.Index("ix_mentorship_requests_mentor", "mentor_id", "created_at", "id"),
        sa.Index("ix_mentorship_requests_mentee", "mentee_id", "created_at", "id"),
    )
