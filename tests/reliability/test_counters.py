"""Every stored count equals COUNT(*) of the rows it counts, whatever double clicks and bursts do.

Concurrent cases use real clients, one per thread (``run_together``); they bite on PostgreSQL
(``TEST_DATABASE_URL``), where writers really interleave.  On SQLite writers queue one behind the
other, so there the same tests check the sequential answers.  After every scenario the database
is compared with ``invariants.CHECKS`` (each stored count against the rows it counts).
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import sqlalchemy as sa

from networkapp.database import utcnow
from networkapp.extensions import db
from networkapp.models import (
    Conversation,
    ConversationParticipant,
    Event,
    Group,
    GroupMember,
    MentorshipProfile,
    Message,
    Post,
    PostComment,
    PostLike,
    Skill,
    User,
    UserSkill,
)
from tests.conftest import connect, run_together, signed_in_copy
from tests.reliability.invariants import violations


def counts_off(app) -> dict[str, int]:
    return violations(app.config["SQLALCHEMY_DATABASE_URI"])


def scalar(app, stmt):
    with app.app_context():
        value = db.session.scalar(stmt)
        db.session.remove()
        return value


def sessions_of(app, actor, n: int) -> list:
    copies = [signed_in_copy(app, actor) for _ in range(n)]
    for copy in copies:
        copy.refresh_csrf()
    return copies


def statuses(responses) -> list[int]:
    return sorted(r.status_code for r in responses)


def no_server_errors(responses) -> None:
    assert all(r.status_code < 500 for r in responses), [r.get_json() for r in responses if r.status_code >= 500]


def new_post(actor) -> str:
    response = actor.post("/api/posts", json={"content": "Counting things"})
    assert response.status_code == 201
    return response.get_json()["id"]


def comment(actor, post_id: str) -> str:
    response = actor.post(f"/api/posts/{post_id}/comments", json={"content": "+1"})
    assert response.status_code == 201
    return response.get_json()["id"]


def stored(app, column, key):
    return scalar(app, sa.select(column).where(column.class_.id == uuid.UUID(key)))


def rows_of(app, model, *where) -> int:
    return scalar(app, sa.select(sa.func.count()).select_from(model).where(*where))


# -- comments ----------------------------------------------------------------------------------------


def test_deleting_a_comment_twice_answers_404_and_counts_once(app, alice, bob):
    post_id = new_post(alice)
    first, second = comment(bob, post_id), comment(bob, post_id)
    assert bob.delete(f"/api/posts/{post_id}/comments/{first}").status_code == 204
    again = bob.delete(f"/api/posts/{post_id}/comments/{first}")
    assert again.status_code == 404 and again.headers["Content-Type"] == "application/problem+json"
    assert alice.get(f"/api/posts/{post_id}").get_json()["comment_count"] == 1
    assert bob.delete(f"/api/posts/{post_id}/comments/{second}").status_code == 204
    assert stored(app, Post.comment_count, post_id) == 0
    assert counts_off(app) == {}


def test_concurrent_deletes_of_the_same_comments_take_each_off_once(app, alice, bob):
    post_id = new_post(alice)
    ids = [comment(bob, post_id) for _ in range(6)]
    authors, owners = sessions_of(app, bob, 5), sessions_of(app, alice, 5)
    # Ten clients at once on each of two comments: the comment's author and the post's author, five sessions each.
    calls = [lambda s=s, c=c: s.delete(f"/api/posts/{post_id}/comments/{c}") for c in ids[:2] for s in authors + owners]
    responses = run_together(calls)
    assert statuses(responses) == [204] * 2 + [404] * 18
    assert stored(app, Post.comment_count, post_id) == 4 == rows_of(app, PostComment)
    # The survivors can still be deleted: the count never hit its floor early.
    for c in ids[2:]:
        assert bob.delete(f"/api/posts/{post_id}/comments/{c}").status_code == 204
    assert stored(app, Post.comment_count, post_id) == 0
    assert counts_off(app) == {}


def test_comment_burst_keeps_the_count(app, alice, make_user):
    post_id = new_post(alice)
    people = [make_user() for _ in range(4)]
    existing = {p.id: comment(p, post_id) for p in people}
    calls = []
    for p in people:
        calls.append(lambda p=p: p.post(f"/api/posts/{post_id}/comments", json={"content": "again"}))
        for s in sessions_of(app, p, 2):
            calls.append(lambda s=s, c=existing[p.id]: s.delete(f"/api/posts/{post_id}/comments/{c}"))
    responses = run_together(calls)
    no_server_errors(responses)
    assert statuses(responses).count(204) == len(people)
    assert stored(app, Post.comment_count, post_id) == len(people) == rows_of(app, PostComment)
    assert counts_off(app) == {}


# -- likes -------------------------------------------------------------------------------------------


def test_unliking_from_many_sessions_at_once_takes_one_like_off(app, alice, bob):
    post_id = new_post(alice)
    assert bob.post(f"/api/posts/{post_id}/like").status_code == 200
    responses = run_together([lambda s=s: s.delete(f"/api/posts/{post_id}/like") for s in sessions_of(app, bob, 6)])
    assert statuses(responses) == [200] + [404] * 5
    assert bob.delete(f"/api/posts/{post_id}/like").status_code == 404
    assert stored(app, Post.like_count, post_id) == 0
    assert bob.post(f"/api/posts/{post_id}/like").get_json()["like_count"] == 1
    assert counts_off(app) == {}


def test_like_and_unlike_burst_keeps_the_count(app, alice, make_user):
    post_id = new_post(alice)
    people = [make_user() for _ in range(5)]
    for p in people[:3]:
        assert p.post(f"/api/posts/{post_id}/like").status_code == 200
    calls = []
    for p in people:
        for s in sessions_of(app, p, 2):
            calls.append(lambda s=s: s.post(f"/api/posts/{post_id}/like"))
            calls.append(lambda s=s: s.delete(f"/api/posts/{post_id}/like"))
    responses = run_together(calls)
    no_server_errors(responses)
    assert set(statuses(responses)) <= {200, 404, 409}
    assert stored(app, Post.like_count, post_id) == rows_of(app, PostLike)
    assert counts_off(app) == {}


# -- group members -----------------------------------------------------------------------------------


def new_group(actor) -> str:
    response = actor.post("/api/groups", json={"name": f"Group {uuid.uuid4().hex[:6]}", "visibility": "public"})
    assert response.status_code == 201
    return response.get_json()["id"]


def test_leaving_a_group_twice_answers_404_and_counts_once(app, alice, bob):
    group_id = new_group(alice)
    assert bob.post(f"/api/groups/{group_id}/join").status_code == 201
    assert bob.post(f"/api/groups/{group_id}/leave").status_code == 204
    assert bob.post(f"/api/groups/{group_id}/leave").status_code == 404
    assert stored(app, Group.member_count, group_id) == 1
    assert counts_off(app) == {}


def test_concurrent_leaves_count_once_and_the_last_member_can_still_leave(app, alice, make_user):
    group_id = new_group(alice)
    members = [make_user() for _ in range(5)]
    for m in members:
        assert m.post(f"/api/groups/{group_id}/join").status_code == 201
    calls = [lambda s=s: s.post(f"/api/groups/{group_id}/leave") for m in members for s in sessions_of(app, m, 2)]
    responses = run_together(calls)
    assert statuses(responses) == [204] * 5 + [404] * 5
    assert stored(app, Group.member_count, group_id) == 1 == rows_of(app, GroupMember)
    assert counts_off(app) == {}
    assert alice.post(f"/api/groups/{group_id}/leave").status_code == 204
    assert rows_of(app, Group) == 0


def test_admin_removing_a_member_who_leaves_at_the_same_time_counts_once(app, alice, bob):
    group_id = new_group(alice)
    assert bob.post(f"/api/groups/{group_id}/join").status_code == 201
    calls = [lambda s=s: s.delete(f"/api/groups/{group_id}/members/{bob.id}") for s in sessions_of(app, alice, 3)]
    calls += [lambda s=s: s.post(f"/api/groups/{group_id}/leave") for s in sessions_of(app, bob, 3)]
    responses = run_together(calls)
    assert statuses(responses) == [204] + [404] * 5
    assert stored(app, Group.member_count, group_id) == 1 == rows_of(app, GroupMember)
    assert counts_off(app) == {}


def test_the_last_two_admins_leaving_together_delete_the_group(app, make_user):
    calls = []
    for _ in range(6):
        first, second = make_user(), make_user()
        group_id = new_group(first)
        assert second.post(f"/api/groups/{group_id}/join").status_code == 201
        assert first.put(f"/api/groups/{group_id}/members/{second.id}", json={"role": "admin"}).status_code == 200
        calls += [lambda a=a, g=group_id: a.post(f"/api/groups/{g}/leave") for a in (first, second)]
    responses = run_together(calls)
    # The second of each pair to leave was the last member, so the group went with them: never an
    # empty group left behind.
    assert statuses(responses) == [204] * len(calls)
    assert rows_of(app, Group) == 0 and rows_of(app, GroupMember) == 0


def test_join_and_leave_burst_keeps_the_count(app, alice, make_user):
    group_id = new_group(alice)
    people = [make_user() for _ in range(5)]
    for p in people[:3]:
        assert p.post(f"/api/groups/{group_id}/join").status_code == 201
    calls = []
    for p in people:
        for s in sessions_of(app, p, 2):
            calls.append(lambda s=s: s.post(f"/api/groups/{group_id}/join"))
            calls.append(lambda s=s: s.post(f"/api/groups/{group_id}/leave"))
    responses = run_together(calls)
    no_server_errors(responses)
    assert set(statuses(responses)) <= {201, 204, 404, 409}
    assert stored(app, Group.member_count, group_id) == rows_of(app, GroupMember)
    assert counts_off(app) == {}


# -- connections -------------------------------------------------------------------------------------


def test_removing_a_connection_from_both_sides_at_once_counts_once(app, alice, bob):
    requested = alice.post("/api/connections/request", json={"target_user_id": bob.id}).get_json()
    assert bob.put(f"/api/connections/{requested['id']}/accept").status_code == 200
    calls = [lambda s=s: s.delete(f"/api/connections/{requested['id']}") for s in sessions_of(app, alice, 3)]
    calls += [lambda s=s: s.delete(f"/api/connections/{requested['id']}") for s in sessions_of(app, bob, 3)]
    responses = run_together(calls)
    assert statuses(responses) == [204] + [404] * 5
    assert alice.delete(f"/api/connections/{requested['id']}").status_code == 404
    assert stored(app, User.connection_count, alice.id) == 0 == stored(app, User.connection_count, bob.id)
    assert counts_off(app) == {}


# -- skill usage -------------------------------------------------------------------------------------


def usage(app, name: str) -> int:
    return scalar(app, sa.select(Skill.usage_count).where(Skill.name_key == name.lower()))


def holders(app, name: str) -> int:
    return scalar(
        app,
        sa.select(sa.func.count())
        .select_from(UserSkill)
        .join(Skill, Skill.id == UserSkill.skill_id)
        .where(Skill.name_key == name.lower()),
    )


def skills(*names: str) -> dict:
    return {"skills": [{"name": n} for n in names]}


def test_one_profile_saved_from_many_sessions_at_once_counts_each_skill_once(app, alice):
    assert alice.put(f"/api/profiles/{alice.id}", json=skills("Python", "SQL")).status_code == 200
    before = {n: usage(app, n) for n in ("Python", "SQL", "Docker")}
    copies = sessions_of(app, alice, 6)
    # Every save drops SQL and adds Docker; only the first to arrive really does.
    responses = run_together(
        [lambda s=s: s.put(f"/api/profiles/{alice.id}", json=skills("Python", "Docker")) for s in copies]
    )
    assert statuses(responses) == [200] * 6, [r.get_json() for r in responses]
    assert usage(app, "SQL") == before["SQL"] - 1 == holders(app, "SQL")
    assert usage(app, "Docker") == before["Docker"] + 1 == holders(app, "Docker")
    responses = run_together([lambda s=s: s.put(f"/api/profiles/{alice.id}", json=skills()) for s in copies])
    assert statuses(responses) == [200] * 6
    assert usage(app, "Python") == before["Python"] - 1 == holders(app, "Python")
    assert counts_off(app) == {}


def test_deleting_an_account_from_two_sessions_at_once_gives_every_count_back(app, alice, bob, make_user):
    carol = make_user()
    assert bob.put(f"/api/profiles/{bob.id}", json={"skills": [{"name": "Python"}]}).status_code == 200
    connect(app, bob, alice)
    connect(app, bob, carol)
    post_id = new_post(alice)
    assert bob.post(f"/api/posts/{post_id}/like").status_code == 200
    comment(bob, post_id)
    group_id = new_group(alice)
    assert bob.post(f"/api/groups/{group_id}/join").status_code == 201
    responses = run_together([lambda s=s: s.delete(f"/api/profiles/{bob.id}") for s in sessions_of(app, bob, 2)])
    no_server_errors(responses)
    assert 204 in statuses(responses)
    assert set(statuses(responses)) <= {204, 401, 404}
    assert stored(app, User.connection_count, alice.id) == 0 == stored(app, User.connection_count, carol.id)
    assert stored(app, Post.like_count, post_id) == 0 == stored(app, Post.comment_count, post_id)
    assert counts_off(app) == {}


# -- event answers -----------------------------------------------------------------------------------


def new_event(actor, **fields) -> str:
    start = utcnow() + timedelta(days=3)
    body = {
        "title": "Meetup",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
        "timezone": "UTC",
        "location": "Berlin",
        **fields,
    }
    response = actor.post("/api/events", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def test_a_double_clicked_first_answer_counts_once_and_succeeds(app, alice, bob):
    event_id = new_event(alice)
    calls = [
        lambda s=s: s.put(f"/api/events/{event_id}/rsvp", json={"status": "going"}) for s in sessions_of(app, bob, 6)
    ]
    responses = run_together(calls)
    assert statuses(responses) == [200] * 6, [r.get_json() for r in responses]
    assert all(r.get_json()["going_count"] == 1 for r in responses)
    assert stored(app, Event.going_count, event_id) == 1
    assert counts_off(app) == {}


def test_answer_burst_keeps_the_counts_within_capacity(app, alice, make_user):
    event_id = new_event(alice, capacity=3)
    people = [make_user() for _ in range(5)]
    calls = []
    for i, p in enumerate(people):
        for j, s in enumerate(sessions_of(app, p, 3)):
            status = ("going", "interested", "not_going")[(i + j) % 3]
            calls.append(lambda s=s, status=status: s.put(f"/api/events/{event_id}/rsvp", json={"status": status}))
    responses = run_together(calls)
    no_server_errors(responses)
    assert set(statuses(responses)) <= {200, 409}
    assert stored(app, Event.going_count, event_id) <= 3
    assert counts_off(app) == {}


# -- mentorship seats --------------------------------------------------------------------------------


def test_ending_a_mentorship_from_both_sides_at_once_frees_one_seat(app, alice, bob):
    profile = {"as_mentor": {"topics": ["Python"], "capacity": 2}}
    assert alice.put("/api/mentorship/profile", json=profile).status_code == 200
    request = bob.post("/api/mentorship/requests", json={"mentor_id": alice.id}).get_json()
    assert alice.put(f"/api/mentorship/requests/{request['id']}/accept").status_code == 200
    url = f"/api/mentorship/requests/{request['id']}"
    calls = [lambda s=s: s.delete(url) for s in sessions_of(app, alice, 3) + sessions_of(app, bob, 3)]
    responses = run_together(calls)
    assert statuses(responses) == [204] * 6, [r.get_json() for r in responses]
    assert bob.delete(url).status_code == 204
    mentor = uuid.UUID(alice.id)
    assert scalar(app, sa.select(MentorshipProfile.active_mentee_count).where(MentorshipProfile.user_id == mentor)) == 0
    assert counts_off(app) == {}


# -- conversations -----------------------------------------------------------------------------------


def conversation_of(app, a, b) -> Conversation:
    with app.app_context():
        found = db.session.scalar(
            sa.select(Conversation).where(
                Conversation.pair_key == Conversation.pair_key_for(uuid.UUID(a.id), uuid.UUID(b.id))
            )
        )
        db.session.expunge_all()
        db.session.remove()
        return found


def test_the_newest_of_concurrent_sends_is_the_last_message(app, alice, bob):
    connect(app, alice, bob)
    assert alice.post("/api/messages", json={"recipient_id": bob.id, "message_content": "hello"}).status_code == 201
    senders = [(s, bob.id) for s in sessions_of(app, alice, 4)] + [(s, alice.id) for s in sessions_of(app, bob, 4)]
    for round_ in range(5):
        calls = [
            lambda s=s, to=to, text=f"{round_}.{n}": s.post(
                "/api/messages", json={"recipient_id": to, "message_content": text}
            )
            for n, (s, to) in enumerate(senders)
        ]
        responses = run_together(calls)
        assert statuses(responses) == [201] * len(senders), [r.get_json() for r in responses]
        assert counts_off(app) == {}
    conversation = conversation_of(app, alice, bob)
    with app.app_context():
        newest = db.session.execute(
            sa.select(Message.id, Message.sent_at)
            .where(Message.conversation_id == conversation.id)
            .order_by(Message.sent_at.desc(), Message.id.desc())
            .limit(1)
        ).one()
        activity = db.session.scalars(
            sa.select(ConversationParticipant.last_activity).where(
                ConversationParticipant.conversation_id == conversation.id
            )
        ).all()
        db.session.remove()
    assert activity == [newest.sent_at, newest.sent_at]
    inbox = alice.get("/api/messages").get_json()["items"]
    assert inbox[0]["last_message"]["id"] == str(newest.id)


def unread_rows(app, conversation_id, reader) -> int:
    return rows_of(
        app,
        Message,
        Message.conversation_id == conversation_id,
        Message.sender_id != uuid.UUID(reader.id),
        Message.read_at.is_(None),
    )


def test_unread_counts_stay_true_under_concurrent_reads_and_sends(app, alice, bob):
    connect(app, alice, bob)
    assert alice.post("/api/messages", json={"recipient_id": bob.id, "message_content": "hi"}).status_code == 201
    conversation = conversation_of(app, alice, bob)
    writers, readers = sessions_of(app, alice, 4), sessions_of(app, bob, 4)
    for round_ in range(4):
        calls = [
            lambda s=s, text=f"round {round_}": s.post(
                "/api/messages", json={"recipient_id": bob.id, "message_content": text}
            )
            for s in writers
        ]
        calls += [lambda s=s: s.get(f"/api/messages/{conversation.id}") for s in readers]
        responses = run_together(calls)
        no_server_errors(responses)
        for reader in (bob, alice):
            mine = scalar(
                app,
                sa.select(ConversationParticipant.unread_count).where(
                    ConversationParticipant.conversation_id == conversation.id,
                    ConversationParticipant.user_id == uuid.UUID(reader.id),
                ),
            )
            assert mine == unread_rows(app, conversation.id, reader), (round_, reader.user["username"])
    bob.get(f"/api/messages/{conversation.id}")
    assert unread_rows(app, conversation.id, bob) == 0
    assert bob.get("/api/messages").get_json()["items"][0]["unread_count"] == 0


def test_leaving_a_group_conversation_from_many_sessions_at_once(app, alice, bob, make_user):
    carol = make_user()
    connect(app, alice, bob)
    connect(app, alice, carol)
    created = alice.post("/api/messages/groups", json={"title": "Team", "participant_ids": [bob.id, carol.id]})
    assert created.status_code == 201
    group = created.get_json()["id"]
    responses = run_together(
        [lambda s=s: s.post(f"/api/messages/groups/{group}/leave") for s in sessions_of(app, bob, 4)]
    )
    assert statuses(responses) == [204] + [404] * 3
    assert bob.post(f"/api/messages/groups/{group}/leave").status_code == 404
    # The last two leaving together: the second out sees it is the last and the conversation goes.
    alice.refresh_csrf(), carol.refresh_csrf()
    responses = run_together(
        [
            lambda: alice.post(f"/api/messages/groups/{group}/leave"),
            lambda: carol.post(f"/api/messages/groups/{group}/leave"),
        ]
    )
    assert statuses(responses) == [204, 204]
    assert rows_of(app, Conversation, Conversation.id == uuid.UUID(group)) == 0
    assert counts_off(app) == {}


# -- counts computed on read -------------------------------------------------------------------------


def test_double_clicked_endorsements_and_applications_count_once(app, alice, bob):
    assert bob.put(f"/api/profiles/{bob.id}", json={"skills": [{"name": "Python"}]}).status_code == 200
    skill_id = bob.get(f"/api/profiles/{bob.id}").get_json()["skills"][0]["id"]
    connect(app, alice, bob)
    copies = sessions_of(app, alice, 5)
    endorse = {"user_id": bob.id, "skill_id": skill_id}
    responses = run_together([lambda s=s: s.post("/api/skills/endorse", json=endorse) for s in copies])
    assert statuses(responses) == [201] + [409] * 4
    assert bob.get(f"/api/profiles/{bob.id}").get_json()["skills"][0]["endorsement_count"] == 1

    job = bob.post("/api/jobs", json={"title": "Backend Engineer", "company": "Acme"}).get_json()
    responses = run_together([lambda s=s: s.post(f"/api/jobs/{job['id']}/apply", json={}) for s in copies])
    assert statuses(responses) == [201] + [409] * 4
    assert bob.get(f"/api/jobs/{job['id']}").get_json()["applicant_count"] == 1
    assert counts_off(app) == {}
