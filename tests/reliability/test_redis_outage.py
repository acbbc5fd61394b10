"""Redis stops: HTTP keeps serving, rate limits fail open, live pushes pause and resume on their own."""

from __future__ import annotations

import queue
import time
import uuid

import pytest
import requests
import socketio

from tests.reliability.procs import Client, wait_until

pytestmark = pytest.mark.fault

ORIGIN = "http://localhost:3000"
RECOVERY_BOUND_SECONDS = 30
OUTAGE_SECONDS = 4


def _socket(client: Client, server) -> tuple[socketio.Client, queue.Queue]:
    sio = socketio.Client(reconnection=True, reconnection_delay=0.2, reconnection_delay_max=1)
    inbox: queue.Queue = queue.Queue()
    sio.on("message", inbox.put, namespace="/chat")
    sio.connect(
        server.url,
        namespaces=["/chat"],
        headers={"Cookie": client.cookie_header(), "Origin": ORIGIN},
        wait_timeout=10,
    )
    return sio, inbox


def _connected_pair(server) -> tuple[Client, Client]:
    alice = Client(server.url, f"alice{uuid.uuid4().hex[:6]}")
    bob = Client(server.url, f"bob{uuid.uuid4().hex[:6]}")
    request = alice.post("/api/connections/request", json={"target_user_id": bob.id})
    assert request.status_code == 201
    assert bob.put(f"/api/connections/{request.json()['id']}/accept").status_code == 200
    return alice, bob


def _send(client: Client, to: Client, text: str) -> requests.Response:
    return client.post("/api/messages", json={"recipient_id": to.id, "message_content": text})


def test_a_redis_outage_degrades_but_does_not_stop_the_service(database, redis_server, servers, report):
    server = servers(database, redis_url=redis_server.url, RATELIMIT_ENABLED="true")
    alice, bob = _connected_pair(server)
    health = requests.get(f"{server.url}/api/health", timeout=5)
    assert health.status_code == 200 and health.json()["redis"] == "ok"
    assert "X-RateLimit-Limit" in alice.get("/api/feed").headers  # limits are counted in Redis

    bob_socket, inbox = _socket(bob, server)
    alice_socket, _ = _socket(alice, server)
    try:
        assert _send(alice, bob, "before").status_code == 201
        assert inbox.get(timeout=10)["content"] == "before"

        redis_server.stop()
        outage_start = time.monotonic()
        health = requests.get(f"{server.url}/api/health", timeout=5)
        assert health.status_code == 200
        assert health.json() == {"status": "degraded", "database": "ok", "redis": "unavailable"}
        # HTTP keeps serving, reads and writes; the rate limiter fails open (no limit headers, no 429/500).
        feed = alice.get("/api/feed")
        assert feed.status_code == 200
        during = _send(alice, bob, "during")
        assert during.status_code == 201
        logins = [
            requests.post(
                f"{server.url}/api/auth/login",
                json={"username": "nobody-here", "password": "wrong password"},
                headers={
                    "X-CSRF-Token": Client(server.url).http.get(f"{server.url}/api/auth/csrf").json()["csrf_token"]
                },
                timeout=5,
            ).status_code
            for _ in range(3)
        ]
        assert set(logins) <= {401, 403}
        # A socket send is still stored and acknowledged.
        ack = alice_socket.call(
            "send_message", {"recipient_id": bob.id, "content": "socket during"}, namespace="/chat", timeout=10
        )
        assert ack["ok"] is True
        # The pushes of the outage are not delivered live; the messages are in the history.
        history = bob.get(f"/api/messages/{during.json()['conversation_id']}").json()["items"]
        assert {"during", "socket during"} <= {m["content"] for m in history}
        # Long enough for the Socket.IO listener to fail and back off (it retries after 1, 2, 4 … s).
        time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - outage_start)))
        outage_seconds = time.monotonic() - outage_start

        redis_server.start()
        back = time.monotonic()
        wait_until(lambda: requests.get(f"{server.url}/api/health", timeout=5).json()["redis"] == "ok", timeout=10)

        def live_again() -> bool:
            probe = f"probe {time.monotonic()}"
            assert _send(alice, bob, probe).status_code == 201
            deadline = time.monotonic() + 1
            while time.monotonic() < deadline:
                try:
                    if inbox.get(timeout=0.2)["content"] == probe:
                        return True
                except queue.Empty:
                    pass
            return False

        wait_until(live_again, timeout=RECOVERY_BOUND_SECONDS, interval=0)
        recovery = time.monotonic() - back
        assert "X-RateLimit-Limit" in alice.get("/api/feed").headers
    finally:
        bob_socket.disconnect()
        alice_socket.disconnect()
    report(
        "redis_outage",
        {
            "outage_seconds": round(outage_seconds, 2),
            "http_during_outage": "200/201, rate limits not enforced (fail open)",
            "health_during_outage": "200 degraded",
            "live_push_recovered_after_redis_up_seconds": round(recovery, 2),
        },
    )
