import marshmallow as ma

from networkapp.models.content import ACHIEVEMENT_CATEGORIES
from networkapp.pagination import PageArgsSchema, page_schema
from networkapp.posts.schemas import no_nul, not_blank
from networkapp.schemas import StrictSchema


class AchievementArgsSchema(PageArgsSchema):
    user_id = ma.fields.UUID(load_default=None, metadata={"description": "Whose achievements (default: me)"})
    category = ma.fields.String(load_default=None, validate=ma.validate.OneOf(ACHIEVEMENT_CATEGORIES))
    view = ma.fields.String(load_default="chronological", validate=ma.validate.OneOf(("chronological", "category")))


class _AchievementInput(StrictSchema):
    title = ma.fields.String(validate=[ma.validate.Length(max=200), not_blank])
    category = ma.fields.String(validate=ma.validate.OneOf(ACHIEVEMENT_CATEGORIES))
    description = ma.fields.String(allow_none=True, validate=[ma.validate.Length(max=2000), no_nul])
    date = ma.fields.Date(
        allow_none=True, metadata={"description": "When it was achieved (ISO date, not in the future)"}
    )
    verification = ma.fields.Url(
        allow_none=True,
        schemes={"http", "https"},
        validate=ma.validate.Length(max=500),
        metadata={"description": "A public page that proves it (stored as verification_url)"},
    )

    @ma.pre_load
    def strip_title(self, data, **kwargs):
        if isinstance(data, dict) and isinstance(data.get("title"), str):
            data = {**data, "title": data["title"].strip()}
        return data


class AchievementCreateSchema(_AchievementInput):
    title = ma.fields.String(required=True, validate=[ma.validate.Length(max=200), not_blank])
    category = ma.fields.String(required=True, validate=ma.validate.OneOf(ACHIEVEMENT_CATEGORIES))


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
