import uuid

import pytest

from networkapp.extensions import db
from networkapp.models import Block
from tests.conftest import connect
from tests.jobs.conftest import add_experience, add_user_skills


def found(actor, query=""):
    response = actor.get(f"/api/talent/search?{query}")
    assert response.status_code == 200, response.get_json()
    return [item["user"]["id"] for item in response.get_json()["items"]]


@pytest.fixture
def people(app, make_user):
    def person(visibility="public", open_to_work=True, **fields):
        user = make_user(open_to_work=open_to_work, profile_visibility=visibility, **fields)
        add_user_skills(app, user.id, {"Python": 4})
        return user

    return {
        "public": person(location="Berlin", industry="Software"),
        "connections": person("connections"),
        "private": person("private"),
        "not_looking": person(open_to_work=False),
    }


def test_privacy_rules(app, alice, people):
    assert set(found(alice)) == {people["public"].id}
    connect(app, alice, people["connections"])
    assert set(found(alice)) == {people["public"].id, people["connections"].id}
    with app.app_context():
        db.session.add(Block(blocker_id=uuid.UUID(people["public"].id), blocked_id=uuid.UUID(alice.id)))
        db.session.commit()
    assert set(found(alice)) == {people["connections"].id}
    assert people["private"].id not in found(people["connections"])


def test_filters_and_summary(app, alice, make_user, people):
    senior = make_user(open_to_work=True, location="Berlin", industry="Software")
    add_user_skills(app, senior.id, {"Go": 5, "Python": 2})
    add_experience(app, senior.id, 8)
    add_experience(app, people["public"].id, 1)
    assert set(found(alice, "skills=go")) == {senior.id}
    assert set(found(alice, "skills=python&location=berlin")) == {senior.id, people["public"].id}
    assert set(found(alice, "min_years=5")) == {senior.id}
    assert set(found(alice, "industry=SOFTWARE")) == {senior.id, people["public"].id}
    assert found(alice, "skills=no-such-skill") == []
    item = alice.get("/api/talent/search?skills=go,python&min_years=5").get_json()["items"][0]
    assert item["matching_skills"] == ["Go", "Python"]
    assert item["years_experience"] == pytest.approx(8, abs=0.1)
    assert set(item["user"]) == {
        "id",
        "username",
        "first_name",
        "last_name",
        "headline",
        "profile_image_url",
        "connection_degree",
    }


def test_talent_search_validation_and_auth(anon, alice):
    assert anon.get("/api/talent/search").status_code == 401
    assert alice.get("/api/talent/search?min_years=-1").status_code == 422
    assert alice.get("/api/talent/search?skills=" + ",".join(["x"] * 21)).status_code == 422


def test_talent_pages(app, alice, make_user):
    people = [make_user(open_to_work=True) for _ in range(3)]
    first = alice.get("/api/talent/search?limit=2").get_json()
    second = alice.get(f"/api/talent/search?limit=2&cursor={first['next_cursor']}").get_json()
    ids = [i["user"]["id"] for i in first["items"] + second["items"]]
    assert sorted(ids) == sorted(p.id for p in people) and second["next_cursor"] is None
