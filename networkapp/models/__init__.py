"""All models, imported so that Alembic and relationship strings can see them."""

from networkapp.models.assessments import AssessmentAttempt, AssessmentAttemptQuestion, AssessmentQuestion
from networkapp.models.graph import Block, Connection, ConnectionEdge
from networkapp.models.idempotency import IdempotencyKey
from networkapp.models.notification import Notification
from networkapp.models.profile import Education, Experience
from networkapp.models.skill import Skill, SkillEndorsement, UserSkill
from networkapp.models.user import User, UserSession

__all__ = [
    "AssessmentAttempt",
    "AssessmentAttemptQuestion",
    "AssessmentQuestion",
    "Block",
    "Connection",
    "ConnectionEdge",
    "Education",
    "Experience",
    "IdempotencyKey",
    "Notification",
    "Skill",
    "SkillEndorsement",
    "User",
    "UserSession",
    "UserSkill",
]
