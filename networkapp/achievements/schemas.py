import marshmallow as ma

from networkapp.models.content import ACHIEVEMENT_CATEGORIES
from networkapp.pagination import PageArgsSchema, page_schema
from networkapp.schemas import StrictSchema, Text, Url


class AchievementArgsSchema(PageArgsSchema):
    user_id = ma.fields.UUID(load_default=None, metadata={"description": "Whose achievements (default: me)"})
    category = Text(load_default=None, validate=ma.validate.OneOf(ACHIEVEMENT_CATEGORIES))
    view = Text(load_default="chronological", validate=ma.validate.OneOf(("chronological", "category")))


class _AchievementInput(StrictSchema):
    title = Text(max_length=200)
    category = Text(validate=ma.validate.OneOf(ACHIEVEMENT_CATEGORIES))
    description = Text(allow_none=True, max_length=2000)
    date = ma.fields.Date(
        allow_none=True, metadata={"description": "When it was achieved (ISO date, not in the future)"}
    )
    verification = Url(
        allow_none=True, metadata={"description": "A public page that proves it (stored as verification_url)"}
    )


class AchievementCreateSchema(_AchievementInput):
    title = Text(required=True, max_length=200)
    category = Text(required=True, validate=ma.validate.OneOf(ACHIEVEMENT_CATEGORIES))


class AchievementUpdateSchema(_AchievementInput):
    pass


class AchievementSchema(ma.Schema):
    id = ma.fields.UUID()
    user_id = ma.fields.UUID()
    title = ma.fields.String()
    description = ma.fields.String(allow_none=True)
    achievement_date = ma.fields.Date(allow_none=True)
    category = ma.fields.String()
    verification_url = ma.fields.String(allow_none=True)
    is_verified = ma.fields.Boolean()
    created_at = ma.fields.DateTime()


class AchievementGroupSchema(ma.Schema):
    category = ma.fields.String()
    count = ma.fields.Integer()
    items = ma.fields.List(ma.fields.Nested(AchievementSchema))


AchievementPageSchema = page_schema(
    AchievementSchema,
    groups=ma.fields.List(
        ma.fields.Nested(AchievementGroupSchema),
        metadata={"description": "Only with view=category: the same achievements grouped by category"},
    ),
)
