"""Idempotency-Key on create endpoints (SPEC §3 Retries)."""

from __future__ import annotations

import threading
import uuid

import pytest
import sqlalchemy as sa
from flask_login import current_user, login_required

from networkapp.database import commit
from networkapp.extensions import db
from networkapp.idempotency import idempotent
from networkapp.models import IdempotencyKey, Notification
from networkapp.notifications.services import notify
from tests.conftest import Actor


@pytest.fixture
def creating_app(make_app):
    """An app with one create endpoint opted in, standing for the real ones."""
    app = make_app()

    @app.post("/api/test-items")
    @login_required
    @idempotent
    def create_item():
        from flask import request

        body = request.get_json()
        if body.get("fail"):
            return {"title": "Unprocessable Content", "status": 422}, 422
        notification = notify(current_user.id, "mention", data={"text": body["text"]})
        commit()
        return {"id": str(notification.id), "text": body["text"]}, 201

    return app


@pytest.fixture
def user(creating_app):
    actor = Actor(creating_app)
    response = actor.post(
        "/api/auth/register",
        json={
            "username": "idem",
            "email": "idem@example.com",
            "password": "correct horse battery staple",
            "first_name": "I",
            "last_name": "D",
            "industry": "Software",
        },
    )
    assert response.status_code == 201
    actor.user = response.get_json()
    return actor


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_same_key_and_body_replays_without_a_second_row(creating_app, user):
    headers = {"Idempotency-Key": "key-1"}
    first = user.post("/api/test-items", json={"text": "hello"}, headers=headers)
    second = user.post("/api/test-items", json={"text": "hello"}, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.get_json() == second.get_json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert count(creating_app, Notification) == 1
    assert count(creating_app, IdempotencyKey) == 1


def test_same_key_with_a_different_body_is_422(creating_app, user):
    headers = {"Idempotency-Key": "key-2"}
    assert user.post("/api/test-items", json={"text": "a"}, headers=headers).status_code == 201
    response = user.post("/api/test-items", json={"text": "b"}, headers=headers)
    assert response.status_code == 422
    assert "Idempotency-Key" in response.get_json()["errors"]
    assert count(creating_app, Notification) == 1


def test_without_a_key_every_request_creates(creating_app, user):
    user.post("/api/test-items", json={"text": "a"})
    user.post("/api/test-items", json={"text": "a"})
    assert count(creating_app, Notification) == 2


def test_keys_belong_to_their_user(creating_app, user):
    other = Actor(creating_app)
    other.post(
        "/api/auth/register",
        json={
            "username": "idem2",
            "email": "idem2@example.com",
            "password": "correct horse battery staple",
            "first_name": "I",
            "last_name": "D",
            "industry": "Software",
        },
    )
    headers = {"Idempotency-Key": "shared"}
    assert user.post("/api/test-items", json={"text": "a"}, headers=headers).status_code == 201
    response = other.post("/api/test-items", json={"text": "a"}, headers=headers)
    assert response.status_code == 201 and "Idempotent-Replayed" not in response.headers
    assert count(creating_app, Notification) == 2


def test_failed_requests_do_not_consume_the_key(creating_app, user):
    headers = {"Idempotency-Key": "retry-after-fix"}
    assert user.post("/api/test-items", json={"text": "a", "fail": True}, headers=headers).status_code == 422
    assert count(creating_app, IdempotencyKey) == 0
    assert user.post("/api/test-items", json={"text": "a"}, headers=headers).status_code == 201


@pytest.mark.parametrize("key", ["", "x" * 256])
def test_key_length_is_validated(user, key):
    response = user.post("/api/test-items", json={"text": "a"}, headers={"Idempotency-Key": key})
    assert response.status_code == 422


def test_concurrent_retries_create_one_row(creating_app, user):
    cookie = user.client.get_cookie("networkapp_session").value
    results = []

    def attempt():
        actor = Actor(creating_app)
        actor.client.set_cookie("networkapp_session", cookie)
        actor.csrf = user.csrf
        response = actor.post("/api/test-items", json={"text": "race"}, headers={"Idempotency-Key": "race"})
        results.append((response.status_code, response.get_json()))

    threads = [threading.Thread(target=attempt) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert count(creating_app, Notification) == 1
    created = {body["id"] for status, body in results if status == 201}
    assert len(created) == 1
    assert all(status in (201, 409) for status, _ in results)
    uuid.UUID(created.pop())
