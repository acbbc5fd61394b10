import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from networkapp.models import AutoResponseLog, Conversation, ConversationParticipant, Message, MessagingSettings
from tests.conftest import connect
from tests.messaging.conftest import count, db_rows, send


@pytest.fixture
def crew(app, make_user):
    owner, a, b, stranger = (make_user() for _ in range(4))
    for friend in (a, b):
        connect(app, owner, friend)
    return owner, a, b, stranger


def members(app, conversation_id):
    rows = db_rows(
        app,
        sa.select(ConversationParticipant.user_id).where(
            ConversationParticipant.conversation_id == uuid.UUID(conversation_id)
        ),
    )
    return {str(r[0]) for r in rows}


def test_group_with_connections(app, crew):
    owner, a, b, _ = crew
    response = owner.post("/api/messages/groups", json={"title": " Team ", "participant_ids": [a.id, b.id]})
    assert response.status_code == 201
    group = response.get_json()
    assert group["is_group"] is True and group["title"] == "Team" and group["creator_id"] == owner.id
    assert {p["id"] for p in group["participants"]} == {owner.id, a.id, b.id}
    # a and b need not be connected to each other to talk in the group.
    message = send(a, conversation_id=group["id"], message_content="hello team").get_json()
    assert message["recipient_id"] is None
    unread = {c["id"]: c["unread_count"] for c in b.get("/api/messages").get_json()["items"]}
    assert unread == {group["id"]: 1}


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"title": "x", "participant_ids": ["STRANGER"]}, 403),
        ({"title": "x", "participant_ids": [str(uuid.uuid4())]}, 403),
        ({"title": "x", "participant_ids": ["SELF"]}, 422),
        ({"title": "x", "participant_ids": []}, 422),
        ({"title": "   ", "participant_ids": ["A"]}, 422),
        ({"participant_ids": ["A"]}, 422),
        ({"title": "x" * 101, "participant_ids": ["A"]}, 422),
        ({"title": "nul\x00byte", "participant_ids": ["A"]}, 422),
        ({"title": "x", "participant_ids": ["A"], "creator_id": "SELF"}, 422),
    ],
)
def test_group_creation_rules(app, crew, body, status):
    owner, a, _, stranger = crew
    swap = {"STRANGER": stranger.id, "SELF": owner.id, "A": a.id}
    body = {k: ([swap.get(i, i) for i in v] if isinstance(v, list) else swap.get(v, v)) for k, v in body.items()}
    assert owner.post("/api/messages/groups", json=body).status_code == status
    assert count(app, Conversation) == 0


def test_only_the_creator_manages_members(app, crew, make_user):
    owner, a, b, stranger = crew
    group = owner.post("/api/messages/groups", json={"title": "T", "participant_ids": [a.id]}).get_json()
    path = f"/api/messages/groups/{group['id']}/members"
    assert a.post(path, json={"user_ids": [b.id]}).status_code == 403
    assert stranger.post(path, json={"user_ids": [b.id]}).status_code == 404
    assert owner.post(path, json={"user_ids": [stranger.id]}).status_code == 403
    added = owner.post(path, json={"user_ids": [b.id, a.id]})
    assert added.status_code == 200
    assert members(app, group["id"]) == {owner.id, a.id, b.id}
    assert a.delete(f"{path}/{b.id}").status_code == 403
    assert owner.delete(f"{path}/{stranger.id}").status_code == 404
    assert owner.delete(f"{path}/{b.id}").status_code == 204
    assert members(app, group["id"]) == {owner.id, a.id}
    assert b.get(f"/api/messages/{group['id']}").status_code == 404
    send(b, expect=404, conversation_id=group["id"], message_content="still here?")


def test_leaving_hands_the_group_on_and_the_last_one_out_deletes_it(app, crew):
    owner, a, b, _ = crew
    group = owner.post("/api/messages/groups", json={"title": "T", "participant_ids": [a.id, b.id]}).get_json()
    assert owner.post(f"/api/messages/groups/{group['id']}/leave").status_code == 204
    assert members(app, group["id"]) == {a.id, b.id}
    creator = db_rows(app, sa.select(Conversation.creator_id).where(Conversation.id == uuid.UUID(group["id"])))[0][0]
    assert str(creator) in {a.id, b.id}
    a.post(f"/api/messages/groups/{group['id']}/leave")
    b.post(f"/api/messages/groups/{group['id']}/leave")
    assert count(app, Conversation) == 0


def test_direct_conversations_have_no_members_to_manage(app, crew):
    owner, a, _, _ = crew
    conversation = send(owner, recipient_id=a.id, message_content="hi").get_json()["conversation_id"]
    assert owner.post(f"/api/messages/groups/{conversation}/leave").status_code == 409
    assert owner.post(f"/api/messages/groups/{conversation}/members", json={"user_ids": [a.id]}).status_code == 409


def test_settings_defaults_and_partial_update(app, alice):
    assert alice.get("/api/messages/settings").get_json() == {
        "read_receipts": True,
        "availability": "available",
        "auto_response": None,
        "email_opt_out": [],
    }
    changed = alice.put("/api/messages/settings", json={"availability": "busy"}).get_json()
    assert changed["availability"] == "busy" and changed["read_receipts"] is True
    for bad in (
        {"availability": "asleep"},
        {"read_receipts": "sometimes"},
        {"email_opt_out": ["spam"]},
        {"auto_response": "x" * 1001},
        {"user_id": alice.id},
    ):
        response = alice.put("/api/messages/settings", json=bad)
        assert response.status_code == 422, bad
    assert alice.get("/api/messages/settings").get_json()["availability"] == "busy"
    assert count(app, MessagingSettings) == 1


def test_read_receipt_opt_out_is_enforced_both_ways(app, pair, conversation):
    alice, bob = pair
    bob.put("/api/messages/settings", json={"read_receipts": False})
    bob.get(f"/api/messages/{conversation}")
    # Bob read it (his unread count is reset) but sent no receipt.
    assert bob.get("/api/messages").get_json()["items"][0]["unread_count"] == 0
    assert alice.get(f"/api/messages/{conversation}").get_json()["items"][0]["read_at"] is None
    assert db_rows(app, sa.select(Message.read_at))[0][0] is None
    # Alice's receipts do reach the database, but Bob (opted out) does not see them.
    send(bob, conversation_id=conversation, message_content="reply")
    alice.get(f"/api/messages/{conversation}")
    assert db_rows(app, sa.select(sa.func.count()).select_from(Message).where(Message.read_at.is_not(None)))[0][0] == 1
    bob_view = bob.get(f"/api/messages/{conversation}").get_json()["items"]
    assert bob_view[0]["content"] == "reply" and bob_view[0]["read_at"] is None
    assert bob.get("/api/messages").get_json()["items"][0]["last_message"]["read_at"] is None
    bob.put("/api/messages/settings", json={"read_receipts": True})
    assert bob.get(f"/api/messages/{conversation}").get_json()["items"][0]["read_at"] is not None


def test_auto_response_once_per_conversation_per_day(app, pair, make_user):
    alice, bob = pair
    bob.put("/api/messages/settings", json={"availability": "away", "auto_response": "Out until Monday."})
    first = send(alice, recipient_id=bob.id, message_content="Are you there?").get_json()
    send(alice, recipient_id=bob.id, message_content="Hello?")
    history = alice.get(f"/api/messages/{first['conversation_id']}").get_json()["items"]
    replies = [m for m in history if m["message_type"] == "system"]
    assert len(replies) == 1
    assert replies[0]["sender_id"] == bob.id and replies[0]["content"] == "Out until Monday."
    # Another day: another single reply.
    with app.app_context():
        from networkapp.extensions import db

        db.session.execute(sa.update(AutoResponseLog).values(day=AutoResponseLog.day - timedelta(days=1)))
        db.session.commit()
    send(alice, recipient_id=bob.id, message_content="Next day")
    send(alice, recipient_id=bob.id, message_content="Next day again")
    assert count(app, Message, Message.message_type == "system") == 2
    # Not away (or no text): no replies.
    bob.put("/api/messages/settings", json={"availability": "busy"})
    with app.app_context():
        from networkapp.extensions import db

        db.session.execute(sa.delete(AutoResponseLog))
        db.session.commit()
    send(alice, recipient_id=bob.id, message_content="Busy?")
    assert count(app, Message, Message.message_type == "system") == 2
