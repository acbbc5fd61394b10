"""N+1 guards for the hot endpoints: the SQL statements a request runs do not grow with the data it returns.

Each test measures the same request over a small and a larger dataset and asserts
the same count (and an absolute ceiling, so a constant but bloated endpoint shows too).
Timings live in ``bench/``; these only count statements, so they are stable anywhere.
"""

from __future__ import annotations

import pytest

from tests.conftest import connect

SMALL, LARGE = 1, 6


def statements(query_counter, actor, path) -> int:
    with query_counter() as seen:
        response = actor.get(path)
    assert response.status_code == 200, response.get_json()
    return len(seen)


@pytest.fixture
def network(app, make_user, alice):
    """Alice and ``n`` more connections of hers, created on demand."""
    friends = []

    def grow(n: int):
        while len(friends) < n:
            friend = make_user(headline="Data engineer at Example")
            connect(app, alice, friend)
            friends.append(friend)
        return friends[:n]

    return grow


def test_profile_read_is_constant_in_sections(query_counter, alice, bob):
    def add(k):
        for i in range(k):
            assert (
                alice.post(f"/api/profiles/{alice.id}/experience", json={"company": f"Co{i}", "position": "Engineer"})
            ).status_code == 201
            assert (
                alice.post(f"/api/profiles/{alice.id}/education", json={"institution": f"School{i}", "degree": "BSc"})
            ).status_code == 201
        skills = [{"name": name} for name in ("Python", "SQL", "Docker", "Kubernetes", "Go", "Rust")[:k]]
        assert alice.put(f"/api/profiles/{alice.id}", json={"skills": skills}).status_code == 200

    add(SMALL)
    # The first view of the day also bumps the counter; later ones do not.
    bob.get(f"/api/profiles/{alice.id}")
    small = statements(query_counter, bob, f"/api/profiles/{alice.id}")
    add(LARGE)
    large = statements(query_counter, bob, f"/api/profiles/{alice.id}")
    body = bob.get(f"/api/profiles/{alice.id}").get_json()
    assert len(body["experience"]) == SMALL + LARGE and len(body["skills"]) == LARGE
    assert small == large <= 30


def test_people_search_is_constant_in_results(query_counter, make_user, alice):
    make_user(first_name="Zebulon")
    small = statements(query_counter, alice, "/api/profiles/search?q=zebulon")
    for _ in range(LARGE):
        make_user(first_name="Zebulon")
    large = statements(query_counter, alice, "/api/profiles/search?q=zebulon")
    assert len(alice.get("/api/profiles/search?q=zebulon").get_json()["items"]) == LARGE + 1
    assert small == large <= 10


def test_jobs_search_is_constant_in_results(query_counter, alice, bob):
    def post(k):
        for i in range(k):
            assert bob.post("/api/jobs", json={"title": f"Quokka wrangler {i}", "company": "Zoo"}).status_code == 201

    post(SMALL)
    small = statements(query_counter, alice, "/api/jobs?q=quokka")
    post(LARGE)
    large = statements(query_counter, alice, "/api/jobs?q=quokka")
    assert len(alice.get("/api/jobs?q=quokka").get_json()["items"]) == SMALL + LARGE
    assert small == large <= 10


def test_feed_is_constant_in_items_and_authors(query_counter, alice, network):
    def post(friends):
        for friend in friends:
            assert friend.post("/api/posts", json={"content": "Shipped it"}).status_code == 201

    post(network(SMALL))
    small = statements(query_counter, alice, "/api/feed?limit=100")
    post(network(LARGE)[SMALL:])
    large = statements(query_counter, alice, "/api/feed?limit=100")
    items = alice.get("/api/feed?limit=100").get_json()["items"]
    assert len([i for i in items if i["type"] == "post"]) == LARGE
    assert small == large <= 14


def test_suggestions_are_constant_in_candidates(app, query_counter, make_user, alice, network):
    def friends_of_friends(friends, k):
        for friend in friends:
            for _ in range(k):
                connect(app, friend, make_user())

    friends_of_friends(network(SMALL), 1)
    small = statements(query_counter, alice, "/api/connections/suggestions")
    friends_of_friends(network(3)[SMALL:], 2)
    large = statements(query_counter, alice, "/api/connections/suggestions")
    assert len(alice.get("/api/connections/suggestions").get_json()["items"]) >= 5
    assert small == large <= 8


def test_connections_list_is_constant_in_connections(query_counter, alice, network):
    network(SMALL)
    small = statements(query_counter, alice, "/api/connections")
    network(LARGE)
    large = statements(query_counter, alice, "/api/connections")
    assert len(alice.get("/api/connections").get_json()["items"]) == LARGE
    assert small == large <= 14


def test_applications_list_is_constant_in_applications(query_counter, alice, bob):
    def apply(k):
        for i in range(k):
            job = bob.post("/api/jobs", json={"title": f"Role {i}", "company": "Acme"}).get_json()
            assert alice.post(f"/api/jobs/{job['id']}/apply", json={}).status_code == 201

    apply(SMALL)
    small = statements(query_counter, alice, "/api/applications")
    apply(LARGE)
    large = statements(query_counter, alice, "/api/applications")
    assert len(alice.get("/api/applications").get_json()["items"]) == SMALL + LARGE
    assert small == large <= 8


def test_conversation_list_is_constant_in_conversations(query_counter, alice, network):
    def write(friends):
        for friend in friends:
            body = {"recipient_id": friend.id, "message_content": "Hello there"}
            assert alice.post("/api/messages", json=body).status_code == 201

    write(network(SMALL))
    small = statements(query_counter, alice, "/api/messages")
    write(network(LARGE)[SMALL:])
    large = statements(query_counter, alice, "/api/messages")
    assert len(alice.get("/api/messages").get_json()["items"]) == LARGE
    assert small == large <= 14


def test_history_page_is_constant_in_messages(query_counter, alice, network):
    (friend,) = network(1)

    def write(k):
        for i in range(k):
            body = {"recipient_id": friend.id, "message_content": f"Message {i}"}
            response = alice.post("/api/messages", json=body)
            assert response.status_code == 201
        return response.get_json()["conversation_id"]

    conversation = write(SMALL)
    small = statements(query_counter, friend, f"/api/messages/{conversation}")
    write(LARGE)
    large = statements(query_counter, friend, f"/api/messages/{conversation}")
    assert len(friend.get(f"/api/messages/{conversation}").get_json()["items"]) == SMALL + LARGE
    assert small == large <= 14
