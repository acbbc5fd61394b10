import marshmallow as ma

from networkapp.models.communities import GROUP_ROLES, GROUP_VISIBILITIES
from networkapp.pagination import MAX_LIMIT, PageArgsSchema, page_schema
from networkapp.schemas import Int, Partial, StrictSchema, Text, UserSummarySchema


class GroupCreateSchema(StrictSchema):
    name = Text(required=True, max_length=120)
    description = Text(allow_none=True, max_length=5000)
    industry = Text(allow_none=True, max_length=100)
    visibility = Text(required=True, validate=ma.validate.OneOf(GROUP_VISIBILITIES))


class GroupUpdateSchema(Partial, GroupCreateSchema):
    pass


class GroupSchema(ma.Schema):
    """A group.  Outsiders of a private group get only id, name, description and member_count."""

    id = ma.fields.UUID(required=True)
    name = ma.fields.String(required=True)
    description = ma.fields.String(allow_none=True)
    industry = ma.fields.String(allow_none=True)
    visibility = ma.fields.String(required=True)
    creator_id = ma.fields.UUID(allow_none=True)
    member_count = ma.fields.Integer(required=True)
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()
    my_role = ma.fields.String(allow_none=True, metadata={"description": "admin, member, or null"})
    my_request_status = ma.fields.String(
        allow_none=True, metadata={"description": "Status of my join request (private groups), or null"}
    )


class GroupListArgsSchema(PageArgsSchema):
    q = Text(max_length=100, blank="keep")
    industry = Text(max_length=100, blank="keep")


class RecommendArgsSchema(ma.Schema):
    limit = Int(minimum=1, maximum=MAX_LIMIT, load_default=10)


class MemberSchema(ma.Schema):
    group_id = ma.fields.UUID(required=True)
    user = ma.fields.Nested(UserSummarySchema, required=True)
    role = ma.fields.String(required=True)
    joined_at = ma.fields.DateTime(required=True)


class MemberArgsSchema(PageArgsSchema):
    role = Text(validate=ma.validate.OneOf(GROUP_ROLES))


class RoleSchema(StrictSchema):
    role = Text(required=True, validate=ma.validate.OneOf(GROUP_ROLES))


class JoinResultSchema(ma.Schema):
    """Joining a public group makes a member; asking to join a private one makes a pending request."""

    group_id = ma.fields.UUID(required=True)
    user = ma.fields.Nested(UserSummarySchema, required=True)
    status = ma.fields.String(required=True, metadata={"description": "member or pending"})
    role = ma.fields.String(allow_none=True)
    joined_at = ma.fields.DateTime(allow_none=True)
    requested_at = ma.fields.DateTime(allow_none=True)


class JoinRequestSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    group_id = ma.fields.UUID(required=True)
    user = ma.fields.Nested(UserSummarySchema, required=True)
    status = ma.fields.String(required=True)
    created_at = ma.fields.DateTime(required=True)
    responded_at = ma.fields.DateTime(allow_none=True)


class GroupPostCreateSchema(StrictSchema):
    content = Text(required=True, max_length=5000)


class GroupPostSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    group_id = ma.fields.UUID(required=True)
    author = ma.fields.Nested(UserSummarySchema, required=True)
    content = ma.fields.String(required=True)
    created_at = ma.fields.DateTime(required=True)


class RecommendedGroupSchema(ma.Schema):
    group = ma.fields.Nested(GroupSchema, required=True)
    score = ma.fields.Float(required=True)
    reasons = ma.fields.List(ma.fields.String(), required=True)


GroupPageSchema = page_schema(GroupSchema)
MemberPageSchema = page_schema(MemberSchema)
JoinRequestPageSchema = page_schema(JoinRequestSchema)
GroupPostPageSchema = page_schema(GroupPostSchema)
RecommendedGroupPageSchema = page_schema(RecommendedGroupSchema)
