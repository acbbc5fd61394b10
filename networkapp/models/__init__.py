"""All models, imported so that Alembic and relationship strings can see them."""

from networkapp.models.communities import (
    Event,
    EventRsvp,
    Group,
    GroupJoinRequest,
    GroupMember,
    GroupPost,
    MentorshipProfile,
    MentorshipRequest,
    MentorshipSkill,
)
from networkapp.models.graph import Block, Connection, ConnectionEdge
from networkapp.models.idempotency import IdempotencyKey
from networkapp.models.notification import Notification
from networkapp.models.profile import Education, Experience
from networkapp.models.skill import Skill, SkillEndorsement, UserSkill
from networkapp.models.user import User, UserSession

__all__ = [
    "Block",
    "Connection",
    "ConnectionEdge",
    "Education",
    "Event",
    "EventRsvp",
    "Experience",
    "Group",
    "GroupJoinRequest",
    "GroupMember",
    "GroupPost",
    "IdempotencyKey",
    "MentorshipProfile",
    "MentorshipRequest",
    "MentorshipSkill",
    "Notification",
    "Skill",
    "SkillEndorsement",
    "User",
    "UserSession",
    "UserSkill",
]
