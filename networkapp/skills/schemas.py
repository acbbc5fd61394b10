import marshmallow as ma

from networkapp.pagination import PageArgsSchema, page_schema
from networkapp.schemas import Text


class SkillArgsSchema(PageArgsSchema):
    q = Text(load_default=None, allow_none=True, max_length=100)
    category = Text(load_default=None, allow_none=True, max_length=60)


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
