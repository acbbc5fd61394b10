"""All models, imported so that Alembic and relationship strings can see them."""

from networkapp.models.graph import Block, Connection, ConnectionEdge
from networkapp.models.idempotency import IdempotencyKey
from networkapp.models.notification import Notification
from networkapp.models.skill import Skill, UserSkill
from networkapp.models.user import User, UserSession

__all__ = [
    "Block",
    "Connection",
    "ConnectionEdge",
    "IdempotencyKey",
    "Notification",
    "Skill",
    "User",
    "UserSession",
    "UserSkill",
]
