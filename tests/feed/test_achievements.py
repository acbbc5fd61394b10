import uuid
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from networkapp.extensions import db
from networkapp.models import Achievement
from tests.conftest import connect, set_user_fields
from tests.feed.conftest import block


def create(actor, **fields):
    body = {"title": "AWS Solutions Architect", "category": "certification", **fields}
    response = actor.post("/api/achievements", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def stored(app, achievement_id):
    with app.app_context():
        return db.session.get(Achievement, uuid.UUID(achievement_id))


def test_create_returns_every_field(app, alice):
    body = create(
        alice,
        description="Professional level",
        date="2024-03-01",
        verification="https://www.credly.com/badges/abc",
    )
    assert body["user_id"] == alice.id
    assert body["title"] == "AWS Solutions Architect" and body["description"] == "Professional level"
    assert body["achievement_date"] == "2024-03-01" and body["category"] == "certification"
    assert body["verification_url"] == "https://www.credly.com/badges/abc"
    assert body["is_verified"] is True
    assert set(body) == {
        "id",
        "user_id",
        "title",
        "description",
        "achievement_date",
        "category",
        "verification_url",
        "is_verified",
        "created_at",
    }
    row = stored(app, body["id"])
    assert row.user_id == uuid.UUID(alice.id) and row.is_verified and row.achievement_date == date(2024, 3, 1)


@pytest.mark.parametrize(
    ("url", "verified"),
    [
        ("https://www.credly.com/badges/1", True),
        ("https://WWW.COURSERA.ORG/verify/XYZ", True),
        ("http://www.credly.com/badges/1", False),
        ("https://www.credly.com.evil.example/badges/1", False),
        ("https://evil.example/www.credly.com", False),
        ("https://credly.com/badges/1", False),
        ("https://www.credly.com:8443/badges/1", False),
        (None, False),
    ],
)
def test_verification_comes_from_the_issuer_allowlist(alice, url, verified):
    assert create(alice, verification=url)["is_verified"] is verified


def test_allowlist_is_configuration(make_app, make_user):
    app = make_app(ACHIEVEMENT_VERIFIERS="certs.example.org")
    from tests.conftest import Actor

    actor = Actor(app)
    actor.post(
        "/api/auth/register",
        json={
            "username": "carla",
            "email": "carla@example.com",
            "password": "correct horse battery staple",
            "first_name": "C",
            "last_name": "D",
            "industry": "x",
        },
    )
    assert create(actor, verification="https://certs.example.org/1")["is_verified"] is True
    assert create(actor, verification="https://www.credly.com/1")["is_verified"] is False


@pytest.mark.parametrize("method", ["post", "put"])
def test_owner_cannot_set_is_verified(app, alice, method):
    if method == "post":
        response = alice.post("/api/achievements", json={"title": "x", "category": "award", "is_verified": True})
        assert response.status_code == 422 and "is_verified" in response.get_json()["errors"]
        with app.app_context():
            assert db.session.scalar(sa.select(sa.func.count()).select_from(Achievement)) == 0
    else:
        created = create(alice)
        response = alice.put(f"/api/achievements/{created['id']}", json={"is_verified": True})
        assert response.status_code == 422 and "is_verified" in response.get_json()["errors"]
        assert stored(app, created["id"]).is_verified is False


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"category": "award"}, "title"),
        ({"title": "   ", "category": "award"}, "title"),
        ({"title": "x" * 201, "category": "award"}, "title"),
        ({"title": "x"}, "category"),
        ({"title": "a\x00", "category": "award"}, "title"),
        ({"title": "x", "category": "award", "description": "\x00"}, "description"),
        ({"title": "x", "category": "trophy"}, "category"),
        ({"title": "x", "category": "award", "date": "yesterday"}, "date"),
        ({"title": "x", "category": "award", "date": (date.today() + timedelta(days=2)).isoformat()}, "date"),
        ({"title": "x", "category": "award", "verification": "not a url"}, "verification"),
        ({"title": "x", "category": "award", "verification": "ftp://files.example/x"}, "verification"),
        ({"title": "x", "category": "award", "verification_url": "https://www.credly.com/x"}, "verification_url"),
        ({"title": "x", "category": "award", "user_id": str(uuid.uuid4())}, "user_id"),
    ],
)
def test_invalid_achievements_are_rejected(app, alice, body, field):
    response = alice.post("/api/achievements", json=body)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Achievement)) == 0


def test_update_changes_given_fields_and_re_evaluates_verification(app, alice, runner):
    created = create(alice, verification="https://www.credly.com/1", date="2020-01-01")
    response = alice.put(f"/api/achievements/{created['id']}", json={"title": "Renamed"})
    body = response.get_json()
    assert response.status_code == 200
    assert (body["title"], body["is_verified"], body["achievement_date"]) == ("Renamed", True, "2020-01-01")
    body = alice.put(f"/api/achievements/{created['id']}", json={"verification": "https://example.org/me"}).get_json()
    assert (body["verification_url"], body["is_verified"]) == ("https://example.org/me", False)
    # An administrator vouches by hand; changing the evidence afterwards drops it again.
    result = runner.invoke(args=["achievements", "verify", created["id"]])
    assert result.exit_code == 0, result.output
    assert stored(app, created["id"]).is_verified is True
    assert alice.put(f"/api/achievements/{created['id']}", json={"description": "d"}).get_json()["is_verified"] is True
    body = alice.put(f"/api/achievements/{created['id']}", json={"verification": None}).get_json()
    assert (body["verification_url"], body["is_verified"]) == (None, False)
    assert stored(app, created["id"]).is_verified is False


def test_admin_verify_of_unknown_id_fails(runner):
    result = runner.invoke(args=["achievements", "verify", str(uuid.uuid4())])
    assert result.exit_code != 0 and "no achievement" in result.output


def test_only_the_owner_changes_or_deletes(app, alice, bob):
    created = create(alice)
    assert bob.put(f"/api/achievements/{created['id']}", json={"title": "mine now"}).status_code == 403
    assert bob.delete(f"/api/achievements/{created['id']}").status_code == 403
    assert stored(app, created["id"]).title == "AWS Solutions Architect"
    assert alice.put(f"/api/achievements/{uuid.uuid4()}", json={"title": "x"}).status_code == 404
    assert alice.delete(f"/api/achievements/{uuid.uuid4()}").status_code == 404
    assert alice.delete(f"/api/achievements/{created['id']}").status_code == 204
    assert stored(app, created["id"]) is None


def test_private_owner_achievement_is_404_to_others(app, alice, bob):
    created = create(alice)
    set_user_fields(app, alice.id, profile_visibility="private")
    assert bob.put(f"/api/achievements/{created['id']}", json={"title": "x"}).status_code == 404


def test_chronological_view_pages_newest_first(alice, bob):
    ids = [create(alice, title=f"t{n}", date=f"202{n}-01-01")["id"] for n in range(5)]
    undated = create(alice, title="undated")["id"]
    first = bob.get(f"/api/achievements?user_id={alice.id}&limit=4").get_json()
    assert [a["id"] for a in first["items"]] == [undated, ids[4], ids[3], ids[2]]
    second = bob.get(f"/api/achievements?user_id={alice.id}&limit=4&cursor={first['next_cursor']}").get_json()
    assert [a["id"] for a in second["items"]] == [ids[1], ids[0]] and second["next_cursor"] is None
    mine = alice.get("/api/achievements").get_json()
    assert len(mine["items"]) == 6 and "groups" not in mine


def test_category_filter_and_category_view(alice, bob):
    cert = create(alice, title="cert", category="certification", date="2021-01-01")
    award_old = create(alice, title="old award", category="award", date="2019-01-01")
    award_new = create(alice, title="new award", category="award", date="2022-01-01")
    project = create(alice, title="project", category="project", date="2020-01-01")
    only = bob.get(f"/api/achievements?user_id={alice.id}&category=award").get_json()
    assert [a["id"] for a in only["items"]] == [award_new["id"], award_old["id"]]
    grouped = bob.get(f"/api/achievements?user_id={alice.id}&view=category").get_json()
    assert [(g["category"], g["count"]) for g in grouped["groups"]] == [
        ("certification", 1),
        ("award", 2),
        ("project", 1),
    ]
    assert [a["id"] for a in grouped["groups"][1]["items"]] == [award_new["id"], award_old["id"]]
    assert [a["id"] for a in grouped["items"]] == [cert["id"], award_new["id"], award_old["id"], project["id"]]
    assert grouped["next_cursor"] is None
    filtered = bob.get(f"/api/achievements?user_id={alice.id}&view=category&category=project").get_json()
    assert [g["category"] for g in filtered["groups"]] == ["project"]


@pytest.mark.parametrize("query", ["view=timeline", "category=trophy", "user_id=nope", "limit=0", "limit=101"])
def test_invalid_list_queries(alice, query):
    response = alice.get(f"/api/achievements?{query}")
    assert response.status_code == 422


def test_list_follows_profile_privacy(app, make_user, anon):
    owner, friend, stranger = make_user(), make_user(), make_user()
    connect(app, owner, friend)
    create(owner)
    path = f"/api/achievements?user_id={owner.id}"
    expected = {
        "public": {"owner": 200, "friend": 200, "stranger": 200, "anon": 200},
        "connections": {"owner": 200, "friend": 200, "stranger": 404, "anon": 404},
        "private": {"owner": 200, "friend": 404, "stranger": 404, "anon": 404},
    }
    viewers = {"owner": owner, "friend": friend, "stranger": stranger, "anon": anon}
    for visibility, outcome in expected.items():
        set_user_fields(app, owner.id, profile_visibility=visibility)
        for name, viewer in viewers.items():
            response = viewer.get(path)
            assert response.status_code == outcome[name], (visibility, name)
            if response.status_code == 200:
                assert len(response.get_json()["items"]) == 1
    set_user_fields(app, owner.id, profile_visibility="public")
    block(app, owner, stranger)
    assert stranger.get(path).status_code == 404
    assert anon.get("/api/achievements").status_code == 401
    assert owner.get(f"/api/achievements?user_id={uuid.uuid4()}").status_code == 404


def test_anonymous_cannot_create(anon):
    assert anon.post("/api/achievements", json={"title": "x", "category": "award"}).status_code == 401


def test_achievements_appear_on_the_profile_when_the_profile_is_visible(app, make_user):
    from tests.conftest import set_user_fields

    owner, viewer = make_user(), make_user()
    older = owner.post("/api/achievements", json={"title": "BSc", "category": "milestone", "date": "2015-06-01"})
    newer = owner.post("/api/achievements", json={"title": "PMP", "category": "certification", "date": "2022-03-01"})
    profile = viewer.get(f"/api/profiles/{owner.id}").get_json()
    assert [a["id"] for a in profile["achievements"]] == [newer.get_json()["id"], older.get_json()["id"]]
    assert profile["achievements"][0]["category"] == "certification"

    set_user_fields(app, owner.id, profile_visibility="private")
    card = viewer.get(f"/api/profiles/{owner.id}").get_json()
    assert "achievements" not in card or card["achievements"] == []
