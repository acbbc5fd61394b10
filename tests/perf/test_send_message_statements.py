"""Statement-count guard for sending a message, the hot write of real-time chat.

A socket ``send_message`` into an existing conversation runs: the session user, one gate
query (client_id replay, membership, connection, blocks, whether anyone may auto-respond),
the insert, the conversation and participants updates, and the search tokens; no savepoint.
The count must not grow with the size of a group either.  On PostgreSQL a 1:1 send also takes
the pair's lock first (``graph.lock_pair``), so that a block committed meanwhile is seen: one more
statement by ``recipient_id``, two by ``conversation_id`` (the block is read again under the lock).
"""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from networkapp.extensions import db
from tests.conftest import ON_POSTGRES, connect
from tests.messaging.conftest import send, sio

SEND_STATEMENTS = 6
PAIR_LOCK = 1 if ON_POSTGRES else 0


@pytest.fixture
def app(make_app):
    # Flask-SocketIO's test client cannot run over the Redis message queue.
    return make_app(REDIS_URL="")


class Statements:
    """Every statement sent to the database, transaction control included (BEGIN/COMMIT aside)."""

    def __init__(self, app):
        self.app, self.seen = app, []

    def __enter__(self):
        with self.app.app_context():
            self.engine = db.engine
        sa.event.listen(self.engine, "before_cursor_execute", self._before)
        return self

    def __exit__(self, *exc):
        sa.event.remove(self.engine, "before_cursor_execute", self._before)

    def _before(self, conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "PRAGMA")):
            self.seen.append(statement.lstrip().split(None, 1)[0].upper())


def socket_send(tab, **body) -> dict:
    ack = tab.emit("send_message", body, namespace="/chat", callback=True)
    assert ack["ok"] is True, ack
    return ack["message"]


def test_socket_send_is_six_statements_and_no_savepoint(app, alice, bob):
    connect(app, alice, bob)
    send(alice, recipient_id=bob.id, message_content="first, creates the conversation")
    tab = sio(app, alice)
    with Statements(app) as run:
        message = socket_send(tab, recipient_id=bob.id, content="Lunch on Friday?", client_id=uuid.uuid4().hex)
    assert run.seen == ["SELECT"] * (2 + PAIR_LOCK) + ["INSERT", "UPDATE", "UPDATE", "INSERT"], run.seen
    assert len(run.seen) == SEND_STATEMENTS + PAIR_LOCK
    # Into the conversation by id, and without a client_id: the same, and the block read again under the lock.
    with Statements(app) as run:
        socket_send(tab, conversation_id=message["conversation_id"], content="Or Saturday")
    assert len(run.seen) == SEND_STATEMENTS + 2 * PAIR_LOCK and "SAVEPOINT" not in run.seen, run.seen


def test_group_send_statements_do_not_grow_with_members(app, make_user, alice):
    def group_of(n):
        friends = [make_user() for _ in range(n)]
        for friend in friends:
            connect(app, alice, friend)
        body = {"title": f"{n} friends", "participant_ids": [f.id for f in friends]}
        response = alice.post("/api/messages/groups", json=body)
        assert response.status_code == 201, response.get_json()
        return response.get_json()["id"]

    small, large = group_of(1), group_of(6)
    tab = sio(app, alice)
    counts = []
    for conversation_id in (small, large):
        socket_send(tab, conversation_id=conversation_id, content="warm-up")
        with Statements(app) as run:
            socket_send(tab, conversation_id=conversation_id, content="Standup moved to 10", client_id=uuid.uuid4().hex)
        counts.append(len(run.seen))
    assert counts == [SEND_STATEMENTS, SEND_STATEMENTS], counts
