import marshmallow as ma

from networkapp.models.content import POST_TYPES, POST_VISIBILITIES
from networkapp.pagination import PageArgsSchema, page_schema
from networkapp.schemas import StrictSchema, Text, UserSummarySchema

POST_MAX_LENGTH = 3000
COMMENT_MAX_LENGTH = 1000


class PostCreateSchema(StrictSchema):
    # Stored exactly as sent (no trimming, no HTML escaping): the SPA escapes on render.
    content = Text(required=True, trim=False, max_length=POST_MAX_LENGTH)
    post_type = Text(load_default="update", validate=ma.validate.OneOf(POST_TYPES))
    visibility = Text(load_default="public", validate=ma.validate.OneOf(POST_VISIBILITIES))


class PostUpdateSchema(StrictSchema):
    content = Text(trim=False, max_length=POST_MAX_LENGTH)
    post_type = Text(validate=ma.validate.OneOf(POST_TYPES))
    visibility = Text(validate=ma.validate.OneOf(POST_VISIBILITIES))


class PostSchema(ma.Schema):
    id = ma.fields.UUID()
    author = ma.fields.Nested(UserSummarySchema)
    content = ma.fields.String()
    post_type = ma.fields.String()
    visibility = ma.fields.String()
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()
    like_count = ma.fields.Integer()
    comment_count = ma.fields.Integer()
    liked_by_me = ma.fields.Boolean()


class CommentCreateSchema(StrictSchema):
    content = Text(required=True, trim=False, max_length=COMMENT_MAX_LENGTH)


class CommentSchema(ma.Schema):
    id = ma.fields.UUID()
    post_id = ma.fields.UUID()
    author = ma.fields.Nested(UserSummarySchema)
    content = ma.fields.String()
    created_at = ma.fields.DateTime()


class CommentArgsSchema(PageArgsSchema):
    pass


CommentPageSchema = page_schema(CommentSchema, comment_count=ma.fields.Integer(required=True))
