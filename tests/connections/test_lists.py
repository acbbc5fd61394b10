"""My connections and pending requests: filters, pagination, mutual counts in bounded queries."""

from __future__ import annotations

import pytest

from tests.conftest import DEGREE_QUERIES, connect, set_user_fields


def ids(response) -> list[str]:
    return [item["user"]["id"] for item in response.get_json()["items"]]


def test_connections_newest_first_with_mutual_counts(app, make_user, alice):
    bob, carol, dave = (make_user() for _ in range(3))
    connect(app, alice, bob)
    connect(app, alice, carol)
    connect(app, alice, dave)
    connect(app, bob, carol)  # bob and carol share alice... and each other
    connect(app, bob, dave)
    body = alice.get("/api/connections").get_json()
    assert [i["user"]["id"] for i in body["items"]] == [dave.id, carol.id, bob.id]
    mutual = {i["user"]["id"]: i["mutual_connections"] for i in body["items"]}
    assert mutual == {bob.id: 2, carol.id: 1, dave.id: 1}
    assert body["next_cursor"] is None
    item = body["items"][0]
    assert set(item) == {"id", "user", "connected_at", "mutual_connections"}
    assert set(item["user"]) == {
        "id",
        "username",
        "first_name",
        "last_name",
        "headline",
        "profile_image_url",
        "connection_degree",
    }


def test_connections_page_through_with_cursor(app, make_user, alice):
    friends = [make_user() for _ in range(5)]
    for friend in friends:
        connect(app, alice, friend)
    first = alice.get("/api/connections?limit=2").get_json()
    second = alice.get(f"/api/connections?limit=2&cursor={first['next_cursor']}").get_json()
    third = alice.get(f"/api/connections?limit=2&cursor={second['next_cursor']}").get_json()
    seen = [i["user"]["id"] for page in (first, second, third) for i in page["items"]]
    assert seen == [f.id for f in reversed(friends)]
    assert third["next_cursor"] is None


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "limit=x"])
def test_connections_bad_limit_is_422(alice, query):
    response = alice.get(f"/api/connections?{query}")
    assert response.status_code == 422 and "limit" in response.get_json()["errors"]


def test_connections_tampered_cursor_is_400(alice):
    assert alice.get("/api/connections?cursor=abc").status_code == 400


def test_connections_filters(app, make_user, alice):
    ann = make_user(first_name="Ann", last_name="Smith", industry="Finance", location="Berlin", headline="Trader")
    ben = make_user(first_name="Ben", last_name="Jones", industry="Software", location="Paris")
    cat = make_user(first_name="Cat", last_name="Smithers", industry="software", location="Berlin Mitte")
    for person in (ann, ben, cat):
        connect(app, alice, person)
    assert set(ids(alice.get("/api/connections?q=smith"))) == {ann.id, cat.id}
    assert ids(alice.get("/api/connections?q=trader")) == [ann.id]
    assert set(ids(alice.get("/api/connections?industry=Software"))) == {ben.id, cat.id}
    assert set(ids(alice.get("/api/connections?location=berlin"))) == {ann.id, cat.id}
    assert ids(alice.get("/api/connections?q=smith&location=mitte")) == [cat.id]
    assert ids(alice.get("/api/connections?q=%25")) == []


def test_connections_list_runs_a_bounded_number_of_queries(app, make_user, alice, query_counter):
    for _ in range(3):
        connect(app, alice, make_user())
    with query_counter() as small:
        assert len(alice.get("/api/connections").get_json()["items"]) == 3
    more = [make_user() for _ in range(8)]
    for person in more:
        connect(app, alice, person)
    for person in more[1:]:
        connect(app, person, more[0])
    with query_counter() as large:
        assert len(alice.get("/api/connections").get_json()["items"]) == 11
    assert len(large) == len(small) <= 4 + DEGREE_QUERIES


def test_requests_incoming_and_outgoing(app, make_user, alice, request_between, query_counter):
    senders = [make_user() for _ in range(3)]
    for sender in senders:
        request_between(sender, alice, message="hello")
    target = make_user()
    sent = request_between(alice, target)
    with query_counter() as statements:
        incoming = alice.get("/api/connections/requests?direction=incoming").get_json()
    assert len(statements) <= 4 + DEGREE_QUERIES
    assert [i["user"]["id"] for i in incoming["items"]] == [s.id for s in reversed(senders)]
    assert all(i["status"] == "pending" and i["recipient_id"] == alice.id for i in incoming["items"])
    assert incoming["items"][0]["message"] == "hello"
    outgoing = alice.get("/api/connections/requests?direction=outgoing").get_json()
    assert [i["id"] for i in outgoing["items"]] == [sent["id"]]
    assert outgoing["items"][0]["user"]["id"] == target.id
    # Default direction is incoming.
    assert alice.get("/api/connections/requests").get_json()["items"] == incoming["items"]
    bad = alice.get("/api/connections/requests?direction=sideways")
    assert bad.status_code == 422 and "direction" in bad.get_json()["errors"]


def test_lists_need_login(anon):
    for path in ("/api/connections", "/api/connections/requests", "/api/connections/blocked"):
        assert anon.get(path).status_code == 401


def test_private_fields_never_in_summaries(app, alice, bob):
    set_user_fields(app, bob.id, bio="secret bio")
    connect(app, alice, bob)
    item = alice.get("/api/connections").get_json()["items"][0]
    assert "email" not in item["user"] and "bio" not in item["user"]
