import marshmallow as ma

from networkapp.pagination import PageArgsSchema, page_schema
from networkapp.schemas import StrictSchema, Text, UserSummarySchema


class ConnectionRequestSchema(StrictSchema):
    target_user_id = ma.fields.UUID(required=True)
    message = Text(load_default=None, allow_none=True, max_length=500)


class ConnectionSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    requester_id = ma.fields.UUID(required=True)
    recipient_id = ma.fields.UUID(required=True)
    status = ma.fields.String(required=True, metadata={"enum": ["pending", "accepted", "declined"]})
    message = ma.fields.String(allow_none=True, required=True)
    created_at = ma.fields.DateTime(required=True)
    responded_at = ma.fields.DateTime(allow_none=True, required=True)


class PendingRequestSchema(ConnectionSchema):
    user = ma.fields.Nested(UserSummarySchema, required=True, metadata={"description": "The other person"})
    mutual_connections = ma.fields.Integer(required=True)


class ConnectionListArgsSchema(PageArgsSchema):
    q = Text(max_length=100, blank="keep")
    industry = Text(max_length=100, blank="keep")
    location = Text(max_length=120, blank="keep")


class ConnectionItemSchema(ma.Schema):
    id = ma.fields.UUID(required=True, metadata={"description": "The connection's id"})
    user = ma.fields.Nested(UserSummarySchema, required=True)
    connected_at = ma.fields.DateTime(required=True)
    mutual_connections = ma.fields.Integer(required=True)


class RequestListArgsSchema(PageArgsSchema):
    direction = Text(load_default="incoming", validate=ma.validate.OneOf(["incoming", "outgoing"]))


class BlockRequestSchema(StrictSchema):
    user_id = ma.fields.UUID(required=True)


class BlockSchema(ma.Schema):
    user = ma.fields.Nested(UserSummarySchema, required=True)
    created_at = ma.fields.DateTime(required=True)


class SuggestionSchema(ma.Schema):
    user = ma.fields.Nested(UserSummarySchema, required=True)
    score = ma.fields.Float(required=True)
    mutual_connections = ma.fields.Integer(required=True)
    reasons = ma.fields.List(ma.fields.String(), required=True)


ConnectionPageSchema = page_schema(ConnectionItemSchema, "Connection")
PendingRequestPageSchema = page_schema(PendingRequestSchema, "PendingRequest")
BlockPageSchema = page_schema(BlockSchema, "Block")
SuggestionPageSchema = page_schema(SuggestionSchema, "Suggestion")
