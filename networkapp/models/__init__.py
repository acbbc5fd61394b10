"""All models, imported so that Alembic and relationship strings can see them."""

from networkapp.models.content import Achievement, Post, PostComment, PostLike
from networkapp.models.graph import Block, Connection, ConnectionEdge
from networkapp.models.idempotency import IdempotencyKey
from networkapp.models.notification import Notification
from networkapp.models.profile import Education, Experience
from networkapp.models.skill import Skill, SkillEndorsement, UserSkill
from networkapp.models.user import User, UserSession

__all__ = [
    "Achievement",
    "Block",
    "Connection",
    "ConnectionEdge",
    "Education",
    "Experience",
    "IdempotencyKey",
    "Notification",
    "Post",
    "PostComment",
    "PostLike",
    "Skill",
    "SkillEndorsement",
    "User",
    "UserSession",
    "UserSkill",
]
