import uuid

import pytest
import sqlalchemy as sa

from networkapp.models import Message, SocketPresence
from tests.conftest import connect
from tests.messaging.conftest import ALLOWED_ORIGIN, count, events, send, sio, wait_for


@pytest.fixture
def app(local_app):
    return local_app


def test_anonymous_socket_is_refused(app, anon):
    for namespace in ("/chat", "/notifications"):
        client = sio(app, anon, namespace)
        assert not client.is_connected(namespace)
    assert count(app, SocketPresence) == 0


def test_foreign_origin_is_refused_and_allowlisted_accepted(app, alice):
    evil = sio(app, alice, headers={"Origin": "https://evil.example"})
    assert not evil.is_connected("/chat")
    good = sio(app, alice, headers={"Origin": ALLOWED_ORIGIN})
    assert good.is_connected("/chat")
    assert count(app, SocketPresence, SocketPresence.user_id == uuid.UUID(alice.id)) == 1
    good.disconnect(namespace="/chat")
    assert count(app, SocketPresence) == 0


def test_send_message_acks_and_reaches_every_session_of_every_participant(app, pair, make_user):
    alice, bob = pair
    bob_tab = sio(app, bob)
    alice_other_tab = sio(app, alice)
    alice_tab = sio(app, alice)
    ack = alice_tab.emit(
        "send_message", {"recipient_id": bob.id, "content": "Live hello"}, namespace="/chat", callback=True
    )
    assert ack["ok"] is True
    message = ack["message"]
    assert message["content"] == "Live hello" and message["sender_id"] == alice.id and message["recipient_id"] == bob.id
    assert wait_for(bob_tab, "message") == [message]
    assert wait_for(alice_other_tab, "message") == [message]
    stored = count(app, Message, Message.id == uuid.UUID(message["id"]))
    assert stored == 1


def test_rest_messages_are_pushed_too(app, pair):
    alice, bob = pair
    bob_tab = sio(app, bob)
    message = send(alice, recipient_id=bob.id, message_content="via REST").get_json()
    assert wait_for(bob_tab, "message") == [message]


def test_sender_identity_comes_from_the_session(app, pair):
    alice, bob = pair
    tab = sio(app, alice)
    ack = tab.emit(
        "send_message", {"recipient_id": bob.id, "content": "x", "sender_id": bob.id}, namespace="/chat", callback=True
    )
    assert ack["ok"] is False and ack["error"]["status"] == 422 and "sender_id" in ack["error"]["errors"]
    assert count(app, Message) == 0


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"content": "no target"}, 422),
        ({"recipient_id": "RECIPIENT", "content": ""}, 422),
        ({"recipient_id": "RECIPIENT", "content": "y" * 5001}, 422),
        ({"recipient_id": "RECIPIENT", "content": "nul \x00 inside"}, 422),
        ({"recipient_id": "RECIPIENT", "content": "ok", "client_id": "a\x00b"}, 422),
        ({"recipient_id": "RECIPIENT", "content": "hi \ud800"}, 422),
        ({"recipient_id": "STRANGER", "content": "hi"}, 403),
        ({"conversation_id": "RANDOM", "content": "hi"}, 404),
        ("not an object", 422),
    ],
)
def test_send_message_errors_come_back_in_the_ack(app, pair, make_user, payload, status):
    alice, bob = pair
    stranger = make_user()
    if isinstance(payload, dict):
        swap = {"RECIPIENT": bob.id, "STRANGER": stranger.id, "RANDOM": str(uuid.uuid4())}
        payload = {k: swap.get(v, v) for k, v in payload.items()}
    tab = sio(app, alice)
    ack = tab.emit("send_message", payload, namespace="/chat", callback=True)
    assert ack["ok"] is False
    assert ack["error"]["status"] == status and ack["error"]["title"] and ack["error"]["detail"]
    assert count(app, Message) == 0


def test_send_message_client_id_is_idempotent(app, pair):
    alice, bob = pair
    tab = sio(app, alice)
    body = {"recipient_id": bob.id, "content": "once", "client_id": "abc-1"}
    first = tab.emit("send_message", body, namespace="/chat", callback=True)
    second = tab.emit("send_message", body, namespace="/chat", callback=True)
    assert first["ok"] and second["ok"] and first["message"] == second["message"]
    assert count(app, Message) == 1
    # The same client_id over REST is the same message as well.
    assert send(alice, recipient_id=bob.id, message_content="once", client_id="abc-1").get_json() == first["message"]


def test_typing_is_relayed_to_other_participants_only(app, pair, conversation, make_user):
    alice, bob = pair
    carol = make_user()
    connect(app, carol, alice)
    alice_tab, bob_tab, carol_tab = sio(app, alice), sio(app, bob), sio(app, carol)
    assert alice_tab.emit("typing", {"conversation_id": conversation}, namespace="/chat", callback=True) == {"ok": True}
    assert wait_for(bob_tab, "typing") == [{"conversation_id": conversation, "user_id": alice.id}]
    refused = carol_tab.emit("typing", {"conversation_id": conversation}, namespace="/chat", callback=True)
    assert refused["ok"] is False and refused["error"]["status"] == 403
    assert wait_for(bob_tab, "typing", timeout=0.3) == []
    assert events(alice_tab, "typing") == []


def test_reading_emits_read_to_the_sender(app, pair, conversation):
    alice, bob = pair
    alice_tab = sio(app, alice)
    bob.get(f"/api/messages/{conversation}")
    read = wait_for(alice_tab, "read")
    assert len(read) == 1
    assert read[0]["conversation_id"] == conversation and read[0]["user_id"] == bob.id and read[0]["read_at"]
    # Nothing new to read: no second event.
    bob.get(f"/api/messages/{conversation}")
    assert wait_for(alice_tab, "read", timeout=0.3) == []


def test_logout_disconnects_that_sessions_sockets_only(app, pair, make_user):
    alice, _bob = pair
    from tests.conftest import PASSWORD, Actor

    second_login = Actor(app)
    assert second_login.post("/api/auth/login", json={"username": "alice", "password": PASSWORD}).status_code == 200
    chat, notes = sio(app, alice), sio(app, alice, "/notifications")
    other_session = sio(app, second_login)
    assert chat.is_connected("/chat") and notes.is_connected("/notifications")
    assert alice.post("/api/auth/logout").status_code == 204
    import time

    deadline = time.monotonic() + 5
    while (chat.is_connected("/chat") or notes.is_connected("/notifications")) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not chat.is_connected("/chat") and not notes.is_connected("/notifications")
    assert other_session.is_connected("/chat")
    # python-socketio tells the client before it runs the server's disconnect handler,
    # which then removes the presence row: wait for the handler, not just the client.
    while count(app, SocketPresence) != 1 and time.monotonic() < deadline + 5:
        time.sleep(0.02)
    assert count(app, SocketPresence) == 1
    # A socket whose session is gone cannot reconnect either.
    assert not sio(app, alice).is_connected("/chat")


def test_notifications_are_pushed_live(app, alice, bob):
    from networkapp.extensions import db
    from networkapp.notifications.services import notify

    tab = sio(app, bob, "/notifications")
    with app.test_request_context():
        notify(uuid.UUID(bob.id), "connection_request", actor=uuid.UUID(alice.id), data={"note": "hi"})
        db.session.commit()
    pushed = wait_for(tab, "notification", namespace="/notifications")
    assert len(pushed) == 1
    assert pushed[0]["type"] == "connection_request" and pushed[0]["actor"]["id"] == alice.id
    assert pushed[0]["data"] == {"note": "hi"} and pushed[0]["read_at"] is None
    listed = bob.get("/api/notifications").get_json()["items"]
    assert listed[0]["id"] == pushed[0]["id"]


def test_socket_sends_are_rate_limited_per_user(make_app, make_user):
    app = make_app(REDIS_URL="", RATELIMIT_ENABLED="true", MESSAGE_SOCKET_RATE_LIMIT="3 per 10 seconds")
    from tests.conftest import Actor

    def user(name):
        actor = Actor(app)
        body = {
            "username": name,
            "email": f"{name}@example.com",
            "password": "correct horse battery staple",
            "first_name": "A",
            "last_name": "B",
            "industry": "Software",
        }
        actor.user = actor.post("/api/auth/register", json=body).get_json()
        return actor

    alice, bob = user("ratealice"), user("ratebob")
    connect(app, alice, bob)
    tab = sio(app, alice)
    acks = [
        tab.emit("send_message", {"recipient_id": bob.id, "content": f"m{n}"}, namespace="/chat", callback=True)
        for n in range(4)
    ]
    assert [a["ok"] for a in acks] == [True, True, True, False]
    assert acks[3]["error"]["status"] == 429
    assert count(app, Message) == 3
    assert count(app, Message, Message.sender_id == uuid.UUID(alice.id)) == 3 and sa is not None


def _until_disconnected(clients, timeout: float = 5) -> None:
    import time

    deadline = time.monotonic() + timeout
    while any(c.is_connected(ns) for c, ns in clients) and time.monotonic() < deadline:
        time.sleep(0.02)


def test_a_password_change_disconnects_every_other_session_at_once_and_they_hear_nothing_more(app, pair):
    from tests.conftest import PASSWORD, Actor

    alice, bob = pair
    stolen = Actor(app)
    assert stolen.post("/api/auth/login", json={"username": "alice", "password": PASSWORD}).status_code == 200
    stolen_chat, stolen_notes = sio(app, stolen), sio(app, stolen, "/notifications")
    own_chat = sio(app, alice)
    assert stolen_chat.is_connected("/chat") and stolen_notes.is_connected("/notifications")

    changed = alice.post(
        "/api/auth/password", json={"current_password": PASSWORD, "new_password": "a brand new passphrase 42"}
    )
    assert changed.status_code == 204
    # Disconnected when the change commits (before its response), not at the next event the socket sends.
    assert not stolen_chat.is_connected("/chat") and not stolen_notes.is_connected("/notifications")
    assert own_chat.is_connected("/chat")

    from networkapp.extensions import socketio

    # The revoked sockets have left alice's room in the server, so no later push can reach them.
    room = dict(socketio.server.manager.get_participants("/chat", f"user:{alice.id}"))
    assert len(room) == 1
    assert send(bob, recipient_id=alice.id, message_content="After the change").status_code == 201
    assert [m["content"] for m in events(own_chat, "message")] == ["After the change"]
    assert not sio(app, stolen).is_connected("/chat")


def test_deleting_the_account_disconnects_all_its_sockets(app, pair):
    from tests.conftest import PASSWORD, Actor

    alice, _bob = pair
    other = Actor(app)
    assert other.post("/api/auth/login", json={"username": "alice", "password": PASSWORD}).status_code == 200
    sockets = [
        (sio(app, alice), "/chat"),
        (sio(app, other), "/chat"),
        (sio(app, other, "/notifications"), "/notifications"),
    ]
    assert all(c.is_connected(ns) for c, ns in sockets)
    assert alice.delete(f"/api/profiles/{alice.id}").status_code in (200, 204)
    _until_disconnected(sockets)
    assert not any(c.is_connected(ns) for c, ns in sockets)
    assert count(app, SocketPresence) == 0


@pytest.mark.parametrize(
    ("origin", "accepted"),
    [
        (None, True),  # a non-browser client sends none
        ("http://localhost", True),  # the server's own origin (the test client's host)
        (ALLOWED_ORIGIN, True),
        ("https://evil.example", False),
        ("http://localhost.evil.example", False),
        ("null", False),
    ],
)
def test_socket_origins_own_allowlisted_or_none(app, alice, origin, accepted):
    client = sio(app, alice, headers={"Origin": origin} if origin else None)
    assert client.is_connected("/chat") is accepted
