import threading
import uuid

import pytest
import sqlalchemy as sa

from networkapp.extensions import db
from networkapp.models import Post, PostComment, PostLike
from tests.conftest import Actor, connect
from tests.feed.conftest import block, notifications, post, uid


def db_post(app, post_id):
    with app.app_context():
        return db.session.get(Post, uuid.UUID(post_id))


def test_create_post_returns_the_resource_and_stores_it(app, alice):
    response = alice.post(
        "/api/posts", json={"content": "Shipped it", "post_type": "article", "visibility": "connections"}
    )
    assert response.status_code == 201
    body = response.get_json()
    assert body["author"]["id"] == alice.id and body["author"]["username"] == "alice"
    assert "email" not in body["author"]
    assert (body["content"], body["post_type"], body["visibility"]) == ("Shipped it", "article", "connections")
    assert (body["like_count"], body["comment_count"], body["liked_by_me"]) == (0, 0, False)
    assert body["created_at"] and body["updated_at"]
    row = db_post(app, body["id"])
    assert row.author_id == uid(alice) and row.visibility == "connections"


def test_defaults_are_update_and_public(alice):
    body = post(alice)
    assert (body["post_type"], body["visibility"]) == ("update", "public")


def test_content_is_stored_exactly_as_given(app, alice):
    content = '  <script>alert("x")</script> & ünïcødé 🚀\n'
    body = post(alice, content)
    assert body["content"] == content
    assert db_post(app, body["id"]).content == content
    assert alice.get(f"/api/posts/{body['id']}").get_json()["content"] == content


def test_content_at_the_limit_is_accepted(alice):
    assert post(alice, "x" * 3000)["content"] == "x" * 3000


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "content"),
        ({"content": ""}, "content"),
        ({"content": "   \n"}, "content"),
        ({"content": "x" * 3001}, "content"),
        ({"content": 5}, "content"),
        ({"content": "a\x00b"}, "content"),
        ({"content": "ok", "post_type": "poll"}, "post_type"),
        ({"content": "ok", "visibility": "friends"}, "visibility"),
        ({"content": "ok", "like_count": 10}, "like_count"),
        ({"content": "ok", "author_id": str(uuid.uuid4())}, "author_id"),
    ],
)
def test_invalid_posts_are_rejected_and_nothing_is_stored(app, alice, body, field):
    response = alice.post("/api/posts", json=body)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert field in response.get_json()["errors"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Post)) == 0


def test_anonymous_cannot_post(anon):
    assert anon.post("/api/posts", json={"content": "hi"}).status_code == 401


def test_idempotency_key_replays_without_a_second_row(app, alice):
    headers = {"Idempotency-Key": "post-1"}
    first = alice.post("/api/posts", json={"content": "once"}, headers=headers)
    again = alice.post("/api/posts", json={"content": "once"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.get_json()["id"] == again.get_json()["id"]
    other = alice.post("/api/posts", json={"content": "different"}, headers=headers)
    assert other.status_code == 422
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Post)) == 1


# Who sees a post: author / connection / stranger / anonymous * public / connections / private.
MATRIX = {
    ("author", "public"): True,
    ("author", "connections"): True,
    ("author", "private"): True,
    ("connection", "public"): True,
    ("connection", "connections"): True,
    ("connection", "private"): False,
    ("stranger", "public"): True,
    ("stranger", "connections"): False,
    ("stranger", "private"): False,
    ("anonymous", "public"): True,
    ("anonymous", "connections"): False,
    ("anonymous", "private"): False,
}


@pytest.fixture
def cast(app, make_user, anon):
    author, friend, stranger = make_user(), make_user(), make_user()
    connect(app, author, friend)
    return {"author": author, "connection": friend, "stranger": stranger, "anonymous": anon}


@pytest.mark.parametrize(("viewer", "visibility"), list(MATRIX))
def test_single_post_visibility_matrix(cast, viewer, visibility):
    created = post(cast["author"], "matrix", visibility=visibility)
    response = cast[viewer].get(f"/api/posts/{created['id']}")
    if MATRIX[(viewer, visibility)]:
        assert response.status_code == 200
        assert response.get_json()["id"] == created["id"]
    else:
        assert response.status_code == 404
        assert "matrix" not in response.get_data(as_text=True)


def test_unknown_post_is_404(alice):
    assert alice.get(f"/api/posts/{uuid.uuid4()}").status_code == 404
    assert alice.get("/api/posts/not-a-uuid").status_code == 404


@pytest.mark.parametrize("blocker_is_author", [True, False])
def test_a_block_hides_public_posts_both_ways(app, alice, bob, blocker_is_author):
    created = post(alice, "public words")
    block(app, alice, bob) if blocker_is_author else block(app, bob, alice)
    assert bob.get(f"/api/posts/{created['id']}").status_code == 404
    assert bob.post(f"/api/posts/{created['id']}/like").status_code == 404
    assert alice.get(f"/api/posts/{created['id']}").status_code == 200


def test_author_edits_only_the_given_fields(app, alice):
    created = post(alice, "draft", post_type="article")
    response = alice.put(f"/api/posts/{created['id']}", json={"content": "final"})
    assert response.status_code == 200
    body = response.get_json()
    assert (body["content"], body["post_type"], body["visibility"]) == ("final", "article", "public")
    assert body["updated_at"] >= created["updated_at"]
    assert db_post(app, created["id"]).content == "final"


@pytest.mark.parametrize(
    ("body", "field"),
    [({"content": ""}, "content"), ({"visibility": "all"}, "visibility"), ({"like_count": 3}, "like_count")],
)
def test_invalid_edits_change_nothing(app, alice, body, field):
    created = post(alice, "keep")
    response = alice.put(f"/api/posts/{created['id']}", json=body)
    assert response.status_code == 422 and field in response.get_json()["errors"]
    row = db_post(app, created["id"])
    assert (row.content, row.visibility, row.like_count) == ("keep", "public", 0)


def test_others_cannot_edit_or_delete(app, alice, bob, make_user):
    public = post(alice, "mine")
    private = post(alice, "secret", visibility="private")
    assert bob.put(f"/api/posts/{public['id']}", json={"content": "x"}).status_code == 403
    assert bob.delete(f"/api/posts/{public['id']}").status_code == 403
    assert bob.put(f"/api/posts/{private['id']}", json={"content": "x"}).status_code == 404
    assert bob.delete(f"/api/posts/{private['id']}").status_code == 404
    assert db_post(app, public["id"]).content == "mine"
    assert db_post(app, private["id"]) is not None


def test_delete_removes_the_post_with_likes_and_comments(app, alice, bob):
    created = post(alice, "bye")
    bob.post(f"/api/posts/{created['id']}/like")
    bob.post(f"/api/posts/{created['id']}/comments", json={"content": "nice"})
    assert alice.delete(f"/api/posts/{created['id']}").status_code == 204
    assert alice.get(f"/api/posts/{created['id']}").status_code == 404
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PostLike)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PostComment)) == 0


def test_like_once_and_unlike(app, alice, bob):
    created = post(alice)
    liked = bob.post(f"/api/posts/{created['id']}/like")
    assert liked.status_code == 200
    assert (liked.get_json()["like_count"], liked.get_json()["liked_by_me"]) == (1, True)
    assert bob.post(f"/api/posts/{created['id']}/like").status_code == 409
    assert bob.get(f"/api/posts/{created['id']}").get_json()["liked_by_me"] is True
    assert alice.get(f"/api/posts/{created['id']}").get_json()["liked_by_me"] is False
    assert db_post(app, created["id"]).like_count == 1
    [note] = notifications(app, alice, "post_like")
    assert note.actor_id == uid(bob) and note.data == {"post_id": created["id"]}
    unliked = bob.delete(f"/api/posts/{created['id']}/like")
    assert unliked.status_code == 200 and unliked.get_json()["like_count"] == 0
    assert bob.delete(f"/api/posts/{created['id']}/like").status_code == 404
    assert db_post(app, created["id"]).like_count == 0


def test_liking_my_own_post_does_not_notify_me(app, alice):
    created = post(alice)
    assert alice.post(f"/api/posts/{created['id']}/like").status_code == 200
    assert notifications(app, alice, "post_like") == []


def test_cannot_like_or_comment_a_post_i_cannot_see(app, alice, bob):
    created = post(alice, visibility="connections")
    assert bob.post(f"/api/posts/{created['id']}/like").status_code == 404
    assert bob.post(f"/api/posts/{created['id']}/comments", json={"content": "hi"}).status_code == 404
    assert bob.get(f"/api/posts/{created['id']}/comments").status_code == 404
    assert db_post(app, created["id"]).like_count == 0


def _run_threads(targets):
    errors = []

    def wrap(fn):
        def run():
            try:
                fn()
            except Exception as exc:  # surfaced by the assertion below
                errors.append(exc)

        return run

    threads = [threading.Thread(target=wrap(t)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_concurrent_likes_and_comments_keep_true_counts(app, alice, make_user):
    created = post(alice)
    people = [make_user() for _ in range(6)]
    path = f"/api/posts/{created['id']}"
    statuses = []

    def liker(actor, twice):
        def run():
            # A client of its own per thread, signed in with the person's session cookie.
            client = Actor(app, actor.user)
            client.client.set_cookie(
                "networkapp_session", actor.client.get_cookie("networkapp_session").value, domain="localhost"
            )
            for _ in range(2 if twice else 1):
                statuses.append(client.post(f"{path}/like").status_code)
            statuses.append(client.post(f"{path}/comments", json={"content": "+1"}).status_code)

        return run

    # Each person likes from two threads at once: exactly one like per person may win.
    _run_threads([liker(p, False) for p in people] + [liker(p, False) for p in people])
    with app.app_context():
        likes = db.session.scalar(sa.select(sa.func.count()).select_from(PostLike))
        comments = db.session.scalar(sa.select(sa.func.count()).select_from(PostComment))
    row = db_post(app, created["id"])
    assert likes == len(people) == row.like_count
    assert comments == 2 * len(people) == row.comment_count
    assert statuses.count(409) == len(people)
    assert alice.get(path).get_json()["like_count"] == len(people)


def test_comments_are_listed_oldest_first_with_pages(app, alice, bob):
    created = post(alice)
    path = f"/api/posts/{created['id']}/comments"
    ids = []
    for n in range(5):
        response = bob.post(path, json={"content": f"c{n}"})
        assert response.status_code == 201
        body = response.get_json()
        assert body["author"]["id"] == bob.id and body["post_id"] == created["id"] and body["content"] == f"c{n}"
        ids.append(body["id"])
    first = alice.get(f"{path}?limit=3").get_json()
    assert [c["id"] for c in first["items"]] == ids[:3] and first["comment_count"] == 5
    second = alice.get(f"{path}?limit=3&cursor={first['next_cursor']}").get_json()
    assert [c["id"] for c in second["items"]] == ids[3:] and second["next_cursor"] is None
    assert db_post(app, created["id"]).comment_count == 5
    assert len(notifications(app, alice, "post_comment")) == 5
    assert alice.get(f"{path}?cursor=forged").status_code == 400
    assert alice.get(f"{path}?limit=0").status_code == 422


@pytest.mark.parametrize("content", ["", "  ", "x" * 1001])
def test_invalid_comments_are_rejected(app, alice, content):
    created = post(alice)
    response = alice.post(f"/api/posts/{created['id']}/comments", json={"content": content})
    assert response.status_code == 422 and "content" in response.get_json()["errors"]
    assert db_post(app, created["id"]).comment_count == 0


def test_comment_deletion_by_comment_author_or_post_author_only(app, alice, bob, make_user):
    carol = make_user()
    created = post(alice)
    path = f"/api/posts/{created['id']}/comments"
    by_bob = [bob.post(path, json={"content": f"b{n}"}).get_json()["id"] for n in range(2)]
    assert carol.delete(f"{path}/{by_bob[0]}").status_code == 403
    assert bob.delete(f"{path}/{by_bob[0]}").status_code == 204
    assert alice.delete(f"{path}/{by_bob[1]}").status_code == 204
    assert alice.delete(f"{path}/{by_bob[1]}").status_code == 404
    other = post(bob)
    foreign = bob.post(f"/api/posts/{other['id']}/comments", json={"content": "x"}).get_json()["id"]
    assert alice.delete(f"{path}/{foreign}").status_code == 404
    assert db_post(app, created["id"]).comment_count == 0
    assert db_post(app, other["id"]).comment_count == 1


def test_blocked_commenters_are_hidden_from_me(app, alice, bob, make_user):
    carol = make_user()
    created = post(alice)
    bob.post(f"/api/posts/{created['id']}/comments", json={"content": "from bob"})
    carol.post(f"/api/posts/{created['id']}/comments", json={"content": "from carol"})
    block(app, alice, bob)
    items = alice.get(f"/api/posts/{created['id']}/comments").get_json()["items"]
    assert [c["content"] for c in items] == ["from carol"]


def test_mentions_notify_connections_who_can_see_the_post(app, make_user):
    author, friend, other_friend, stranger = (make_user(f"user{n}x") for n in "abcd")
    connect(app, author, friend)
    connect(app, author, other_friend)
    post(author, "Thanks @userbx, @USERCX. and @userdx! Mail me at me@userbx.com")
    assert len(notifications(app, friend, "mention")) == 1
    assert len(notifications(app, other_friend, "mention")) == 1
    assert notifications(app, stranger, "mention") == []
    post(author, "Private note to @userbx", visibility="private")
    assert len(notifications(app, friend, "mention")) == 1


def test_deleting_an_account_keeps_like_and_comment_counts_true(app, make_user):
    import sqlalchemy as sa

    from networkapp.extensions import db
    from networkapp.models import Post, PostComment, PostLike

    author, fan, other = make_user(), make_user(), make_user()
    first = author.post("/api/posts", json={"content": "one"}).get_json()
    second = author.post("/api/posts", json={"content": "two"}).get_json()
    for actor in (fan, other):
        assert actor.post(f"/api/posts/{first['id']}/like").status_code in (200, 201)
        assert actor.post(f"/api/posts/{first['id']}/comments", json={"content": "nice"}).status_code == 201
    fan.post(f"/api/posts/{second['id']}/comments", json={"content": "a"})
    fan.post(f"/api/posts/{second['id']}/comments", json={"content": "b"})

    assert fan.delete(f"/api/profiles/{fan.id}").status_code == 204
    with app.app_context():
        for post in db.session.scalars(sa.select(Post)):
            likes = db.session.scalar(sa.select(sa.func.count()).where(PostLike.post_id == post.id))
            comments = db.session.scalar(sa.select(sa.func.count()).where(PostComment.post_id == post.id))
            assert (post.like_count, post.comment_count) == (likes, comments)
    body = author.get(f"/api/posts/{first['id']}").get_json()
    assert body["like_count"] == 1 and body["comment_count"] == 1
