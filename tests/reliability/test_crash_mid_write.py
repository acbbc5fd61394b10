"""SIGKILL of the server amid multi-row writes: afterwards every invariant holds, retries do not duplicate."""

from __future__ import annotations

import random
import threading
import uuid

import pytest
import requests

from tests.reliability.invariants import count, violations
from tests.reliability.procs import Client, wait_until

pytestmark = pytest.mark.fault

PEOPLE = 12
JOBS = 3
MESSAGES_PER_PAIR = 5
# Kill once this many operations were acknowledged: well inside the run, with many in flight.
KILL_AFTER_ACKS = 45


def _pairs(step: int) -> list[tuple[int, int]]:
    return [(i, (i + step) % PEOPLE) for i in range(PEOPLE)]


def _setup(server) -> dict:
    people = [Client(server.url, f"p{n}x{uuid.uuid4().hex[:5]}") for n in range(PEOPLE)]
    to_accept = []
    for step in (1, 2):
        for a, b in _pairs(step):
            response = people[a].post("/api/connections/request", json={"target_user_id": people[b].id})
            assert response.status_code == 201, response.text
            to_accept.append((b, response.json()["id"]))
    for a, b in _pairs(5):
        response = people[a].post("/api/connections/request", json={"target_user_id": people[b].id})
        assert people[b].put(f"/api/connections/{response.json()['id']}/accept").status_code == 200
    jobs = [
        people[0].post("/api/jobs", json={"title": f"Engineer {n}", "company": "Crash Co"}).json()["id"]
        for n in range(JOBS)
    ]
    post = people[0].post("/api/posts", json={"content": "like me"}).json()["id"]
    return {"people": people, "to_accept": to_accept, "jobs": jobs, "post": post}


def _plan(world: dict) -> dict[int, list[tuple]]:
    """Each person's operations: (kind, method, path, body, idempotency key or None)."""
    people, plan = world["people"], {n: [] for n in range(PEOPLE)}
    for recipient, connection_id in world["to_accept"]:
        plan[recipient].append(("accept", "PUT", f"/api/connections/{connection_id}/accept", None, None))
    for n in range(1, PEOPLE):
        for job in world["jobs"]:
            plan[n].append(("apply", "POST", f"/api/jobs/{job}/apply", {"cover_letter": "hi"}, f"apply-{n}-{job}"))
        plan[n].append(("like", "POST", f"/api/posts/{world['post']}/like", None, None))
    for a, b in _pairs(5):
        for m in range(MESSAGES_PER_PAIR):
            body = {"recipient_id": people[b].id, "message_content": f"message {m} from {a}"}
            plan[a].append(("message", "POST", "/api/messages", body, f"msg-{a}-{m}"))
    for a, b in _pairs(4):
        body = {"target_user_id": people[b].id}
        plan[a].append(("request", "POST", "/api/connections/request", body, f"req-{a}-{b}"))
    rng = random.Random(7)
    for ops in plan.values():
        rng.shuffle(ops)
    return plan


def _perform(client: Client, op: tuple) -> requests.Response:
    _, method, path, body, key = op
    headers = {"Idempotency-Key": key} if key else {}
    return client.request(method, path, json=body, headers=headers)


# A retry after the crash may find its first attempt committed: these answers then mean "already done".
ALREADY_DONE = {"accept": {409}, "like": {200, 201, 409}}


@pytest.mark.parametrize("database", ["sqlite", "postgres"], indirect=True)
def test_sigkill_during_writes_leaves_every_invariant_intact(database, servers, report):
    server = servers(database, threads=8)
    world = _setup(server)
    people, plan = world["people"], _plan(world)
    acked = []
    unfinished: dict[int, list[tuple]] = {}
    lock = threading.Lock()
    errors: list[str] = []

    def run(n: int):
        ops = plan[n]
        for index, op in enumerate(ops):
            try:
                response = _perform(people[n], op)
            except requests.RequestException:
                with lock:
                    unfinished[n] = ops[index:]
                return
            if response.status_code >= 500:
                with lock:
                    errors.append(f"{op[0]}: {response.status_code} {response.text[:200]}")
            with lock:
                acked.append(op)

    threads = [threading.Thread(target=run, args=(n,), daemon=True) for n in range(PEOPLE)]
    for thread in threads:
        thread.start()
    wait_until(lambda: len(acked) >= KILL_AFTER_ACKS, timeout=60, interval=0.005)
    server.kill()
    killed_at = len(acked)
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    in_flight = len(unfinished)
    assert in_flight > 0, "the kill must land while requests are in flight"

    # Nothing half-written survived the crash.
    assert violations(database) == {}

    restarted = servers(database, threads=8)
    for client in people:
        client.base = restarted.url
    retried = replayed = 0
    for n, ops in unfinished.items():
        for position, op in enumerate(ops):
            response = _perform(people[n], op)
            retried += position == 0
            replayed += position == 0 and (
                response.headers.get("Idempotent-Replayed") == "true" or response.status_code == 409
            )
            allowed = {200, 201} | (ALREADY_DONE.get(op[0], set()) if position == 0 else set())
            assert response.status_code in allowed, (op, response.status_code, response.text[:300])

    assert violations(database) == {}
    # Every planned operation landed exactly once.
    assert count(database, "SELECT COUNT(*) FROM connections WHERE status = 'accepted'") == PEOPLE * 3
    assert count(database, "SELECT COUNT(*) FROM connections WHERE status = 'pending'") == PEOPLE
    assert count(database, "SELECT MIN(connection_count) FROM users") == 6
    assert count(database, "SELECT MAX(connection_count) FROM users") == 6
    assert count(database, "SELECT COUNT(*) FROM job_applications") == (PEOPLE - 1) * JOBS
    assert count(database, "SELECT like_count FROM posts") == PEOPLE - 1
    assert count(database, "SELECT COUNT(*) FROM messages") == PEOPLE * MESSAGES_PER_PAIR
    report(
        f"sigkill_{'postgres' if database.startswith('postgresql') else 'sqlite'}",
        {
            "operations": sum(len(ops) for ops in plan.values()),
            "acknowledged_before_kill": killed_at,
            "interrupted_clients": in_flight,
            "retried_in_flight_operations": retried,
            "retries_that_found_the_first_attempt_committed": replayed,
            "invariants_after_kill": "all hold",
            "duplicates_after_retry": 0,
        },
    )
