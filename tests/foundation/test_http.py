"""Conventions every endpoint shares (SPEC §3): errors, CSRF, CORS, limits, config."""

from __future__ import annotations

from pathlib import Path

import pytest

from networkapp import create_app
from tests.conftest import PASSWORD, Actor

PROBLEM_KEYS = {"type", "title", "status", "detail"}


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert set(body) >= PROBLEM_KEYS
    assert body["status"] == status
    text = response.get_data(as_text=True)
    for leak in ("Traceback", "sqlalchemy", "SELECT ", "/work/", ".py"):
        assert leak not in text
    return body


def test_unknown_route_is_problem_json(anon):
    assert_problem(anon.get("/api/nowhere"), 404)


def test_wrong_method_is_405_with_allow_header(anon):
    response = anon.open("PATCH", "/api/auth/user", csrf=True)
    assert_problem(response, 405)
    assert "GET" in response.headers["Allow"]


def test_missing_csrf_token_is_403(anon):
    response = anon.post("/api/auth/register", json={}, csrf=False)
    body = assert_problem(response, 403)
    assert "X-CSRF-Token" in body["detail"]


def test_forged_csrf_token_is_403(anon):
    anon.refresh_csrf()
    response = anon.post("/api/auth/register", json={}, headers={"X-CSRF-Token": "forged.token.value"})
    assert_problem(response, 403)


def test_csrf_token_from_another_session_is_403(app, anon):
    other = Actor(app)
    token = other.refresh_csrf()
    anon.refresh_csrf()
    response = anon.post("/api/auth/register", json={}, headers={"X-CSRF-Token": token})
    assert_problem(response, 403)


def test_non_json_body_is_415(anon):
    response = anon.post(
        "/api/auth/login", data="username=a&password=b", content_type="application/x-www-form-urlencoded"
    )
    assert_problem(response, 415)


def test_malformed_json_is_400(anon):
    response = anon.post("/api/auth/login", data="{not json", content_type="application/json")
    assert_problem(response, 400)


def test_json_that_is_not_an_object_is_422(anon):
    response = anon.post("/api/auth/login", json=["a", "list"])
    assert_problem(response, 422)


def test_unknown_fields_are_422_with_field_errors(anon):
    response = anon.post("/api/auth/login", json={"username": "a", "password": "b", "admin": True})
    body = assert_problem(response, 422)
    assert body["errors"]["admin"]


def test_oversized_body_is_413(anon):
    payload = {"username": "a", "password": "x" * (1024 * 1024 + 10)}
    assert_problem(anon.post("/api/auth/login", json=payload), 413)


def test_unexpected_errors_are_opaque_500s(app, anon):
    @app.get("/api/boom")
    def boom():
        raise RuntimeError("secret internal detail at /work/main/networkapp")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    body = assert_problem(anon.get("/api/boom"), 500)
    assert "secret" not in body["detail"]


def test_unauthenticated_is_401_json_not_a_redirect(anon):
    response = anon.get("/api/auth/user")
    assert_problem(response, 401)
    assert "Location" not in response.headers


def test_cors_allows_listed_origins_with_credentials(anon):
    response = anon.get("/api/auth/csrf", headers={"Origin": "http://localhost:5173"})
    assert response.headers["Access-Control-Allow-Origin"] == "http://localhost:5173"
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert "X-CSRF-Token" in response.headers["Access-Control-Expose-Headers"]


def test_cors_never_echoes_an_unlisted_origin(anon):
    response = anon.get("/api/auth/csrf", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_cors_preflight_is_answered(anon):
    response = anon.open(
        "OPTIONS",
        "/api/auth/login",
        headers={
            "Origin": "http://localhost:5173",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, x-csrf-token",
        },
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "http://localhost:5173"
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "x-csrf-token" in response.headers["Access-Control-Allow-Headers"].lower()


def test_cors_origins_come_from_the_environment(make_app):
    app = make_app(CORS_ORIGINS="https://app.example.com")
    response = app.test_client().get("/api/auth/csrf", headers={"Origin": "https://app.example.com"})
    assert response.headers["Access-Control-Allow-Origin"] == "https://app.example.com"
    response = app.test_client().get("/api/auth/csrf", headers={"Origin": "http://localhost:5173"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_session_cookie_is_httponly_and_lax(anon):
    response = anon.get("/api/auth/csrf")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_private_responses_are_not_cached(alice):
    response = alice.get("/api/auth/user")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_failed_logins_are_throttled_per_account(make_app):
    app = make_app(RATELIMIT_ENABLED="true")
    owner = Actor(app)
    assert (
        owner.post(
            "/api/auth/register",
            json={
                "username": "target",
                "email": "target@example.com",
                "password": PASSWORD,
                "first_name": "T",
                "last_name": "T",
                "industry": "Software",
            },
        ).status_code
        == 201
    )
    attacker = Actor(app)
    for _ in range(5):
        response = attacker.post("/api/auth/login", json={"username": "target", "password": "wrong password"})
        assert response.status_code == 401
    response = attacker.post("/api/auth/login", json={"username": "target", "password": PASSWORD})
    assert_problem(response, 429)
    assert int(response.headers["Retry-After"]) > 0


def test_successful_logins_are_not_throttled(make_app):
    app = make_app(RATELIMIT_ENABLED="true")
    owner = Actor(app)
    assert (
        owner.post(
            "/api/auth/register",
            json={
                "username": "busy",
                "email": "busy@example.com",
                "password": PASSWORD,
                "first_name": "B",
                "last_name": "B",
                "industry": "Software",
            },
        ).status_code
        == 201
    )
    for _ in range(8):
        assert Actor(app).post("/api/auth/login", json={"username": "busy", "password": PASSWORD}).status_code == 200


def test_registration_is_throttled_per_address(make_app):
    app = make_app(RATELIMIT_ENABLED="true")
    app.config["RATELIMIT_REGISTER"] = "3 per hour"
    statuses = []
    for n in range(4):
        response = Actor(app).post(
            "/api/auth/register",
            json={
                "username": f"spam{n}",
                "email": f"spam{n}@example.com",
                "password": PASSWORD,
                "first_name": "S",
                "last_name": "S",
                "industry": "Software",
            },
        )
        statuses.append(response.status_code)
    assert statuses == [201, 201, 201, 429]


def test_production_refuses_to_start_without_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")


def test_production_uses_secure_cookies_and_no_debug(monkeypatch, database_url):
    monkeypatch.setenv("SECRET_KEY", "a-real-secret-for-this-test")
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("FLASK_DEBUG", "1")
    app = create_app("production")
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.debug is False
    cookie = app.test_client().get("/api/auth/csrf").headers["Set-Cookie"]
    assert "Secure" in cookie


def test_unknown_app_env_is_refused(monkeypatch):
    monkeypatch.setenv("APP_ENV", "staging")
    with pytest.raises(RuntimeError, match="APP_ENV"):
        create_app()


def test_health_reports_the_database(anon):
    response = anon.get("/api/health")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["database"] == "ok"


def test_openapi_document_and_docs_page(anon):
    spec = anon.get("/api/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert "/api/auth/register" in spec["paths"]
    assert "/api/notifications" in spec["paths"]
    register = spec["paths"]["/api/auth/register"]["post"]
    assert "RegisterSchema" in str(register["requestBody"]) or "Register" in str(register["requestBody"])
    assert register["responses"]["409"] == {"$ref": "#/components/responses/CONFLICT"}
    assert "application/problem+json" in spec["components"]["responses"]["CONFLICT"]["content"]
    docs = anon.get("/api/docs")
    assert docs.status_code == 200 and b"swagger" in docs.data.lower()


def test_production_derives_a_message_key_when_none_is_configured(monkeypatch, database_url):
    monkeypatch.setenv("SECRET_KEY", "a-real-secret-for-this-test")
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.delenv("MESSAGE_ENCRYPTION_KEYS", raising=False)
    app = create_app("production")
    keys = app.config["MESSAGE_ENCRYPTION_KEYS"]
    assert len(keys) == 1 and "a-real-secret" not in keys[0]
    monkeypatch.setenv("SECRET_KEY", "another-secret")
    assert create_app("production").config["MESSAGE_ENCRYPTION_KEYS"] != keys


@pytest.mark.parametrize(
    ("path", "kwargs"),
    [
        ("/api/auth/login", {"json": {"username": "a\x00b", "password": "whatever1"}}),
        ("/api/auth/login", {"json": {"username": "ab", "password": "x", "nested": [{"k": "\x00"}]}}),
    ],
)
def test_nul_characters_are_422_everywhere(anon, path, kwargs):
    assert_problem(anon.post(path, **kwargs), 422)


def test_nul_characters_in_the_query_string_are_422(alice):
    assert_problem(alice.get("/api/notifications?cursor=%00"), 422)


def test_the_server_process_freezes_its_start_up_heap(monkeypatch):
    import gc
    import runpy

    import networkapp

    calls = []
    monkeypatch.setattr(gc, "freeze", lambda: calls.append("freeze"))
    monkeypatch.setattr(gc, "collect", lambda *a: calls.append("collect") or 0)
    import signal

    class Worker:
        wsgi = object()

        def handle_exit(self, *_args):
            pass

    settings = runpy.run_path(str(Path(networkapp.__file__).resolve().parent.parent / "gunicorn.conf.py"))
    previous = signal.getsignal(signal.SIGTERM)
    try:
        settings["post_worker_init"](Worker())
        # And SIGTERM now closes the worker's sockets first (tests/reliability/test_capacity.py).
        assert signal.getsignal(signal.SIGTERM) is not previous
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert calls == ["collect", "freeze"]
