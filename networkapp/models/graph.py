"""The connection graph.

``connections`` holds the request lifecycle, one row per pair of people
(``user_low_id`` < ``user_high_id`` makes "either direction" one unique key).
``connection_edges`` is the accepted graph materialised in both directions,
so "my connections" and friends-of-friends are index range scans on one
column instead of ORs over two.  Both change in the same transaction.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from networkapp.database import UTCDateTime, new_uuid, utcnow
from networkapp.extensions import db

CONNECTION_STATUSES = ("pending", "accepted", "declined")


class Connection(db.Model):
    __tablename__ = "connections"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_uuid)
    requester_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    recipient_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    user_low_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid)
    user_high_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid)
    status: Mapped[str] = mapped_column(sa.String(10), default="pending")
    message: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        sa.UniqueConstraint("user_low_id", "user_high_id"),
        sa.CheckConstraint("status IN ('pending', 'accepted', 'declined')", name="status"),
        sa.CheckConstraint("requester_id <> recipient_id", name="not_self"),
        sa.CheckConstraint("user_low_id < user_high_id", name="pair_order"),
        sa.Index("ix_connections_recipient_status", "recipient_id", "status", "created_at"),
        sa.Index("ix_connections_requester_status", "requester_id", "status", "created_at"),
    )

    @staticmethod
    def pair(a: uuid.UUID, b: uuid.UUID) -> tuple[uuid.UUID, uuid.UUID]:
        # Compare as the database does: SQLite stores hex strings, PostgreSQL bytes, same order.
        return (a, b) if a.hex < b.hex else (b, a)


class ConnectionEdge(db.Model):
    __tablename__ = "connection_edges"

    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    friend_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    connection_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("connections.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.Index("ix_connection_edges_friend", "friend_id", "user_id"),)


class Block(db.Model):
    __tablename__ = "blocks"

    blocker_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    blocked_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        sa.CheckConstraint("blocker_id <> blocked_id", name="not_self"),
        sa.Index("ix_blocks_blocked", "blocked_id", "blocker_id"),
    )
