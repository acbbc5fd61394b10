"""Registration, login, logout and the current user (SPEC §4 Auth)."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from networkapp.extensions import db
from networkapp.models import User, UserSession
from tests.conftest import PASSWORD, Actor

VALID = {
    "username": "newperson",
    "email": "new.person@example.com",
    "password": "a sufficiently long passphrase",
    "first_name": "New",
    "last_name": "Person",
    "industry": "Software",
}


def register(actor: Actor, **overrides):
    return actor.post("/api/auth/register", json={**VALID, **overrides})


def test_register_creates_account_signs_in_and_returns_self_user(app, anon):
    response = register(anon)
    assert response.status_code == 201
    body = response.get_json()
    assert body["username"] == "newperson"
    assert body["email"] == "new.person@example.com"
    assert uuid.UUID(body["id"])
    assert body["connection_count"] == 0 and body["profile_views"] == 0 and body["is_verified"] is False
    assert body["created_at"].endswith("+00:00")
    assert "password" not in body and "password_hash" not in body
    assert set(body["profile_completion"]) == {"percent", "missing", "tips"}
    assert body["network_stats"] == {"connections": 0, "pending_received": 0, "pending_sent": 0, "profile_views": 0}
    assert response.headers["X-CSRF-Token"]
    # The registration signed the client in.
    assert anon.get("/api/auth/user").get_json()["id"] == body["id"]
    with app.app_context():
        user = db.session.get(User, uuid.UUID(body["id"]))
        assert user.password_hash.startswith("$argon2id$")
        assert user.password_hash != VALID["password"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"username": "ab"}, "username"),
        ({"username": "has space"}, "username"),
        ({"username": "x" * 31}, "username"),
        ({"email": "not-an-email"}, "email"),
        ({"password": "short1"}, "password"),
        ({"password": "password123"}, "password"),
        ({"password": "qwertyuiop"}, "password"),
        ({"password": "aaaaaaaaaaaa"}, "password"),
        ({"password": "newperson"}, "password"),
        ({"password": "p" * 257}, "password"),
        ({"first_name": ""}, "first_name"),
        ({"last_name": "x" * 81}, "last_name"),
        ({"industry": ""}, "industry"),
        ({"is_verified": True}, "is_verified"),
        ({"connection_count": 99}, "connection_count"),
    ],
)
def test_register_rejects_invalid_fields(app, anon, overrides, field):
    response = register(anon, **overrides)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 422 and field in body["errors"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


@pytest.mark.parametrize("missing", ["username", "email", "password", "first_name", "last_name", "industry"])
def test_register_requires_every_field(anon, missing):
    body = {k: v for k, v in VALID.items() if k != missing}
    response = anon.post("/api/auth/register", json=body)
    assert response.status_code == 422
    assert missing in response.get_json()["errors"]


def test_register_accepts_long_passphrases(anon):
    response = register(anon, password="correct horse battery staple " * 5)  # 145 characters
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("overrides", "field"),
    [({"email": "other@example.com"}, "username"), ({"username": "someoneelse"}, "email")],
)
def test_duplicate_username_or_email_is_409(app, anon, overrides, field):
    assert register(Actor(app)).status_code == 201
    response = register(anon, **{**overrides, **({"username": "NEWPERSON"} if field == "username" else {})})
    assert response.status_code == 409
    assert field in response.get_json()["errors"]


def test_email_is_case_insensitive_identity(app, anon):
    assert register(Actor(app)).status_code == 201
    response = register(anon, username="another", email="NEW.PERSON@example.COM")
    assert response.status_code == 409


@pytest.mark.parametrize("field", ["username", "email"])
def test_login_by_username_or_email(make_user, anon, field):
    user = make_user("carol")
    identity = "carol" if field == "username" else "carol@example.com"
    response = anon.post("/api/auth/login", json={field: identity, "password": PASSWORD})
    assert response.status_code == 200
    body = response.get_json()
    assert body["id"] == user.id and "network_stats" in body
    assert response.headers["X-CSRF-Token"]
    assert anon.get("/api/auth/user").status_code == 200


def test_username_field_may_hold_an_email(make_user, anon):
    make_user("dave")
    response = anon.post("/api/auth/login", json={"username": "DAVE@example.com", "password": PASSWORD})
    assert response.status_code == 200


def test_wrong_password_and_unknown_user_get_the_same_401(make_user, anon):
    make_user("erin")
    wrong = anon.post("/api/auth/login", json={"username": "erin", "password": "not the password"})
    unknown = anon.post("/api/auth/login", json={"username": "nobody", "password": "not the password"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json() == unknown.get_json()
    assert anon.get("/api/auth/user").status_code == 401


def test_login_requires_an_identity(anon):
    response = anon.post("/api/auth/login", json={"password": "whatever123"})
    assert response.status_code == 422
    assert "username" in response.get_json()["errors"]


def test_login_starts_a_fresh_session(make_user, anon):
    make_user("frank")
    anon.refresh_csrf()
    anonymous_cookie = anon.client.get_cookie("networkapp_session").value
    old_token = anon.csrf
    response = anon.post("/api/auth/login", json={"username": "frank", "password": PASSWORD})
    assert response.status_code == 200
    assert anon.client.get_cookie("networkapp_session").value != anonymous_cookie
    assert response.headers["X-CSRF-Token"] != old_token
    # The pre-login token no longer passes.
    assert anon.post("/api/auth/logout", headers={"X-CSRF-Token": old_token}).status_code == 403


def test_logout_revokes_a_copied_cookie(app, alice):
    stolen = Actor(app)
    stolen.client.set_cookie("networkapp_session", alice.client.get_cookie("networkapp_session").value)
    assert stolen.get("/api/auth/user").status_code == 200

    response = alice.post("/api/auth/logout")
    assert response.status_code == 204
    assert response.headers["X-CSRF-Token"]
    assert alice.get("/api/auth/user").status_code == 401
    assert stolen.get("/api/auth/user").status_code == 401
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(UserSession)) == 0
        assert db.session.get(User, uuid.UUID(alice.id)).last_active is not None


def test_logout_only_ends_its_own_session(app, alice):
    other_device = Actor(app)
    assert other_device.post("/api/auth/login", json={"username": "alice", "password": PASSWORD}).status_code == 200
    assert alice.post("/api/auth/logout").status_code == 204
    assert other_device.get("/api/auth/user").status_code == 200


def test_logout_requires_a_session(anon):
    assert anon.post("/api/auth/logout").status_code == 401


def test_current_user_reports_completion_and_network_stats(alice):
    body = alice.get("/api/auth/user").get_json()
    completion = body["profile_completion"]
    assert 0 <= completion["percent"] < 100
    assert "headline" in completion["missing"]
    assert len(completion["tips"]) == len(completion["missing"])
    assert body["network_stats"]["connections"] == 0


def test_completion_rises_as_the_profile_fills_in(app, make_user):
    sparse = make_user().get("/api/auth/user").get_json()["profile_completion"]["percent"]
    fuller = make_user(headline="Engineer", bio="Builds things", location="Berlin")
    percent = fuller.get("/api/auth/user").get_json()["profile_completion"]
    assert percent["percent"] == sparse + 40
    assert "headline" not in percent["missing"]


def test_login_rehashes_when_parameters_change(app, make_user, anon):
    user = make_user("gina")
    with app.app_context():
        before = db.session.get(User, uuid.UUID(user.id)).password_hash
    app.config["ARGON2_TIME_COST"] = 2
    assert anon.post("/api/auth/login", json={"username": "gina", "password": PASSWORD}).status_code == 200
    with app.app_context():
        after = db.session.get(User, uuid.UUID(user.id)).password_hash
    assert after != before and "t=2" in after


def test_csrf_endpoint_returns_a_token(anon):
    response = anon.get("/api/auth/csrf")
    assert response.status_code == 200
    assert response.get_json()["csrf_token"]
    assert response.headers["Cache-Control"] == "no-store"


def test_expired_sessions_stop_authenticating(app, alice):
    from datetime import timedelta

    from networkapp.database import utcnow

    with app.app_context():
        db.session.execute(sa.update(UserSession).values(created_at=utcnow() - timedelta(days=15)))
        db.session.commit()
    assert alice.get("/api/auth/user").status_code == 401


def test_spa_on_an_allowed_origin_completes_the_cookie_and_csrf_flow(app):
    spa = Actor(app)
    origin = {"Origin": "http://localhost:5173"}
    token = spa.client.get("/api/auth/csrf", headers=origin).get_json()["csrf_token"]
    registered = spa.client.post(
        "/api/auth/register",
        json={**VALID, "username": "spauser", "email": "spa@example.com"},
        headers={**origin, "X-CSRF-Token": token},
    )
    assert registered.status_code == 201
    assert registered.headers["Access-Control-Allow-Origin"] == "http://localhost:5173"
    assert registered.headers["Access-Control-Allow-Credentials"] == "true"
    token = registered.headers["X-CSRF-Token"]
    assert spa.client.get("/api/auth/user", headers=origin).get_json()["username"] == "spauser"
    logged_out = spa.client.post("/api/auth/logout", headers={**origin, "X-CSRF-Token": token})
    assert logged_out.status_code == 204
    token = logged_out.headers["X-CSRF-Token"]
    login = spa.client.post(
        "/api/auth/login",
        json={"username": "spauser", "password": VALID["password"]},
        headers={**origin, "X-CSRF-Token": token},
    )
    assert login.status_code == 200
    assert spa.client.get("/api/auth/user", headers=origin).status_code == 200


def test_password_hashing_runs_at_most_the_configured_number_at_once(app, monkeypatch):
    import threading
    import time

    from networkapp import security

    state = {"now": 0, "peak": 0}
    lock = threading.Lock()

    class SlowHasher:
        def verify(self, digest, password):
            with lock:
                state["now"] += 1
                state["peak"] = max(state["peak"], state["now"])
            time.sleep(0.05)
            with lock:
                state["now"] -= 1
            return True

    monkeypatch.setattr(security, "hasher", lambda: SlowHasher())
    app.config["ARGON2_MAX_CONCURRENCY"] = 2
    results = []

    def sign_in():
        with app.app_context():
            results.append(security.verify_password("digest", "password"))

    threads = [threading.Thread(target=sign_in) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [True] * 6
    assert state["peak"] == 2
