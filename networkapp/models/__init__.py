"""All models, imported so that Alembic and relationship strings can see them."""

from networkapp.models.graph import Block, Connection, ConnectionEdge
from networkapp.models.idempotency import IdempotencyKey
from networkapp.models.messaging import (
    AutoResponseLog,
    Conversation,
    ConversationParticipant,
    EmailOutbox,
    Message,
    MessageAttachment,
    MessageSearchToken,
    MessagingSettings,
    SocketPresence,
)
from networkapp.models.notification import Notification
from networkapp.models.profile import Education, Experience
from networkapp.models.skill import Skill, SkillEndorsement, UserSkill
from networkapp.models.user import User, UserSession

__all__ = [
    "AutoResponseLog",
    "Block",
    "Connection",
    "ConnectionEdge",
    "Conversation",
    "ConversationParticipant",
    "Education",
    "EmailOutbox",
    "Experience",
    "IdempotencyKey",
    "Message",
    "MessageAttachment",
    "MessageSearchToken",
    "MessagingSettings",
    "Notification",
    "Skill",
    "SkillEndorsement",
    "SocketPresence",
    "User",
    "UserSession",
    "UserSkill",
]
