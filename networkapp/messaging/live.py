"""Live pushes to Socket.IO rooms.  Called from ``after_commit`` so clients only hear of committed rows.

Every user has a room per namespace (``user:<id>``) that all their tabs
join; with ``REDIS_URL`` the emit travels through the message queue to
whichever process holds each socket.
"""

from __future__ import annotations

import logging
import uuid

from networkapp.extensions import socketio

log = logging.getLogger(__name__)

CHAT = "/chat"
NOTIFICATIONS = "/notifications"


def user_room(user_id: uuid.UUID | str) -> str:
    return f"user:{user_id}"


def session_room(key: str) -> str:
    return f"session:{key}"


def _emit(event: str, data: dict, user_ids, namespace: str = CHAT) -> None:
    # One emit to all the rooms: the packet is encoded once and, with Redis, published once.
    rooms = [user_room(user_id) for user_id in user_ids]
    if not rooms:
        return
    try:
        socketio.emit(event, data, to=rooms if len(rooms) > 1 else rooms[0], namespace=namespace)
    except Exception:  # a push is best-effort: the row is committed and the client can refetch
        log.warning("live push of %s failed", event, exc_info=True)


def push_message(user_ids, payload: dict) -> None:
    _emit("message", payload, user_ids)


def push_read(user_ids, event: dict) -> None:
    _emit("read", event, user_ids)


def push_typing(user_ids, event: dict) -> None:
    _emit("typing", event, user_ids)


def push_notification(user_id, payload: dict) -> None:
    _emit("notification", payload, [user_id], NOTIFICATIONS)
