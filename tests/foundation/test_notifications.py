"""The notification service and inbox endpoints."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from networkapp.extensions import db
from networkapp.models import Notification
from networkapp.notifications.services import notification_created, notify


def test_notify_creates_and_signals_after_commit(app, alice, bob):
    received = []

    def listener(sender, payload, user_id):
        received.append(sender.id)
        assert user_id == uuid.UUID(alice.id)
        assert payload["id"] == str(sender.id) and payload["actor"]["id"] == bob.id

    notification_created.connect(listener)
    try:
        with app.app_context():
            notification = notify(
                uuid.UUID(alice.id), "connection_request", actor=uuid.UUID(bob.id), data={"connection_id": "c1"}
            )
            assert received == []  # nothing leaves the process before commit
            db.session.commit()
            assert received == [notification.id]
    finally:
        notification_created.disconnect(listener)

    body = alice.get("/api/notifications").get_json()
    assert body["unread_count"] == 1
    item = body["items"][0]
    assert item["type"] == "connection_request"
    assert item["actor"]["id"] == bob.id and item["actor"]["username"] == "bob"
    assert item["data"] == {"connection_id": "c1"} and item["read_at"] is None
    assert "email" not in item["actor"]


def test_rolled_back_notifications_are_never_signalled(app, alice):
    received = []

    def listener(sender, **_payload):
        received.append(sender)

    notification_created.connect(listener)
    try:
        with app.app_context():
            notify(uuid.UUID(alice.id), "mention")
            db.session.rollback()
            db.session.commit()
    finally:
        notification_created.disconnect(listener)
    assert received == []


def test_no_one_is_notified_of_their_own_action(app, alice):
    with app.app_context():
        assert notify(uuid.UUID(alice.id), "post_like", actor=uuid.UUID(alice.id)) is None


def test_unknown_types_are_a_programming_error(app, alice):
    with app.app_context(), pytest.raises(ValueError):
        notify(uuid.UUID(alice.id), "not-a-type")


def seed(app, user_id, n):
    with app.app_context():
        ids = [notify(uuid.UUID(user_id), "mention", data={"n": i}).id for i in range(n)]
        db.session.commit()
        return [str(i) for i in ids]


def test_mark_some_read(app, alice):
    ids = seed(app, alice.id, 3)
    response = alice.post("/api/notifications/read", json={"ids": ids[:2]})
    assert response.status_code == 200
    assert response.get_json() == {"marked": 2, "unread_count": 1}
    items = alice.get("/api/notifications").get_json()["items"]
    assert sum(item["read_at"] is None for item in items) == 1


def test_mark_all_read(app, alice):
    seed(app, alice.id, 3)
    assert alice.post("/api/notifications/read", json={}).get_json() == {"marked": 3, "unread_count": 0}


def test_unread_filter(app, alice):
    ids = seed(app, alice.id, 3)
    alice.post("/api/notifications/read", json={"ids": [ids[0]]})
    body = alice.get("/api/notifications?unread=true").get_json()
    assert len(body["items"]) == 2


def test_cannot_read_or_mark_another_users_notifications(app, alice, bob):
    ids = seed(app, alice.id, 2)
    assert bob.get("/api/notifications").get_json() == {"items": [], "next_cursor": None, "unread_count": 0}
    assert bob.post("/api/notifications/read", json={"ids": ids}).get_json()["marked"] == 0
    with app.app_context():
        unread = db.session.scalar(
            sa.select(sa.func.count()).select_from(Notification).where(Notification.read_at.is_(None))
        )
    assert unread == 2


@pytest.mark.parametrize("body", [{"ids": ["not-a-uuid"]}, {"ids": "all"}, {"everything": True}])
def test_mark_read_validation(alice, body):
    response = alice.post("/api/notifications/read", json=body)
    assert response.status_code == 422


def test_notifications_require_sign_in(anon):
    assert anon.get("/api/notifications").status_code == 401
    assert anon.post("/api/notifications/read", json={}).status_code == 401
