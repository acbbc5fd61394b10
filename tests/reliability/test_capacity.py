"""The production server as shipped, under the load of people being online: real gunicorn, real sockets.

- Hundreds of open sockets leave the HTTP API answering (a socket is a greenlet, not a thread).
- A burst of writes that notify (each pushes live and may queue e-mail) answers every request,
  quickly, with the counts right.
- A frozen database turns requests into 503s within the configured bounds, and the instance
  recovers by itself when the database comes back.
- SIGTERM closes the process's sockets and deletes their presence rows at once.
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from tests.reliability.procs import Client, RawSocket, wait_until

pytestmark = pytest.mark.fault

BOTH = pytest.mark.parametrize("database", ["sqlite", "postgres"], indirect=True)


def _count(database_url: str, sql: str) -> int:
    engine = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(sql)).scalar_one()
    finally:
        engine.dispose()


def _timed(call) -> tuple[requests.Response, float]:
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


@BOTH
def test_hundreds_of_open_sockets_leave_http_answering(database, servers):
    server = servers(database)
    people = [Client(server.url, f"holder{i}") for i in range(4)]
    reader = Client(server.url, "reader")
    sockets = [RawSocket(server.url, people[i % 4].cookie_header()) for i in range(300)]
    try:
        assert _count(database, "SELECT COUNT(*) FROM socket_presence") == 300
        pings, profiles = [], []
        for person in people * 5:
            response, seconds = _timed(lambda: requests.get(f"{server.url}/api/ping", timeout=5))
            assert response.status_code == 200
            pings.append(seconds)
            response, seconds = _timed(lambda person=person: reader.get(f"/api/profiles/{person.id}"))
            assert response.status_code == 200
            profiles.append(seconds)
        # Under gthread each socket held a thread: with this many open the API stopped answering.
        assert max(pings) < 1.0 and statistics.median(pings) < 0.1
        assert max(profiles) < 2.0 and statistics.median(profiles) < 0.25
        # And one more person can still connect.
        RawSocket(server.url, reader.cookie_header()).close()
    finally:
        for sock in sockets:
            sock.close()


@BOTH
def test_a_burst_of_notifying_writes_with_sockets_open_answers_everyone_quickly(database, servers):
    """100 writes that each notify the author at once: likes, comments and direct messages."""
    server = servers(database)
    author = Client(server.url, "author")
    post = author.post("/api/posts", json={"content": "A hundred people will answer this"}).json()
    fans = [Client(server.url, f"fan{i}") for i in range(100)]
    writers = fans[66:]
    for fan in writers:
        asked = fan.post("/api/connections/request", json={"target_user_id": author.id}).json()
        assert author.put(f"/api/connections/{asked['id']}/accept").status_code == 200
    listening = [RawSocket(server.url, author.cookie_header(), "/notifications") for _ in range(20)]
    listening += [RawSocket(server.url, fan.cookie_header()) for fan in fans[:30]]
    for fan in fans:
        # Connections idle since registration may be closed by the server's keep-alive timeout
        # just as the burst reuses them: every fan connects afresh, as a burst of people would.
        fan.http.close()

    def write(i: int, fan: Client):
        if i < 34:
            return fan.post(f"/api/posts/{post['id']}/like")
        if i < 66:
            return fan.post(f"/api/posts/{post['id']}/comments", json={"content": f"Congratulations {i}"})
        return fan.post("/api/messages", json={"recipient_id": author.id, "message_content": f"Well done {i}"})

    barrier = threading.Barrier(len(fans))
    results: list[tuple[int, float]] = []

    def go(i, fan):
        barrier.wait()
        response, seconds = _timed(lambda: write(i, fan))
        results.append((response.status_code, seconds))

    threads = [threading.Thread(target=go, args=(i, fan)) for i, fan in enumerate(fans)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        for sock in listening:
            sock.close()
    assert len(results) == 100 and all(status in (200, 201) for status, _ in results), sorted(results)
    assert max(seconds for _, seconds in results) < 2.0
    stored = author.get(f"/api/posts/{post['id']}").json()
    assert (stored["like_count"], stored["comment_count"]) == (34, 32)
    kinds = "SELECT COUNT(*) FROM notifications WHERE type IN ('post_like', 'post_comment')"
    assert _count(database, kinds) == 66
    assert _count(database, "SELECT COUNT(*) FROM messages") == 34


def _postgres_pids(postgres) -> list[int]:
    master = int((postgres.data / "postmaster.pid").read_text().split()[0])
    children = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout.split()
    return [int(pid) for pid in children] + [master]


def test_a_frozen_database_is_503_within_the_bounds_and_the_instance_recovers(postgres, database, servers):
    server = servers(
        database,
        DATABASE_STATEMENT_TIMEOUT="2",
        DATABASE_CONNECT_TIMEOUT="2",
        DATABASE_POOL_TIMEOUT="2",
    )
    person = Client(server.url, "frozen")
    assert person.get(f"/api/profiles/{person.id}").status_code == 200
    pids = _postgres_pids(postgres)
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        results: list[tuple[int, float]] = []

        def read():
            response, seconds = _timed(lambda: person.get(f"/api/profiles/{person.id}"))
            results.append((response.status_code, seconds))

        readers = [threading.Thread(target=read) for _ in range(6)]
        for thread in readers:
            thread.start()
        health, health_seconds = _timed(lambda: requests.get(f"{server.url}/api/health", timeout=5))
        ping, ping_seconds = _timed(lambda: requests.get(f"{server.url}/api/ping", timeout=5))
        for thread in readers:
            thread.join(30)
    finally:
        for pid in reversed(pids):
            os.kill(pid, signal.SIGCONT)
    assert health.status_code == 503 and health_seconds < 1.5
    assert ping.status_code == 200 and ping_seconds < 1.0
    # Statement bound 2 s, then the watchdog's 2 s grace, a reconnect bounded at 2 s: never a hang.
    assert [status for status, _ in results] == [503] * 6
    assert max(seconds for _, seconds in results) < 12
    recovered = wait_until(lambda: person.get(f"/api/profiles/{person.id}").status_code == 200, timeout=15)
    assert recovered < 15
    assert requests.get(f"{server.url}/api/health", timeout=5).status_code == 200


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_a_writer_that_never_lets_go_of_sqlite_costs_writes_a_503_within_the_bound(database, servers):
    """SQLite's analogue of a frozen server: another process holds the write lock and never commits."""
    import sqlite3

    server = servers(database, DATABASE_STATEMENT_TIMEOUT="2")
    person = Client(server.url, "blocked")
    holder = sqlite3.connect(database.removeprefix("sqlite:///"), isolation_level=None, timeout=1)
    holder.execute("BEGIN IMMEDIATE")
    try:
        response, seconds = _timed(lambda: person.post("/api/posts", json={"content": "Waiting for the lock"}))
        assert response.status_code == 503 and response.headers.get("Retry-After")
        assert seconds < 6  # the in-process queue and SQLite's busy wait, each bounded at 2 s
        # Readers are not writers: WAL lets them through while the lock is held.
        assert person.get(f"/api/profiles/{person.id}").status_code == 200
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert person.post("/api/posts", json={"content": "The lock is free"}).status_code == 201


@BOTH
def test_sigterm_closes_the_sockets_and_clears_their_presence_at_once(database, servers):
    server = servers(database)
    person = Client(server.url, "leaving")
    sockets = [RawSocket(server.url, person.cookie_header(), ns) for ns in ("/chat", "/notifications") * 25]
    assert _count(database, "SELECT COUNT(*) FROM socket_presence") == 50
    started = time.monotonic()
    os.killpg(server.process.pid, signal.SIGTERM)
    try:
        assert all(sock.closed_by_server(timeout=5) for sock in sockets)
        closed = time.monotonic() - started
    finally:
        for sock in sockets:
            sock.close()
    server.process.wait(10)
    # Not after gunicorn's 20 s graceful timeout: clients reconnect to a live process at once.
    assert closed < 3
    assert _count(database, "SELECT COUNT(*) FROM socket_presence") == 0


def test_the_server_shape_is_one_place(tmp_path):
    """gunicorn's settings and the pool come from config.server_shape, so threads can never outnumber connections."""
    from config import server_shape

    for env in ({}, {"SERVER_ROLE": "api", "GUNICORN_THREADS": "32", "DATABASE_POOL_SIZE": "5"}):
        shape = server_shape(env)
        assert shape["pool_size"] >= shape["threads"]
    root = Path(__file__).resolve().parents[2]
    printed = subprocess.run(
        [
            "python",
            "-c",
            "import runpy; c = runpy.run_path('gunicorn.conf.py'); "
            "print(c['worker_class'], c['workers'], c['threads'])",
        ],
        cwd=root,
        env={**os.environ, "SERVER_ROLE": "api", "WEB_CONCURRENCY": "3", "GUNICORN_THREADS": "6"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert printed == ["gthread", "3", "6"]
