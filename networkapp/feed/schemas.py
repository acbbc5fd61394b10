import marshmallow as ma

from networkapp.pagination import PageArgsSchema, page_schema
from networkapp.schemas import UserSummarySchema

FEED_TYPES = ("post", "achievement", "job_change", "new_connection", "job_posted", "group_post")


class FeedArgsSchema(PageArgsSchema):
    pass


class FeedItemSchema(ma.Schema):
    type = ma.fields.String(metadata={"enum": list(FEED_TYPES)})
    actor = ma.fields.Nested(UserSummarySchema)
    object = ma.fields.Dict(
        metadata={"description": "The thing itself, with its id: a post, an achievement, a position, a connection"}
    )
    created_at = ma.fields.DateTime()
    score = ma.fields.Float()


FeedPageSchema = page_schema(FeedItemSchema, name="Feed")
