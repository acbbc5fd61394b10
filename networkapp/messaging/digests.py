"""E-mail for people who were offline: live notifications and messages become a periodic digest.

Anything created while a user has no live socket is queued in
``email_outbox``; ``flask notifications send-digests`` (run from cron)
sends each user one e-mail with everything still unread since their last
digest.  Nothing is queued unless ``MAIL_SERVER`` is set.
"""

from __future__ import annotations

import logging
import smtplib
import uuid
from collections import defaultdict
from email.message import EmailMessage

import click
import sqlalchemy as sa
from flask import current_app

from networkapp.api import Blueprint
from networkapp.database import utcnow
from networkapp.extensions import db
from networkapp.messaging import presence
from networkapp.models import (
    ConversationParticipant,
    EmailOutbox,
    Message,
    MessagingSettings,
    Notification,
    User,
)

log = logging.getLogger(__name__)

# Command-line only: `flask notifications send-digests`.
bp = Blueprint("digests", __name__, cli_group="notifications", description="E-mail digests (command line)")

NOTIFICATION_TEXT = {
    "connection_request": "{actor} wants to connect with you",
    "connection_accepted": "{actor} accepted your connection request",
    "endorsement": "{actor} endorsed one of your skills",
    "job_application": "{actor} applied to your job posting",
    "application_status": "An application of yours has a new status",
    "post_like": "{actor} liked your post",
    "post_comment": "{actor} commented on your post",
    "mention": "{actor} mentioned you",
    "job_alert": "New jobs match one of your alerts",
}


def queue_notification(notification: Notification) -> None:
    """Queue a new notification for e-mail when its recipient is offline, in its own transaction.

    In the transaction, not after it: the outbox row commits with the notification or not at all.
    """
    if not current_app.config.get("MAIL_SERVER"):
        return
    if presence.online_user_ids([notification.user_id]):
        return
    opted_out = db.session.scalar(
        sa.select(MessagingSettings.email_opt_out).where(MessagingSettings.user_id == notification.user_id)
    )
    if notification.type in (opted_out or []):
        return
    db.session.add(EmailOutbox(user_id=notification.user_id, kind="notification", notification_id=notification.id))


def _pending_users() -> list[uuid.UUID]:
    return list(db.session.scalars(sa.select(EmailOutbox.user_id).where(EmailOutbox.sent_at.is_(None)).distinct()))


def _digest_lines(user: User, rows: list[EmailOutbox]) -> list[str]:
    """What is still worth telling: things read in the app since they were queued are left out."""
    lines: list[str] = []
    message_ids = [r.message_id for r in rows if r.message_id]
    notification_ids = [r.notification_id for r in rows if r.notification_id]
    if message_ids:
        per_sender: dict[str, int] = defaultdict(int)
        found = db.session.execute(
            sa.select(Message.sent_at, User.first_name, User.last_name, ConversationParticipant.last_read_at)
            .join(User, User.id == Message.sender_id)
            .join(
                ConversationParticipant,
                sa.and_(
                    ConversationParticipant.conversation_id == Message.conversation_id,
                    ConversationParticipant.user_id == user.id,
                ),
            )
            .where(Message.id.in_(message_ids))
        ).all()
        for sent_at, first, last, read_at in found:
            if read_at is None or read_at < sent_at:
                per_sender[f"{first} {last}"] += 1
        for name, count in sorted(per_sender.items()):
            lines.append(f"{name} sent you {count} new message{'s' if count > 1 else ''}")
    if notification_ids:
        notes = db.session.scalars(
            sa.select(Notification)
            .where(Notification.id.in_(notification_ids), Notification.read_at.is_(None))
            .order_by(Notification.created_at)
        ).all()
        for note in notes:
            actor = note.actor.full_name if note.actor else "Someone"
            lines.append(
                NOTIFICATION_TEXT.get(note.type, "You have a new {type} notification").format(
                    actor=actor, type=note.type.replace("_", " ")
                )
            )
    return lines


def _send(user: User, lines: list[str]) -> None:
    config = current_app.config
    mail = EmailMessage()
    mail["From"] = config["MAIL_DEFAULT_SENDER"]
    mail["To"] = user.email
    mail["Subject"] = f"{len(lines)} update{'s' if len(lines) > 1 else ''} waiting for you on networkapp"
    mail.set_content(
        f"Hi {user.first_name},\n\nWhile you were away:\n\n"
        + "\n".join(f"- {line}" for line in lines)
        + "\n\nSign in to reply. You can choose which e-mails you get in your messaging settings.\n"
    )
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(mail)


def send_digests() -> tuple[int, int]:
    """Send one digest per user with pending items; returns (e-mails sent, users that failed)."""
    if not current_app.config.get("MAIL_SERVER"):
        return 0, 0
    sent = failed = 0
    for user_id in _pending_users():
        user = db.session.get(User, user_id)
        rows = list(
            db.session.scalars(
                sa.select(EmailOutbox).where(EmailOutbox.user_id == user_id, EmailOutbox.sent_at.is_(None))
            )
        )
        lines = _digest_lines(user, rows)
        try:
            if lines:
                _send(user, lines)
                sent += 1
        except (smtplib.SMTPException, OSError):
            log.warning("digest for %s not sent; it stays queued", user_id, exc_info=True)
            db.session.rollback()
            failed += 1
            continue
        now = utcnow()
        for row in rows:
            row.sent_at = now
        db.session.commit()
    return sent, failed


@bp.cli.command("send-digests")
def send_digests_command() -> None:
    """E-mail each user one digest of what arrived while they were offline."""
    if not current_app.config.get("MAIL_SERVER"):
        click.echo("MAIL_SERVER is not set: e-mail is disabled.")
        return
    sent, failed = send_digests()
    click.echo(f"sent {sent} digests ({failed} failed and stay queued)")
