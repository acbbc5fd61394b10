"""Keyset pagination: limits, opaque cursors, stability under inserts."""

from __future__ import annotations

import uuid

import pytest

from networkapp.extensions import db
from networkapp.notifications.services import notify


def seed_notifications(app, user_id: str, count: int) -> None:
    with app.app_context():
        for n in range(count):
            notify(uuid.UUID(user_id), "mention", data={"n": n})
        db.session.commit()


def collect(actor, limit: int, between_pages=None) -> list[int]:
    seen, cursor = [], None
    while True:
        query = f"/api/notifications?limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        response = actor.get(query)
        assert response.status_code == 200
        body = response.get_json()
        seen += [item["data"]["n"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            return seen
        if between_pages:
            between_pages()


def test_pages_walk_every_item_once_newest_first(app, alice):
    seed_notifications(app, alice.id, 7)
    assert collect(alice, 3) == [6, 5, 4, 3, 2, 1, 0]


def test_default_limit_is_20(app, alice):
    seed_notifications(app, alice.id, 25)
    body = alice.get("/api/notifications").get_json()
    assert len(body["items"]) == 20 and body["next_cursor"]


def test_last_page_has_no_cursor(app, alice):
    seed_notifications(app, alice.id, 2)
    body = alice.get("/api/notifications?limit=2").get_json()
    assert len(body["items"]) == 2 and body["next_cursor"] is None


def test_pages_are_stable_while_new_items_arrive(app, alice):
    seed_notifications(app, alice.id, 6)
    counter = iter(range(100, 200))

    def insert_newer():
        with app.app_context():
            notify(uuid.UUID(alice.id), "mention", data={"n": next(counter)})
            db.session.commit()

    # New items sort before the cursor: later pages neither repeat nor skip the originals.
    assert collect(alice, 2, between_pages=insert_newer) == [5, 4, 3, 2, 1, 0]


@pytest.mark.parametrize("limit", ["0", "101", "-1", "ten"])
def test_limit_outside_1_to_100_is_422(alice, limit):
    response = alice.get(f"/api/notifications?limit={limit}")
    assert response.status_code == 422
    assert "limit" in response.get_json()["errors"]


@pytest.mark.parametrize("cursor", ["garbage", "eyJ4IjoxfQ", "W3sidCI6IjIwMjAifV0.AAAA.BBBB"])
def test_undecodable_cursor_is_400(alice, cursor):
    response = alice.get(f"/api/notifications?cursor={cursor}")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"


def test_tampered_cursor_is_400(app, alice):
    seed_notifications(app, alice.id, 3)
    cursor = alice.get("/api/notifications?limit=1").get_json()["next_cursor"]
    payload, _, signature = cursor.partition(".")
    tampered = payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB") + "." + signature
    assert alice.get(f"/api/notifications?cursor={tampered}").status_code == 400


def test_cursor_from_another_collection_is_rejected(app, alice):
    from networkapp.pagination import encode_cursor

    with app.test_request_context():
        foreign = encode_cursor(("x", 1), salt="something-else")
    assert alice.get(f"/api/notifications?cursor={foreign}").status_code == 400
