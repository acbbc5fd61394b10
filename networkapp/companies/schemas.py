import marshmallow as ma

from networkapp.jobs.schemas import JobSchema
from networkapp.models.jobs import COMPANY_SIZES
from networkapp.schemas import Partial, StrictSchema, Text, Url, UserSummarySchema

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


class CompanyWriteSchema(StrictSchema):
    name = Text(max_length=160, required=True)
    slug = Text(min_length=2, max_length=80, validate=ma.validate.Regexp(SLUG_PATTERN))
    industry = Text(max_length=100, allow_none=True)
    size = Text(allow_none=True, validate=ma.validate.OneOf(COMPANY_SIZES))
    location = Text(max_length=120, allow_none=True)
    website = Url(allow_none=True)
    description = Text(max_length=10_000, allow_none=True)
    logo_url = Url(allow_none=True)


class CompanyUpdateSchema(Partial, CompanyWriteSchema):
    pass


class CompanySchema(ma.Schema):
    id = ma.fields.UUID()
    name = ma.fields.String()
    slug = ma.fields.String()
    industry = ma.fields.String(allow_none=True)
    size = ma.fields.String(allow_none=True)
    location = ma.fields.String(allow_none=True)
    website = ma.fields.String(allow_none=True)
    description = ma.fields.String(allow_none=True)
    logo_url = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()
    is_admin = ma.fields.Boolean(metadata={"description": "Whether the caller administers this company"})


class CompanyDetailSchema(CompanySchema):
    open_jobs = ma.fields.List(ma.fields.Nested(JobSchema))


class AdminArgsSchema(StrictSchema):
    user_id = ma.fields.UUID(required=True)


class AdminSchema(ma.Schema):
    company_id = ma.fields.UUID()
    user = ma.fields.Nested(UserSummarySchema)
    created_at = ma.fields.DateTime()


class AdminListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(AdminSchema), required=True)
    next_cursor = ma.fields.String(allow_none=True, required=True)
