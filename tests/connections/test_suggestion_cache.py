"""The cached suggestion ranking: same answers as a fresh one, never shows anyone it must not, fewer statements."""

from __future__ import annotations

import os
import time
import uuid

import pytest

from networkapp.connections import suggestion_cache
from tests.conftest import connect
from tests.connections import test_suggestions
from tests.connections.test_suggestions import names

# The hand-built graph whose right answer is known, now served with caching on.
world = test_suggestions.world

EXPECTED = ["mutual3", "colleague", "mutual1", "neighbour", "alumnus"]


@pytest.fixture
def app(make_app):
    return make_app(SUGGESTIONS_CACHE_SECONDS=300)


def suggestions_of(actor, query: str = "") -> dict:
    response = actor.get(f"/api/connections/suggestions{query}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def cached_ids(app, actor) -> list[str] | None:
    with app.app_context():
        entries = suggestion_cache.load(uuid.UUID(actor.id))
    return None if entries is None else [str(uuid.UUID(hex=e[0])) for e in entries]


def reconfigure(app, **config) -> None:
    """Change the settings of the app the actors talk to; its store is rebuilt from them."""
    app.config.update(config)
    app.extensions.pop("suggestion_cache", None)


def forget_all(app) -> None:
    with app.app_context():
        suggestion_cache.store().clear()


def test_a_cache_hit_returns_the_same_ranking(app, world):
    alice = world["alice"]
    fresh = suggestions_of(alice)
    assert names(fresh) == EXPECTED
    assert cached_ids(app, alice) == [item["user"]["id"] for item in fresh["items"]]
    assert suggestions_of(alice) == fresh
    first = suggestions_of(alice, "?limit=2")
    second = suggestions_of(alice, f"?limit=2&cursor={first['next_cursor']}")
    third = suggestions_of(alice, f"?limit=2&cursor={second['next_cursor']}")
    assert names(first) + names(second) + names(third) == EXPECTED
    assert third["next_cursor"] is None


def test_a_cache_hit_shows_exact_mutual_counts_and_reasons(app, world, make_user):
    alice, mutual1 = world["alice"], world["mutual1"]
    suggestions_of(alice)
    # Behind the service's back (no invalidation): one more shared connection with mutual1.
    connect(app, mutual1, world["friend1"])
    item = next(i for i in suggestions_of(alice)["items"] if i["user"]["username"] == "mutual1")
    assert item["mutual_connections"] == 2
    assert item["reasons"] == ["2 mutual connections", "Also works in Software", "2nd-degree connection"]
    assert item["user"]["connection_degree"] == 2


@pytest.mark.parametrize("change", ["connected", "requested", "request_received", "blocked", "blocked_by", "dismissed"])
def test_people_leave_at_once_even_from_a_stale_entry(app, world, change):
    alice, target = world["alice"], world["mutual3"]
    suggestions_of(alice)
    if change == "connected":
        connect(app, alice, target)  # straight into the database: no invalidation happens
    elif change == "requested":
        assert alice.post("/api/connections/request", json={"target_user_id": target.id}).status_code == 201
    elif change == "request_received":
        assert target.post("/api/connections/request", json={"target_user_id": alice.id}).status_code == 201
    elif change == "blocked":
        assert alice.post("/api/connections/block", json={"user_id": target.id}).status_code == 201
    elif change == "blocked_by":
        assert target.post("/api/connections/block", json={"user_id": alice.id}).status_code == 201
    else:
        assert alice.post(f"/api/connections/suggestions/{target.id}/dismiss").status_code == 204
    if change in ("connected", "requested", "request_received", "dismissed"):
        # These changes leave the entry in place: the read-time exclusions alone must hide the person.
        assert target.id in cached_ids(app, alice)
    assert names(suggestions_of(alice)) == [n for n in EXPECTED if n != "mutual3"]


def test_a_new_connection_brings_its_friends_at_once(app, world, make_user):
    alice = world["alice"]
    newcomer, their_friend = make_user("newcomer", industry="Nursing"), make_user("theirfriend", industry="Law")
    connect(app, newcomer, their_friend)
    assert "theirfriend" not in names(suggestions_of(alice))
    created = alice.post("/api/connections/request", json={"target_user_id": newcomer.id}).get_json()
    assert newcomer.put(f"/api/connections/{created['id']}/accept").status_code == 200
    assert cached_ids(app, alice) is None and cached_ids(app, newcomer) is None
    item = next(i for i in suggestions_of(alice)["items"] if i["user"]["username"] == "theirfriend")
    assert item["mutual_connections"] == 1


def test_degrees_of_people_sharing_no_connection_are_searched_once(app, world, make_user):
    alice, farther = world["alice"], make_user("farther", industry="Software")
    connect(app, farther, world["mutual3"])
    first = suggestions_of(alice)
    with app.app_context():
        entries = {uuid.UUID(hex=e[0]): e for e in suggestion_cache.load(uuid.UUID(alice.id))}
    # alumnus has no connections at all (kept as 0: searched, beyond the 3rd degree); mutual3 needs no search.
    assert entries[uuid.UUID(world["alumnus"].id)][4] == 0
    assert entries[uuid.UUID(world["mutual3"].id)][4] is None
    assert entries[uuid.UUID(farther.id)][4] == 3
    by_name = {item["user"]["username"]: item for item in first["items"]}
    assert by_name["alumnus"]["user"]["connection_degree"] is None
    assert by_name["mutual3"]["user"]["connection_degree"] == 2
    assert by_name["farther"]["reasons"] == ["Also works in Software", "3rd-degree connection"]
    assert suggestions_of(alice) == first


def test_removal_and_unblock_invalidate_both_people(app, world):
    alice, friend0, mutual3 = world["alice"], world["friend0"], world["mutual3"]
    for actor in (alice, friend0, mutual3):
        suggestions_of(actor)
    listed = alice.get("/api/connections").get_json()["items"]
    connection_id = next(i["id"] for i in listed if i["user"]["id"] == friend0.id)
    assert alice.delete(f"/api/connections/{connection_id}").status_code == 204
    assert cached_ids(app, alice) is None and cached_ids(app, friend0) is None
    assert cached_ids(app, mutual3) is not None
    assert alice.post("/api/connections/block", json={"user_id": mutual3.id}).status_code == 201
    suggestions_of(alice)
    assert alice.delete(f"/api/connections/block/{mutual3.id}").status_code == 204
    assert cached_ids(app, alice) is None
    assert "mutual3" in names(suggestions_of(alice))


def test_a_cached_request_runs_fewer_statements_whatever_the_ranking_size(app, world, make_user, query_counter):
    alice = world["alice"]
    with query_counter() as miss:
        suggestions_of(alice)
    with query_counter() as small:
        suggestions_of(alice)
    for _ in range(6):
        connect(app, make_user(industry="Software"), world["friend0"])
    forget_all(app)
    suggestions_of(alice)
    with query_counter() as large:
        assert len(suggestions_of(alice)["items"]) == 11
    assert len(small) == len(large) < len(miss)
    # The signed-in user, the eligibility re-check with the cards, the exact mutual counts: the degrees of
    # people sharing no connection with me were searched once, by the first request, and kept.
    assert len(large) <= 3


def test_caching_off_computes_every_time(app, make_user):
    reconfigure(app, SUGGESTIONS_CACHE_SECONDS=0)
    with app.app_context():
        assert suggestion_cache.store() is None
    me, friend, other = (make_user(name, industry=f"Industry-{name}") for name in ("mine", "friend", "other"))
    connect(app, me, friend)
    assert suggestions_of(me)["items"] == []
    connect(app, friend, other)  # no invalidation, and none needed
    assert names(suggestions_of(me)) == ["other"]


def test_memory_store_expires_and_evicts():
    store = suggestion_cache.MemoryStore(ttl=60, capacity=2)
    store.set("a", "1")
    store.set("b", "2")
    assert store.get("a") == "1"  # now most recently used
    store.set("c", "3")
    assert (store.get("a"), store.get("b"), store.get("c")) == ("1", None, "3")
    store.replace("c", "4")
    store.delete("a")
    store.replace("a", "5")  # gone entries are not brought back
    assert (store.get("a"), store.get("c")) == (None, "4")
    short = suggestion_cache.MemoryStore(ttl=0)
    short.set("x", "1")
    assert short.get("x") is None


REDIS_URL = os.environ.get("REDIS_URL")


@pytest.fixture
def redis_prefix(monkeypatch):
    """A key prefix of this test's own in redis db 14; only those keys are deleted afterwards."""
    if not REDIS_URL:
        pytest.skip("REDIS_URL is not set")
    import redis

    url = REDIS_URL.rsplit("/", 1)[0] + "/14" if REDIS_URL.count("/") > 2 else REDIS_URL + "/14"
    prefix = f"networkapp:suggestions:test-{uuid.uuid4().hex}:"
    monkeypatch.setattr(suggestion_cache, "KEY_PREFIX", prefix)
    client = redis.Redis.from_url(url)
    yield url, prefix
    for key in client.scan_iter(match=prefix + "*"):
        client.delete(key)


def test_redis_store_round_trip_and_ttl(redis_prefix):
    url, prefix = redis_prefix
    store = suggestion_cache.RedisStore(url, ttl=1)
    store.set(prefix + "a", "[1]")
    assert store.get(prefix + "a") == "[1]"
    store.replace(prefix + "a", "[3]")
    assert store.get(prefix + "a") == "[3]"
    store.delete(prefix + "a")
    store.replace(prefix + "a", "[4]")
    assert store.get(prefix + "a") is None
    store.set(prefix + "b", "[2]")
    time.sleep(1.5)
    assert store.get(prefix + "b") is None


def test_suggestions_through_redis(app, make_user, redis_prefix):
    url, _ = redis_prefix
    reconfigure(app, REDIS_URL=url)
    with app.app_context():
        assert isinstance(suggestion_cache.store(), suggestion_cache.RedisStore)
    me, friend, other = (make_user(name, industry=f"Industry-{name}") for name in ("mine", "friend", "other"))
    connect(app, me, friend)
    connect(app, friend, other)
    first = suggestions_of(me)
    assert names(first) == ["other"]
    assert cached_ids(app, me) == [other.id]
    assert suggestions_of(me) == first
    assert me.post(f"/api/connections/suggestions/{other.id}/dismiss").status_code == 204
    assert suggestions_of(me)["items"] == []


def test_redis_outage_is_a_miss(app, make_user):
    reconfigure(app, REDIS_URL="redis://127.0.0.1:1/14")
    me, friend, other = (make_user(name, industry=f"Industry-{name}") for name in ("mine", "friend", "other"))
    connect(app, me, friend)
    connect(app, friend, other)
    assert names(suggestions_of(me)) == ["other"]
