"""Files sent into conversations.

The type is decided by the bytes (magic numbers), never by the client's
name or Content-Type; stored files get random names under the instance
folder and are only ever served as downloads to participants.
"""

from __future__ import annotations

import os
import secrets
import uuid
from pathlib import Path

import filetype
import sqlalchemy as sa
from flask import current_app

from networkapp import quotas
from networkapp.database import after_commit, commit
from networkapp.errors import Forbidden, Invalid, NotFound, PayloadTooLarge, UnsupportedMediaType
from networkapp.extensions import db
from networkapp.messaging import services
from networkapp.models import Message, MessageAttachment, User

ALLOWED_TYPES = frozenset(
    {
        "application/pdf",
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/webp",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "text/plain",
    }
)
MAX_NAME = 255


def storage_dir() -> Path:
    configured = current_app.config.get("MESSAGE_ATTACHMENT_DIR")
    path = Path(configured) if configured else Path(current_app.instance_path) / "attachments"
    path.mkdir(parents=True, exist_ok=True)
    return path


def detect_type(data: bytes) -> str | None:
    kind = filetype.guess(data)
    if kind is not None:
        return kind.mime if kind.mime in ALLOWED_TYPES else None
    # Plain text has no signature: accept UTF-8 without control bytes other than whitespace.
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if any(ord(c) < 32 and c not in "\t\r\n\f" for c in text):
        return None
    return "text/plain"


def clean_name(name: str | None) -> str:
    base = os.path.basename((name or "").replace("\\", "/")).strip()
    base = "".join(c for c in base if c.isprintable())[:MAX_NAME]
    return base or "attachment"


def upload(user: User, conversation_id: uuid.UUID, file) -> Message:
    target = services.writable_conversation(user, conversation_id)
    limit = current_app.config["MESSAGE_ATTACHMENT_MAX_BYTES"]
    try:
        data = file.read(limit + 1)
    finally:
        file.close()
    if len(data) > limit:
        raise PayloadTooLarge(f"Attachments are limited to {limit} bytes.")
    if not data:
        raise Invalid("The file is empty.", field="file")
    content_type = detect_type(data)
    if content_type is None:
        raise UnsupportedMediaType("Send a PDF, an image (JPEG, PNG, GIF, WebP), plain text or an Office document.")
    name = clean_name(file.filename)
    sent = (
        sa.select(sa.func.sum(MessageAttachment.size))
        .join(Message, Message.id == MessageAttachment.message_id)
        .where(Message.sender_id == user.id)
    )
    quotas.claim(user.id, len(data), used=sent, setting="ATTACHMENT_QUOTA_BYTES", what="attachments")
    storage_name = secrets.token_hex(32)
    path = storage_dir() / storage_name
    path.write_bytes(data)
    try:
        attachment = MessageAttachment(
            conversation_id=target.id,
            filename=name,
            content_type=content_type,
            size=len(data),
            storage_name=storage_name,
        )
        message = services.post(target, user.id, name, message_type="file", attachment=attachment)
        commit()
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return message


def open_for(user: User, attachment_id: uuid.UUID) -> tuple[MessageAttachment, Path]:
    attachment = db.session.get(MessageAttachment, attachment_id)
    if attachment is None:
        raise NotFound("No such attachment.")
    try:
        services.conversation_for(user, attachment.conversation_id)
    except NotFound:
        raise NotFound("No such attachment.") from None
    path = storage_dir() / attachment.storage_name
    if not path.is_file():
        raise NotFound("No such attachment.")
    return attachment, path


def delete(user: User, attachment_id: uuid.UUID) -> None:
    """Delete an attachment I sent: the row now, the file once that commits.

    The message stays in the conversation (its text is the file name) with no
    attachment.  Another participant's attachment is 403; one outside my
    conversations, or one already deleted, does not exist for me (404), so a
    repeat changes nothing.
    """
    row = db.session.execute(
        sa.select(MessageAttachment.conversation_id, MessageAttachment.storage_name, Message.sender_id)
        .join(Message, Message.id == MessageAttachment.message_id)
        .where(MessageAttachment.id == attachment_id)
    ).one_or_none()
    if row is None:
        raise NotFound("No such attachment.")
    try:
        services.conversation_for(user, row.conversation_id)
    except NotFound:
        raise NotFound("No such attachment.") from None
    if row.sender_id != user.id:
        raise Forbidden("Only the sender can delete an attachment.")
    # The row count settles a concurrent repeat: only the delete that removed the row removes the file.
    removed = db.session.execute(sa.delete(MessageAttachment).where(MessageAttachment.id == attachment_id)).rowcount
    if not removed:
        raise NotFound("No such attachment.")
    path = storage_dir() / row.storage_name
    after_commit(lambda: path.unlink(missing_ok=True))
    commit()
