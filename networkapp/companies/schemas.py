import marshmallow as ma

from networkapp.jobs.schemas import JobSchema, Partial, SafeString, Text
from networkapp.models.jobs import COMPANY_SIZES
from networkapp.schemas import StrictSchema, UserSummarySchema

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


def _text(max_length: int, **kwargs) -> Text:
    return Text(validate=ma.validate.Length(max=max_length), **kwargs)


def _url(**kwargs) -> ma.fields.URL:
    return ma.fields.URL(schemes={"http", "https"}, validate=ma.validate.Length(max=500), **kwargs)


class CompanyWriteSchema(StrictSchema):
    name = _text(160, required=True)
    slug = SafeString(validate=[ma.validate.Length(min=2, max=80), ma.validate.Regexp(SLUG_PATTERN)])
    industry = _text(100, allow_none=True)
    size = ma.fields.String(allow_none=True, validate=ma.validate.OneOf(COMPANY_SIZES))
    location = _text(120, allow_none=True)
    website = _url(allow_none=True)
    description = _text(10_000, allow_none=True)
    logo_url = _url(allow_none=True)


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
