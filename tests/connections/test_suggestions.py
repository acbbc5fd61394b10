"""Suggestions on a small hand-built graph whose right answer is known (scores in docs/connections.md)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from networkapp.connections import suggestions
from tests.conftest import connect
from tests.connections.conftest import add_career, add_skills, rows


@pytest.fixture
def world(app, make_user):
    """alice (Software, London, Python+SQL, Acme 2018-2021, MIT) and people around her."""
    people = {}

    def person(name, **fields):
        fields.setdefault("industry", f"Industry-{name}")
        people[name] = make_user(name, first_name=name.title(), **fields)
        return people[name]

    alice = person("alice", industry="Software", location="London")
    add_skills(app, alice.id, "Python", "SQL")
    add_career(app, alice.id, jobs=[("Acme", "Engineer", date(2018, 1, 1), date(2021, 1, 1))], schools=["MIT"])
    friends = [person(f"friend{i}") for i in range(3)]
    for friend in friends:
        connect(app, alice, friend)
    mutual3 = person("mutual3")
    for friend in friends:
        connect(app, mutual3, friend)
    mutual1 = person("mutual1", industry="Software")
    connect(app, mutual1, friends[0])
    colleague = person("colleague")
    add_career(app, colleague.id, jobs=[("Acme", "Manager", date(2020, 1, 1), None)])
    neighbour = person("neighbour", location="London")
    add_skills(app, neighbour.id, "Python", "SQL", "Go")
    alumnus = person("alumnus")
    add_career(app, alumnus.id, schools=["MIT"])
    person("stranger")
    for name in ("pending", "blocked", "blocker"):
        other = person(name)
        for friend in friends:
            connect(app, other, friend)
    alice.post("/api/connections/request", json={"target_user_id": people["pending"].id})
    alice.post("/api/connections/block", json={"user_id": people["blocked"].id})
    people["blocker"].post("/api/connections/block", json={"user_id": alice.id})
    return people


def names(body) -> list[str]:
    return [item["user"]["username"] for item in body["items"]]


def test_suggestions_ranked_with_reasons(world):
    body = world["alice"].get("/api/connections/suggestions").get_json()
    assert names(body) == ["mutual3", "colleague", "mutual1", "neighbour", "alumnus"]
    by_name = {item["user"]["username"]: item for item in body["items"]}
    assert [by_name[n]["score"] for n in names(body)] == [30, 25, 20, 14, 10]
    assert by_name["mutual3"]["mutual_connections"] == 3
    assert by_name["mutual3"]["reasons"] == ["3 mutual connections", "2nd-degree connection"]
    assert by_name["colleague"]["reasons"] == ["Also worked at Acme at the same time"]
    assert by_name["mutual1"]["reasons"] == ["1 mutual connection", "Also works in Software", "2nd-degree connection"]
    assert by_name["neighbour"]["reasons"] == ["Also based in London", "Both know Python and SQL"]
    assert by_name["alumnus"]["reasons"] == ["Also studied at MIT"]
    assert by_name["alumnus"]["mutual_connections"] == 0
    assert body["next_cursor"] is None


def test_suggestions_paginate(world):
    alice = world["alice"]
    first = alice.get("/api/connections/suggestions?limit=2").get_json()
    second = alice.get(f"/api/connections/suggestions?limit=2&cursor={first['next_cursor']}").get_json()
    third = alice.get(f"/api/connections/suggestions?limit=2&cursor={second['next_cursor']}").get_json()
    assert names(first) + names(second) + names(third) == ["mutual3", "colleague", "mutual1", "neighbour", "alumnus"]
    assert third["next_cursor"] is None
    assert alice.get("/api/connections/suggestions?cursor=bogus").status_code == 400


def test_dismissed_people_stop_appearing(app, world):
    alice = world["alice"]
    assert alice.post(f"/api/connections/suggestions/{world['mutual3'].id}/dismiss").status_code == 204
    assert alice.post(f"/api/connections/suggestions/{world['mutual3'].id}/dismiss").status_code == 204
    assert "mutual3" not in names(alice.get("/api/connections/suggestions").get_json())
    stored = rows(app, suggestions.SuggestionDismissal.__table__.select())
    assert [(str(r.user_id), str(r.dismissed_id)) for r in stored] == [(alice.id, world["mutual3"].id)]


@pytest.mark.parametrize(("target", "status"), [("alice", 422), ("blocked", 404), ("random", 404)])
def test_dismiss_errors(app, world, target, status):
    user_id = str(uuid.uuid4()) if target == "random" else world[target].id
    response = world["alice"].post(f"/api/connections/suggestions/{user_id}/dismiss")
    assert response.status_code == status
    assert rows(app, suggestions.SuggestionDismissal.__table__.select()) == []


def test_recently_declined_excluded_until_the_cool_down_ends(app, world):
    from networkapp.database import utcnow
    from networkapp.extensions import db
    from networkapp.models import Connection

    alice, mutual3 = world["alice"], world["mutual3"]
    created = alice.post("/api/connections/request", json={"target_user_id": mutual3.id}).get_json()
    mutual3.put(f"/api/connections/{created['id']}/decline")
    assert "mutual3" not in names(alice.get("/api/connections/suggestions").get_json())
    assert "alice" not in names(mutual3.get("/api/connections/suggestions").get_json())
    with app.app_context():
        db.session.get(Connection, uuid.UUID(created["id"])).responded_at = utcnow() - timedelta(days=31)
        db.session.commit()
    assert names(alice.get("/api/connections/suggestions").get_json())[0] == "mutual3"


def test_connected_people_leave_the_suggestions(app, world):
    alice, mutual3 = world["alice"], world["mutual3"]
    connect(app, alice, mutual3)
    assert "mutual3" not in names(alice.get("/api/connections/suggestions").get_json())


def test_hub_sampling_still_reports_exact_mutual_counts(world, monkeypatch):
    # Every friend counts as a hub and contributes its newest eligible edge: mutual3 is sampled twice
    # (friend0's newest is mutual1), yet the item shows the exact count.
    monkeypatch.setattr(suggestions, "HUB_THRESHOLD", 0)
    monkeypatch.setattr(suggestions, "HUB_SAMPLE", 1)
    body = world["alice"].get("/api/connections/suggestions").get_json()
    by_name = {item["user"]["username"]: item for item in body["items"]}
    assert by_name["mutual3"]["mutual_connections"] == 3
    assert by_name["mutual3"]["reasons"] == ["3 mutual connections", "2nd-degree connection"]
    assert by_name["mutual1"]["mutual_connections"] == 1
    assert {"pending", "blocked", "blocker", "alice"}.isdisjoint(by_name)


def test_suggestions_run_a_bounded_number_of_queries(app, world, make_user, query_counter):
    alice = world["alice"]
    with query_counter() as before:
        alice.get("/api/connections/suggestions")
    for _ in range(6):
        extra = make_user(industry="Software")
        connect(app, extra, world["friend0"])
    with query_counter() as after:
        body = alice.get("/api/connections/suggestions").get_json()
    assert len(body["items"]) == 11
    # The session, what I bring, the candidates, their features, exact mutual counts, the third hop (two)
    # and, on PostgreSQL, the planner setting.
    assert len(after) == len(before) <= 8


def test_user_without_any_signal_gets_an_empty_list(make_user):
    loner = make_user(industry="Nothing-like-it")
    body = loner.get("/api/connections/suggestions").get_json()
    assert body == {"items": [], "next_cursor": None}


def test_people_at_the_same_events_are_suggested(app, make_user):
    me, organiser, fellow, stranger = (
        make_user(),
        make_user(industry="Zoology"),
        make_user(industry="Zoology"),
        make_user(),
    )
    me_user = me.put(f"/api/profiles/{me.id}", json={"industry": "Botany"})
    assert me_user.status_code == 200
    event = organiser.post(
        "/api/events",
        json={
            "title": "Graph meetup",
            "starts_at": "2030-05-01T18:00:00",
            "ends_at": "2030-05-01T20:00:00",
            "timezone": "Europe/Berlin",
            "location": "Berlin",
        },
    )
    assert event.status_code == 201, event.get_json()
    for person in (me, fellow):
        rsvp = person.put(f"/api/events/{event.get_json()['id']}/rsvp", json={"status": "going"})
        assert rsvp.status_code in (200, 201), rsvp.get_json()
    items = me.get("/api/connections/suggestions").get_json()["items"]
    by_id = {i["user"]["id"]: i for i in items}
    assert fellow.id in by_id and stranger.id not in by_id
    assert "Attending 1 event you attend" in by_id[fellow.id]["reasons"]
    assert by_id[fellow.id]["score"] == 6
