"""Who sees what: the profile endpoint and search apply the same rules (networkapp.profiles.visibility)."""

import pytest

from tests.conftest import connect
from tests.profiles.conftest import block, put_profile

FULL, CARD = "full", "card"
MATRIX = {
    # visibility: {viewer: what they get}
    "public": {"owner": FULL, "connection": FULL, "stranger": FULL, "anonymous": FULL},
    "connections": {"owner": FULL, "connection": FULL, "stranger": CARD, "anonymous": CARD},
    "private": {"owner": FULL, "connection": CARD, "stranger": CARD, "anonymous": CARD},
}
CASES = [(vis, viewer, seen) for vis, row in MATRIX.items() for viewer, seen in row.items()]


@pytest.fixture
def cast(app, make_user, anon):
    """A person with a detailed profile, and one viewer of each kind."""
    owner = make_user("zelda", first_name="Zelda", last_name="Quist")
    friend, stranger = make_user(), make_user()
    connect(app, owner, friend)
    put_profile(
        owner,
        headline="Staff Engineer",
        bio="Builds zephyrine compilers",
        location="Oslo",
        skills=[{"name": "Rust"}],
        experience=[{"company": "Fjord", "position": "Engineer"}],
        privacy={"show_email": True},
        contact_info={"email_visibility": "public", "website": "https://zelda.dev"},
    )
    return {"owner": owner, "connection": friend, "stranger": stranger, "anonymous": anon}


@pytest.mark.parametrize("visibility, viewer, seen", CASES)
def test_profile_privacy_matrix(cast, visibility, viewer, seen):
    owner = cast["owner"]
    assert put_profile(owner, privacy={"profile_visibility": visibility}).status_code == 200
    response = cast[viewer].get(f"/api/profiles/{owner.id}")
    assert response.status_code == 200
    body = response.get_json()
    assert body["id"] == owner.id and body["first_name"] == "Zelda" and body["headline"] == "Staff Engineer"
    if seen == FULL:
        assert body["restricted"] is False
        assert body["bio"] == "Builds zephyrine compilers"
        assert [s["name"] for s in body["skills"]] == ["Rust"]
        assert body["experience"][0]["company"] == "Fjord"
        assert body["email"] == "zelda@example.com"
    else:
        assert body["restricted"] is True
        details = {"bio", "skills", "experience", "education", "email", "location", "contact_info", "username"}
        assert details.isdisjoint(body), body


@pytest.mark.parametrize("visibility, viewer, seen", CASES)
def test_search_privacy_matrix(cast, visibility, viewer, seen):
    owner = cast["owner"]
    put_profile(owner, privacy={"profile_visibility": visibility})
    response = cast[viewer].get("/api/profiles/search?q=zephyrine")
    assert response.status_code == 200
    ids = [item["id"] for item in response.get_json()["items"]]
    # Private profiles never appear, not even to their owner; cards are not search results.
    expected = seen == FULL and visibility != "private"
    assert (owner.id in ids) is expected


@pytest.mark.parametrize("direction", ["owner_blocks", "viewer_blocks"])
def test_block_hides_profile_and_search_both_ways(app, cast, direction):
    owner, viewer = cast["owner"], cast["stranger"]
    if direction == "owner_blocks":
        block(app, owner, viewer)
    else:
        block(app, viewer, owner)
    assert viewer.get(f"/api/profiles/{owner.id}").status_code == 404
    assert owner.get(f"/api/profiles/{viewer.id}").status_code == 404
    assert viewer.get("/api/profiles/search?q=zelda").get_json()["items"] == []


def test_email_hidden_unless_show_email(cast):
    owner = cast["owner"]
    put_profile(owner, privacy={"show_email": False})
    for viewer in ("connection", "stranger", "anonymous"):
        body = cast[viewer].get(f"/api/profiles/{owner.id}").get_json()
        assert "email" not in body and "email" not in body["contact_info"]
    assert owner.get(f"/api/profiles/{owner.id}").get_json()["email"] == "zelda@example.com"


@pytest.mark.parametrize(
    "setting, connection_sees, stranger_sees",
    [("public", True, True), ("connections", True, False), ("private", False, False)],
)
def test_contact_fields_have_their_own_audience(cast, setting, connection_sees, stranger_sees):
    owner = cast["owner"]
    put_profile(owner, contact_info={"phone": "+1 555 0100", "phone_visibility": setting, "email_visibility": setting})
    for viewer, sees in (("connection", connection_sees), ("stranger", stranger_sees), ("anonymous", stranger_sees)):
        body = cast[viewer].get(f"/api/profiles/{owner.id}").get_json()
        assert ("phone" in body["contact_info"]) is sees
        assert ("email" in body) is sees
        assert "phone_visibility" not in body["contact_info"] and "privacy" not in body
    owner_view = owner.get(f"/api/profiles/{owner.id}").get_json()["contact_info"]
    assert owner_view["phone"] == "+1 555 0100" and owner_view["phone_visibility"] == setting


def test_show_connections_hides_count_and_mutuals(app, cast, make_user):
    owner, friend, stranger = cast["owner"], cast["connection"], cast["stranger"]
    connect(app, stranger, friend)
    body = stranger.get(f"/api/profiles/{owner.id}").get_json()
    assert body["connection_count"] == 1 and body["mutual_connections"] == 1
    assert body["connection_status"] == "none"
    put_profile(owner, privacy={"show_connections": False})
    body = stranger.get(f"/api/profiles/{owner.id}").get_json()
    assert "connection_count" not in body and "mutual_connections" not in body
    assert owner.get(f"/api/profiles/{owner.id}").get_json()["connection_count"] == 1


def test_connection_status_from_the_viewers_side(cast):
    owner = cast["owner"]
    assert cast["connection"].get(f"/api/profiles/{owner.id}").get_json()["connection_status"] == "connected"
    assert cast["anonymous"].get(f"/api/profiles/{owner.id}").get_json()["connection_status"] is None
