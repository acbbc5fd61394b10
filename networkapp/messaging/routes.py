import uuid

from flask import current_app, request, send_file
from flask_login import current_user, login_required

from networkapp.http import accepts_uploads
from networkapp.idempotency import idempotent
from networkapp.messaging import attachments, bp, services, templates
from networkapp.messaging.schemas import (
    AttachmentUploadSchema,
    ConversationArgsSchema,
    ConversationGroupCreateSchema,
    ConversationPageSchema,
    ConversationSchema,
    MembersSchema,
    MessagePageSchema,
    MessageSchema,
    SendMessageSchema,
    SettingsSchema,
    TemplateArgsSchema,
    TemplateListSchema,
)
from networkapp.pagination import PageArgsSchema

# Multipart framing (boundaries, part headers) on top of the file itself.
UPLOAD_OVERHEAD = 64 * 1024


UPLOAD_LIMIT_ATTRIBUTE = "_attachment_upload"


def upload_limit(view):
    """Mark a view whose body may exceed the app-wide 1 MiB limit, up to the attachment limit."""
    setattr(view, UPLOAD_LIMIT_ATTRIBUTE, True)
    return view


def _raise_upload_limit():
    func = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    if func is not None and getattr(func, UPLOAD_LIMIT_ATTRIBUTE, False):
        request.max_content_length = current_app.config["MESSAGE_ATTACHMENT_MAX_BYTES"] + UPLOAD_OVERHEAD


@bp.record_once
def _install_upload_limit(state):
    # First of all request hooks: CSRF protection reads the form, and so the body, before any view runs.
    state.app.before_request_funcs.setdefault(None, []).insert(0, _raise_upload_limit)


@bp.route("")
@login_required
@bp.arguments(ConversationArgsSchema, location="query")
@bp.response(200, ConversationPageSchema)
@bp.problems(400, 401)
def list_conversations(args):
    """My conversations, newest activity first; q searches message text"""
    items, next_cursor = services.inbox(
        current_user, limit=args["limit"], cursor=args["cursor"], archived=args["archived"], q=args.get("q")
    )
    return {"items": items, "next_cursor": next_cursor}


@bp.route("", methods=["POST"])
@login_required
@idempotent
@bp.arguments(SendMessageSchema)
@bp.response(201, MessageSchema)
@bp.problems(401, 403, 404, 415)
def send_message(data):
    """Send a message to a connection or into a conversation"""
    message = services.send_message(
        current_user,
        content=data["message_content"],
        recipient_id=data.get("recipient_id"),
        conversation_id=data.get("conversation_id"),
        client_id=data.get("client_id"),
    )
    return services.created_view(message), 201


@bp.route("/<uuid:conversation_id>")
@login_required
@bp.arguments(PageArgsSchema, location="query")
@bp.response(200, MessagePageSchema)
@bp.problems(400, 401, 404)
def history(args, conversation_id):
    """Messages of a conversation, newest first; marks mine read"""
    items, next_cursor = services.history(current_user, conversation_id, limit=args["limit"], cursor=args["cursor"])
    return {"items": items, "next_cursor": next_cursor}


@bp.route("/<uuid:conversation_id>/archive", methods=["POST"])
@login_required
@bp.response(200, ConversationSchema)
@bp.problems(401, 404)
def archive(conversation_id):
    """Archive a conversation (a new message brings it back)"""
    return services.set_archived(current_user, conversation_id, True)


@bp.route("/<uuid:conversation_id>/archive", methods=["DELETE"])
@login_required
@bp.response(200, ConversationSchema)
@bp.problems(401, 404)
def unarchive(conversation_id):
    """Move a conversation back to the inbox"""
    return services.set_archived(current_user, conversation_id, False)


@bp.route("/groups", methods=["POST"])
@login_required
@bp.arguments(ConversationGroupCreateSchema)
@bp.response(201, ConversationSchema)
@bp.problems(401, 403, 415)
def create_group(data):
    """Start a group conversation with some of my connections"""
    return services.create_group(current_user, title=data["title"], participant_ids=data["participant_ids"]), 201


@bp.route("/groups/<uuid:conversation_id>/members", methods=["POST"])
@login_required
@bp.arguments(MembersSchema)
@bp.response(200, ConversationSchema)
@bp.problems(401, 403, 404, 409, 415)
def add_members(data, conversation_id):
    """Add connections to a group I created"""
    return services.add_members(current_user, conversation_id, data["user_ids"])


@bp.route("/groups/<uuid:conversation_id>/members/<uuid:user_id>", methods=["DELETE"])
@login_required
@bp.response(204)
@bp.problems(401, 403, 404, 409)
def remove_member(conversation_id, user_id):
    """Remove a member from a group I created"""
    services.remove_member(current_user, conversation_id, user_id)
    return "", 204


@bp.route("/groups/<uuid:conversation_id>/leave", methods=["POST"])
@login_required
@bp.response(204)
@bp.problems(401, 404, 409)
def leave_group(conversation_id):
    """Leave a group conversation"""
    services.leave(current_user, conversation_id)
    return "", 204


@bp.route("/settings")
@login_required
@bp.response(200, SettingsSchema)
@bp.problems(401)
def get_settings():
    """My read-receipt, availability and e-mail preferences"""
    return services.get_settings(current_user)


@bp.route("/settings", methods=["PUT"])
@login_required
@bp.arguments(SettingsSchema)
@bp.response(200, SettingsSchema)
@bp.problems(401, 415)
def update_settings(data):
    """Change my messaging preferences (only the fields given)"""
    return services.update_settings(current_user, data)


@bp.route("/<uuid:conversation_id>/attachments", methods=["POST"])
@login_required
@bp.arguments(AttachmentUploadSchema, location="files")
@bp.response(201, MessageSchema)
@bp.problems(401, 403, 404, 413, 415)
@upload_limit
@accepts_uploads
def upload_attachment(files, conversation_id):
    """Send a file (PDF, image, plain text or Office document) into a conversation"""
    message = attachments.upload(current_user, conversation_id, files["file"])
    return services.created_view(message), 201


@bp.route("/attachments/<uuid:attachment_id>")
@login_required
@bp.response(200, content_type="application/octet-stream", description="The file, as a download")
@bp.problems(401, 404)
def download_attachment(attachment_id: uuid.UUID):
    """Download an attachment of one of my conversations"""
    attachment, path = attachments.open_for(current_user, attachment_id)
    return send_file(
        path,
        mimetype="application/octet-stream",
        as_attachment=True,
        download_name=attachment.filename,
        max_age=0,
    )


@bp.route("/attachments/<uuid:attachment_id>", methods=["DELETE"])
@login_required
@bp.response(204)
@bp.problems(401, 403, 404)
def delete_attachment(attachment_id: uuid.UUID):
    """Delete an attachment I sent (frees its quota; deleting it again is 404 and changes nothing)"""
    attachments.delete(current_user, attachment_id)
    return ""


@bp.route("/templates")
@login_required
@bp.arguments(TemplateArgsSchema, location="query")
@bp.response(200, TemplateListSchema)
@bp.problems(401, 404)
def list_templates(args):
    """Professional message templates, filled in for a recipient"""
    return {"items": templates.for_recipient(current_user, args["recipient_id"])}
