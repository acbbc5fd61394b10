"""Schema building blocks shared by every domain."""

import marshmallow as ma

USERNAME_PATTERN = r"^[A-Za-z0-9_.-]{3,30}$"


class StrictSchema(ma.Schema):
    """Request schemas: unknown fields are an error, not silently dropped."""

    class Meta:
        unknown = ma.RAISE


class UserSummarySchema(ma.Schema):
    """The minimal card of a person: safe to show wherever the person is visible at all."""

    id = ma.fields.UUID(dump_only=True)
    username = ma.fields.String(dump_only=True)
    first_name = ma.fields.String(dump_only=True)
    last_name = ma.fields.String(dump_only=True)
    headline = ma.fields.String(dump_only=True, allow_none=True)
    profile_image_url = ma.fields.String(dump_only=True, allow_none=True)
    # Filled in for signed-in viewers by networkapp.relationships.annotate (1, 2, 3 or null beyond).
    connection_degree = ma.fields.Integer(dump_only=True, allow_none=True)
