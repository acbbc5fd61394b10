import marshmallow as ma

from networkapp.pagination import PageArgsSchema, page_schema
from networkapp.schemas import StrictSchema, UserSummarySchema


class NotificationSchema(ma.Schema):
    id = ma.fields.UUID()
    type = ma.fields.String()
    actor = ma.fields.Nested(UserSummarySchema, allow_none=True)
    data = ma.fields.Dict()
    created_at = ma.fields.DateTime()
    read_at = ma.fields.DateTime(allow_none=True)


class NotificationArgsSchema(PageArgsSchema):
    unread = ma.fields.Boolean(load_default=False)


NotificationPageSchema = page_schema(NotificationSchema, unread_count=ma.fields.Integer(required=True))


class MarkReadSchema(StrictSchema):
    ids = ma.fields.List(ma.fields.UUID(), validate=ma.validate.Length(max=500))


class MarkedSchema(ma.Schema):
    marked = ma.fields.Integer()
    unread_count = ma.fields.Integer()
