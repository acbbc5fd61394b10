import marshmallow as ma
from flask_smorest.fields import Upload

from networkapp.models.messaging import AVAILABILITIES
from networkapp.notifications.services import NOTIFICATION_TYPES
from networkapp.pagination import PageArgsSchema, page_schema
from networkapp.schemas import StrictSchema, Text, UserSummarySchema

CLIENT_ID = Text(
    validate=ma.validate.Regexp(r"^[A-Za-z0-9._:-]{1,64}$", error="Use 1-64 letters, digits, '.', '_', ':' or '-'."),
    metadata={"description": "Client-generated id; sending the same one again returns the first message"},
)


class AttachmentSchema(ma.Schema):
    id = ma.fields.UUID()
    filename = ma.fields.String()
    content_type = ma.fields.String()
    size = ma.fields.Integer()
    url = ma.fields.Function(lambda a: f"/api/messages/attachments/{a.id}")


class MessageSchema(ma.Schema):
    id = ma.fields.UUID()
    conversation_id = ma.fields.UUID()
    sender_id = ma.fields.UUID(allow_none=True)
    recipient_id = ma.fields.UUID(allow_none=True, metadata={"description": "The other person (1:1 only)"})
    content = ma.fields.String()
    message_type = ma.fields.String(metadata={"enum": ["text", "file", "system"]})
    sent_at = ma.fields.DateTime()
    read_at = ma.fields.DateTime(allow_none=True)
    client_id = ma.fields.String(allow_none=True)
    attachment = ma.fields.Nested(AttachmentSchema, allow_none=True)


class SendMessageSchema(StrictSchema):
    recipient_id = ma.fields.UUID()
    conversation_id = ma.fields.UUID()
    message_content = Text(required=True, trim=False, max_length=20000)
    client_id = CLIENT_ID

    @ma.validates_schema
    def one_target(self, data, **kwargs):
        if ("recipient_id" in data) == ("conversation_id" in data):
            detail = "Give exactly one of recipient_id and conversation_id."
            raise ma.ValidationError({"recipient_id": [detail], "conversation_id": [detail]})


class SocketSendSchema(SendMessageSchema):
    """``send_message`` over Socket.IO names the text ``content`` (SPEC §5)."""

    message_content = Text(data_key="content", required=True, trim=False, max_length=20000)


class TypingSchema(StrictSchema):
    conversation_id = ma.fields.UUID(required=True)


class ConversationSchema(ma.Schema):
    id = ma.fields.UUID()
    is_group = ma.fields.Boolean()
    title = ma.fields.String(allow_none=True)
    creator_id = ma.fields.UUID(allow_none=True)
    participants = ma.fields.List(ma.fields.Nested(UserSummarySchema))
    last_message = ma.fields.Nested(MessageSchema, allow_none=True)
    unread_count = ma.fields.Integer()
    last_activity = ma.fields.DateTime()
    archived = ma.fields.Boolean()


ConversationPageSchema = page_schema(ConversationSchema)
MessagePageSchema = page_schema(MessageSchema)


class ConversationArgsSchema(PageArgsSchema):
    q = Text(max_length=200)
    archived = ma.fields.Boolean(load_default=False)


class ConversationGroupCreateSchema(StrictSchema):
    title = Text(required=True, max_length=100)
    participant_ids = ma.fields.List(ma.fields.UUID(), required=True, validate=ma.validate.Length(min=1, max=49))

    @ma.validates("title")
    def no_control_characters(self, value, **kwargs):
        if any(ord(c) < 32 for c in value):
            raise ma.ValidationError("A title cannot contain control characters.")


class MembersSchema(StrictSchema):
    user_ids = ma.fields.List(ma.fields.UUID(), required=True, validate=ma.validate.Length(min=1, max=49))


class SettingsSchema(StrictSchema):
    read_receipts = ma.fields.Boolean()
    availability = Text(validate=ma.validate.OneOf(AVAILABILITIES))
    auto_response = Text(allow_none=True, max_length=1000)
    email_opt_out = ma.fields.List(
        Text(validate=ma.validate.OneOf(sorted(NOTIFICATION_TYPES | {"message"}))),
        validate=ma.validate.Length(max=50),
        metadata={"description": "Notification types (and 'message') to leave out of e-mail digests"},
    )


class AttachmentUploadSchema(StrictSchema):
    file = Upload(required=True)


class TemplateArgsSchema(StrictSchema):
    recipient_id = ma.fields.UUID(required=True)


class TemplateSchema(ma.Schema):
    key = ma.fields.String()
    title = ma.fields.String()
    content = ma.fields.String()


class TemplateListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(TemplateSchema), required=True)
