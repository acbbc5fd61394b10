from datetime import UTC

import marshmallow as ma

from networkapp.models.jobs import APPLICATION_STATUSES, CLOSED_REASONS, EMPLOYMENT_TYPES, WORKPLACES
from networkapp.pagination import PageArgsSchema, page_schema
from networkapp.schemas import CsvList, Int, Partial, StrictSchema, Text, Url, UserSummarySchema

from .pipeline import POSTER_STATUSES

SkillList = ma.fields.List(Text(required=True, max_length=100), validate=ma.validate.Length(max=30))


# --- postings ---------------------------------------------------------------


class JobWriteSchema(StrictSchema):
    title = Text(max_length=200, required=True)
    company = Text(max_length=160, required=True)
    description = Text(max_length=20_000, allow_none=True)
    location = Text(max_length=120, allow_none=True)
    requirements = Text(max_length=10_000, allow_none=True)
    employment_type = Text(allow_none=True, validate=ma.validate.OneOf(EMPLOYMENT_TYPES))
    workplace = Text(allow_none=True, validate=ma.validate.OneOf(WORKPLACES))
    salary_range = Text(max_length=100, allow_none=True)
    expires_at = ma.fields.AwareDateTime(allow_none=True, default_timezone=None)
    skills = SkillList
    company_id = ma.fields.UUID(allow_none=True)


class JobUpdateSchema(Partial, JobWriteSchema):
    pass


class JobArgsSchema(PageArgsSchema):
    q = Text(max_length=200, blank="keep")
    title = Text(max_length=200, blank="keep")
    company = Text(max_length=160, blank="keep")
    location = Text(max_length=120, blank="keep")
    workplace = Text(validate=ma.validate.OneOf(WORKPLACES))
    skills = CsvList()
    employment_type = Text(validate=ma.validate.OneOf(EMPLOYMENT_TYPES))
    salary_min = Int(minimum=0, maximum=100_000_000)
    posted_since = ma.fields.AwareDateTime(default_timezone=None)


class CloseArgsSchema(StrictSchema):
    reason = Text(validate=ma.validate.OneOf(("filled", "withdrawn")))


class CompanyInfoSchema(ma.Schema):
    id = ma.fields.UUID()
    name = ma.fields.String()
    slug = ma.fields.String()
    industry = ma.fields.String(allow_none=True)
    size = ma.fields.String(allow_none=True)
    location = ma.fields.String(allow_none=True)
    website = ma.fields.String(allow_none=True)
    logo_url = ma.fields.String(allow_none=True)


class JobSchema(ma.Schema):
    id = ma.fields.UUID()
    poster_id = ma.fields.UUID()
    title = ma.fields.String()
    company = ma.fields.String()
    description = ma.fields.String(allow_none=True)
    location = ma.fields.String(allow_none=True)
    requirements = ma.fields.String(allow_none=True)
    employment_type = ma.fields.String(allow_none=True, validate=ma.validate.OneOf(EMPLOYMENT_TYPES))
    workplace = ma.fields.String(allow_none=True, validate=ma.validate.OneOf(WORKPLACES))
    salary_range = ma.fields.String(allow_none=True)
    salary_min = ma.fields.Float(allow_none=True)
    salary_max = ma.fields.Float(allow_none=True)
    salary_currency = ma.fields.String(allow_none=True)
    salary_period = ma.fields.String(allow_none=True)
    posted_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()
    expires_at = ma.fields.DateTime()
    is_active = ma.fields.Boolean()
    closed_reason = ma.fields.String(allow_none=True, validate=ma.validate.OneOf(CLOSED_REASONS))
    skills = ma.fields.List(ma.fields.String())
    company_id = ma.fields.UUID(allow_none=True)
    application_status = ma.fields.String(allow_none=True, validate=ma.validate.OneOf(APPLICATION_STATUSES))


class JobListItemSchema(JobSchema):
    score = ma.fields.Float(allow_none=True, metadata={"description": "Text relevance when q/title/company is given"})


class JobDetailSchema(JobSchema):
    company_info = ma.fields.Nested(CompanyInfoSchema, allow_none=True)
    applicant_count = ma.fields.Integer(
        allow_none=True, metadata={"description": "Only for the poster; null for everyone else"}
    )


JobPageSchema = page_schema(JobListItemSchema, name="Job")


# --- applications -------------------------------------------------------------


class ApplySchema(StrictSchema):
    cover_letter = Text(max_length=10_000, allow_none=True)
    resume_url = Url(allow_none=True)
    application_notes = Text(max_length=5_000, allow_none=True)


class StatusUpdateSchema(StrictSchema):
    status = Text(required=True, validate=ma.validate.OneOf(POSTER_STATUSES))
    note = Text(max_length=2_000, allow_none=True)
    interview_at = ma.fields.AwareDateTime(
        default_timezone=UTC, metadata={"description": "With status interviewed: when the interview takes place"}
    )
    interview_minutes = Int(minimum=5, maximum=480, load_default=60)
    interview_location = Text(max_length=300, allow_none=True)

    @ma.validates_schema
    def interview_needs_interviewed(self, data, **kwargs):
        if data.get("interview_at") and data["status"] != "interviewed":
            raise ma.ValidationError("An interview is scheduled with status interviewed.", "interview_at")


class ApplicationSchema(ma.Schema):
    id = ma.fields.UUID()
    job_id = ma.fields.UUID()
    applicant_id = ma.fields.UUID()
    status = ma.fields.String(validate=ma.validate.OneOf(APPLICATION_STATUSES))
    applied_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()
    cover_letter = ma.fields.String(allow_none=True)
    resume_url = ma.fields.String(allow_none=True)
    application_notes = ma.fields.String(allow_none=True)
    interview_at = ma.fields.DateTime(allow_none=True)
    interview_minutes = ma.fields.Integer(allow_none=True)
    interview_location = ma.fields.String(allow_none=True)


class ApplicantHistorySchema(ma.Schema):
    status = ma.fields.String()
    changed_at = ma.fields.DateTime()
    changed_by = ma.fields.String(
        validate=ma.validate.OneOf(("applicant", "employer")),
        metadata={"description": "Who made the change; the employer's identity and notes stay private"},
    )


class JobSummarySchema(ma.Schema):
    id = ma.fields.UUID()
    title = ma.fields.String()
    company = ma.fields.String()
    company_id = ma.fields.UUID(allow_none=True)
    location = ma.fields.String(allow_none=True)
    employment_type = ma.fields.String(allow_none=True)
    workplace = ma.fields.String(allow_none=True)
    posted_at = ma.fields.DateTime()
    is_active = ma.fields.Boolean()
    closed_reason = ma.fields.String(allow_none=True)


class MyApplicationSchema(ApplicationSchema):
    job = ma.fields.Nested(JobSummarySchema)
    status_history = ma.fields.List(ma.fields.Nested(ApplicantHistorySchema))


class MyApplicationArgsSchema(PageArgsSchema):
    status = Text(validate=ma.validate.OneOf(APPLICATION_STATUSES))
    since = ma.fields.AwareDateTime(default_timezone=None)
    until = ma.fields.AwareDateTime(default_timezone=None)


MyApplicationPageSchema = page_schema(MyApplicationSchema, name="MyApplication")


class PosterHistorySchema(ma.Schema):
    status = ma.fields.String()
    changed_at = ma.fields.DateTime()
    changed_by = ma.fields.UUID(allow_none=True)
    note = ma.fields.String(allow_none=True)


class ApplicantApplicationSchema(ApplicationSchema):
    applicant = ma.fields.Nested(UserSummarySchema)
    status_history = ma.fields.List(ma.fields.Nested(PosterHistorySchema))


class JobApplicationArgsSchema(PageArgsSchema):
    status = Text(validate=ma.validate.OneOf(APPLICATION_STATUSES))


ApplicantApplicationPageSchema = page_schema(ApplicantApplicationSchema, name="ApplicantApplication")


# --- alerts -------------------------------------------------------------------


class AlertWriteSchema(StrictSchema):
    name = Text(max_length=100, allow_none=True)
    q = Text(max_length=200, allow_none=True)
    location = Text(max_length=120, allow_none=True)
    employment_type = Text(allow_none=True, validate=ma.validate.OneOf(EMPLOYMENT_TYPES))
    workplace = Text(allow_none=True, validate=ma.validate.OneOf(WORKPLACES))
    skills = SkillList
    salary_min = Int(allow_none=True, minimum=0, maximum=100_000_000)


class AlertUpdateSchema(Partial, AlertWriteSchema):
    pass


class AlertSchema(ma.Schema):
    id = ma.fields.UUID()
    name = ma.fields.String(allow_none=True)
    q = ma.fields.String(allow_none=True)
    location = ma.fields.String(allow_none=True)
    employment_type = ma.fields.String(allow_none=True)
    workplace = ma.fields.String(allow_none=True)
    skills = ma.fields.List(ma.fields.String())
    salary_min = ma.fields.Float(allow_none=True)
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()


class AlertListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(AlertSchema), required=True)
    next_cursor = ma.fields.String(allow_none=True, required=True)
    limit = ma.fields.Integer(metadata={"description": "How many alerts one person may keep"})


# --- insights, recommendations, analytics, talent -------------------------------


class InsightArgsSchema(StrictSchema):
    title = Text(max_length=200, blank="keep")
    location = Text(max_length=120, blank="keep")
    industry = Text(max_length=100, blank="keep")
    currency = Text(validate=ma.validate.Regexp(r"^[A-Za-z]{3}$"))


class InsightSchema(ma.Schema):
    count = ma.fields.Integer()
    median = ma.fields.Float(allow_none=True)
    p25 = ma.fields.Float(allow_none=True)
    p75 = ma.fields.Float(allow_none=True)
    currency = ma.fields.String(allow_none=True)
    period = ma.fields.String()
    reason = ma.fields.String(allow_none=True)


class RecommendedArgsSchema(StrictSchema):
    limit = Int(minimum=1, maximum=50, load_default=20)


class RecommendedJobSchema(ma.Schema):
    job = ma.fields.Nested(JobSchema)
    match_score = ma.fields.Float(metadata={"description": "0..1"})
    reasons = ma.fields.List(ma.fields.String())


class RecommendedListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(RecommendedJobSchema), required=True)
    next_cursor = ma.fields.String(allow_none=True, required=True)


class SeekerAnalyticsSchema(ma.Schema):
    total = ma.fields.Integer()
    by_status = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    responded = ma.fields.Integer()
    response_rate = ma.fields.Float(allow_none=True)
    avg_hours_to_first_response = ma.fields.Float(allow_none=True)


class FunnelStageSchema(ma.Schema):
    stage = ma.fields.String()
    count = ma.fields.Integer()
    avg_hours_in_stage = ma.fields.Float(allow_none=True)


class JobAnalyticsSchema(ma.Schema):
    job_id = ma.fields.UUID()
    total = ma.fields.Integer()
    by_status = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    funnel = ma.fields.List(ma.fields.Nested(FunnelStageSchema))


class TalentArgsSchema(PageArgsSchema):
    skills = CsvList()
    location = Text(max_length=120, blank="keep")
    industry = Text(max_length=100, blank="keep")
    min_years = Int(minimum=0, maximum=80)


class TalentSchema(ma.Schema):
    user = ma.fields.Nested(UserSummarySchema)
    industry = ma.fields.String(allow_none=True)
    location = ma.fields.String(allow_none=True)
    matching_skills = ma.fields.List(ma.fields.String())
    years_experience = ma.fields.Float()


TalentPageSchema = page_schema(TalentSchema, name="Talent")
