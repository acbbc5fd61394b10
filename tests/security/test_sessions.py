"""Session revocation: logout and password change (OWASP session management)."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from networkapp.extensions import db
from networkapp.models import User, UserSession
from tests.conftest import PASSWORD, Actor

NEW_PASSWORD = "a completely different passphrase"
PRIVATE_READS = ("/api/auth/user", "/api/notifications", "/api/messages", "/api/connections", "/api/applications")


def copy_of(app, actor: Actor) -> Actor:
    """Another client presenting the same session cookie (a stolen or synced cookie)."""
    thief = Actor(app)
    thief.client.set_cookie("networkapp_session", actor.client.get_cookie("networkapp_session").value)
    return thief


def second_device(app, username: str, password: str = PASSWORD) -> Actor:
    device = Actor(app)
    assert device.post("/api/auth/login", json={"username": username, "password": password}).status_code == 200
    return device


def session_count(app, user_id: str) -> int:
    with app.app_context():
        return db.session.scalar(
            sa.select(sa.func.count()).select_from(UserSession).where(UserSession.user_id == uuid.UUID(user_id))
        )


def password_hash(app, user_id: str) -> str:
    with app.app_context():
        return db.session.get(User, uuid.UUID(user_id)).password_hash


def change(actor: Actor, current: str = PASSWORD, new: str = NEW_PASSWORD, **kw):
    return actor.post("/api/auth/password", json={"current_password": current, "new_password": new}, **kw)


def test_logout_revokes_the_cookie_on_every_private_read(app, alice):
    thief = copy_of(app, alice)
    for path in PRIVATE_READS:
        assert thief.get(path).status_code == 200, path
    assert alice.post("/api/auth/logout").status_code == 204
    for path in PRIVATE_READS:
        response = thief.get(path)
        assert response.status_code == 401, path
        assert response.mimetype == "application/problem+json"
    # A revoked cookie cannot write either (a fresh CSRF token does not help).
    assert thief.post("/api/posts", json={"content": "still here?"}).status_code == 401
    assert session_count(app, alice.id) == 0


def test_password_change_keeps_this_session_and_ends_all_others(app, alice, anon):
    other_device = second_device(app, "alice")
    thief = copy_of(app, other_device)
    old_hash = password_hash(app, alice.id)
    old_token = alice.csrf or alice.refresh_csrf()
    assert session_count(app, alice.id) == 2

    response = change(alice)

    assert response.status_code == 204
    assert response.data == b""
    fresh_token = response.headers["X-CSRF-Token"]
    assert fresh_token and fresh_token != old_token
    assert alice.get("/api/auth/user").status_code == 200
    assert other_device.get("/api/auth/user").status_code == 401
    assert thief.get("/api/auth/user").status_code == 401
    assert session_count(app, alice.id) == 1
    new_hash = password_hash(app, alice.id)
    assert new_hash != old_hash and new_hash.startswith("$argon2id$")
    # The token from before the change is dead, the fresh one works.
    assert alice.post("/api/posts", json={"content": "x"}, headers={"X-CSRF-Token": old_token}).status_code == 403
    assert alice.post("/api/posts", json={"content": "after the change"}).status_code == 201
    # Only the new password signs in now.
    assert anon.post("/api/auth/login", json={"username": "alice", "password": PASSWORD}).status_code == 401
    assert anon.post("/api/auth/login", json={"username": "alice", "password": NEW_PASSWORD}).status_code == 200


def test_wrong_current_password_is_403_and_changes_nothing(app, alice):
    other_device = second_device(app, "alice")
    before = password_hash(app, alice.id)
    response = change(alice, current="not my password at all")
    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert "current_password" in body["errors"]
    assert password_hash(app, alice.id) == before
    assert other_device.get("/api/auth/user").status_code == 200
    assert session_count(app, alice.id) == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"current_password": PASSWORD, "new_password": "short1"}, "new_password"),
        ({"current_password": PASSWORD, "new_password": "password123"}, "new_password"),
        ({"current_password": PASSWORD, "new_password": "aaaaaaaaaaaa"}, "new_password"),
        ({"current_password": PASSWORD, "new_password": "alice"}, "new_password"),
        ({"current_password": PASSWORD, "new_password": "p" * 257}, "new_password"),
        ({"current_password": PASSWORD, "new_password": PASSWORD}, "new_password"),
        ({"current_password": PASSWORD}, "new_password"),
        ({"new_password": NEW_PASSWORD}, "current_password"),
        ({"current_password": PASSWORD, "new_password": NEW_PASSWORD, "user_id": "x"}, "user_id"),
        ({"current_password": 5, "new_password": NEW_PASSWORD}, "current_password"),
    ],
)
def test_invalid_password_changes_are_422_and_change_nothing(app, alice, body, field):
    other_device = second_device(app, "alice")
    before = password_hash(app, alice.id)
    response = alice.post("/api/auth/password", json=body)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert password_hash(app, alice.id) == before
    assert other_device.get("/api/auth/user").status_code == 200


def test_password_change_needs_a_session_and_csrf(app, alice, anon):
    before = password_hash(app, alice.id)
    assert change(anon).status_code == 401
    response = change(alice, csrf=False)
    assert response.status_code == 403
    assert password_hash(app, alice.id) == before
    assert anon.post("/api/auth/login", json={"username": "alice", "password": PASSWORD}).status_code == 200


def test_failed_password_changes_are_throttled_like_failed_logins(make_app):
    app = make_app(RATELIMIT_ENABLED="true")
    actor = Actor(app)
    body = {
        "username": "throttled",
        "email": "throttled@example.com",
        "password": PASSWORD,
        "first_name": "T",
        "last_name": "T",
        "industry": "Software",
    }
    assert actor.post("/api/auth/register", json=body).status_code == 201
    # Successful and invalid (422) attempts do not count; wrong current passwords do.
    assert change(actor, new="short").status_code == 422
    for _ in range(5):
        assert change(actor, current="wrong guess of it").status_code == 403
    blocked = change(actor)
    assert blocked.status_code == 429
    assert blocked.mimetype == "application/problem+json"
    assert int(blocked.headers["Retry-After"]) > 0
    with app.app_context():
        user = db.session.execute(sa.select(User).where(User.username == "throttled")).scalar_one()
        from networkapp.security import verify_password

        assert verify_password(user.password_hash, PASSWORD)
