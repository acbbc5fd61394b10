import marshmallow as ma

from networkapp.pagination import MAX_LIMIT, PageArgsSchema, page_schema
from networkapp.schemas import Int, StrictSchema, Text, UserSummarySchema


class MentorInSchema(StrictSchema):
    topics = ma.fields.List(
        Text(max_length=100),
        required=True,
        validate=ma.validate.Length(min=1, max=20),
        metadata={"description": "Skill names from the catalogue"},
    )
    capacity = Int(required=True, minimum=1, maximum=50, metadata={"description": "How many mentees at a time"})
    bio = Text(allow_none=True, max_length=2000)


class MenteeInSchema(StrictSchema):
    goals = ma.fields.List(
        Text(max_length=100),
        required=True,
        validate=ma.validate.Length(min=1, max=20),
        metadata={"description": "Skill names from the catalogue"},
    )
    bio = Text(allow_none=True, max_length=2000)


class ProfileInSchema(StrictSchema):
    """Absent: unchanged; null: opt out of that role."""

    as_mentor = ma.fields.Nested(MentorInSchema, allow_none=True)
    as_mentee = ma.fields.Nested(MenteeInSchema, allow_none=True)


class MentorOutSchema(ma.Schema):
    topics = ma.fields.List(ma.fields.String(), required=True)
    capacity = ma.fields.Integer(required=True)
    bio = ma.fields.String(allow_none=True)
    active_mentees = ma.fields.Integer(required=True)


class MenteeOutSchema(ma.Schema):
    goals = ma.fields.List(ma.fields.String(), required=True)
    bio = ma.fields.String(allow_none=True)


class MentorshipProfileSchema(ma.Schema):
    user_id = ma.fields.UUID(required=True)
    as_mentor = ma.fields.Nested(MentorOutSchema, allow_none=True, required=True)
    as_mentee = ma.fields.Nested(MenteeOutSchema, allow_none=True, required=True)
    updated_at = ma.fields.DateTime(allow_none=True)


class MatchArgsSchema(ma.Schema):
    limit = Int(minimum=1, maximum=MAX_LIMIT, load_default=20)


class MatchSchema(ma.Schema):
    mentor = ma.fields.Nested(UserSummarySchema, required=True)
    score = ma.fields.Float(required=True)
    reasons = ma.fields.List(ma.fields.String(), required=True)
    topics = ma.fields.List(ma.fields.String(), required=True)
    years_experience = ma.fields.Float(
        required=True, allow_none=True, metadata={"description": "null when the mentor's profile hides their career"}
    )
    network = ma.fields.String(required=True, metadata={"description": "connected, shared_connections or none"})


class RequestInSchema(StrictSchema):
    mentor_id = ma.fields.UUID(required=True)
    message = Text(allow_none=True, max_length=1000)


class RequestSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    mentor_id = ma.fields.UUID(required=True)
    mentee_id = ma.fields.UUID(required=True)
    mentor = ma.fields.Nested(UserSummarySchema, required=True)
    mentee = ma.fields.Nested(UserSummarySchema, required=True)
    status = ma.fields.String(required=True)
    message = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime(required=True)
    responded_at = ma.fields.DateTime(allow_none=True)
    ended_at = ma.fields.DateTime(allow_none=True)


class RequestArgsSchema(PageArgsSchema):
    role = Text(validate=ma.validate.OneOf(("mentor", "mentee")))
    status = Text(validate=ma.validate.OneOf(("pending", "active", "declined", "withdrawn", "ended")))


class PositionSchema(ma.Schema):
    company = ma.fields.String(required=True)
    position = ma.fields.String(required=True)
    start_date = ma.fields.Date(allow_none=True)
    end_date = ma.fields.Date(allow_none=True)
    is_current = ma.fields.Boolean(required=True)
    duration_months = ma.fields.Integer(allow_none=True)


class TransitionSchema(ma.Schema):
    from_position = ma.fields.String(required=True)
    to_position = ma.fields.String(required=True)
    from_company = ma.fields.String(required=True)
    to_company = ma.fields.String(required=True)
    changed_company = ma.fields.Boolean(required=True)
    after_months = ma.fields.Integer(allow_none=True, metadata={"description": "Months in the earlier position"})


class NextPositionSchema(ma.Schema):
    position = ma.fields.String(required=True)
    count = ma.fields.Integer(required=True)


class CareerPathSchema(ma.Schema):
    user_id = ma.fields.UUID(required=True)
    positions = ma.fields.List(ma.fields.Nested(PositionSchema), required=True)
    transitions = ma.fields.List(ma.fields.Nested(TransitionSchema), required=True)
    total_years = ma.fields.Float(required=True)
    current_position = ma.fields.String(allow_none=True, required=True)
    common_next_positions = ma.fields.List(ma.fields.Nested(NextPositionSchema), required=True)


MatchPageSchema = page_schema(MatchSchema, "MentorMatch")
RequestPageSchema = page_schema(RequestSchema, "MentorshipRequest")
