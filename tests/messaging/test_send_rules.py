"""Sending rules that the single pre-send query must keep: replays, blocks, auto-responses, races."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from networkapp.extensions import db
from networkapp.messaging import services
from networkapp.models import Block, Message
from tests.conftest import connect
from tests.messaging.conftest import count, events, send, sio, wait_for


@pytest.fixture
def app(local_app):
    return local_app


def group(owner, *members, title="Team") -> str:
    response = owner.post("/api/messages/groups", json={"title": title, "participant_ids": [m.id for m in members]})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def block(app, blocker, blocked) -> None:
    with app.app_context():
        db.session.add(Block(blocker_id=uuid.UUID(blocker.id), blocked_id=uuid.UUID(blocked.id)))
        db.session.commit()


@pytest.mark.parametrize("blocker", ["alice", "bob"])
def test_a_blocked_conversation_is_404_when_written_to_by_id(app, pair, conversation, blocker):
    alice, bob = pair
    block(app, *((alice, bob) if blocker == "alice" else (bob, alice)))
    body = send(alice, expect=404, conversation_id=conversation, message_content="still there?").get_json()
    assert body["status"] == 404 and body["detail"] == "No such conversation."
    ack = sio(app, alice).emit(
        "send_message", {"conversation_id": conversation, "content": "hello?"}, namespace="/chat", callback=True
    )
    assert ack["ok"] is False and ack["error"]["status"] == 404
    assert count(app, Message) == 1


def test_a_retry_finds_its_message_after_leaving_the_group(app, make_user, alice):
    bob = make_user()
    connect(app, alice, bob)
    conversation_id = group(alice, bob)
    first = send(alice, conversation_id=conversation_id, message_content="bye all", client_id="last-words").get_json()
    assert alice.post(f"/api/messages/groups/{conversation_id}/leave").status_code == 204
    again = send(alice, conversation_id=conversation_id, message_content="bye all", client_id="last-words")
    assert again.get_json() == first
    # Without the client_id it is a new message into a conversation that is no longer mine.
    send(alice, expect=404, conversation_id=conversation_id, message_content="bye all")
    assert count(app, Message) == 1


def test_away_group_members_auto_respond_once(app, make_user, alice):
    bob, carol = make_user(), make_user()
    for friend in (bob, carol):
        connect(app, alice, friend)
    conversation_id = group(alice, bob, carol)
    assert bob.put("/api/messages/settings", json={"availability": "away", "auto_response": "On leave."}).status_code
    send(alice, conversation_id=conversation_id, message_content="Who is around?")
    send(carol, conversation_id=conversation_id, message_content="Me")
    history = alice.get(f"/api/messages/{conversation_id}").get_json()["items"]
    replies = [m for m in history if m["message_type"] == "system"]
    assert [(r["sender_id"], r["content"], r["recipient_id"]) for r in replies] == [(bob.id, "On leave.", None)]


def test_away_peer_auto_responds_when_written_to_by_conversation_id(app, pair, conversation):
    alice, bob = pair
    bob.put("/api/messages/settings", json={"availability": "away", "auto_response": "Back Monday."})
    send(alice, conversation_id=conversation, message_content="Are you there?")
    history = alice.get(f"/api/messages/{conversation}").get_json()["items"]
    reply = history[0]
    assert reply["message_type"] == "system" and reply["sender_id"] == bob.id and reply["recipient_id"] == alice.id
    assert reply["content"] == "Back Monday."


def test_a_client_id_taken_after_the_checks_returns_the_winner(app, pair, conversation, monkeypatch):
    """Two connections send the same client_id: the one whose insert finds it taken answers with the winner."""
    alice, bob = pair
    winner = send(alice, conversation_id=conversation, message_content="sent once", client_id="dup-1").get_json()
    # As if the winner had committed between this request's checks and its insert.
    gate = services._CONVERSATION_GATE
    blind = gate.with_only_columns(
        sa.null().label("earlier"), *[c for c in gate.selected_columns if c.name != "earlier"]
    )
    monkeypatch.setattr(services, "_CONVERSATION_GATE", blind)
    bob_tab = sio(app, bob)
    events(bob_tab, "message")
    again = send(alice, conversation_id=conversation, message_content="sent once", client_id="dup-1").get_json()
    assert again == winner
    assert count(app, Message, Message.client_id == "dup-1") == 1
    assert count(app, Message) == 2  # the conversation's first message and the winner
    # Nothing was pushed for the loser, and the conversation was not bumped a second time.
    assert wait_for(bob_tab, "message", timeout=0.3) == []
    item = bob.get("/api/messages").get_json()["items"][0]
    assert item["unread_count"] == 2 and item["last_message"]["id"] == winner["id"]
