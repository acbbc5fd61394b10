"""Endorsement rules and the grouped view."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from networkapp.models import SkillEndorsement
from tests.conftest import DEGREE_QUERIES, connect, set_user_fields
from tests.connections.conftest import add_skills, notifications_of, rows


def endorsements_in_db(app) -> list:
    return rows(app, sa.select(SkillEndorsement.__table__))


@pytest.fixture
def skills(app, bob):
    return add_skills(app, bob.id, "Python", "SQL")


def test_endorse_a_connection(app, alice, bob, skills):
    connect(app, alice, bob)
    response = alice.post(
        "/api/skills/endorse", json={"user_id": bob.id, "skill_id": skills["Python"], "endorsement_text": "Great"}
    )
    assert response.status_code == 201
    body = response.get_json()
    assert body["endorser_id"] == alice.id and body["endorsee_id"] == bob.id
    assert body["skill_id"] == skills["Python"] and body["endorsement_text"] == "Great" and body["created_at"]
    [row] = endorsements_in_db(app)
    assert str(row.id) == body["id"]
    [note] = notifications_of(app, bob.id, "endorsement")
    assert note.actor_id == uuid.UUID(alice.id) and note.data["skill_name"] == "Python"


def test_endorse_twice_is_409(app, alice, bob, skills):
    connect(app, alice, bob)
    payload = {"user_id": bob.id, "skill_id": skills["SQL"]}
    assert alice.post("/api/skills/endorse", json=payload).status_code == 201
    assert alice.post("/api/skills/endorse", json=payload).status_code == 409
    assert len(endorsements_in_db(app)) == 1


def test_only_connections_may_endorse(app, alice, bob, skills):
    response = alice.post("/api/skills/endorse", json={"user_id": bob.id, "skill_id": skills["Python"]})
    assert response.status_code == 403
    assert endorsements_in_db(app) == []


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        ({"user_id": "SELF", "skill_id": "PYTHON"}, 422, "user_id"),
        ({"user_id": "BOB", "skill_id": "UNLISTED"}, 422, "skill_id"),
        ({"user_id": "BOB", "skill_id": "RANDOM"}, 422, "skill_id"),
        ({"user_id": "BOB"}, 422, "skill_id"),
        ({"skill_id": "PYTHON"}, 422, "user_id"),
        ({"user_id": "BOB", "skill_id": "PYTHON", "endorsement_text": "x" * 501}, 422, "endorsement_text"),
        ({"user_id": "BOB", "skill_id": "PYTHON", "count": 3}, 422, "count"),
        ({"user_id": "RANDOM", "skill_id": "PYTHON"}, 404, None),
    ],
)
def test_endorse_validation(app, alice, bob, skills, payload, status, field):
    connect(app, alice, bob)
    add_skills(app, alice.id, "Python")
    unlisted = add_skills(app, alice.id, "Rust")["Rust"]  # on alice's profile, not bob's
    values = {
        "SELF": alice.id,
        "BOB": bob.id,
        "PYTHON": skills["Python"],
        "UNLISTED": unlisted,
        "RANDOM": str(uuid.uuid4()),
    }
    response = alice.post("/api/skills/endorse", json={k: values.get(v, v) for k, v in payload.items()})
    assert response.status_code == status
    if field:
        assert field in response.get_json()["errors"]
    assert endorsements_in_db(app) == []


@pytest.mark.parametrize("blocker", ["endorser", "endorsee"])
def test_blocked_pair_cannot_endorse(app, alice, bob, skills, blocker):
    connect(app, alice, bob)
    a, b = (alice, bob) if blocker == "endorser" else (bob, alice)
    a.post("/api/connections/block", json={"user_id": b.id})
    response = alice.post("/api/skills/endorse", json={"user_id": bob.id, "skill_id": skills["Python"]})
    assert response.status_code == 404
    assert bob.get(f"/api/endorsements?user_id={alice.id}").status_code == 404
    assert alice.get(f"/api/endorsements?user_id={bob.id}").status_code == 404


def test_removed_connection_keeps_past_endorsements_but_blocks_new(app, alice, bob, skills, request_between):
    created = request_between(alice, bob)
    bob.put(f"/api/connections/{created['id']}/accept")
    alice.post("/api/skills/endorse", json={"user_id": bob.id, "skill_id": skills["Python"]})
    alice.delete(f"/api/connections/{created['id']}")
    assert len(endorsements_in_db(app)) == 1
    response = alice.post("/api/skills/endorse", json={"user_id": bob.id, "skill_id": skills["SQL"]})
    assert response.status_code == 403
    grouped = bob.get("/api/endorsements").get_json()["items"]
    assert {g["skill"]["name"]: g["count"] for g in grouped} == {"Python": 1, "SQL": 0}


def test_grouped_by_skill_most_endorsed_first(app, make_user, bob, skills, query_counter):
    friends = [make_user() for _ in range(3)]
    for friend in friends:
        connect(app, friend, bob)
        friend.post("/api/skills/endorse", json={"user_id": bob.id, "skill_id": skills["SQL"]})
    friends[0].post(
        "/api/skills/endorse", json={"user_id": bob.id, "skill_id": skills["Python"], "endorsement_text": "!"}
    )
    with query_counter() as statements:
        response = friends[1].get(f"/api/endorsements?user_id={bob.id}")
    assert response.status_code == 200
    body = response.get_json()
    assert body["next_cursor"] is None
    assert [(g["skill"]["name"], g["count"]) for g in body["items"]] == [("SQL", 3), ("Python", 1)]
    assert [e["endorser"]["id"] for e in body["items"][0]["endorsements"]] == [f.id for f in reversed(friends)]
    python = body["items"][1]["endorsements"][0]
    assert python["endorsement_text"] == "!" and set(python) == {"id", "endorser", "endorsement_text", "created_at"}
    assert python["endorser"]["id"] == friends[0].id
    assert len(statements) <= 7 + DEGREE_QUERIES
    # Default: mine.
    # The same groups when bob reads his own (only each endorser's degree is relative to the viewer).
    assert _without_degrees(bob.get("/api/endorsements").get_json()) == _without_degrees(body)


def test_endorsers_hidden_from_the_viewer_are_not_shown(app, make_user, alice, bob, skills):
    mallory = make_user()
    connect(app, alice, bob)
    connect(app, mallory, bob)
    for person in (alice, mallory):
        person.post("/api/skills/endorse", json={"user_id": bob.id, "skill_id": skills["Python"]})
    alice.post("/api/connections/block", json={"user_id": mallory.id})
    [python, _sql] = alice.get(f"/api/endorsements?user_id={bob.id}").get_json()["items"]
    assert python["count"] == 1 and [e["endorser"]["id"] for e in python["endorsements"]] == [alice.id]


def test_endorsements_of_unknown_or_private_people_are_404(app, alice, bob):
    assert alice.get(f"/api/endorsements?user_id={uuid.uuid4()}").status_code == 404
    assert alice.get("/api/endorsements?user_id=bad").status_code == 422
    set_user_fields(app, bob.id, profile_visibility="private")
    assert alice.get(f"/api/endorsements?user_id={bob.id}").status_code == 404
    assert bob.get("/api/endorsements").status_code == 200
    set_user_fields(app, bob.id, profile_visibility="connections")
    assert alice.get(f"/api/endorsements?user_id={bob.id}").status_code == 404
    connect(app, alice, bob)
    assert alice.get(f"/api/endorsements?user_id={bob.id}").status_code == 200


def test_endorsements_need_login(anon, bob):
    assert anon.get("/api/endorsements").status_code == 401
    assert anon.post("/api/skills/endorse", json={"user_id": bob.id, "skill_id": bob.id}).status_code in (401, 403)


def _without_degrees(node):
    if isinstance(node, dict):
        return {k: _without_degrees(v) for k, v in node.items() if k != "connection_degree"}
    if isinstance(node, list):
        return [_without_degrees(v) for v in node]
    return node
