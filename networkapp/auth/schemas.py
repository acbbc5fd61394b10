import marshmallow as ma

from networkapp.schemas import USERNAME_PATTERN, StrictSchema


class RegisterSchema(StrictSchema):
    username = ma.fields.String(
        required=True, validate=ma.validate.Regexp(USERNAME_PATTERN, error="Use 3-30 letters, digits, '.', '_' or '-'.")
    )
    email = ma.fields.Email(required=True, validate=ma.validate.Length(max=254))
    password = ma.fields.String(required=True, load_only=True, validate=ma.validate.Length(max=256))
    first_name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=80))
    last_name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=80))
    industry = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=100))

    @ma.pre_load
    def strip(self, data, **kwargs):
        if isinstance(data, dict):
            return {k: v.strip() if isinstance(v, str) and k != "password" else v for k, v in data.items()}
        return data


class LoginSchema(StrictSchema):
    username = ma.fields.String(
        validate=ma.validate.Length(min=1, max=254), metadata={"description": "Username or e-mail address"}
    )
    email = ma.fields.String(validate=ma.validate.Length(min=1, max=254))
    password = ma.fields.String(required=True, load_only=True, validate=ma.validate.Length(max=256))

    @ma.validates_schema
    def one_identity(self, data, **kwargs):
        if not data.get("username") and not data.get("email"):
            raise ma.ValidationError("Give a username or an e-mail address.", "username")


class PasswordChangeSchema(StrictSchema):
    current_password = ma.fields.String(required=True, load_only=True, validate=ma.validate.Length(max=256))
    new_password = ma.fields.String(required=True, load_only=True, validate=ma.validate.Length(max=256))


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
