"""Races settle into exactly one state: real threads, one test client (browser session) each."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from networkapp.extensions import db
from networkapp.models import Connection
from tests.conftest import PASSWORD, Actor, run_together
from tests.connections.conftest import assert_counts_match_edges, count_of, edges_of, notifications_of, rows


def signed_in_copy(app, actor) -> Actor:
    """Another browser session of the same person."""
    other = Actor(app, actor.user)
    response = other.post("/api/auth/login", json={"username": actor.user["username"], "password": PASSWORD})
    assert response.status_code == 200
    return other


def test_ten_concurrent_accepts_connect_once(app, alice, bob, request_between):
    created = request_between(alice, bob)
    sessions = [signed_in_copy(app, bob) for _ in range(10)]
    for session in sessions:
        session.refresh_csrf()
    responses = run_together([lambda s=s: s.put(f"/api/connections/{created['id']}/accept") for s in sessions])
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [409] * 9
    assert count_of(app, alice.id) == 1 and count_of(app, bob.id) == 1
    assert edges_of(app, alice.id) == 1 and edges_of(app, bob.id) == 1
    assert len(notifications_of(app, alice.id, "connection_accepted")) == 1


def test_simultaneous_requests_in_both_directions_make_one_row(app, make_user):
    for _ in range(3):
        a, b = make_user(), make_user()
        a.refresh_csrf(), b.refresh_csrf()
        responses = run_together(
            [
                lambda a=a, b=b: a.post("/api/connections/request", json={"target_user_id": b.id}),
                lambda a=a, b=b: b.post("/api/connections/request", json={"target_user_id": a.id}),
            ]
        )
        assert sorted(r.status_code for r in responses) == [201, 409]
        pair = rows(
            app,
            sa.select(Connection.status).where(Connection.requester_id.in_([uuid.UUID(a.id), uuid.UUID(b.id)])),
        )
        assert [p.status for p in pair] == ["pending"]


def test_accept_racing_withdraw_settles_consistently(app, alice, bob, request_between):
    created = request_between(alice, bob)
    bob.refresh_csrf(), alice.refresh_csrf()
    responses = run_together(
        [
            lambda: bob.put(f"/api/connections/{created['id']}/accept"),
            lambda: alice.delete(f"/api/connections/{created['id']}"),
        ]
    )
    accepted, withdrawn = (r.status_code for r in responses)
    # Either the accept won (then the withdraw removed the accepted connection or lost) or the withdraw won.
    assert accepted in (200, 404, 409) and withdrawn in (204, 404, 409)
    assert_counts_match_edges(app)


def test_burst_keeps_every_count_equal_to_the_edges(app, make_user, request_between):
    people = [make_user() for _ in range(6)]
    pending = {}
    for i, a in enumerate(people):
        for b in people[i + 1 :]:
            pending[(a.id, b.id)] = request_between(a, b)["id"]
    by_id = {p.id: p for p in people}
    for p in people:
        p.refresh_csrf()
    calls = []
    for (a_id, b_id), connection_id in pending.items():
        recipient, requester = by_id[b_id], by_id[a_id]
        calls.append(lambda r=recipient, c=connection_id: r.put(f"/api/connections/{c}/accept"))
        calls.append(lambda r=recipient, c=connection_id: r.put(f"/api/connections/{c}/accept"))
        calls.append(lambda q=requester, c=connection_id: q.delete(f"/api/connections/{c}"))
    calls.append(lambda: people[0].post("/api/connections/block", json={"user_id": people[1].id}))
    calls.append(lambda: people[2].post("/api/connections/block", json={"user_id": people[3].id}))
    responses = run_together(calls)
    assert all(r.status_code < 500 for r in responses), [
        (r.status_code, r.get_json()) for r in responses if r.status_code >= 500
    ]
    assert_counts_match_edges(app)
    # No accepted connection survives between a blocked pair.
    for a, b in ((people[0], people[1]), (people[2], people[3])):
        assert b.id not in [i["user"]["id"] for i in a.get("/api/connections").get_json()["items"]]


def _count_rows_locked(app):
    """Record, in order, whose ``users`` row each UPDATE of a count names (the order locks are taken)."""
    order: list[uuid.UUID] = []

    def before(conn, cursor, statement, parameters, *args):
        if statement.lstrip().upper().startswith("UPDATE USERS") and "connection_count" in statement:
            values = parameters.values() if isinstance(parameters, dict) else parameters
            order.extend(uuid.UUID(str(v)) for v in values if isinstance(v, uuid.UUID | str) and len(str(v)) >= 32)

    with app.app_context():
        engine = db.engine
    return engine, before, order


def test_counts_are_locked_in_id_order_whoever_asked(app, make_user, request_between):
    # The deadlock the burst above once hit: two transactions taking the same two rows in opposite orders.
    engine, before, order = _count_rows_locked(app)
    a, b = make_user(), make_user()
    requester, recipient = (a, b) if uuid.UUID(a.id) > uuid.UUID(b.id) else (b, a)
    created = request_between(requester, recipient)
    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        assert recipient.put(f"/api/connections/{created['id']}/accept").status_code == 200
        accepted = list(order)
        order.clear()
        assert requester.delete(f"/api/connections/{created['id']}").status_code == 204
        removed = list(order)
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
    pair = sorted([uuid.UUID(a.id), uuid.UUID(b.id)])
    assert accepted == pair
    assert removed == pair
    assert_counts_match_edges(app)


def test_accepts_racing_the_requesters_account_deletion_settle_without_a_collision(app, make_user, request_between):
    # Accepting locks the request, then both people's rows; deleting an account must not take them the
    # other way round (the person's row, then the requests its deletion cascades into).
    leaver = make_user()
    recipients = [make_user() for _ in range(6)]
    connected = make_user()
    first = request_between(leaver, connected)
    assert connected.put(f"/api/connections/{first['id']}/accept").status_code == 200
    pending = [request_between(leaver, r)["id"] for r in recipients]
    for person in (leaver, *recipients):
        person.refresh_csrf()
    calls = [lambda r=r, c=c: r.put(f"/api/connections/{c}/accept") for r, c in zip(recipients, pending, strict=True)]
    calls.insert(3, lambda: leaver.delete(f"/api/profiles/{leaver.id}"))
    responses = run_together(calls)
    statuses = [r.status_code for r in responses]
    assert statuses[3] == 204, responses[3].get_json()
    assert all(status in (200, 404, 409) for status in statuses[:3] + statuses[4:]), [
        r.get_json() for r in responses if r.status_code >= 500
    ]
    assert_counts_match_edges(app)
    assert count_of(app, connected.id) == 0
