"""A block and a write between the same two people at the same moment: the block wins every race.

Real concurrent clients, one thread and one test client each.  Either the write happened before
the block (then the block's own cleanup settled it) or after it (then the write was refused):
afterwards nothing between the pair is live, and nothing from either reached the other's
notifications.  On SQLite writers queue one at a time; PostgreSQL is where these races are real.
"""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from networkapp.connections import graph
from networkapp.extensions import db, socketio
from networkapp.models import (
    Block,
    Connection,
    ConnectionEdge,
    ConversationParticipant,
    MentorshipProfile,
    MentorshipRequest,
    Message,
    Notification,
    SkillEndorsement,
)
from tests.conftest import ON_POSTGRES, connect, run_together
from tests.connections.conftest import add_skills, assert_counts_match_edges, rows

PAIRS = 20


def _ids(a, b) -> tuple[uuid.UUID, uuid.UUID]:
    return uuid.UUID(a.id), uuid.UUID(b.id)


def _between(a_column, b_column, a, b):
    return sa.or_(sa.and_(a_column == a, b_column == b), sa.and_(a_column == b, b_column == a))


def leftovers(app, blocker, blocked) -> dict[str, list]:
    """What of the pair outlived ``blocker``'s block of ``blocked``; every list must be empty."""
    x, y = _ids(blocker, blocked)
    since = rows(app, sa.select(Block.created_at).where(Block.blocker_id == x, Block.blocked_id == y))
    assert since, "the block must have been recorded"
    since = since[0].created_at
    return {
        "live_connections": rows(
            app,
            sa.select(Connection.id, Connection.status).where(
                _between(Connection.requester_id, Connection.recipient_id, x, y),
                Connection.status.in_(["pending", "accepted"]),
            ),
        ),
        "edges": rows(
            app,
            sa.select(ConnectionEdge.connection_id).where(
                _between(ConnectionEdge.user_id, ConnectionEdge.friend_id, x, y)
            ),
        ),
        "notifications": rows(
            app,
            sa.select(Notification.type, Notification.user_id).where(
                _between(Notification.user_id, Notification.actor_id, x, y)
            ),
        ),
        "messages_after_block": rows(
            app,
            sa.select(Message.id).where(
                _between(Message.sender_id, Message.recipient_id, x, y), Message.sent_at >= since
            ),
        ),
        "endorsements_after_block": rows(
            app,
            sa.select(SkillEndorsement.id).where(
                _between(SkillEndorsement.endorser_id, SkillEndorsement.endorsee_id, x, y),
                SkillEndorsement.created_at >= since,
            ),
        ),
        "open_mentorships": rows(
            app,
            sa.select(MentorshipRequest.id, MentorshipRequest.status).where(
                _between(MentorshipRequest.mentor_id, MentorshipRequest.mentee_id, x, y),
                MentorshipRequest.status.in_(["pending", "active"]),
            ),
        ),
        "mentorships_after_block": rows(
            app,
            sa.select(MentorshipRequest.id).where(
                _between(MentorshipRequest.mentor_id, MentorshipRequest.mentee_id, x, y),
                MentorshipRequest.created_at >= since,
            ),
        ),
    }


def assert_block_won(app, blocker, blocked) -> None:
    left = leftovers(app, blocker, blocked)
    assert {name: found for name, found in left.items() if found} == {}


def people_in_pairs(make_user, n: int = PAIRS):
    pairs = [(make_user(), make_user()) for _ in range(n)]
    for a, b in pairs:
        a.refresh_csrf(), b.refresh_csrf()
    return pairs


def block_call(blocker, blocked):
    return lambda: blocker.post("/api/connections/block", json={"user_id": blocked.id})


def statuses(responses) -> list[int]:
    return [r.status_code for r in responses]


# -- connection requests and answers ---------------------------------------------------------------------


def test_requests_racing_blocks_never_leave_a_request_to_the_blocker(app, make_user):
    pairs = people_in_pairs(make_user)
    calls = []
    for requester, recipient in pairs:
        calls.append(lambda a=requester, b=recipient: a.post("/api/connections/request", json={"target_user_id": b.id}))
        calls.append(block_call(recipient, requester))
    responses = run_together(calls)
    requests, blocks = responses[0::2], responses[1::2]
    assert statuses(blocks) == [201] * PAIRS, [r.get_json() for r in blocks]
    assert set(statuses(requests)) <= {201, 404}, [r.get_json() for r in requests if r.status_code not in (201, 404)]
    for (requester, recipient), request in zip(pairs, requests, strict=True):
        assert_block_won(app, recipient, requester)
        assert recipient.get("/api/connections/requests?direction=incoming").get_json()["items"] == []
        if request.status_code == 201:
            # Sent just before the block, removed by it: nothing is left to accept.
            answer = recipient.put(f"/api/connections/{request.get_json()['id']}/accept")
            assert answer.status_code == 404, answer.get_json()
        else:
            assert request.get_json()["detail"] == "No such user."
    assert_counts_match_edges(app)


def test_accepts_racing_blocks_never_connect_a_blocked_pair(app, make_user):
    pairs = people_in_pairs(make_user, 15)
    pending = []
    for requester, recipient in pairs:
        response = requester.post("/api/connections/request", json={"target_user_id": recipient.id})
        assert response.status_code == 201
        pending.append(response.get_json()["id"])
    calls = []
    for (requester, recipient), connection_id in zip(pairs, pending, strict=True):
        calls.append(lambda b=recipient, c=connection_id: b.put(f"/api/connections/{c}/accept"))
        # The requester changes their mind at the moment the request is accepted.
        calls.append(block_call(requester, recipient))
    responses = run_together(calls)
    accepts, blocks = responses[0::2], responses[1::2]
    assert statuses(blocks) == [201] * len(pairs), [r.get_json() for r in blocks]
    assert set(statuses(accepts)) <= {200, 404}, [r.get_json() for r in accepts]
    for requester, recipient in pairs:
        assert_block_won(app, requester, recipient)
        assert requester.get("/api/connections").get_json()["items"] == []
    assert_counts_match_edges(app)


def test_declines_racing_blocks_settle_without_a_live_request(app, make_user):
    pairs = people_in_pairs(make_user, 10)
    pending = []
    for requester, recipient in pairs:
        pending.append(requester.post("/api/connections/request", json={"target_user_id": recipient.id}).get_json())
    calls = []
    for (requester, recipient), created in zip(pairs, pending, strict=True):
        calls.append(lambda b=recipient, c=created["id"]: b.put(f"/api/connections/{c}/decline"))
        calls.append(block_call(requester, recipient))
    responses = run_together(calls)
    assert set(statuses(responses[0::2])) <= {200, 404}
    assert statuses(responses[1::2]) == [201] * len(pairs)
    for requester, recipient in pairs:
        assert_block_won(app, requester, recipient)


def test_accepting_a_request_across_a_block_is_refused(app, alice, bob):
    created = alice.post("/api/connections/request", json={"target_user_id": bob.id}).get_json()
    # The state a block landing between a request's check and its insert used to leave behind.
    with app.app_context():
        db.session.add(Block(blocker_id=uuid.UUID(bob.id), blocked_id=uuid.UUID(alice.id)))
        db.session.commit()
    for answer in ("accept", "decline"):
        response = bob.put(f"/api/connections/{created['id']}/{answer}")
        assert response.status_code == 404, response.get_json()
        assert response.get_json()["detail"] == "No such connection."
    found = rows(app, sa.select(Connection.status).where(Connection.id == uuid.UUID(created["id"])))
    assert [r.status for r in found] == ["pending"]
    assert rows(app, sa.select(ConnectionEdge.user_id)) == []
    assert [n for n in alice.get("/api/notifications").get_json()["items"] if n["type"] == "connection_accepted"] == []


def test_a_block_settles_the_request_and_the_pairs_notifications_only(app, make_user, alice, bob):
    carol = make_user()
    created = alice.post("/api/connections/request", json={"target_user_id": bob.id}).get_json()
    assert carol.post("/api/connections/request", json={"target_user_id": bob.id}).status_code == 201
    assert alice.post("/api/connections/request", json={"target_user_id": carol.id}).status_code == 201
    assert bob.post("/api/connections/block", json={"user_id": alice.id}).status_code == 201
    assert [n["actor"]["id"] for n in bob.get("/api/notifications").get_json()["items"]] == [carol.id]
    assert [n["actor"]["id"] for n in carol.get("/api/notifications").get_json()["items"]] == [alice.id]
    assert bob.put(f"/api/connections/{created['id']}/accept").status_code == 404
    assert_block_won(app, bob, alice)


@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite takes no pair lock: its writers already queue one at a time")
def test_a_write_waiting_for_the_pairs_lock_gives_up_after_the_bound(app, alice, bob, monkeypatch):
    monkeypatch.setattr(graph, "PAIR_LOCK_TIMEOUT", "300ms")
    with app.app_context():
        holder = db.engine.connect()
    try:
        holder.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": graph.pair_lock_key(*_ids(alice, bob))})
        for response in (
            alice.post("/api/connections/request", json={"target_user_id": bob.id}),
            bob.post("/api/connections/block", json={"user_id": alice.id}),
        ):
            assert response.status_code == 503 and response.headers["Retry-After"] == "1"
            assert response.mimetype == "application/problem+json"
            assert "collided with a concurrent change" in response.get_json()["detail"]
    finally:
        holder.rollback()
        holder.close()
    assert rows(app, sa.select(Connection.id)) == [] and rows(app, sa.select(Block.blocker_id)) == []
    assert rows(app, sa.select(Notification.id)) == []
    assert alice.post("/api/connections/request", json={"target_user_id": bob.id}).status_code == 201


# -- messages ----------------------------------------------------------------------------------------------


@pytest.fixture
def local_app(make_app):
    # Flask-SocketIO's test client cannot run over the Redis message queue.
    return make_app(REDIS_URL="")


def connected_pairs(app, make_user, n: int):
    pairs = people_in_pairs(make_user, n)
    for a, b in pairs:
        connect(app, a, b)
    return pairs


def socket_send(app, actor, body: dict):
    def call():
        client = socketio.test_client(app, namespace="/chat", flask_test_client=actor.client)
        try:
            return client.emit("send_message", body, namespace="/chat", callback=True)
        finally:
            client.disconnect(namespace="/chat")

    return call


@pytest.mark.parametrize("path", ["recipient", "conversation", "socket"])
def test_messages_racing_blocks_never_land_after_the_block(local_app, make_user, path):
    app = local_app
    pairs = connected_pairs(app, make_user, 12)
    calls = []
    for sender, recipient in pairs:
        if path == "recipient":
            body = {"recipient_id": recipient.id, "message_content": "Are we still on?"}
            calls.append(lambda a=sender, body=body: a.post("/api/messages", json=body))
        else:
            first = sender.post("/api/messages", json={"recipient_id": recipient.id, "message_content": "Hi"})
            assert first.status_code == 201
            conversation_id = first.get_json()["conversation_id"]
            if path == "conversation":
                body = {"conversation_id": conversation_id, "message_content": "Are we still on?"}
                calls.append(lambda a=sender, body=body: a.post("/api/messages", json=body))
            else:
                calls.append(socket_send(app, sender, {"conversation_id": conversation_id, "content": "Still on?"}))
        calls.append(block_call(recipient, sender))
    responses = run_together(calls)
    sends, blocks = responses[0::2], responses[1::2]
    assert statuses(blocks) == [201] * len(pairs), [r.get_json() for r in blocks]
    if path == "socket":
        refused = [ack["error"]["status"] for ack in sends if not ack["ok"]]
        delivered = sum(1 for ack in sends if ack["ok"])
    else:
        refused = [r.status_code for r in sends if r.status_code != 201]
        delivered = sum(1 for r in sends if r.status_code == 201)
    assert set(refused) <= {403, 404}, [r if path == "socket" else r.get_json() for r in sends]
    for sender, recipient in pairs:
        assert_block_won(app, recipient, sender)
    earlier = 0 if path == "recipient" else len(pairs)
    assert len(rows(app, sa.select(Message.id))) == earlier + delivered


@pytest.mark.parametrize("path", ["create", "add"])
def test_group_invitations_racing_blocks_never_add_the_blocker(local_app, make_user, path):
    app = local_app
    pairs = connected_pairs(app, make_user, 12)
    calls = []
    for creator, invitee in pairs:
        if path == "create":
            body = {"title": "Team", "participant_ids": [invitee.id]}
            calls.append(lambda a=creator, body=body: a.post("/api/messages/groups", json=body))
        else:
            friend = make_user()
            connect(app, creator, friend)
            made = creator.post("/api/messages/groups", json={"title": "Team", "participant_ids": [friend.id]})
            assert made.status_code == 201, made.get_json()
            members = f"/api/messages/groups/{made.get_json()['id']}/members"
            calls.append(lambda a=creator, url=members, b=invitee: a.post(url, json={"user_ids": [b.id]}))
        calls.append(block_call(invitee, creator))
    responses = run_together(calls)
    invites, blocks = responses[0::2], responses[1::2]
    assert statuses(blocks) == [201] * len(pairs), [r.get_json() for r in blocks]
    assert set(statuses(invites)) <= {200, 201, 403}, [r.get_json() for r in invites]
    for creator, invitee in pairs:
        x, y = _ids(invitee, creator)
        since = rows(app, sa.select(Block.created_at).where(Block.blocker_id == x, Block.blocked_id == y))[0][0]
        # Either the invitation came first (the block found it, and it stays), or it was refused.
        late = rows(
            app,
            sa.select(ConversationParticipant.conversation_id).where(
                ConversationParticipant.user_id == x, ConversationParticipant.joined_at >= since
            ),
        )
        assert late == [], (creator.id, invitee.id)


@pytest.mark.parametrize("action", ["like", "comment"])
def test_likes_and_comments_racing_blocks_never_notify_the_blocker(app, make_user, action):
    pairs = connected_pairs(app, make_user, 12)
    calls = []
    for author, fan in pairs:
        made = author.post("/api/posts", json={"content": "Shipping on Friday"})
        assert made.status_code == 201, made.get_json()
        post_id = made.get_json()["id"]
        if action == "like":
            calls.append(lambda a=fan, p=post_id: a.post(f"/api/posts/{p}/like"))
        else:
            calls.append(lambda a=fan, p=post_id: a.post(f"/api/posts/{p}/comments", json={"content": "Nice"}))
        calls.append(block_call(author, fan))
    responses = run_together(calls)
    writes, blocks = responses[0::2], responses[1::2]
    assert statuses(blocks) == [201] * len(pairs), [r.get_json() for r in blocks]
    assert set(statuses(writes)) <= {200, 201, 404}, [r.get_json() for r in writes]
    for author, fan in pairs:
        assert_block_won(app, author, fan)


def test_a_blocked_person_never_notifies_the_blocker_from_any_domain(app, alice, bob):
    # notify() itself refuses a blocked pair: a group join request, a job application, an alert …
    from networkapp.notifications.services import notify

    assert alice.post("/api/connections/block", json={"user_id": bob.id}).status_code == 201
    with app.app_context():
        for actor, user in _ids(alice, bob), _ids(bob, alice):
            assert notify(user, "group_join_request", actor=actor, data={}) is None
        db.session.commit()
    assert rows(app, sa.select(Notification.id)) == []


# -- endorsements and mentorship -----------------------------------------------------------------------


def test_endorsements_racing_blocks_never_land_after_the_block(app, make_user):
    pairs = connected_pairs(app, make_user, 15)
    calls = []
    for endorser, endorsee in pairs:
        skill_id = add_skills(app, endorsee.id, "Python")["Python"]
        body = {"user_id": endorsee.id, "skill_id": skill_id}
        calls.append(lambda a=endorser, body=body: a.post("/api/skills/endorse", json=body))
        calls.append(block_call(endorsee, endorser))
    responses = run_together(calls)
    endorsements, blocks = responses[0::2], responses[1::2]
    assert statuses(blocks) == [201] * len(pairs)
    assert set(statuses(endorsements)) <= {201, 404}, [r.get_json() for r in endorsements]
    for endorser, endorsee in pairs:
        assert_block_won(app, endorsee, endorser)


def become_mentor(actor) -> None:
    response = actor.put("/api/mentorship/profile", json={"as_mentor": {"topics": ["Python"], "capacity": 5}})
    assert response.status_code == 200, response.get_json()


def test_mentorship_requests_racing_blocks_never_reach_the_blocker(app, make_user):
    pairs = people_in_pairs(make_user, 15)
    calls = []
    for mentee, mentor in pairs:
        become_mentor(mentor)
        calls.append(lambda a=mentee, b=mentor: a.post("/api/mentorship/requests", json={"mentor_id": b.id}))
        calls.append(block_call(mentor, mentee))
    responses = run_together(calls)
    asks, blocks = responses[0::2], responses[1::2]
    assert statuses(blocks) == [201] * len(pairs)
    assert set(statuses(asks)) <= {201, 404}, [r.get_json() for r in asks]
    for (mentee, mentor), ask in zip(pairs, asks, strict=True):
        assert_block_won(app, mentor, mentee)
        if ask.status_code == 201:
            # Sent just before the block, declined by it.
            answer = mentor.put(f"/api/mentorship/requests/{ask.get_json()['id']}/accept")
            assert answer.status_code == 409, answer.get_json()


def test_mentorship_answers_racing_blocks_never_reach_the_blocker(app, make_user):
    pairs = people_in_pairs(make_user, 15)
    pending = []
    for mentee, mentor in pairs:
        become_mentor(mentor)
        response = mentee.post("/api/mentorship/requests", json={"mentor_id": mentor.id})
        assert response.status_code == 201
        pending.append(response.get_json()["id"])
    calls = []
    for (mentee, mentor), request_id in zip(pairs, pending, strict=True):
        calls.append(lambda b=mentor, r=request_id: b.put(f"/api/mentorship/requests/{r}/accept"))
        calls.append(block_call(mentee, mentor))
    responses = run_together(calls)
    accepts, blocks = responses[0::2], responses[1::2]
    assert statuses(blocks) == [201] * len(pairs)
    # Before the block: accepted, then ended by it.  After: the request was withdrawn by the block
    # (409), or was read as pending just before and the block is seen under the pair's lock (404).
    assert set(statuses(accepts)) <= {200, 404, 409}, [r.get_json() for r in accepts]
    for mentee, mentor in pairs:
        assert_block_won(app, mentee, mentor)
        assert seats_taken(app, mentor) == 0


def direct_block(app, blocker, blocked) -> None:
    """A block row without the block's cleanup: the state a block landing mid-write used to leave."""
    with app.app_context():
        db.session.add(Block(blocker_id=uuid.UUID(blocker.id), blocked_id=uuid.UUID(blocked.id)))
        db.session.commit()


def mentorship_rows(app, *request_ids):
    ids = [uuid.UUID(r) for r in request_ids]
    found = rows(app, sa.select(MentorshipRequest.id, MentorshipRequest.status).where(MentorshipRequest.id.in_(ids)))
    return {str(r.id): r.status for r in found}


def seats_taken(app, mentor) -> int:
    found = rows(
        app,
        sa.select(MentorshipProfile.active_mentee_count).where(MentorshipProfile.user_id == uuid.UUID(mentor.id)),
    )
    return found[0].active_mentee_count


def test_answering_a_mentorship_request_across_a_block_is_refused(app, alice, bob):
    become_mentor(alice)
    request_id = bob.post("/api/mentorship/requests", json={"mentor_id": alice.id}).get_json()["id"]
    direct_block(app, alice, bob)
    for answer in ("accept", "decline"):
        response = alice.put(f"/api/mentorship/requests/{request_id}/{answer}")
        assert response.status_code == 404, response.get_json()
    assert mentorship_rows(app, request_id) == {request_id: "pending"}
    assert seats_taken(app, alice) == 0
    assert bob.get("/api/notifications").get_json()["items"] == []


def test_a_block_closes_the_pairs_mentorships_and_gives_the_seat_back(app, make_user, alice, bob):
    carol, dave = make_user(), make_user()
    for mentor in (alice, carol):
        become_mentor(mentor)
    active = bob.post("/api/mentorship/requests", json={"mentor_id": alice.id}).get_json()["id"]
    assert alice.put(f"/api/mentorship/requests/{active}/accept").status_code == 200
    asked_carol = bob.post("/api/mentorship/requests", json={"mentor_id": carol.id}).get_json()["id"]
    asked_alice = dave.post("/api/mentorship/requests", json={"mentor_id": alice.id}).get_json()["id"]
    assert seats_taken(app, alice) == 1

    # The mentee blocks the mentor of an active mentorship; a mentor blocks a waiting mentee.
    assert bob.post("/api/connections/block", json={"user_id": alice.id}).status_code == 201
    assert alice.post("/api/connections/block", json={"user_id": dave.id}).status_code == 201
    assert carol.post("/api/connections/block", json={"user_id": bob.id}).status_code == 201
    assert mentorship_rows(app, active, asked_carol, asked_alice) == {
        active: "ended",
        asked_carol: "declined",
        asked_alice: "declined",
    }
    assert seats_taken(app, alice) == 0 and seats_taken(app, carol) == 0
    for blocker, blocked in ((bob, alice), (alice, dave), (carol, bob)):
        assert_block_won(app, blocker, blocked)
    # Blocking back closes nothing twice: the seat count stays put.
    assert alice.post("/api/connections/block", json={"user_id": bob.id}).status_code == 201
    assert seats_taken(app, alice) == 0


def test_a_mentee_blocking_withdraws_their_pending_request(app, alice, bob):
    become_mentor(alice)
    request_id = bob.post("/api/mentorship/requests", json={"mentor_id": alice.id}).get_json()["id"]
    assert bob.post("/api/connections/block", json={"user_id": alice.id}).status_code == 201
    assert mentorship_rows(app, request_id) == {request_id: "withdrawn"}
    assert alice.get("/api/notifications").get_json()["items"] == []


def test_blocks_racing_the_blocked_persons_account_deletion_settle_without_a_collision(app, make_user):
    # Each block clears the pair's notifications and mentorships; the deletion clears the leaver's
    # notifications and cascades into the same rows.  Neither may wait on the other in a circle.
    leaver = make_user()
    become_mentor(leaver)
    others = [make_user() for _ in range(8)]
    for other in others:
        assert leaver.post("/api/connections/request", json={"target_user_id": other.id}).status_code == 201
        assert other.post("/api/mentorship/requests", json={"mentor_id": leaver.id}).status_code == 201
        other.refresh_csrf()
    leaver.refresh_csrf()
    calls = [block_call(other, leaver) for other in others]
    calls.insert(4, lambda: leaver.delete(f"/api/profiles/{leaver.id}"))
    responses = run_together(calls)
    assert responses[4].status_code == 204, responses[4].get_json()
    blocks = responses[:4] + responses[5:]
    # A block that came after the deletion finds nobody to block.
    assert all(r.status_code in (201, 404, 409) for r in blocks), [r.get_json() for r in blocks]
    assert rows(app, sa.select(MentorshipRequest.id)) == []
    assert rows(app, sa.select(Notification.id)) == []
    assert rows(app, sa.select(Block.blocker_id)) == []
    assert_counts_match_edges(app)
