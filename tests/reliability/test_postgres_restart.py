"""PostgreSQL restarts under load: 503s while it is down, recovery on its own, no acknowledged write lost."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
import requests

from tests.reliability.procs import Client, wait_until

pytestmark = pytest.mark.fault

OUTAGE_SECONDS = 3
# No request may hang longer than this, outage or not (connect attempts time out well before).
REQUEST_BOUND_SECONDS = 10
RECOVERY_BOUND_SECONDS = 10


def _health(server) -> tuple[int, dict]:
    response = requests.get(f"{server.url}/api/health", timeout=REQUEST_BOUND_SECONDS)
    return response.status_code, response.json()


def test_requests_during_a_postgres_restart_get_503_and_nothing_acknowledged_is_lost(
    postgres, database, servers, report
):
    server = servers(database)
    writers = [Client(server.url, f"writer{n}{uuid.uuid4().hex[:4]}") for n in range(4)]
    assert _health(server) == (200, {"status": "ok", "database": "ok", "redis": "not configured"})

    stop = threading.Event()
    outcomes: list[dict] = []
    acked: dict[str, str] = {}  # Idempotency-Key -> post id
    pending: dict[str, tuple[Client, dict]] = {}
    lock = threading.Lock()

    def write_loop(client: Client, n: int):
        i = 0
        while not stop.is_set():
            key, body = f"{client.id}-{i}", {"content": f"post {i} of writer {n}"}
            started = time.monotonic()
            try:
                response = client.post("/api/posts", json=body, headers={"Idempotency-Key": key})
                status, mimetype = response.status_code, response.headers.get("Content-Type", "")
                payload = response.json() if "json" in mimetype else {}
            except requests.RequestException as error:
                status, mimetype, payload = 0, type(error).__name__, {}
            elapsed = time.monotonic() - started
            with lock:
                outcomes.append({"at": started, "status": status, "mimetype": mimetype, "elapsed": elapsed})
                if status == 201:
                    acked[key] = payload["id"]
                else:
                    pending[key] = (client, body)
                    outcomes[-1]["body"] = payload
            i += 1
            time.sleep(0.02)

    threads = [threading.Thread(target=write_loop, args=(c, n), daemon=True) for n, c in enumerate(writers)]
    for thread in threads:
        thread.start()
    time.sleep(1)
    outage_start = time.monotonic()
    postgres.stop("fast")
    time.sleep(OUTAGE_SECONDS / 2)
    during_status, during_body = _health(server)
    time.sleep(OUTAGE_SECONDS / 2)
    postgres.start()
    back = time.monotonic()
    recovery = wait_until(lambda: _health(server)[0] == 200, timeout=RECOVERY_BOUND_SECONDS, interval=0.05)
    time.sleep(1)
    stop.set()
    for thread in threads:
        thread.join(REQUEST_BOUND_SECONDS + 5)

    statuses = sorted({o["status"] for o in outcomes})
    failures = [o for o in outcomes if o["status"] != 201]
    # The client saw 201s, or 503 problem+json with Retry-After: nothing else, nothing slower than the bound.
    assert statuses and set(statuses) <= {201, 503}, [o for o in failures if o["status"] != 503][:5]
    assert 503 in statuses, "the outage was visible to clients"
    assert all("application/problem+json" in o["mimetype"] for o in failures)
    assert all(o["body"].get("status") == 503 and "Traceback" not in str(o["body"]) for o in failures)
    assert max(o["elapsed"] for o in outcomes) < REQUEST_BOUND_SECONDS
    assert during_status == 503 and during_body["database"] == "unavailable"
    # Writes succeed again after the restart, without restarting the app.
    assert any(o["status"] == 201 and o["at"] > back + recovery for o in outcomes)

    # The client retries what failed, with the same key: each lands exactly once.
    for key, (client, body) in pending.items():
        response = client.post("/api/posts", json=body, headers={"Idempotency-Key": key})
        assert response.status_code == 201, response.text
        acked[key] = response.json()["id"]
    rows = postgres.execute("SELECT id::text, author_id::text FROM posts", database=database.rsplit("/", 1)[1])
    stored = {row[0] for row in rows}
    assert set(acked.values()) <= stored, "an acknowledged write was lost"
    assert len(rows) == len(acked), "a retried write was stored twice"

    report(
        "postgres_restart",
        {
            "requests": len(outcomes),
            "failed_during_outage": len(failures),
            "statuses": statuses,
            "outage_seconds": round(back - outage_start, 2),
            "max_request_seconds": round(max(o["elapsed"] for o in outcomes), 3),
            "max_failed_request_seconds": round(max((o["elapsed"] for o in failures), default=0), 3),
            "recovery_after_postgres_up_seconds": round(recovery, 3),
            "retried_with_same_key": len(pending),
            "posts_stored": len(rows),
        },
    )


def test_postgres_connections_time_out_instead_of_hanging(monkeypatch):
    """A database host that never answers must not hold a request thread: connect attempts are bounded."""
    import socket

    from networkapp import create_app

    # A listening socket that never completes the PostgreSQL handshake (a black-holed host).
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)
    url = f"postgresql+psycopg://postgres@127.0.0.1:{silent.getsockname()[1]}/app"
    monkeypatch.setenv("TEST_DATABASE_URL", url)
    monkeypatch.setenv("DATABASE_CONNECT_TIMEOUT", "1")
    try:
        app = create_app("testing")
        assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]["connect_timeout"] == 1
        started = time.monotonic()
        response = app.test_client().get("/api/health")
        elapsed = time.monotonic() - started
    finally:
        silent.close()
    assert response.status_code == 503
    assert response.get_json()["database"] == "unavailable"
    assert elapsed < 5
