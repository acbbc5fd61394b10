"""Notifications: other domains call ``notify``; the live push listens to ``notification_created``."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from blinker import Namespace

from networkapp.database import after_commit, commit, utcnow
from networkapp.extensions import db
from networkapp.models import Notification, User
from networkapp.notifications.schemas import NotificationSchema
from networkapp.pagination import keyset_page

NOTIFICATION_TYPES = frozenset(
    {
        "connection_request",
        "connection_accepted",
        "endorsement",
        "job_application",
        "application_status",
        "message",
        "post_like",
        "post_comment",
        "mention",
        "job_alert",
        "group_join_request",
        "group_join_approved",
        "event_invitation",
        "mentorship_request",
        "mentorship_accepted",
    }
)

signals = Namespace()
# Sent inside the notification's transaction, once it is flushed, with the Notification as
# sender: receivers may read and add rows in that same transaction (the e-mail outbox does).
notification_queued = signals.signal("notification-queued")
# Sent after the transaction commits, with the Notification as sender, its API form as
# ``payload`` and its recipient as ``user_id``.  Receivers only talk to the outside (a live
# push) and read nothing from the Notification: its row may already be gone (the recipient
# deleting their account), and the payload was built while the transaction was open.
notification_created = signals.signal("notification-created")


def notify(
    user: User | uuid.UUID, type: str, actor: User | uuid.UUID | None = None, data: dict | None = None
) -> Notification | None:
    """Queue a notification in the caller's transaction; the caller commits.

    Nobody is notified of their own action, and a blocked pair never notify each other, from
    whatever domain.  A write that can race a block takes the pair's lock before its first row
    write (``graph.lock_pair``), so the block read here holds until the caller commits: the block
    either deletes this notification with the pair's others, or is seen here.
    """
    if type not in NOTIFICATION_TYPES:
        raise ValueError(f"unknown notification type {type!r}")
    user_id = user.id if isinstance(user, User) else user
    actor_id = actor.id if isinstance(actor, User) else actor
    if actor_id is not None and actor_id == user_id:
        return None
    # Imported here: the connections package's import chain notifies, so it imports this module.
    from networkapp.connections import graph

    if actor_id is not None and graph.is_blocked_between(actor_id, user_id):
        return None
    notification = Notification(user_id=user_id, type=type, actor_id=actor_id, data=data or {})
    db.session.add(notification)
    db.session.flush()
    notification_queued.send(notification)
    payload = NotificationSchema().dump(notification)
    after_commit(lambda: notification_created.send(notification, payload=payload, user_id=user_id))
    return notification


def inbox(user: User, *, limit: int, cursor: str | None, unread_only: bool = False):
    stmt = sa.select(Notification).where(Notification.user_id == user.id)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    rows, next_cursor = keyset_page(
        db.session,
        stmt,
        columns=[Notification.created_at, Notification.id],
        limit=limit,
        cursor=cursor,
        salt="notifications",
    )
    notifications = [row[0] for row in rows]
    # A notification from before a block stays in the inbox, but no longer shows who sent it.
    # Imported here: the profile domain's import chain (connections) notifies, so it imports this module.
    from networkapp.profiles import visibility

    hidden = visibility.hidden_among(user, {n.actor_id for n in notifications})
    items = [
        {
            "id": n.id,
            "type": n.type,
            "actor": None if n.actor_id in hidden else n.actor,
            "data": n.data,
            "created_at": n.created_at,
            "read_at": n.read_at,
        }
        for n in notifications
    ]
    return items, next_cursor


def unread_count(user: User) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
    )


def mark_read(user: User, ids: list[uuid.UUID] | None) -> int:
    """Mark the given notifications (or all) read; ids of other users' notifications are ignored."""
    stmt = sa.update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if ids is not None:
        stmt = stmt.where(Notification.id.in_(ids))
    result = db.session.execute(stmt.values(read_at=utcnow()))
    commit()
    return result.rowcount or 0
