"""End to end against real server processes: real sockets, real cookies, and Redis between processes."""

import os
import queue
import uuid

import pytest
import socketio

from tests.conftest import connect
from tests.messaging.servers import Server, User

REDIS_URL = os.environ.get("REDIS_URL")


@pytest.fixture
def servers(database_url):
    started: list[Server] = []

    def start(count: int, redis_url: str | None = None):
        batch = [Server(database_url, redis_url) for _ in range(count)]
        started.extend(batch)
        for server in batch:
            server.wait_ready()
        return batch

    yield start
    for server in started:
        server.stop()


def listen(client: socketio.Client, event: str = "message") -> queue.Queue:
    received: queue.Queue = queue.Queue()
    client.on(event, received.put, namespace="/chat")
    return received


def test_real_client_on_a_running_server(app, servers):
    (server,) = servers(1)
    alice, bob = User(server, f"alice{uuid.uuid4().hex[:6]}"), User(server, f"bob{uuid.uuid4().hex[:6]}")
    connect(app, alice, bob)
    bob_socket = bob.socket(server, websocket=True)  # alice stays on long-polling: both transports
    inbox = listen(bob_socket)
    alice_socket = alice.socket(server)
    try:
        ack = alice_socket.call("send_message", {"recipient_id": bob.id, "content": "over the wire"}, namespace="/chat")
        assert ack["ok"] is True
        received = inbox.get(timeout=5)
        assert received == ack["message"] and received["content"] == "over the wire"
        # No cookie: refused.
        anonymous = socketio.Client(reconnection=False)
        with pytest.raises(socketio.exceptions.ConnectionError):
            anonymous.connect(server.url, namespaces=["/chat"], wait_timeout=5)
        # A foreign Origin: refused even with a valid cookie.
        with pytest.raises(socketio.exceptions.ConnectionError):
            socketio.Client(reconnection=False).connect(
                server.url,
                namespaces=["/chat"],
                headers={"Cookie": bob.cookie_header(), "Origin": "https://evil.example"},
                wait_timeout=5,
            )
    finally:
        alice_socket.disconnect()
        bob_socket.disconnect()


@pytest.mark.skipif(not REDIS_URL, reason="needs REDIS_URL (the Socket.IO message queue)")
def test_message_crosses_processes_through_redis(app, servers):
    first, second = servers(2, REDIS_URL)
    alice, bob = User(first, f"alice{uuid.uuid4().hex[:6]}"), User(first, f"bob{uuid.uuid4().hex[:6]}")
    connect(app, alice, bob)
    bob_socket = bob.socket(second)  # bob is on the other process
    inbox = listen(bob_socket)
    alice_socket = alice.socket(first)
    try:
        ack = alice_socket.call("send_message", {"recipient_id": bob.id, "content": "across"}, namespace="/chat")
        assert ack["ok"] is True
        assert inbox.get(timeout=5) == ack["message"]
        # REST on the second process reaches alice on the first.
        alice_inbox = listen(alice_socket)
        response = bob.http.post(
            f"{second.url}/api/messages",
            json={"recipient_id": alice.id, "message_content": "and back"},
            headers={"X-CSRF-Token": bob.csrf},
            timeout=10,
        )
        assert response.status_code == 201
        assert alice_inbox.get(timeout=5)["content"] == "and back"
    finally:
        alice_socket.disconnect()
        bob_socket.disconnect()
