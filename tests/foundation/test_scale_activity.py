"""``flask seed scale``: posts, likes, comments, direct messages, achievements and job changes."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from networkapp.extensions import db
from networkapp.models import (
    Achievement,
    ConnectionEdge,
    Conversation,
    ConversationParticipant,
    Experience,
    Message,
    MessageSearchToken,
    Post,
    PostComment,
    PostLike,
    User,
)
from networkapp.scale import SCALE_PASSWORD, Activity, Conversations, Network, generate_graph, generate_people
from networkapp.scale import generate_posts as generate_post_rows
from tests.conftest import Actor

USERS, CONNECTIONS, SEED = 200, 1000, 11


def _as_of() -> datetime:
    return datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)


def _seed(runner, as_of: datetime, *extra: str):
    args = ["seed", "scale", "--users", str(USERS), "--connections", str(CONNECTIONS), "--seed", str(SEED)]
    args += ["--as-of", as_of.strftime("%Y-%m-%d %H:%M:%S"), *extra]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    return result


def count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def _sign_in(app, user_id) -> Actor:
    with app.app_context():
        username = db.session.scalar(sa.select(User.username).where(User.id == user_id))
    actor = Actor(app)
    assert actor.post("/api/auth/login", json={"username": username, "password": SCALE_PASSWORD}).status_code == 200
    return actor


def _connected(a, b):
    return sa.exists().where(ConnectionEdge.user_id == a, ConnectionEdge.friend_id == b)


def test_posts_likes_and_comments_are_in_proportion_with_true_counters(app, runner):
    as_of = _as_of()
    result = _seed(runner, as_of)
    for label in ("achievements", "job changes", "posts", "likes", "comments", "conversations", "messages"):
        assert label in result.output
    with app.app_context():
        assert count(Post) == USERS // 2
        assert count(Post, Post.created_at >= as_of - timedelta(days=30)) >= USERS // 4
        assert count(Post, Post.created_at > as_of) == 0
        assert count(PostLike) > count(Post) and count(PostComment) > 0
        likes = sa.select(sa.func.count()).where(PostLike.post_id == Post.id).scalar_subquery()
        comments = sa.select(sa.func.count()).where(PostComment.post_id == Post.id).scalar_subquery()
        assert count(Post, Post.like_count != likes) == 0
        assert count(Post, Post.comment_count != comments) == 0
        # Nobody reacts to what they cannot see: private posts have no likes, connections-only ones
        # are liked by connections, and no one likes their own post.
        private = sa.select(Post.id).where(Post.visibility == "private")
        assert count(PostLike, PostLike.post_id.in_(private)) == 0
        joined = sa.select(sa.func.count()).select_from(PostLike).join(Post, Post.id == PostLike.post_id)
        assert db.session.scalar(joined.where(PostLike.user_id == Post.author_id)) == 0
        outsiders = joined.where(Post.visibility == "connections", ~_connected(PostLike.user_id, Post.author_id))
        assert db.session.scalar(outsiders) == 0
        # Likes and comments come after the post.
        assert db.session.scalar(joined.where(PostLike.created_at < Post.created_at)) == 0

        # The feed's other sources: achievements, and job changes that end the previous position.
        assert count(Achievement) > 0
        assert count(Achievement, Achievement.created_at >= as_of - timedelta(days=30)) > 0
        changes = count(
            Experience, Experience.is_current.is_(True), Experience.created_at >= as_of - timedelta(days=30)
        )
        assert changes == round(USERS * 0.04)
        doubly_current = (
            sa.select(Experience.user_id)
            .where(Experience.is_current.is_(True))
            .group_by(Experience.user_id)
            .having(sa.func.count() > 1)
        )
        assert db.session.execute(doubly_current).first() is None
        hub = db.session.scalar(sa.select(User.id).order_by(User.connection_count.desc()).limit(1))

    feed = _sign_in(app, hub).get("/api/feed?limit=50")
    assert feed.status_code == 200
    types = {item["type"] for item in feed.get_json()["items"]}
    assert "post" in types


def test_direct_messages_are_consistent_and_readable_through_the_api(app, runner):
    as_of = _as_of()
    _seed(runner, as_of, "--messages", "700")
    with app.app_context():
        conversations = USERS // 4
        assert count(Conversation) == conversations
        assert count(ConversationParticipant) == 2 * conversations
        assert count(Message) == 700
        assert count(Message, Message.sent_at > as_of) == 0
        cp = ConversationParticipant
        # Only connections talk, and each participant row names the other person.
        assert count(cp, ~_connected(cp.user_id, cp.peer_id)) == 0
        assert count(Message, ~_connected(Message.sender_id, Message.recipient_id)) == 0
        # The conversation points at its newest message, and its time is the inbox's order key.
        newest = (
            sa.select(Message.id)
            .where(Message.conversation_id == Conversation.id)
            .order_by(Message.sent_at.desc(), Message.id.desc())
            .limit(1)
            .scalar_subquery()
        )
        assert count(Conversation, Conversation.last_message_id != newest) == 0
        last_sent = sa.select(sa.func.max(Message.sent_at)).where(Message.conversation_id == Conversation.id)
        assert count(Conversation, Conversation.last_activity != last_sent.scalar_subquery()) == 0
        assert (
            count(
                cp,
                cp.last_activity
                != sa.select(Conversation.last_activity).where(Conversation.id == cp.conversation_id).scalar_subquery(),
            )
            == 0
        )
        # Unread counters are the messages from the other person not read yet.
        unread = (
            sa.select(sa.func.count())
            .where(Message.conversation_id == cp.conversation_id, Message.recipient_id == cp.user_id)
            .where(Message.read_at.is_(None))
            .scalar_subquery()
        )
        assert count(cp, cp.unread_count != unread) == 0
        assert count(cp, cp.unread_count > 0) > 0
        assert count(Message, Message.read_at < Message.sent_at) == 0
        # Every message is searchable, and bodies are stored encrypted.
        untokenised = ~sa.exists().where(MessageSearchToken.message_id == Message.id)
        assert count(Message, untokenised) == 0
        raw = db.session.execute(sa.text("SELECT content FROM messages LIMIT 5")).scalars().all()
        assert all(value.startswith("gAAAA") for value in raw)

        reader, conversation_id, unread_before = db.session.execute(
            sa.select(cp.user_id, cp.conversation_id, cp.unread_count).where(cp.unread_count > 0).limit(1)
        ).one()
        newest_text = db.session.scalar(
            sa.select(Message).where(Message.conversation_id == conversation_id).order_by(Message.sent_at.desc())
        ).content

    actor = _sign_in(app, reader)
    inbox = actor.get("/api/messages?limit=50").get_json()["items"]
    mine = next(item for item in inbox if item["id"] == str(conversation_id))
    assert mine["unread_count"] == unread_before
    assert mine["last_message"]["content"] == newest_text
    history = actor.get(f"/api/messages/{conversation_id}").get_json()["items"]
    assert history and all(item["content"].strip() for item in history)
    assert history[0]["content"] == newest_text
    again = actor.get("/api/messages?limit=50").get_json()["items"]
    assert next(item for item in again if item["id"] == str(conversation_id))["unread_count"] == 0
    word = max(newest_text.replace(",", " ").replace("!", " ").split(), key=len)
    found = actor.get(f"/api/messages?q={word}").get_json()["items"]
    assert str(conversation_id) in {item["id"] for item in found}


def test_same_seed_same_activity(app, runner):
    as_of = _as_of()
    _seed(runner, as_of)
    with app.app_context():
        # The activity depends only on the people and the graph, both drawn first from the seed.
        net = Network(rng=random.Random(SEED))
        generate_people(net, USERS, "unused")
        generate_graph(net, CONNECTIONS, 5)
        act = Activity(net, SEED, as_of)
        expected = generate_post_rows(act, USERS // 2)
        stored = db.session.execute(
            sa.select(Post.id, Post.content, Post.created_at, Post.like_count, Post.comment_count).order_by(Post.id)
        ).all()
        assert stored == sorted(
            (p["id"], p["content"], p["created_at"], p["like_count"], p["comment_count"]) for p in expected.posts
        )
        assert sorted(db.session.execute(sa.select(PostLike.post_id, PostLike.user_id)).all()) == sorted(
            (like["post_id"], like["user_id"]) for like in expected.likes
        )
        talks = Conversations(act, USERS // 4, USERS // 4 * 10)
        script = [m for s in talks.scripts() for m in s.messages]
        stored = db.session.execute(
            sa.select(Message.id, Message.content, Message.sent_at, Message.read_at).order_by(Message.id)
        ).all()
        assert stored == sorted((m["id"], m["content"], m["sent_at"], m["read_at"]) for m in script)
