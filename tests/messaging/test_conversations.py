import threading
import uuid

import pytest
import sqlalchemy as sa

from networkapp.models import Block, Conversation, ConversationParticipant, Message
from tests.conftest import connect
from tests.messaging.conftest import count, db_rows, db_scalar, send


def test_first_message_creates_one_conversation_per_pair(app, pair):
    alice, bob = pair
    first = send(alice, recipient_id=bob.id, message_content="Hello Bob").get_json()
    assert first["sender_id"] == alice.id and first["recipient_id"] == bob.id
    assert first["content"] == "Hello Bob" and first["message_type"] == "text" and first["read_at"] is None
    reply = send(bob, recipient_id=alice.id, message_content="Hi Alice").get_json()
    assert reply["conversation_id"] == first["conversation_id"]
    assert count(app, Conversation) == 1
    assert count(app, Message, Message.conversation_id == uuid.UUID(first["conversation_id"])) == 2
    by_conversation = send(alice, conversation_id=first["conversation_id"], message_content="Third").get_json()
    assert by_conversation["conversation_id"] == first["conversation_id"]
    assert by_conversation["recipient_id"] == bob.id


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"message_content": "hi"}, "recipient_id"),
        ({"recipient_id": "RECIPIENT", "conversation_id": str(uuid.uuid4()), "message_content": "hi"}, "recipient_id"),
        ({"recipient_id": "RECIPIENT", "message_content": ""}, "message_content"),
        ({"recipient_id": "RECIPIENT", "message_content": "   \n "}, "message_content"),
        ({"recipient_id": "RECIPIENT", "message_content": "x" * 5001}, "message_content"),
        ({"recipient_id": "RECIPIENT"}, "message_content"),
        ({"recipient_id": "not-a-uuid", "message_content": "hi"}, "recipient_id"),
        ({"recipient_id": "RECIPIENT", "message_content": "hi", "sender_id": "x"}, "sender_id"),
        ({"recipient_id": "RECIPIENT", "message_content": 5}, "message_content"),
        ({"recipient_id": "RECIPIENT", "message_content": "hi", "client_id": ""}, "client_id"),
        ({"recipient_id": "RECIPIENT", "message_content": "hi", "client_id": "a\x00b"}, "client_id"),
    ],
)
def test_invalid_messages_are_422_and_store_nothing(app, pair, body, field):
    alice, bob = pair
    body = {k: (bob.id if v == "RECIPIENT" else v) for k, v in body.items()}
    response = send(alice, expect=422, **body)
    problem = response.get_json()
    assert response.mimetype == "application/problem+json"
    assert field in problem["errors"]
    assert count(app, Message) == 0 and count(app, Conversation) == 0


def test_self_and_unknown_recipients(app, alice):
    assert "recipient_id" in send(alice, expect=422, recipient_id=alice.id, message_content="me").get_json()["errors"]
    send(alice, expect=404, recipient_id=str(uuid.uuid4()), message_content="ghost")


def test_non_connections_cannot_message(app, alice, bob):
    response = send(alice, expect=403, recipient_id=bob.id, message_content="Hi stranger")
    assert response.get_json()["status"] == 403
    assert count(app, Message) == 0


@pytest.mark.parametrize("blocker", ["alice", "bob"])
def test_blocked_either_way_cannot_message(app, pair, blocker):
    alice, bob = pair
    a, b = (alice, bob) if blocker == "alice" else (bob, alice)
    with app.app_context():
        from networkapp.extensions import db

        db.session.add(Block(blocker_id=uuid.UUID(a.id), blocked_id=uuid.UUID(b.id)))
        db.session.commit()
    send(alice, expect=403, recipient_id=bob.id, message_content="Hi")
    assert count(app, Message) == 0


def test_removed_connection_blocks_existing_conversation(app, pair, conversation):
    alice, bob = pair
    with app.app_context():
        from networkapp.extensions import db
        from networkapp.models import Connection, ConnectionEdge

        db.session.execute(sa.delete(ConnectionEdge))
        db.session.execute(sa.delete(Connection))
        db.session.commit()
    send(alice, expect=403, conversation_id=conversation, message_content="still there?")
    send(bob, expect=403, recipient_id=alice.id, message_content="hello?")
    assert count(app, Message) == 1
    # The history stays readable.
    assert alice.get(f"/api/messages/{conversation}").status_code == 200


def test_history_is_for_participants_only(app, pair, conversation, make_user):
    alice, _bob = pair
    carol = make_user()
    connect(app, carol, alice)
    assert carol.get(f"/api/messages/{conversation}").status_code == 404
    send(carol, expect=404, conversation_id=conversation, message_content="let me in")
    assert carol.get(f"/api/messages/{uuid.uuid4()}").status_code == 404
    assert carol.post(f"/api/messages/{conversation}/archive").status_code == 404


def test_history_newest_first_with_keyset_pages(app, pair, conversation):
    alice, bob = pair
    for n in range(5):
        send(alice, conversation_id=conversation, message_content=f"message {n}")
    first = bob.get(f"/api/messages/{conversation}?limit=4").get_json()
    assert [m["content"] for m in first["items"]] == ["message 4", "message 3", "message 2", "message 1"]
    assert first["next_cursor"]
    send(alice, conversation_id=conversation, message_content="newer, not on the next page")
    second = bob.get(f"/api/messages/{conversation}?limit=4&cursor={first['next_cursor']}").get_json()
    assert [m["content"] for m in second["items"]] == ["message 0", "Hello Bob"]
    assert second["next_cursor"] is None
    assert bob.get(f"/api/messages/{conversation}?cursor=garbage").status_code == 400
    assert bob.get(f"/api/messages/{conversation}?limit=0").status_code == 422
    assert bob.get(f"/api/messages/{conversation}").headers["Cache-Control"] == "no-store"


def test_reading_marks_read_and_resets_unread(app, pair, conversation):
    alice, bob = pair
    send(alice, conversation_id=conversation, message_content="second")
    inbox = bob.get("/api/messages").get_json()
    assert inbox["items"][0]["unread_count"] == 2
    assert alice.get("/api/messages").get_json()["items"][0]["unread_count"] == 0
    page = bob.get(f"/api/messages/{conversation}").get_json()
    assert all(m["read_at"] for m in page["items"])
    assert bob.get("/api/messages").get_json()["items"][0]["unread_count"] == 0
    # The sender sees the receipts; reading your own messages marks nothing.
    assert all(m["read_at"] for m in alice.get(f"/api/messages/{conversation}").get_json()["items"])
    assert db_scalar(app, sa.select(sa.func.count()).select_from(Message).where(Message.read_at.is_(None))) == 0


def test_conversation_list_shape_order_and_query_count(app, make_user, query_counter):
    me = make_user()
    friends = [make_user() for _ in range(4)]
    for friend in friends:
        connect(app, me, friend)
        send(friend, recipient_id=me.id, message_content=f"hello from {friend.user['username']}")
    send(me, recipient_id=friends[1].id, message_content="latest")
    with query_counter() as statements:
        body = me.get("/api/messages?limit=3").get_json()
    assert len(body["items"]) == 3 and body["next_cursor"]
    first = body["items"][0]
    assert first["last_message"]["content"] == "latest"
    assert {p["id"] for p in first["participants"]} == {me.id, friends[1].id}
    assert "email" not in first["participants"][0]
    assert first["is_group"] is False and first["title"] is None and first["unread_count"] == 1
    assert [i["last_message"]["content"] for i in body["items"][1:]] == [
        f"hello from {friends[3].user['username']}",
        f"hello from {friends[2].user['username']}",
    ]
    rest = me.get(f"/api/messages?limit=3&cursor={body['next_cursor']}").get_json()
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None
    # A fixed number of statements however many conversations (no N+1).
    with query_counter() as more:
        me.get("/api/messages?limit=100")
    assert len(more) == len(statements) <= 8


def test_archive_hides_until_unarchived_or_new_message(app, pair, conversation):
    alice, bob = pair
    archived = bob.post(f"/api/messages/{conversation}/archive").get_json()
    assert archived["archived"] is True
    assert bob.get("/api/messages").get_json()["items"] == []
    assert [c["id"] for c in bob.get("/api/messages?archived=true").get_json()["items"]] == [conversation]
    assert alice.get("/api/messages").get_json()["items"][0]["id"] == conversation
    assert bob.delete(f"/api/messages/{conversation}/archive").get_json()["archived"] is False
    assert bob.get("/api/messages").get_json()["items"][0]["id"] == conversation
    bob.post(f"/api/messages/{conversation}/archive")
    send(alice, conversation_id=conversation, message_content="ping")
    assert bob.get("/api/messages").get_json()["items"][0]["id"] == conversation


def test_search_finds_words_in_my_conversations_only(app, make_user, pair):
    alice, bob = pair
    carol = make_user()
    connect(app, alice, carol)
    connect(app, bob, carol)
    send(alice, recipient_id=bob.id, message_content="The quarterly Budget review is on Friday")
    other = send(alice, recipient_id=carol.id, message_content="Lunch tomorrow?").get_json()
    send(bob, recipient_id=carol.id, message_content="budget secrets")
    found = alice.get("/api/messages?q=budget").get_json()["items"]
    assert len(found) == 1
    assert {p["id"] for p in found[0]["participants"]} == {alice.id, bob.id}
    assert [c["id"] for c in alice.get("/api/messages?q=LUNCH").get_json()["items"]] == [other["conversation_id"]]
    assert len(alice.get("/api/messages?q=budget friday").get_json()["items"]) == 1
    assert alice.get("/api/messages?q=budget lunch").get_json()["items"] == []
    assert alice.get("/api/messages?q=!!").get_json()["items"] == []


def test_client_id_makes_retries_safe(app, pair):
    alice, bob = pair
    first = send(alice, recipient_id=bob.id, message_content="once", client_id="c-1").get_json()
    again = send(alice, recipient_id=bob.id, message_content="once", client_id="c-1").get_json()
    assert again == first
    assert count(app, Message) == 1
    # client ids are per sender
    send(bob, recipient_id=alice.id, message_content="mine", client_id="c-1")
    assert count(app, Message) == 2


def test_idempotency_key_replays_the_response(app, pair):
    alice, bob = pair
    body = {"recipient_id": bob.id, "message_content": "retry me"}
    first = alice.post("/api/messages", json=body, headers={"Idempotency-Key": "k1"})
    second = alice.post("/api/messages", json=body, headers={"Idempotency-Key": "k1"})
    assert first.status_code == second.status_code == 201
    assert second.headers["Idempotent-Replayed"] == "true" and second.get_json() == first.get_json()
    other = alice.post("/api/messages", json={**body, "message_content": "else"}, headers={"Idempotency-Key": "k1"})
    assert other.status_code == 422
    assert count(app, Message) == 1


def test_concurrent_senders_keep_unread_counts_exact(app, make_user):
    me = make_user()
    senders = [make_user() for _ in range(3)]
    for s in senders:
        connect(app, me, s)
    conversations = {
        s.id: send(s, recipient_id=me.id, message_content="start").get_json()["conversation_id"] for s in senders
    }
    errors: list = []

    def burst(actor):
        try:
            for n in range(5):
                response = actor.post(
                    "/api/messages", json={"conversation_id": conversations[actor.id], "message_content": f"n{n}"}
                )
                if response.status_code != 201:
                    errors.append(response.get_json())
        except Exception as error:  # surfaced below
            errors.append(repr(error))

    threads = [threading.Thread(target=burst, args=(s,)) for s in senders]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    rows = db_rows(
        app,
        sa.select(ConversationParticipant.unread_count).where(ConversationParticipant.user_id == uuid.UUID(me.id)),
    )
    assert sorted(r[0] for r in rows) == [6, 6, 6]
    assert sum(c["unread_count"] for c in me.get("/api/messages").get_json()["items"]) == 18
