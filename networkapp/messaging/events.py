"""Socket.IO namespaces ``/chat`` and ``/notifications``.

Both accept only a signed-in session (the Flask-Login cookie, read from the
connect request) and, when the browser sends one, an allowlisted Origin.
Every event that acts re-reads the session, so a socket whose session has
been revoked stops being able to act even before it is disconnected.
``/chat`` ``echo`` is the exception: it only acks its payload back, so it
is the round-trip floor that ``bench/realtime.py`` compares chat delivery with.
"""

from __future__ import annotations

import logging

import marshmallow as ma
import sqlalchemy as sa
from flask import current_app, g, request
from flask_login import current_user, user_logged_out
from flask_socketio import Namespace, join_room
from limits import parse, storage, strategies
from sqlalchemy.exc import IntegrityError

from networkapp.auth.sessions import session_key
from networkapp.database import after_commit
from networkapp.errors import DomainError, Forbidden, Unauthorized
from networkapp.extensions import db, socketio
from networkapp.messaging import live, services
from networkapp.messaging.schemas import SocketSendSchema, TypingSchema
from networkapp.models import ConversationParticipant, SocketPresence

log = logging.getLogger(__name__)

# Built once: a schema costs more to build than to load one event with, and loading keeps no state on it.
_SEND_SCHEMA = SocketSendSchema()


def _origin_allowed() -> bool:
    origin = request.headers.get("Origin")
    return origin is None or origin in current_app.config["CORS_ORIGINS"]


def _error(status: int, title: str, detail: str, errors: dict | None = None) -> dict:
    body = {"status": status, "title": title, "detail": detail}
    if errors:
        body["errors"] = errors
    return {"ok": False, "error": body}


def _domain_error(error: DomainError) -> dict:
    return _error(error.status, error.title, error.detail, error.errors)


class AuthenticatedNamespace(Namespace):
    def on_connect(self, auth=None):
        # Before the session is read: the presence row is written in the same transaction.
        g.writes_on_read = True
        if not _origin_allowed():
            raise ConnectionRefusedError("origin not allowed")
        if not current_user.is_authenticated:
            raise ConnectionRefusedError("authentication required")
        key = session_key(current_user)
        join_room(live.user_room(current_user.id))
        join_room(live.session_room(key))
        db.session.add(
            SocketPresence(sid=request.sid, namespace=self.namespace, user_id=current_user.id, session_key=key)
        )
        db.session.commit()
        return True

    def on_disconnect(self, reason=None):
        g.writes_on_read = True
        db.session.execute(
            sa.delete(SocketPresence).where(
                SocketPresence.sid == request.sid, SocketPresence.namespace == self.namespace
            )
        )
        db.session.commit()


class NotificationsNamespace(AuthenticatedNamespace):
    """Server-to-client only: ``notification`` events."""


class ChatNamespace(AuthenticatedNamespace):
    def _rate_limited(self) -> bool:
        if not current_app.config["RATELIMIT_ENABLED"]:
            return False
        limiter, item = _socket_limiter()
        try:
            return not limiter.hit(
                item, current_app.config["RATELIMIT_KEY_PREFIX"], "socket-send", str(current_user.id)
            )
        except Exception:
            # Same rule as the HTTP limits (RATELIMIT_SWALLOW_ERRORS): an unreachable store fails open.
            log.warning("socket rate-limit store unavailable; not limiting", exc_info=True)
            return False

    def on_send_message(self, data=None):
        g.writes_on_read = True
        if not current_user.is_authenticated:
            return _domain_error(Unauthorized("Your session has ended; sign in again."))
        if self._rate_limited():
            return _error(429, "Too Many Requests", "You are sending messages too quickly; slow down.")
        try:
            args = _SEND_SCHEMA.load(data if isinstance(data, dict) else {})
        except ma.ValidationError as error:
            return _error(422, "Unprocessable Content", "The message has invalid fields.", error.normalized_messages())
        try:
            message = services.send_message(
                current_user,
                content=args["message_content"],
                recipient_id=args.get("recipient_id"),
                conversation_id=args.get("conversation_id"),
                client_id=args.get("client_id"),
            )
            return {"ok": True, "message": services.created_payload(message)}
        except DomainError as error:
            db.session.rollback()
            return _domain_error(error)
        except IntegrityError:
            db.session.rollback()
            return _error(409, "Conflict", "The message conflicts with the current state of the conversation.")
        except Exception:
            log.exception("send_message failed")
            db.session.rollback()
            return _error(500, "Internal Server Error", "An unexpected error occurred.")

    def on_echo(self, data=None):
        # No session read and no database: the cost of an event through this stack and nothing else.
        return {"ok": True, "echo": data}

    def on_typing(self, data=None):
        if not current_user.is_authenticated:
            return _domain_error(Unauthorized("Your session has ended; sign in again."))
        try:
            args = TypingSchema().load(data if isinstance(data, dict) else {})
        except ma.ValidationError as error:
            return _error(422, "Unprocessable Content", "The event has invalid fields.", error.normalized_messages())
        members = list(
            db.session.scalars(
                sa.select(ConversationParticipant.user_id).where(
                    ConversationParticipant.conversation_id == args["conversation_id"]
                )
            )
        )
        db.session.rollback()
        if current_user.id not in members:
            return _domain_error(Forbidden("You are not in this conversation."))
        event = {"conversation_id": str(args["conversation_id"]), "user_id": str(current_user.id)}
        live.push_typing([uid for uid in members if uid != current_user.id], event)
        return {"ok": True}


def _socket_limiter():
    cache = current_app.extensions.setdefault("message_socket_limiter", {})
    if "limiter" not in cache:
        backend = storage.storage_from_string(current_app.config["RATELIMIT_STORAGE_URI"])
        cache["limiter"] = strategies.MovingWindowRateLimiter(backend)
        cache["item"] = parse(current_app.config["MESSAGE_SOCKET_RATE_LIMIT"])
    return cache["limiter"], cache["item"]


def _disconnect_session(sender, user, **extra) -> None:
    """An HTTP logout closes that session's sockets in every process (via the message queue)."""
    key = session_key(user)
    if key is None:
        return
    sockets = db.session.execute(
        sa.select(SocketPresence.sid, SocketPresence.namespace).where(SocketPresence.session_key == key)
    ).all()
    if not sockets:
        return

    def disconnect_all():
        for sid, namespace in sockets:
            try:
                socketio.server.disconnect(sid, namespace=namespace)
            except Exception:
                log.warning("could not disconnect socket %s", sid, exc_info=True)

    # Outside this request's transaction: the disconnect handlers use their own.
    after_commit(lambda: socketio.start_background_task(disconnect_all))


def _push_notification(notification, **extra) -> None:
    from networkapp.messaging import digests

    digests.on_notification(notification)


def register(app) -> None:
    socketio.on_namespace(ChatNamespace(live.CHAT))
    socketio.on_namespace(NotificationsNamespace(live.NOTIFICATIONS))
    user_logged_out.connect(_disconnect_session)
    from networkapp.notifications.services import notification_created

    notification_created.connect(_push_notification)
