import itertools
import math
from datetime import timedelta

import pytest

from networkapp.database import utcnow
from networkapp.models import Achievement, ConnectionEdge, Post
from tests.conftest import connect, set_user_fields
from tests.feed.conftest import add_experience, block, disconnect, endorse, post, set_created, uid


def feed_items(actor, **query):
    response = actor.get("/api/feed", query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def walk(actor, limit):
    """Every page of one walk through the feed."""
    items, cursor = [], None
    while True:
        page = feed_items(actor, limit=limit, **({"cursor": cursor} if cursor else {}))
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


def keys(items):
    return [(i["type"], i["object"]["id"]) for i in items]


def test_feed_carries_every_item_type_from_me_and_my_connections(app, make_user):
    me, friend, friends_friend, stranger = make_user(), make_user(), make_user(), make_user()
    connect(app, me, friend)
    connect(app, friend, friends_friend)
    mine = post(me, "my news")
    theirs = post(friend, "their news")
    post(stranger, "not in my network")
    post(friends_friend, "two hops away")
    achievement = friend.post("/api/achievements", json={"title": "PMP", "category": "certification"}).get_json()
    position = add_experience(app, friend, position="CTO", company="Initech")
    body = feed_items(me)
    found = {(i["type"], i["object"]["id"]): i for i in body["items"]}
    with app.app_context():
        from networkapp.extensions import db

        edge = db.session.get(ConnectionEdge, (uid(friend), uid(friends_friend)))
        connection_id = str(edge.connection_id)
    assert set(found) == {
        ("post", mine["id"]),
        ("post", theirs["id"]),
        ("achievement", achievement["id"]),
        ("job_change", position),
        ("new_connection", connection_id),
    }
    assert body["next_cursor"] is None
    assert found[("post", theirs["id"])]["actor"]["id"] == friend.id
    assert found[("post", theirs["id"])]["object"]["content"] == "their news"
    assert found[("job_change", position)]["object"]["position"] == "CTO"
    new_connection = found[("new_connection", connection_id)]
    assert new_connection["actor"]["id"] == friend.id
    assert new_connection["object"]["user"]["id"] == friends_friend.id
    assert "email" not in new_connection["object"]["user"]
    for item in body["items"]:
        assert set(item) == {"type", "actor", "object", "created_at", "score"} and item["score"] > 0
    scores = [i["score"] for i in body["items"]]
    assert scores == sorted(scores, reverse=True)


def test_past_positions_and_hidden_connection_lists_stay_out(app, make_user):
    me, friend, other = make_user(), make_user(), make_user()
    connect(app, me, friend)
    add_experience(app, friend, current=False)
    set_user_fields(app, friend.id, show_connections=False)
    connect(app, friend, other)
    assert feed_items(me)["items"] == []


FEED_MATRIX = {
    ("author", "public"): True,
    ("author", "connections"): True,
    ("author", "private"): True,
    ("connection", "public"): True,
    ("connection", "connections"): True,
    ("connection", "private"): False,
    # The feed is my network's activity: a stranger's posts never enter it, whatever their visibility.
    ("stranger", "public"): False,
    ("stranger", "connections"): False,
    ("stranger", "private"): False,
}


@pytest.mark.parametrize(("viewer", "visibility"), list(FEED_MATRIX))
def test_feed_visibility_matrix(app, make_user, viewer, visibility):
    author, friend, stranger = make_user(), make_user(), make_user()
    connect(app, author, friend)
    created = post(author, "matrix", visibility=visibility)
    actor = {"author": author, "connection": friend, "stranger": stranger}[viewer]
    assert (("post", created["id"]) in keys(feed_items(actor)["items"])) is FEED_MATRIX[(viewer, visibility)]


def test_anonymous_has_no_feed(anon):
    response = anon.get("/api/feed")
    assert response.status_code == 401 and response.mimetype == "application/problem+json"


def test_single_post_rule_and_feed_agree_for_every_post(app, make_user):
    people = [make_user() for _ in range(5)]
    a, b, c, d, e = people
    for x, y in [(a, b), (a, c), (b, c), (c, d), (d, e), (a, e)]:
        connect(app, x, y)
    block(app, a, e)  # blocked while the edge still exists: the rule must win over the graph
    set_user_fields(app, c.id, profile_visibility="private")
    posts = [
        (author, post(author, f"{n}", visibility=v))
        for n, author in enumerate(people)
        for v in ("public", "connections", "private")
    ]
    checked = 0
    for viewer in people:
        in_feed = {i["object"]["id"] for i in walk(viewer, 7) if i["type"] == "post"}
        network = {viewer.id} | {other.id for other in people if other is not viewer and _connected(app, viewer, other)}
        for author, created in posts:
            single = viewer.get(f"/api/posts/{created['id']}").status_code == 200
            if author.id in network:
                assert (created["id"] in in_feed) is single, (viewer.id, author.id, created["visibility"])
                checked += 1
            else:
                assert created["id"] not in in_feed
    assert checked > 20


def _connected(app, x, y):
    from networkapp.connections import graph

    with app.app_context():
        return graph.are_connected(uid(x), uid(y))


def test_disconnecting_removes_items_at_once(app, make_user):
    me, friend = make_user(), make_user()
    connect(app, me, friend)
    created = post(friend, visibility="public")
    assert ("post", created["id"]) in keys(feed_items(me)["items"])
    disconnect(app, me, friend)
    assert feed_items(me)["items"] == []
    assert keys(feed_items(friend)["items"]) == [("post", created["id"])]


@pytest.mark.parametrize("disconnect_too", [False, True])
@pytest.mark.parametrize("me_blocks", [True, False])
def test_blocking_removes_items_at_once(app, make_user, me_blocks, disconnect_too):
    me, friend, mutual = make_user(), make_user(), make_user()
    connect(app, me, friend)
    connect(app, me, mutual)
    post(friend)
    friend.post("/api/achievements", json={"title": "x", "category": "award"})
    add_experience(app, friend)
    connect(app, mutual, friend)  # a new_connection item that shows the blocked person
    assert len(feed_items(me)["items"]) == 4
    if me_blocks:
        block(app, me, friend, disconnect_too=disconnect_too)
    else:
        block(app, friend, me, disconnect_too=disconnect_too)
    assert feed_items(me)["items"] == []


def test_visibility_and_privacy_changes_apply_on_the_next_read(app, make_user):
    me, friend = make_user(), make_user()
    connect(app, me, friend)
    created = post(friend)
    friend.post("/api/achievements", json={"title": "x", "category": "award"})
    assert {i["type"] for i in feed_items(me)["items"]} == {"post", "achievement"}
    assert friend.put(f"/api/posts/{created['id']}", json={"visibility": "private"}).status_code == 200
    assert {i["type"] for i in feed_items(me)["items"]} == {"achievement"}
    set_user_fields(app, friend.id, profile_visibility="private")
    assert feed_items(me)["items"] == []
    assert len(feed_items(friend)["items"]) == 2


def expected_score(weight, hours, affinity, engagement):
    return weight * 0.5 ** (hours / 24) * (1 + 0.5 * math.log1p(affinity)) * (1 + 0.25 * math.log1p(engagement))


def test_ranking_follows_the_documented_formula(app, make_user):
    me, close, busy = make_user(), make_user(), make_user()
    fans = [make_user() for _ in range(3)]
    connect(app, me, close)
    connect(app, me, busy)
    now = utcnow()
    # close: two endorsements from me (3 points each) and one like from me (1 point) -> affinity 7.
    endorse(app, me, close, skill_index=0)
    endorse(app, me, close, skill_index=1)
    close_post = post(close, "close friend, older")
    old_like = post(close, "liked long ago")
    me.post(f"/api/posts/{old_like['id']}/like")
    # busy: no affinity; its post has 3 likes (1 each) and 1 comment (2) -> engagement 5.
    busy_post = post(busy, "popular")
    for fan in fans:
        fan.post(f"/api/posts/{busy_post['id']}/like")
    fans[0].post(f"/api/posts/{busy_post['id']}/comments", json={"content": "wow"})
    mine = post(me, "my own")
    position = add_experience(app, busy, position="VP")
    ages = {close_post["id"]: 3, old_like["id"]: 200, busy_post["id"]: 2, mine["id"]: 1}
    for post_id, hours in ages.items():
        set_created(app, Post, post_id, now - timedelta(hours=hours))
    from networkapp.models import Experience

    set_created(app, Experience, position, now - timedelta(hours=30))
    expected = {
        ("post", close_post["id"]): expected_score(1.0, 3, 7, 0),
        ("post", old_like["id"]): expected_score(1.0, 200, 7, 1),
        ("post", busy_post["id"]): expected_score(1.0, 2, 0, 5),
        ("post", mine["id"]): expected_score(1.0, 1, 0, 0),
        ("job_change", position): expected_score(1.5, 30, 0, 0),
    }
    items = feed_items(me)["items"]
    assert keys(items) == sorted(expected, key=expected.get, reverse=True)
    for item in items:
        assert item["score"] == pytest.approx(expected[(item["type"], item["object"]["id"])], rel=1e-3)
    # The hand-built fixture really exercises each factor: affinity outranks a fresher post.
    assert keys(items)[:3] == [("post", close_post["id"]), ("post", busy_post["id"]), ("post", mine["id"])]


def test_pages_never_repeat_or_skip_while_new_items_arrive(app, make_user):
    me, friend, other = make_user(), make_user(), make_user()
    connect(app, me, friend)
    connect(app, me, other)
    now = utcnow()
    originals = []
    for n in range(12):
        created = post(friend if n % 2 else other, f"p{n}")
        set_created(app, Post, created["id"], now - timedelta(hours=n * 5))
        originals.append(created["id"])
    me.post(f"/api/posts/{originals[7]}/like")
    first = feed_items(me, limit=5)
    seen = [i["object"]["id"] for i in first["items"]]
    # Between pages: fresh posts, and likes that would lift later items above the cursor if they counted.
    fresh = [post(friend, "breaking")["id"], post(other, "also new")["id"]]
    for later in originals:
        if later not in seen:
            me.post(f"/api/posts/{later}/like")
            friend.post(f"/api/posts/{later}/comments", json={"content": "bump"})
    cursor = first["next_cursor"]
    while cursor:
        page = feed_items(me, limit=5, cursor=cursor)
        seen += [i["object"]["id"] for i in page["items"]]
        post(friend, "more news")
        cursor = page["next_cursor"]
    assert len(seen) == len(set(seen)) == 12
    assert set(seen) == set(originals)
    assert set(fresh) <= {i["object"]["id"] for i in walk(me, 50)}


def test_statement_count_does_not_grow_with_page_size(app, make_user, query_counter):
    me = make_user()
    friends = [make_user() for _ in range(4)]
    for n, friend in enumerate(friends):
        connect(app, me, friend)
        for k in range(6):
            created = post(friend, f"{n}-{k}")
            me.post(f"/api/posts/{created['id']}/like")
        friend.post("/api/achievements", json={"title": "x", "category": "award"})
        add_experience(app, friend)
        endorse(app, me, friend)
    for a, b in itertools.pairwise(friends):
        connect(app, a, b)
    counts = {}
    for limit in (2, 35):
        with query_counter() as statements:
            body = feed_items(me, limit=limit)
        assert len(body["items"]) == limit
        counts[limit] = len(statements)
    assert counts[2] == counts[35]
    assert counts[35] <= 15


@pytest.mark.parametrize(
    ("query", "status"),
    [({"limit": 0}, 422), ({"limit": 101}, 422), ({"limit": "x"}, 422), ({"cursor": "garbage"}, 400)],
)
def test_bad_paging_arguments(alice, query, status):
    response = alice.get("/api/feed", query_string=query)
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"


def test_a_cursor_from_another_collection_is_rejected(app, alice, bob):
    created = post(alice)
    for _ in range(3):
        bob.post(f"/api/posts/{created['id']}/comments", json={"content": "x"})
    cursor = alice.get(f"/api/posts/{created['id']}/comments?limit=1").get_json()["next_cursor"]
    assert alice.get("/api/feed", query_string={"cursor": cursor}).status_code == 400


def test_achievements_of_connections_only_profiles_reach_connections(app, make_user):
    me, friend = make_user(), make_user()
    connect(app, me, friend)
    set_user_fields(app, friend.id, profile_visibility="connections")
    created = friend.post("/api/achievements", json={"title": "x", "category": "award"}).get_json()
    assert keys(feed_items(me)["items"]) == [("achievement", created["id"])]
    set_created(app, Achievement, created["id"], utcnow() - timedelta(days=31))
    assert feed_items(me)["items"] == []


def test_open_job_postings_of_my_network_appear_and_closed_ones_drop_out(app, make_user):
    me, friend, stranger = make_user(), make_user(), make_user()
    connect(app, me, friend)
    job = friend.post("/api/jobs", json={"title": "Data Engineer", "company": "Initech"}).get_json()
    other = stranger.post("/api/jobs", json={"title": "Welder", "company": "Acme"}).get_json()
    items = feed_items(me)["items"]
    posted = [i for i in items if i["type"] == "job_posted"]
    assert [i["object"]["id"] for i in posted] == [job["id"]]
    assert posted[0]["actor"]["id"] == friend.id
    assert posted[0]["object"]["title"] == "Data Engineer" and posted[0]["score"] > 0
    assert other["id"] not in {i["object"]["id"] for i in items}

    assert friend.delete(f"/api/jobs/{job['id']}", json={"reason": "filled"}).status_code == 204
    assert not [i for i in feed_items(me)["items"] if i["type"] == "job_posted"]


def test_direct_messages_raise_affinity(app, make_user):
    me, pen_pal, other = make_user(), make_user(), make_user()
    connect(app, me, pen_pal)
    connect(app, me, other)
    now = utcnow()
    quiet = post(other, "no messages with me")
    chatty = post(pen_pal, "we talk a lot")
    set_created(app, Post, quiet["id"], now - timedelta(hours=1))
    set_created(app, Post, chatty["id"], now - timedelta(hours=1))
    # Three messages exchanged (two sent, one received): affinity 3 times the message weight.
    for sender, recipient in ((me, pen_pal), (me, pen_pal), (pen_pal, me)):
        sent = sender.post("/api/messages", json={"recipient_id": recipient.id, "message_content": "hi"})
        assert sent.status_code == 201
    items = {i["object"]["id"]: i["score"] for i in feed_items(me)["items"] if i["type"] == "post"}
    assert items[chatty["id"]] == pytest.approx(expected_score(1.0, 1, 3, 0), rel=1e-3)
    assert items[quiet["id"]] == pytest.approx(expected_score(1.0, 1, 0, 0), rel=1e-3)
    assert items[chatty["id"]] > items[quiet["id"]]


def test_group_posts_reach_members_feeds_and_stop_when_they_leave(app, make_user):
    author, member, outsider = make_user(), make_user(), make_user()
    group = author.post("/api/groups", json={"name": "Rustaceans", "visibility": "private"}).get_json()
    member.post(f"/api/groups/{group['id']}/join")
    assert author.post(f"/api/groups/{group['id']}/requests/{member.id}/approve").status_code in (200, 201, 204)
    written = author.post(f"/api/groups/{group['id']}/posts", json={"content": "meetup on Friday"})
    assert written.status_code == 201
    post_id = written.get_json()["id"]

    items = [i for i in feed_items(member)["items"] if i["type"] == "group_post"]
    assert [i["object"]["id"] for i in items] == [post_id]
    assert items[0]["actor"]["id"] == author.id and items[0]["object"]["group_id"] == group["id"]
    assert not [i for i in feed_items(outsider)["items"] if i["type"] == "group_post"]

    assert member.post(f"/api/groups/{group['id']}/leave").status_code in (200, 204)
    assert not [i for i in feed_items(member)["items"] if i["type"] == "group_post"]
