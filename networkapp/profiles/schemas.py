"""Request and response shapes of the profile endpoints."""

import marshmallow as ma
from flask_smorest.fields import Upload

from networkapp.models.profiles import FIELD_VISIBILITIES
from networkapp.models.user import PROFILE_VISIBILITIES
from networkapp.pagination import PageArgsSchema, page_schema
from networkapp.schemas import Int, StrictSchema, Text, UserSummarySchema

MAX_QUERY_LENGTH = 200
URL_OR_MEDIA = ma.validate.Regexp(r"^(https?://\S+|/api/media/[0-9a-fA-F-]{32,36})$", error="Must be an http(s) URL.")


def _text(max_length: int, *, required: bool = False) -> Text:
    """Required text refuses blanks; optional text takes a blank as null (clearing the field)."""
    return Text(required=required, allow_none=not required, max_length=max_length)


def _name(max_length: int, *, required: bool = False) -> Text:
    """Text that may be left out of an update but never cleared."""
    return Text(required=required, max_length=max_length)


def _check_dates(data: dict, *, with_current: bool) -> None:
    start, end = data.get("start_date"), data.get("end_date")
    if start and end and end < start:
        raise ma.ValidationError("Must not be before start_date.", "end_date")
    if with_current and data.get("is_current") and end:
        raise ma.ValidationError("A current position has no end_date.", "is_current")


# --- career -------------------------------------------------------------------------------------


class ExperienceInputSchema(StrictSchema):
    company = _name(120, required=True)
    position = _name(120, required=True)
    description = _text(5000)
    location = _text(120)
    start_date = ma.fields.Date(allow_none=True)
    end_date = ma.fields.Date(allow_none=True)
    is_current = ma.fields.Boolean()

    @ma.validates_schema
    def dates(self, data, **kwargs):
        _check_dates(data, with_current=True)


class ExperienceUpdateSchema(ExperienceInputSchema):
    """Every field optional; the merged item is validated again by the service."""

    company = _name(120)
    position = _name(120)


class ExperienceSchema(ma.Schema):
    id = ma.fields.UUID()
    company = ma.fields.String()
    position = ma.fields.String()
    description = ma.fields.String(allow_none=True)
    location = ma.fields.String(allow_none=True)
    start_date = ma.fields.Date(allow_none=True)
    end_date = ma.fields.Date(allow_none=True)
    is_current = ma.fields.Boolean()
    created_at = ma.fields.DateTime()


class EducationInputSchema(StrictSchema):
    institution = _name(160, required=True)
    degree = _text(120)
    field_of_study = _text(120)
    grade = _text(40)
    activities = _text(5000)
    start_date = ma.fields.Date(allow_none=True)
    end_date = ma.fields.Date(allow_none=True)

    @ma.validates_schema
    def dates(self, data, **kwargs):
        _check_dates(data, with_current=False)


class EducationUpdateSchema(EducationInputSchema):
    institution = _name(160)


class EducationSchema(ma.Schema):
    id = ma.fields.UUID()
    institution = ma.fields.String()
    degree = ma.fields.String(allow_none=True)
    field_of_study = ma.fields.String(allow_none=True)
    grade = ma.fields.String(allow_none=True)
    activities = ma.fields.String(allow_none=True)
    start_date = ma.fields.Date(allow_none=True)
    end_date = ma.fields.Date(allow_none=True)
    created_at = ma.fields.DateTime()


class ProjectInputSchema(StrictSchema):
    title = _name(160, required=True)
    description = _text(5000)
    url = Text(allow_none=True, max_length=500, validate=URL_OR_MEDIA)
    skills = ma.fields.List(Text(max_length=100), validate=ma.validate.Length(max=30))
    start_date = ma.fields.Date(allow_none=True)
    end_date = ma.fields.Date(allow_none=True)

    @ma.validates_schema
    def dates(self, data, **kwargs):
        _check_dates(data, with_current=False)


class ProjectUpdateSchema(ProjectInputSchema):
    title = _name(160)


class ProjectSchema(ma.Schema):
    id = ma.fields.UUID()
    title = ma.fields.String()
    description = ma.fields.String(allow_none=True)
    url = ma.fields.String(allow_none=True)
    skills = ma.fields.List(ma.fields.String())
    start_date = ma.fields.Date(allow_none=True)
    end_date = ma.fields.Date(allow_none=True)
    created_at = ma.fields.DateTime()


# --- profile ------------------------------------------------------------------------------------


class SkillInputSchema(StrictSchema):
    name = _name(100, required=True)
    proficiency_level = Int(minimum=1, maximum=5, load_default=3)
    years_experience = Int(minimum=0, maximum=80, load_default=0)


class PrivacySchema(StrictSchema):
    profile_visibility = Text(validate=ma.validate.OneOf(PROFILE_VISIBILITIES))
    show_email = ma.fields.Boolean()
    show_connections = ma.fields.Boolean()
    open_to_work = ma.fields.Boolean()


class ContactInfoInputSchema(StrictSchema):
    phone = Text(
        allow_none=True,
        validate=ma.validate.Regexp(r"^\+?[0-9 ()./-]{3,40}$", error="Use digits, spaces and + ( ) . / - only."),
    )
    website = Text(allow_none=True, max_length=300, validate=URL_OR_MEDIA)
    email_visibility = Text(validate=ma.validate.OneOf(FIELD_VISIBILITIES))
    phone_visibility = Text(validate=ma.validate.OneOf(FIELD_VISIBILITIES))
    website_visibility = Text(validate=ma.validate.OneOf(FIELD_VISIBILITIES))


class ProfileUpdateSchema(StrictSchema):
    first_name = _name(80)
    last_name = _name(80)
    headline = _text(220)
    bio = _text(5000)
    industry = _text(100)
    location = _text(120)
    profile_image_url = Text(allow_none=True, max_length=500, validate=URL_OR_MEDIA)
    experience = ma.fields.List(ma.fields.Nested(ExperienceInputSchema), validate=ma.validate.Length(max=50))
    education = ma.fields.List(ma.fields.Nested(EducationInputSchema), validate=ma.validate.Length(max=30))
    skills = ma.fields.List(ma.fields.Nested(SkillInputSchema), validate=ma.validate.Length(max=100))
    privacy = ma.fields.Nested(PrivacySchema)
    contact_info = ma.fields.Nested(ContactInfoInputSchema)

    @ma.validates("skills")
    def distinct_skills(self, value, **kwargs):
        keys = [str(item.get("name", "")).lower() for item in value if isinstance(item, dict)]
        if len(keys) != len(set(keys)):
            raise ma.ValidationError("Each skill may be listed once.")


class ProfileSkillSchema(ma.Schema):
    id = ma.fields.UUID()
    name = ma.fields.String()
    category = ma.fields.String()
    proficiency_level = ma.fields.Integer()
    years_experience = ma.fields.Integer()
    endorsement_count = ma.fields.Integer()
    assessment_passed = ma.fields.Boolean()


class ContactInfoSchema(ma.Schema):
    email = ma.fields.String()
    phone = ma.fields.String()
    website = ma.fields.String()
    email_visibility = ma.fields.String(metadata={"description": "Owner only"})
    phone_visibility = ma.fields.String(metadata={"description": "Owner only"})
    website_visibility = ma.fields.String(metadata={"description": "Owner only"})


class PrivacyOutSchema(ma.Schema):
    profile_visibility = ma.fields.String()
    show_email = ma.fields.Boolean()
    show_connections = ma.fields.Boolean()
    open_to_work = ma.fields.Boolean()


class ProfileSchema(ma.Schema):
    """A full profile, or only the card fields (``restricted: true``) when privacy hides the rest."""

    id = ma.fields.UUID(required=True)
    first_name = ma.fields.String(required=True)
    last_name = ma.fields.String(required=True)
    headline = ma.fields.String(allow_none=True)
    restricted = ma.fields.Boolean(required=True)
    connection_status = ma.fields.String(allow_none=True)
    username = ma.fields.String()
    email = ma.fields.String()
    bio = ma.fields.String(allow_none=True)
    industry = ma.fields.String(allow_none=True)
    location = ma.fields.String(allow_none=True)
    profile_image_url = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()
    last_active = ma.fields.DateTime(allow_none=True)
    connection_count = ma.fields.Integer(allow_none=True)
    profile_views = ma.fields.Integer()
    is_verified = ma.fields.Boolean()
    open_to_work = ma.fields.Boolean()
    mutual_connections = ma.fields.Integer(allow_none=True)
    connection_degree = ma.fields.Integer(
        allow_none=True, metadata={"description": "1, 2 or 3 degrees of separation from the viewer; null beyond"}
    )
    experience = ma.fields.List(ma.fields.Nested(ExperienceSchema))
    education = ma.fields.List(ma.fields.Nested(EducationSchema))
    skills = ma.fields.List(ma.fields.Nested(ProfileSkillSchema))
    projects = ma.fields.List(ma.fields.Nested(ProjectSchema))
    achievements = ma.fields.List(ma.fields.Dict())
    contact_info = ma.fields.Nested(ContactInfoSchema)
    privacy = ma.fields.Nested(PrivacyOutSchema, metadata={"description": "Owner only"})


# --- views, search, media -----------------------------------------------------------------------


class ViewerSchema(ma.Schema):
    id = ma.fields.UUID()
    viewer = ma.fields.Nested(UserSummarySchema, allow_none=True)
    anonymous = ma.fields.Boolean()
    viewed_at = ma.fields.DateTime()


ViewerPageSchema = page_schema(ViewerSchema, total_views=ma.fields.Integer(required=True))


class SearchArgsSchema(PageArgsSchema):
    q = Text(load_default=None, allow_none=True, max_length=MAX_QUERY_LENGTH)
    skills = Text(
        load_default=None,
        allow_none=True,
        max_length=MAX_QUERY_LENGTH,
        metadata={"description": "Comma-separated skill names; a person must have all of them"},
    )
    industry = Text(load_default=None, allow_none=True, max_length=100)
    location = Text(load_default=None, allow_none=True, max_length=120)
    open_to_work = ma.fields.Boolean(load_default=None)
    sort = Text(load_default="relevance", validate=ma.validate.OneOf(("relevance", "name", "connections")))


class SearchResultSchema(UserSummarySchema):
    industry = ma.fields.String(dump_only=True, allow_none=True)
    location = ma.fields.String(dump_only=True, allow_none=True)
    open_to_work = ma.fields.Boolean(dump_only=True)
    score = ma.fields.Float(dump_only=True, allow_none=True)


SearchPageSchema = page_schema(SearchResultSchema, name="ProfileSearch")


class MediaSchema(ma.Schema):
    id = ma.fields.UUID()
    url = ma.fields.String()
    purpose = ma.fields.String()
    content_type = ma.fields.String()
    size = ma.fields.Integer()
    caption = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()


MediaPageSchema = page_schema(MediaSchema)
ProjectPageSchema = page_schema(ProjectSchema)


class MediaUploadSchema(StrictSchema):
    file = Upload(required=True)


class PhotoResultSchema(ma.Schema):
    media = ma.fields.Nested(MediaSchema)
    profile_image_url = ma.fields.String()
