import marshmallow as ma

from networkapp.schemas import USERNAME_PATTERN, StrictSchema, Text
from networkapp.security import MAX_PASSWORD_LENGTH, password_problems


def _password(**kwargs) -> Text:
    # Kept exactly as typed, blank included: the password policy, not the field, judges it.
    return Text(load_only=True, trim=False, blank="keep", max_length=MAX_PASSWORD_LENGTH, **kwargs)


class RegisterSchema(StrictSchema):
    username = Text(
        required=True, validate=ma.validate.Regexp(USERNAME_PATTERN, error="Use 3-30 letters, digits, '.', '_' or '-'.")
    )
    email = Text(required=True, max_length=254, validate=ma.validate.Email(), metadata={"format": "email"})
    password = _password(required=True)
    first_name = Text(required=True, max_length=80)
    last_name = Text(required=True, max_length=80)
    industry = Text(required=True, max_length=100)

    @ma.validates_schema(skip_on_field_errors=False)
    def strong_password(self, data, **kwargs):
        # Judged with the other fields, so one 422 names a weak password beside a bad e-mail.
        if "password" in data:
            problems = password_problems(
                data["password"], username=data.get("username", "").lower(), email=data.get("email", "").lower()
            )
            if problems:
                raise ma.ValidationError({"password": problems})


class LoginSchema(StrictSchema):
    username = Text(max_length=254, metadata={"description": "Username or e-mail address"})
    email = Text(max_length=254)
    password = _password(required=True)

    @ma.validates_schema
    def one_identity(self, data, **kwargs):
        if not data.get("username") and not data.get("email"):
            raise ma.ValidationError("Give a username or an e-mail address.", "username")


class PasswordChangeSchema(StrictSchema):
    current_password = _password(required=True)
    new_password = _password(required=True)


class ProfileCompletionSchema(ma.Schema):
    percent = ma.fields.Integer()
    missing = ma.fields.List(ma.fields.String())
    tips = ma.fields.List(ma.fields.String())


class NetworkStatsSchema(ma.Schema):
    connections = ma.fields.Integer()
    pending_received = ma.fields.Integer()
    pending_sent = ma.fields.Integer()
    profile_views = ma.fields.Integer()


class SelfUserSchema(ma.Schema):
    id = ma.fields.UUID()
    username = ma.fields.String()
    email = ma.fields.String()
    first_name = ma.fields.String()
    last_name = ma.fields.String()
    headline = ma.fields.String(allow_none=True)
    bio = ma.fields.String(allow_none=True)
    industry = ma.fields.String(allow_none=True)
    location = ma.fields.String(allow_none=True)
    profile_image_url = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()
    last_active = ma.fields.DateTime(allow_none=True)
    connection_count = ma.fields.Integer()
    profile_views = ma.fields.Integer()
    is_verified = ma.fields.Boolean()
    profile_completion = ma.fields.Nested(ProfileCompletionSchema)
    network_stats = ma.fields.Nested(NetworkStatsSchema)


class CsrfSchema(ma.Schema):
    csrf_token = ma.fields.String()
