import marshmallow as ma


class PathNodeSchema(ma.Schema):
    """A person on a chain: their minimal card, or only ``hidden: true`` where they may not be named."""

    hidden = ma.fields.Boolean(required=True)
    id = ma.fields.UUID()
    username = ma.fields.String()
    first_name = ma.fields.String()
    last_name = ma.fields.String()
    headline = ma.fields.String(allow_none=True)
    profile_image_url = ma.fields.String(allow_none=True)


class PathSchema(ma.Schema):
    degree = ma.fields.Integer(allow_none=True, required=True, metadata={"enum": [1, 2, 3, None]})
    path = ma.fields.List(ma.fields.Nested(PathNodeSchema), required=True)
    alternative_paths = ma.fields.Integer(required=True)
    hidden_links = ma.fields.Integer(required=True)
