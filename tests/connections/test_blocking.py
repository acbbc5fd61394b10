"""Blocking removes what connects two people and hides each from the other."""

from __future__ import annotations

import uuid

import pytest

from tests.conftest import connect
from tests.connections.conftest import assert_counts_match_edges, connection_row, count_of, edges_of


def test_block_removes_connection_and_fixes_counts(app, alice, bob, request_between):
    created = request_between(alice, bob)
    bob.put(f"/api/connections/{created['id']}/accept")
    response = alice.post("/api/connections/block", json={"user_id": bob.id})
    assert response.status_code == 201
    body = response.get_json()
    assert body["user"]["id"] == bob.id and body["created_at"]
    assert connection_row(app, created["id"]) is None
    assert count_of(app, alice.id) == count_of(app, bob.id) == 0
    assert edges_of(app, alice.id) == edges_of(app, bob.id) == 0
    assert alice.get("/api/connections").get_json()["items"] == []
    assert bob.get("/api/connections").get_json()["items"] == []


@pytest.mark.parametrize("sender", ["blocker", "blocked"])
def test_block_removes_pending_request(app, alice, bob, request_between, sender):
    a, b = (alice, bob) if sender == "blocker" else (bob, alice)
    created = request_between(a, b)
    assert alice.post("/api/connections/block", json={"user_id": bob.id}).status_code == 201
    assert connection_row(app, created["id"]) is None
    assert alice.get("/api/connections/requests?direction=incoming").get_json()["items"] == []
    assert bob.get("/api/connections/requests?direction=outgoing").get_json()["items"] == []


@pytest.mark.parametrize("direction", ["blocker asks", "blocked asks"])
def test_blocked_pair_cannot_request_and_sees_404(alice, bob, direction):
    alice.post("/api/connections/block", json={"user_id": bob.id})
    a, b = (alice, bob) if direction == "blocker asks" else (bob, alice)
    response = a.post("/api/connections/request", json={"target_user_id": b.id})
    assert response.status_code == 404
    assert "block" not in response.get_json()["detail"].lower()


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        ({"user_id": "SELF"}, 422, "user_id"),
        ({}, 422, "user_id"),
        ({"user_id": "nope"}, 422, "user_id"),
        ({"user_id": "BOB", "reason": "x"}, 422, "reason"),
        ({"user_id": str(uuid.uuid4())}, 404, None),
    ],
)
def test_block_validation(alice, bob, payload, status, field):
    payload = {k: {"SELF": alice.id, "BOB": bob.id}.get(v, v) for k, v in payload.items()}
    response = alice.post("/api/connections/block", json=payload)
    assert response.status_code == status
    if field:
        assert field in response.get_json()["errors"]
    assert alice.get("/api/connections/blocked").get_json()["items"] == []


def test_block_twice_is_409_and_mutual_blocks_are_allowed(alice, bob):
    assert alice.post("/api/connections/block", json={"user_id": bob.id}).status_code == 201
    assert alice.post("/api/connections/block", json={"user_id": bob.id}).status_code == 409
    assert bob.post("/api/connections/block", json={"user_id": alice.id}).status_code == 201


def test_blocked_list_and_unblock(app, make_user, alice, bob):
    carol = make_user()
    alice.post("/api/connections/block", json={"user_id": bob.id})
    alice.post("/api/connections/block", json={"user_id": carol.id})
    listed = alice.get("/api/connections/blocked").get_json()
    assert [i["user"]["id"] for i in listed["items"]] == [carol.id, bob.id]
    assert bob.get("/api/connections/blocked").get_json()["items"] == []
    assert alice.delete(f"/api/connections/block/{bob.id}").status_code == 204
    assert alice.delete(f"/api/connections/block/{bob.id}").status_code == 404
    assert bob.delete(f"/api/connections/block/{carol.id}").status_code == 404
    assert [i["user"]["id"] for i in alice.get("/api/connections/blocked").get_json()["items"]] == [carol.id]
    # Unblocking does not restore the old connection; they may ask again.
    assert bob.post("/api/connections/request", json={"target_user_id": alice.id}).status_code == 201


def test_block_keeps_declined_cool_down(app, alice, bob, request_between):
    created = request_between(bob, alice)
    alice.put(f"/api/connections/{created['id']}/decline")
    alice.post("/api/connections/block", json={"user_id": bob.id})
    alice.delete(f"/api/connections/block/{bob.id}")
    assert bob.post("/api/connections/request", json={"target_user_id": alice.id}).status_code == 409


def test_blocked_people_are_hidden_from_requests_lists(app, make_user, alice, bob, request_between):
    carol = make_user()
    request_between(carol, alice)
    connect(app, alice, bob)
    # A block placed by the other side hides them too.
    carol.post("/api/connections/block", json={"user_id": alice.id})
    assert alice.get("/api/connections/requests").get_json()["items"] == []
    assert_counts_match_edges(app)
