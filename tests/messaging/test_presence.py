"""Presence stays true when processes die or stop: heartbeats, expiry, and shutdown."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from networkapp.database import utcnow
from networkapp.extensions import db
from networkapp.messaging import presence
from networkapp.models import EmailOutbox, SocketPresence
from tests.messaging.conftest import count, send, sio


@pytest.fixture
def app(make_app):
    return make_app(REDIS_URL="", MAIL_SERVER="127.0.0.1", PRESENCE_TTL_SECONDS="60")


@pytest.fixture(autouse=True)
def _open_again():
    yield
    presence.closing.clear()


def _ghost(app, user_id: str, *, age: float, server: str = "dead-host:1:0") -> None:
    """A presence row as a process that died would have left it, last refreshed ``age`` s ago."""
    with app.app_context():
        db.session.add(
            SocketPresence(
                sid=uuid.uuid4().hex,
                namespace="/chat",
                user_id=uuid.UUID(user_id),
                session_key="k" * 64,
                server_id=server,
                seen_at=utcnow() - timedelta(seconds=age),
            )
        )
        db.session.commit()


def _outbox(app, user_id: str) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(EmailOutbox.kind).where(EmailOutbox.user_id == uuid.UUID(user_id))))


def test_a_row_refreshed_within_the_ttl_counts_as_online(app, pair):
    alice, bob = pair
    _ghost(app, bob.id, age=30)
    assert send(alice, recipient_id=bob.id, message_content="Are you there?").status_code == 201
    assert _outbox(app, bob.id) == []


def test_a_dead_process_row_expires_so_offline_people_still_get_email(app, pair):
    alice, bob = pair
    _ghost(app, bob.id, age=61)
    assert send(alice, recipient_id=bob.id, message_content="Are you there?").status_code == 201
    assert _outbox(app, bob.id) == ["message"]


def test_a_heartbeat_refreshes_its_own_rows_and_purges_expired_ones(app, pair):
    alice, bob = pair
    tab = sio(app, alice)
    assert tab.is_connected("/chat")
    _ghost(app, bob.id, age=61)
    _ghost(app, bob.id, age=5, server="other-live-host:2:0")
    with app.app_context():
        mine = sa.update(SocketPresence).where(SocketPresence.server_id == presence.server_id())
        db.session.execute(mine.values(seen_at=utcnow() - timedelta(seconds=50)))
        db.session.commit()
        presence.beat()
        rows = db.session.execute(sa.select(SocketPresence.server_id, SocketPresence.seen_at)).all()
    assert sorted(server for server, _ in rows) == sorted([presence.server_id(), "other-live-host:2:0"])
    mine = next(seen for server, seen in rows if server == presence.server_id())
    assert utcnow() - mine < timedelta(seconds=5)


def test_shutdown_closes_this_process_sockets_and_deletes_only_its_rows(app, pair):
    alice, bob = pair
    chat, notes = sio(app, alice), sio(app, bob, "/notifications")
    _ghost(app, bob.id, age=1, server="other-live-host:2:0")
    assert count(app, SocketPresence) == 3
    presence.shutdown(app)
    assert not chat.is_connected("/chat") and not notes.is_connected("/notifications")
    with app.app_context():
        assert list(db.session.scalars(sa.select(SocketPresence.server_id))) == ["other-live-host:2:0"]
