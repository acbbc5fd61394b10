import marshmallow as ma

from networkapp.models.content import POST_TYPES, POST_VISIBILITIES
from networkapp.pagination import PageArgsSchema, page_schema
from networkapp.schemas import StrictSchema, UserSummarySchema

POST_MAX_LENGTH = 3000
COMMENT_MAX_LENGTH = 1000


def no_nul(value: str) -> None:
    # PostgreSQL text cannot hold NUL; refuse it on every backend alike.
    if "\x00" in value:
        raise ma.ValidationError("Must not contain NUL characters.")


def not_blank(value: str) -> None:
    if not value.strip():
        raise ma.ValidationError("Must not be empty.")
    no_nul(value)


class PostCreateSchema(StrictSchema):
    # Stored exactly as sent (no trimming, no HTML escaping): the SPA escapes on render.
    content = ma.fields.String(required=True, validate=[ma.validate.Length(max=POST_MAX_LENGTH), not_blank])
    post_type = ma.fields.String(load_default="update", validate=ma.validate.OneOf(POST_TYPES))
    visibility = ma.fields.String(load_default="public", validate=ma.validate.OneOf(POST_VISIBILITIES))


class PostUpdateSchema(StrictSchema):
    content = ma.fields.String(validate=[ma.validate.Length(max=POST_MAX_LENGTH), not_blank])
    post_type = ma.fields.String(validate=ma.validate.OneOf(POST_TYPES))
    visibility = ma.fields.String(validate=ma.validate.OneOf(POST_VISIBILITIES))


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
    content = ma.fields.String(required=True, validate=[ma.validate.Length(max=COMMENT_MAX_LENGTH), not_blank])


class CommentSchema(ma.Schema):
    id = ma.fields.UUID()
    post_id = ma.fields.UUID()
    author = ma.fields.Nested(UserSummarySchema)
    content = ma.fields.String()
    created_at = ma.fields.DateTime()


class CommentArgsSchema(PageArgsSchema):
    pass


CommentPageSchema = page_schema(CommentSchema, comment_count=ma.fields.Integer(required=True))
