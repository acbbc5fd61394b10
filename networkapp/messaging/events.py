"""Socket.IO namespaces ``/chat`` and ``/notifications``.

Both accept only a signed-in session (the Flask-Login cookie, read from the
connect request) and, when the client sends one, an Origin that is the
server's own or allowlisted.  Every event that acts re-reads the session, so
a socket whose session has been revoked stops being able to act even before
it is disconnected; ending a session (logout, password change, account
deletion, any revocation) disconnects its sockets in every process.
``/chat`` ``echo`` is the exception: it only acks its payload back, so it
is the round-trip floor that ``bench/realtime.py`` compares chat delivery with.
"""

from __future__ import annotations

import logging

import marshmallow as ma
import sqlalchemy as sa
from flask import current_app, g, request
from flask_login import current_user
from flask_socketio import Namespace, join_room
from limits import parse, storage, strategies
from sqlalchemy.exc import IntegrityError

from networkapp.auth.sessions import session_key
from networkapp.database import after_commit
from networkapp.errors import DomainError, Forbidden, Unauthorized
from networkapp.extensions import db, socketio
from networkapp.messaging import live, presence, services
from networkapp.messaging.schemas import SocketSendSchema, TypingSchema
from networkapp.models import ConversationParticipant, SocketPresence

log = logging.getLogger(__name__)

# Built once: a schema costs more to build than to load one event with, and loading keeps no state on it.
_SEND_SCHEMA = SocketSendSchema()


def origin_allowed(origin: str | None, environ: dict, app=None) -> bool:
    """The one Origin rule for sockets (Engine.IO's handshake and ``on_connect`` both ask it).

    No Origin (a non-browser client), the server's own origin (a same-origin page, or
    python-socketio's websocket transport, which sends the URL it connects to), or an
    allowlisted SPA origin.  Behind a proxy (``PROXY_FIX_X_FOR``) the forwarded scheme and host
    name the server's own origin too.
    """
    if not origin:
        return True
    config = (app or current_app).config
    if origin in config["CORS_ORIGINS"]:
        return True
    host = environ.get("HTTP_HOST")
    if not host:
        return False
    own = {f"{environ.get('wsgi.url_scheme', 'http')}://{host}"}
    if config["PROXY_FIX_X_FOR"]:
        scheme = environ.get("HTTP_X_FORWARDED_PROTO", environ.get("wsgi.url_scheme", "http")).split(",")[0].strip()
        forwarded_host = environ.get("HTTP_X_FORWARDED_HOST", host).split(",")[0].strip()
        own.add(f"{scheme}://{forwarded_host}")
    return origin.rstrip("/") in own


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
        if not origin_allowed(request.headers.get("Origin"), request.environ):
            raise ConnectionRefusedError("origin not allowed")
        if not current_user.is_authenticated:
            raise ConnectionRefusedError("authentication required")
        key = session_key(current_user)
        join_room(live.user_room(current_user.id))
        join_room(live.session_room(key))
        presence.record(request.sid, self.namespace, current_user.id, key)
        db.session.commit()
        return True

    def on_disconnect(self, reason=None):
        g.writes_on_read = True
        presence.forget(request.sid, self.namespace)
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


def _disconnect(sockets: list[tuple[str, str]]) -> None:
    """Close these sockets once the transaction that ended their sessions has committed.

    Synchronous, not a background task: a live push published after this commit must not
    overtake the disconnect.  Through the message queue both travel on one channel, in order.
    """
    if not sockets:
        return

    def disconnect_all():
        for sid, namespace in sockets:
            try:
                socketio.server.disconnect(sid, namespace=namespace)
            except Exception:
                log.warning("could not disconnect socket %s", sid, exc_info=True)

    after_commit(disconnect_all)


def _sessions_revoked(sender, keys, **extra) -> None:
    _disconnect(presence.sockets_of_sessions(keys))


def _account_deleting(person, **extra) -> None:
    # Read now: the account's presence rows go with it.
    rows = db.session.execute(
        sa.select(SocketPresence.sid, SocketPresence.namespace).where(SocketPresence.user_id == person.id)
    )
    _disconnect([(row.sid, row.namespace) for row in rows])


def _notification_queued(notification, **extra) -> None:
    from networkapp.messaging import digests

    digests.queue_notification(notification)


def _push_notification(notification, payload, user_id, **extra) -> None:
    live.push_notification(user_id, payload)


def register(app) -> None:
    socketio.on_namespace(ChatNamespace(live.CHAT))
    socketio.on_namespace(NotificationsNamespace(live.NOTIFICATIONS))
    from networkapp.auth.sessions import sessions_revoked
    from networkapp.notifications.services import notification_created, notification_queued
    from networkapp.profiles.services import account_deleting

    sessions_revoked.connect(_sessions_revoked)
    account_deleting.connect(_account_deleting)
    notification_queued.connect(_notification_queued)
    notification_created.connect(_push_notification)
