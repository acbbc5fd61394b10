"""Who has a live socket, kept true across deploys and crashes.

Every socket is a row of ``socket_presence`` carrying the id of the process that holds it.
A socket-holding process refreshes its rows every ``PRESENCE_HEARTBEAT_SECONDS``; a row not
refreshed for ``PRESENCE_TTL_SECONDS`` belongs to a process that died without cleaning up
(SIGKILL, a crashed host): it counts as offline at once and the next heartbeat of any process
deletes it.  A process told to stop (SIGTERM, every deploy) closes its sockets and deletes its
rows at once (``shutdown``), rather than after the server's graceful timeout.

This module is the one place that decides whether someone is online: the e-mail digest and
the message outbox ask ``online_user_ids``.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask, current_app

from networkapp.database import utcnow
from networkapp.extensions import db, socketio
from networkapp.models import SocketPresence

log = logging.getLogger(__name__)

_process: dict = {}
_lock = threading.Lock()
# Set once this process is shutting down: its rows are already gone, its disconnects skip the database.
closing = threading.Event()


def server_id() -> str:
    """This process's id on its presence rows (computed per process: gunicorn forks workers)."""
    pid = os.getpid()
    if _process.get("pid") != pid:
        _process.clear()
        _process.update(pid=pid, id=f"{socket.gethostname()[:40]}:{pid}:{uuid.uuid4().hex[:8]}", beating=False)
    return _process["id"]


def _cutoff():
    return utcnow() - timedelta(seconds=current_app.config["PRESENCE_TTL_SECONDS"])


def record(sid: str, namespace: str, user_id: uuid.UUID, key: str) -> None:
    """Add a socket in the caller's transaction; the first one starts this process's heartbeat."""
    db.session.add(
        SocketPresence(
            sid=sid, namespace=namespace, user_id=user_id, session_key=key, server_id=server_id(), seen_at=utcnow()
        )
    )
    _start_heartbeat(current_app._get_current_object())


def forget(sid: str, namespace: str) -> None:
    if closing.is_set():
        return
    db.session.execute(
        sa.delete(SocketPresence).where(SocketPresence.sid == sid, SocketPresence.namespace == namespace)
    )


def online_user_ids(user_ids) -> set[uuid.UUID]:
    """Those of ``user_ids`` with at least one live socket (a row refreshed within the TTL)."""
    ids = list(user_ids)
    if not ids:
        return set()
    return set(
        db.session.scalars(
            sa.select(SocketPresence.user_id)
            .where(SocketPresence.user_id.in_(ids), SocketPresence.seen_at > _cutoff())
            .distinct()
        )
    )


def sockets_of_sessions(keys) -> list[tuple[str, str]]:
    """(sid, namespace) of every socket opened by the sessions ``keys``, in whichever process."""
    keys = [k for k in keys if k]
    if not keys:
        return []
    rows = db.session.execute(
        sa.select(SocketPresence.sid, SocketPresence.namespace).where(SocketPresence.session_key.in_(keys))
    )
    return [(row.sid, row.namespace) for row in rows]


def beat() -> None:
    """Refresh this process's rows and purge the rows of processes that stopped refreshing theirs."""
    now = utcnow()
    db.session.execute(sa.update(SocketPresence).where(SocketPresence.server_id == server_id()).values(seen_at=now))
    db.session.execute(sa.delete(SocketPresence).where(SocketPresence.seen_at <= _cutoff()))
    db.session.commit()


def _start_heartbeat(app: Flask) -> None:
    interval = app.config["PRESENCE_HEARTBEAT_SECONDS"]
    if interval <= 0:
        return
    server_id()
    with _lock:
        if _process["beating"]:
            return
        _process["beating"] = True

    def loop():
        while not closing.is_set():
            socketio.sleep(interval)
            try:
                with app.app_context():
                    beat()
            except Exception:  # the next beat retries; rows live for several intervals
                log.warning("presence heartbeat failed", exc_info=True)

    socketio.start_background_task(loop)


def shutdown(app: Flask) -> None:
    """Close every socket this process holds and delete their rows, now (SIGTERM)."""
    closing.set()
    try:
        with app.app_context():
            deleted = db.session.execute(sa.delete(SocketPresence).where(SocketPresence.server_id == server_id()))
            db.session.commit()
            log.info("shutting down: %s presence rows removed", deleted.rowcount)
    except Exception:
        log.warning("could not remove this process's presence rows; they expire on their own", exc_info=True)
    server = socketio.server
    try:
        # This process's sockets only (ignore_queue): the others' processes keep theirs.
        local = [(sid, ns) for ns, rooms in list(server.manager.rooms.items()) for sid in list(rooms.get(None, {}))]
        for sid, namespace in local:
            server.disconnect(sid, namespace=namespace, ignore_queue=True)
        server.eio.disconnect()
    except Exception:
        log.warning("closing the sockets on shutdown failed", exc_info=True)
