"""A request holds at most one database connection at a time, whatever runs after its commit.

The guard counts the request pool's check-outs per thread while real requests run: the writes
that notify (and so push live and queue e-mail), send messages, fire job alerts and end sessions
with sockets open.  A second connection taken while the first is held (a callback opening a
session of its own before the request's is back in the pool) shows as two.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from networkapp.extensions import db, socketio
from tests.conftest import PASSWORD, Actor, connect


@pytest.fixture
def app(make_app):
    # Mail on: notifications and messages for offline people are queued for e-mail in the request.
    return make_app(MAIL_SERVER="127.0.0.1", REDIS_URL="")


@pytest.fixture
def held(app):
    """``with held() as peak:`` → ``peak[0]`` is the most connections one thread held at once."""

    @contextmanager
    def measure():
        local = threading.local()
        peak = [0]

        def checkout(*_args):
            local.n = getattr(local, "n", 0) + 1
            peak[0] = max(peak[0], local.n)

        def checkin(*_args):
            local.n = getattr(local, "n", 0) - 1

        with app.app_context():
            pool = db.engine.pool
        sa.event.listen(pool, "checkout", checkout)
        sa.event.listen(pool, "checkin", checkin)
        try:
            yield peak
        finally:
            sa.event.remove(pool, "checkout", checkout)
            sa.event.remove(pool, "checkin", checkin)

    return measure


def one_connection(held, call, expected=(200, 201, 204)):
    with held() as peak:
        response = call()
    assert response.status_code in expected, response.get_json()
    assert peak[0] == 1, f"the request held {peak[0]} connections at once"
    return response


def test_notifying_writes_hold_one_connection(app, held, alice, bob):
    connect(app, alice, bob)
    post = one_connection(held, lambda: alice.post("/api/posts", json={"content": "Shipped the release"})).get_json()
    one_connection(held, lambda: bob.post(f"/api/posts/{post['id']}/like"))
    one_connection(held, lambda: bob.post(f"/api/posts/{post['id']}/comments", json={"content": "Congrats!"}))
    one_connection(held, lambda: bob.post("/api/messages", json={"recipient_id": alice.id, "message_content": "Hi"}))
    with app.app_context():
        outbox = db.session.execute(sa.text("SELECT kind FROM email_outbox")).scalars().all()
    # Alice had no socket open: each notification and the message waits for her digest, written
    # in the request's own transaction rather than in a session opened after it.
    assert sorted(outbox) == ["message", "notification", "notification"]


def test_a_request_answered_and_accepted_holds_one_connection(app, held, make_user):
    alice, carol = make_user(), make_user()
    request = one_connection(held, lambda: alice.post("/api/connections/request", json={"target_user_id": carol.id}))
    one_connection(held, lambda: carol.put(f"/api/connections/{request.get_json()['id']}/accept"))


def test_a_job_posting_that_fires_alerts_holds_one_connection(app, held, alice, bob):
    assert bob.post("/api/jobs/alerts", json={"name": "Python", "q": "python"}).status_code == 201
    one_connection(held, lambda: alice.post("/api/jobs", json={"title": "Python engineer", "company": "Acme"}))
    notes = bob.get("/api/notifications").get_json()["items"]
    assert [n["type"] for n in notes] == ["job_alert"]


def test_ending_sessions_with_sockets_open_holds_one_connection(app, held, alice):
    other = Actor(app)
    assert other.post("/api/auth/login", json={"username": "alice", "password": PASSWORD}).status_code == 200
    socket = socketio.test_client(app, namespace="/chat", flask_test_client=other.client)
    assert socket.is_connected("/chat")
    one_connection(
        held,
        lambda: alice.post(
            "/api/auth/password", json={"current_password": PASSWORD, "new_password": "another long passphrase 7"}
        ),
    )
    assert not socket.is_connected("/chat")
    mine = socketio.test_client(app, namespace="/chat", flask_test_client=alice.client)
    assert mine.is_connected("/chat")
    one_connection(held, lambda: alice.post("/api/auth/logout"))
    assert not mine.is_connected("/chat")
