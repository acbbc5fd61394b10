"""Conversations, their participants, messages and what hangs off them.

The conversation list is the hottest read, so each participant row carries
its own copy of the conversation's ``last_activity``: "my conversations,
newest first" is then one range scan of ``(user_id, last_activity, id)``
with no sort.  A new message updates those rows (and the unread counters)
in the same statement and transaction as the insert.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from networkapp.database import UTCDateTime, new_uuid, utcnow
from networkapp.extensions import db

MESSAGE_TYPES = ("text", "file", "system")
AVAILABILITIES = ("available", "busy", "away")


class EncryptedText(sa.TypeDecorator):
    """Text stored as a Fernet token; the application only ever sees plaintext."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        from networkapp.messaging import crypto

        return crypto.encrypt(value)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        from networkapp.messaging import crypto

        return crypto.decrypt(value)


class Conversation(db.Model):
    __tablename__ = "conversations"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_uuid)
    is_group: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    title: Mapped[str | None] = mapped_column(sa.String(100))
    # "<low hex>:<high hex>" for a 1:1 conversation: one conversation per pair, enforced by the database.
    pair_key: Mapped[str | None] = mapped_column(sa.String(65), unique=True)
    creator_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_activity: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A denormalised pointer (no foreign key: messages and this row reference each other).
    last_message_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)

    __table_args__ = (
        sa.CheckConstraint("is_group OR pair_key IS NOT NULL", name="direct_has_pair"),
        sa.CheckConstraint("NOT is_group OR pair_key IS NULL", name="group_has_no_pair"),
    )

    @staticmethod
    def pair_key_for(a: uuid.UUID, b: uuid.UUID) -> str:
        low, high = sorted((a.hex, b.hex))
        return f"{low}:{high}"


class ConversationParticipant(db.Model):
    __tablename__ = "conversation_participants"

    conversation_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    # The other person of a 1:1 conversation (None in groups): lets the list hide blocked people without a join.
    peer_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_activity: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unread_count: Mapped[int] = mapped_column(default=0, server_default="0")
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User", foreign_keys=[user_id], lazy="raise")

    __table_args__ = (
        sa.CheckConstraint("unread_count >= 0", name="unread_nonnegative"),
        sa.Index("ix_conversation_participants_inbox", "user_id", "last_activity", "conversation_id"),
    )


class Message(db.Model):
    __tablename__ = "messages"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_uuid)
    conversation_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("conversations.id", ondelete="CASCADE"))
    sender_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    recipient_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    content: Mapped[str] = mapped_column(EncryptedText)
    message_type: Mapped[str] = mapped_column(sa.String(10), default="text", server_default="text")
    client_id: Mapped[str | None] = mapped_column(sa.String(64))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    attachment = relationship("MessageAttachment", uselist=False, viewonly=True)

    __table_args__ = (
        sa.UniqueConstraint("sender_id", "client_id"),
        sa.CheckConstraint("message_type IN ('text', 'file', 'system')", name="message_type"),
        sa.Index("ix_messages_conversation_sent", "conversation_id", "sent_at", "id"),
    )


class MessageAttachment(db.Model):
    __tablename__ = "message_attachments"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_uuid)
    message_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("messages.id", ondelete="CASCADE"), unique=True)
    conversation_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(EncryptedText)
    content_type: Mapped[str] = mapped_column(sa.String(120))
    size: Mapped[int] = mapped_column(sa.BigInteger)
    # Random name under the instance folder; never derived from the uploaded name.
    storage_name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MessageSearchToken(db.Model):
    """Blind index: one keyed hash per distinct word of a message (see messaging/crypto.py)."""

    __tablename__ = "message_search_tokens"

    token: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    message_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True)
    conversation_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("conversations.id", ondelete="CASCADE"))

    __table_args__ = (sa.Index("ix_message_search_tokens_message", "message_id"),)


class MessagingSettings(db.Model):
    __tablename__ = "messaging_settings"

    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    read_receipts: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    availability: Mapped[str] = mapped_column(sa.String(10), default="available", server_default="available")
    auto_response: Mapped[str | None] = mapped_column(EncryptedText)
    # Notification types (and "message") the user does not want in e-mail digests.
    email_opt_out: Mapped[list] = mapped_column(sa.JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (sa.CheckConstraint("availability IN ('available', 'busy', 'away')", name="availability"),)


class AutoResponseLog(db.Model):
    """At most one auto-response per conversation, responder and (UTC) day: the primary key is the rule."""

    __tablename__ = "auto_response_log"

    conversation_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)


class SocketPresence(db.Model):
    """Live Socket.IO connections, shared by every server process.

    Used to tell offline users (who get e-mail) from online ones, and to find
    a session's sockets when it ends, whichever process holds them.
    """

    __tablename__ = "socket_presence"

    sid: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    namespace: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    session_key: Mapped[str] = mapped_column(sa.String(64), index=True)
    connected_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The process holding the socket, and its last heartbeat (networkapp.messaging.presence).
    server_id: Mapped[str] = mapped_column(sa.String(80), index=True, default="")
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True, default=utcnow)


class EmailOutbox(db.Model):
    """Things to put in a user's next e-mail digest (only queued while the user had no live socket)."""

    __tablename__ = "email_outbox"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_uuid)
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(12))
    message_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("messages.id", ondelete="CASCADE"))
    notification_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("notifications.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        sa.CheckConstraint("kind IN ('message', 'notification')", name="kind"),
        sa.Index("ix_email_outbox_pending", "sent_at", "user_id"),
    )
