import marshmallow as ma

from networkapp.schemas import StrictSchema, Text, UserSummarySchema


class EndorseSchema(StrictSchema):
    user_id = ma.fields.UUID(required=True)
    skill_id = ma.fields.UUID(required=True)
    endorsement_text = Text(load_default=None, allow_none=True, max_length=500)


class EndorsementSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    endorser_id = ma.fields.UUID(required=True)
    endorsee_id = ma.fields.UUID(required=True)
    skill_id = ma.fields.UUID(required=True)
    endorsement_text = ma.fields.String(allow_none=True, required=True)
    created_at = ma.fields.DateTime(required=True)


class EndorsementArgsSchema(ma.Schema):
    user_id = ma.fields.UUID(load_default=None, metadata={"description": "Whose endorsements (default: mine)"})


class SkillRefSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    name = ma.fields.String(required=True)


class EndorsementEntrySchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    endorser = ma.fields.Nested(UserSummarySchema, required=True)
    endorsement_text = ma.fields.String(allow_none=True, required=True)
    created_at = ma.fields.DateTime(required=True)


class SkillEndorsementsSchema(ma.Schema):
    skill = ma.fields.Nested(SkillRefSchema, required=True)
    count = ma.fields.Integer(required=True)
    endorsements = ma.fields.List(ma.fields.Nested(EndorsementEntrySchema), required=True)


class SkillEndorsementsPageSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(SkillEndorsementsSchema), required=True)
    next_cursor = ma.fields.String(
        allow_none=True, required=True, metadata={"description": "Always null: a profile's skills fit on one page"}
    )
