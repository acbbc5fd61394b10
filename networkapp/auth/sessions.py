"""Server-side sessions behind Flask-Login.

The signed cookie holds a random token; the database holds its sha256.
Logging out deletes the row, so a copy of the cookie taken earlier stops
working — something a purely client-side session cannot promise.
"""

from __future__ import annotations

import hashlib
import secrets

import sqlalchemy as sa
from blinker import Namespace
from flask import current_app, request, session
from flask_login import login_user, logout_user

from networkapp.database import utcnow
from networkapp.extensions import db, login_manager
from networkapp.models import User, UserSession

signals = Namespace()
# Sent inside the transaction that ends sessions, with the user as sender and the ended
# sessions' keys (``session_key``) as ``keys``: whatever a session holds open (sockets) must
# close when it commits.  Every path that ends a session sends it.
sessions_revoked = signals.signal("sessions-revoked")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# Built once: every request and every Socket.IO event runs it.
_SESSION_USER = (
    sa.select(User)
    .join(UserSession, UserSession.user_id == User.id)
    .where(UserSession.id == sa.bindparam("digest"), UserSession.created_at > sa.bindparam("oldest"))
)


@login_manager.user_loader
def load_user(token: str) -> User | None:
    if not token or len(token) > 100:
        return None
    # A session lives as long as its cookie may; an older row is dead even if a cookie survives.
    oldest = utcnow() - current_app.permanent_session_lifetime
    user = db.session.execute(_SESSION_USER, {"digest": _digest(token), "oldest": oldest}).scalar_one_or_none()
    if user is not None:
        user.session_id = token
    return user


def start_session(user: User) -> None:
    """Log ``user`` in on a brand-new session (no state survives from before login)."""
    session.clear()
    token = secrets.token_urlsafe(32)
    db.session.add(
        UserSession(
            id=_digest(token),
            user_id=user.id,
            ip_address=(request.remote_addr or "")[:45] or None,
            user_agent=(request.user_agent.string or "")[:255] or None,
        )
    )
    user.session_id = token
    user.last_active = utcnow()
    session.permanent = True
    login_user(user)


def end_session(user: User) -> None:
    if user.session_id:
        key = _digest(user.session_id)
        db.session.execute(sa.delete(UserSession).where(UserSession.id == key))
        sessions_revoked.send(user, keys=[key])
    user.last_active = utcnow()
    logout_user()
    session.clear()


def session_key(user: User) -> str | None:
    """A stable identifier of the current session, for per-session socket rooms."""
    return _digest(user.session_id) if user.session_id else None


def revoke_other_sessions(user: User) -> None:
    keep = _digest(user.session_id) if user.session_id else ""
    ended = db.session.scalars(
        sa.delete(UserSession).where(UserSession.user_id == user.id, UserSession.id != keep).returning(UserSession.id)
    ).all()
    if ended:
        sessions_revoked.send(user, keys=list(ended))
