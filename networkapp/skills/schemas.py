import marshmallow as ma

from networkapp.pagination import PageArgsSchema, page_schema


class SkillArgsSchema(PageArgsSchema):
    q = ma.fields.String(load_default=None, validate=ma.validate.Length(max=100))
    category = ma.fields.String(load_default=None, validate=ma.validate.Length(max=60))


class SkillSchema(ma.Schema):
    id = ma.fields.UUID()
    name = ma.fields.String()
    category = ma.fields.String()
    description = ma.fields.String(allow_none=True)
    usage_count = ma.fields.Integer()


class CategorySchema(ma.Schema):
    name = ma.fields.String()
    count = ma.fields.Integer()


SkillPageSchema = page_schema(SkillSchema)
CategoryPageSchema = page_schema(CategorySchema)
