"""The request → accept/decline → remove state machine, with every wrong actor."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import connect
from tests.connections.conftest import (
    assert_counts_match_edges,
    connection_row,
    count_of,
    edges_of,
    notifications_of,
    rows,
)


def test_request_creates_pending_and_notifies_recipient(app, alice, bob):
    response = alice.post("/api/connections/request", json={"target_user_id": bob.id, "message": "Hi Bob"})
    assert response.status_code == 201
    body = response.get_json()
    assert body["requester_id"] == alice.id and body["recipient_id"] == bob.id
    assert body["status"] == "pending" and body["message"] == "Hi Bob" and body["responded_at"] is None
    assert set(body) == {"id", "requester_id", "recipient_id", "status", "message", "created_at", "responded_at"}
    assert connection_row(app, body["id"]).status == "pending"
    [note] = notifications_of(app, bob.id, "connection_request")
    assert note.actor_id == uuid.UUID(alice.id) and note.data["connection_id"] == body["id"]
    assert alice.get("/api/auth/user").get_json()["network_stats"]["pending_sent"] == 1
    assert bob.get("/api/auth/user").get_json()["network_stats"]["pending_received"] == 1


def test_message_is_optional(alice, bob):
    body = alice.post("/api/connections/request", json={"target_user_id": bob.id}).get_json()
    assert body["message"] is None


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "target_user_id"),
        ({"target_user_id": "not-a-uuid"}, "target_user_id"),
        ({"target_user_id": None}, "target_user_id"),
        ({"target_user_id": "SELF", "message": "x" * 501}, "message"),
        ({"target_user_id": "SELF", "status": "accepted"}, "status"),
        ({"target_user_id": "SELF"}, "target_user_id"),
    ],
)
def test_request_validation(app, alice, payload, field):
    payload = {k: (alice.id if v == "SELF" else v) for k, v in payload.items()}
    response = alice.post("/api/connections/request", json=payload)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert field in response.get_json()["errors"]
    assert rows(app, sa.text("SELECT id FROM connections")) == []


def test_request_unknown_user_is_404(alice):
    response = alice.post("/api/connections/request", json={"target_user_id": str(uuid.uuid4())})
    assert response.status_code == 404


def test_request_requires_login_and_json(anon, alice, bob):
    assert anon.post("/api/connections/request", json={"target_user_id": bob.id}).status_code == 401
    response = alice.post("/api/connections/request", data="x", content_type="text/plain")
    assert response.status_code == 415


@pytest.mark.parametrize("direction", ["same", "reverse"])
def test_duplicate_pending_request_is_409(app, alice, bob, request_between, direction):
    request_between(alice, bob)
    sender, target = (alice, bob) if direction == "same" else (bob, alice)
    response = sender.post("/api/connections/request", json={"target_user_id": target.id})
    assert response.status_code == 409
    assert len(rows(app, sa.text("SELECT id FROM connections"))) == 1


@pytest.mark.parametrize("direction", ["same", "reverse"])
def test_request_to_a_connection_is_409(app, alice, bob, direction):
    connect(app, alice, bob)
    sender, target = (alice, bob) if direction == "same" else (bob, alice)
    assert sender.post("/api/connections/request", json={"target_user_id": target.id}).status_code == 409


def test_accept_connects_both_and_notifies_requester(app, alice, bob, request_between):
    created = request_between(alice, bob)
    response = bob.put(f"/api/connections/{created['id']}/accept")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "accepted" and body["responded_at"] is not None and body["id"] == created["id"]
    assert count_of(app, alice.id) == 1 and count_of(app, bob.id) == 1
    assert edges_of(app, alice.id) == 1 and edges_of(app, bob.id) == 1
    [note] = notifications_of(app, alice.id, "connection_accepted")
    assert note.actor_id == uuid.UUID(bob.id)
    stats = alice.get("/api/auth/user").get_json()["network_stats"]
    assert stats["connections"] == 1 and stats["pending_sent"] == 0
    listed = alice.get("/api/connections").get_json()["items"]
    assert [item["user"]["id"] for item in listed] == [bob.id]
    assert listed[0]["id"] == created["id"]


def test_decline_sets_declined_without_connecting(app, alice, bob, request_between):
    created = request_between(alice, bob)
    response = bob.put(f"/api/connections/{created['id']}/decline")
    assert response.status_code == 200
    assert response.get_json()["status"] == "declined" and response.get_json()["responded_at"]
    assert count_of(app, alice.id) == 0 and edges_of(app, bob.id) == 0
    assert notifications_of(app, alice.id, "connection_accepted") == []
    assert bob.get("/api/connections/requests").get_json()["items"] == []


@pytest.mark.parametrize("action", ["accept", "decline"])
def test_only_the_recipient_answers(app, alice, bob, carol, request_between, action):
    created = request_between(alice, bob)
    assert alice.put(f"/api/connections/{created['id']}/{action}").status_code == 403
    assert carol.put(f"/api/connections/{created['id']}/{action}").status_code == 404
    assert connection_row(app, created["id"]).status == "pending"


@pytest.mark.parametrize("first", ["accept", "decline"])
@pytest.mark.parametrize("second", ["accept", "decline"])
def test_answering_twice_is_409(app, alice, bob, request_between, first, second):
    created = request_between(alice, bob)
    assert bob.put(f"/api/connections/{created['id']}/{first}").status_code == 200
    assert bob.put(f"/api/connections/{created['id']}/{second}").status_code == 409
    assert count_of(app, bob.id) == (1 if first == "accept" else 0)


@pytest.mark.parametrize("action", ["accept", "decline"])
def test_answer_unknown_connection_is_404(bob, action):
    assert bob.put(f"/api/connections/{uuid.uuid4()}/{action}").status_code == 404


@pytest.mark.parametrize("remover", ["requester", "recipient"])
def test_either_party_removes_an_accepted_connection(app, alice, bob, request_between, remover):
    created = request_between(alice, bob)
    bob.put(f"/api/connections/{created['id']}/accept")
    actor = alice if remover == "requester" else bob
    assert actor.delete(f"/api/connections/{created['id']}").status_code == 204
    assert connection_row(app, created["id"]) is None
    assert count_of(app, alice.id) == 0 and count_of(app, bob.id) == 0
    assert edges_of(app, alice.id) == 0 and edges_of(app, bob.id) == 0
    assert actor.delete(f"/api/connections/{created['id']}").status_code == 404
    # After a removal either may ask again.
    assert bob.post("/api/connections/request", json={"target_user_id": alice.id}).status_code == 201


def test_requester_withdraws_pending_recipient_cannot(app, alice, bob, carol, request_between):
    created = request_between(alice, bob)
    assert bob.delete(f"/api/connections/{created['id']}").status_code == 403
    assert carol.delete(f"/api/connections/{created['id']}").status_code == 404
    assert connection_row(app, created["id"]).status == "pending"
    assert alice.delete(f"/api/connections/{created['id']}").status_code == 204
    assert connection_row(app, created["id"]) is None
    assert bob.get("/api/connections/requests").get_json()["items"] == []


def test_third_party_cannot_remove_a_connection(app, alice, bob, carol, request_between):
    created = request_between(alice, bob)
    bob.put(f"/api/connections/{created['id']}/accept")
    assert carol.delete(f"/api/connections/{created['id']}").status_code == 404
    assert count_of(app, alice.id) == 1


def test_declined_request_cannot_be_removed(alice, bob, request_between):
    created = request_between(alice, bob)
    bob.put(f"/api/connections/{created['id']}/decline")
    assert alice.delete(f"/api/connections/{created['id']}").status_code == 409
    assert bob.delete(f"/api/connections/{created['id']}").status_code == 409


def _age_decline(app, connection_id: str, days: int) -> None:
    from networkapp.database import utcnow
    from networkapp.extensions import db
    from networkapp.models import Connection

    with app.app_context():
        row = db.session.get(Connection, uuid.UUID(connection_id))
        row.responded_at = utcnow() - timedelta(days=days)
        db.session.commit()


def test_declined_requester_waits_for_the_cool_down(app, alice, bob, request_between):
    created = request_between(alice, bob)
    bob.put(f"/api/connections/{created['id']}/decline")
    assert alice.post("/api/connections/request", json={"target_user_id": bob.id}).status_code == 409
    _age_decline(app, created["id"], days=29)
    assert alice.post("/api/connections/request", json={"target_user_id": bob.id}).status_code == 409
    _age_decline(app, created["id"], days=31)
    response = alice.post("/api/connections/request", json={"target_user_id": bob.id, "message": "Again"})
    assert response.status_code == 201
    body = response.get_json()
    # The pair keeps one row: it is reused, pending again.
    assert body["id"] == created["id"] and body["status"] == "pending" and body["message"] == "Again"
    assert body["responded_at"] is None
    assert len(rows(app, sa.text("SELECT id FROM connections"))) == 1
    assert bob.put(f"/api/connections/{created['id']}/accept").status_code == 200


def test_the_decliner_may_ask_at_any_time(app, alice, bob, request_between):
    created = request_between(alice, bob)
    bob.put(f"/api/connections/{created['id']}/decline")
    response = bob.post("/api/connections/request", json={"target_user_id": alice.id})
    assert response.status_code == 201
    body = response.get_json()
    assert body["id"] == created["id"]
    assert body["requester_id"] == bob.id and body["recipient_id"] == alice.id
    assert alice.put(f"/api/connections/{created['id']}/accept").status_code == 200
    assert count_of(app, alice.id) == count_of(app, bob.id) == 1


def test_idempotency_key_replays_the_request(app, alice, bob):
    headers = {"Idempotency-Key": "req-1"}
    first = alice.post("/api/connections/request", json={"target_user_id": bob.id}, headers=headers)
    again = alice.post("/api/connections/request", json={"target_user_id": bob.id}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert len(notifications_of(app, bob.id, "connection_request")) == 1
    other = alice.post("/api/connections/request", json={"target_user_id": bob.id, "message": "x"}, headers=headers)
    assert other.status_code == 422


def test_counts_invariant_after_a_sequence(app, make_user, request_between):
    people = [make_user() for _ in range(4)]
    a, b, c, d = people
    ids = [request_between(a, b)["id"], request_between(a, c)["id"], request_between(d, a)["id"]]
    b.put(f"/api/connections/{ids[0]}/accept")
    c.put(f"/api/connections/{ids[1]}/accept")
    a.put(f"/api/connections/{ids[2]}/accept")
    c.delete(f"/api/connections/{ids[1]}")
    assert [count_of(app, p.id) for p in people] == [2, 1, 0, 1]
    assert_counts_match_edges(app)
