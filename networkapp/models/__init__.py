"""All models, imported so that Alembic and relationship strings can see them."""

from networkapp.models.assessments import AssessmentAttempt, AssessmentAttemptQuestion, AssessmentQuestion
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
from networkapp.models.connections import SuggestionDismissal
from networkapp.models.content import Achievement, Post, PostComment, PostLike
from networkapp.models.graph import Block, Connection, ConnectionEdge
from networkapp.models.idempotency import IdempotencyKey
from networkapp.models.jobs import (
    ApplicationStatusChange,
    Company,
    CompanyAdmin,
    Job,
    JobAlert,
    JobApplication,
    JobSkill,
)
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
from networkapp.models.profiles import ContactInfo, Media, ProfileSearchDoc, ProfileView, Project
from networkapp.models.skill import Skill, SkillEndorsement, UserSkill
from networkapp.models.user import User, UserSession

__all__ = [
    "Achievement",
    "ApplicationStatusChange",
    "AssessmentAttempt",
    "AssessmentAttemptQuestion",
    "AssessmentQuestion",
    "AutoResponseLog",
    "Block",
    "Company",
    "CompanyAdmin",
    "Connection",
    "ConnectionEdge",
    "ContactInfo",
    "Conversation",
    "ConversationParticipant",
    "Education",
    "EmailOutbox",
    "Event",
    "EventRsvp",
    "Experience",
    "Group",
    "GroupJoinRequest",
    "GroupMember",
    "GroupPost",
    "IdempotencyKey",
    "Job",
    "JobAlert",
    "JobApplication",
    "JobSkill",
    "Media",
    "MentorshipProfile",
    "MentorshipRequest",
    "MentorshipSkill",
    "Message",
    "MessageAttachment",
    "MessageSearchToken",
    "MessagingSettings",
    "Notification",
    "Post",
    "PostComment",
    "PostLike",
    "ProfileSearchDoc",
    "ProfileView",
    "Project",
    "Skill",
    "SkillEndorsement",
    "SocketPresence",
    "SuggestionDismissal",
    "User",
    "UserSession",
    "UserSkill",
]
