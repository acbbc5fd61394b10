"""Readiness as load balancers see it: the database decides, Redis only degrades."""

from __future__ import annotations

from tests.reliability.procs import free_port


def test_an_unreachable_redis_degrades_but_keeps_the_instance_ready(make_app):
    app = make_app(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0", RATELIMIT_ENABLED="true")
    response = app.test_client().get("/api/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "degraded", "database": "ok", "redis": "unavailable"}
    assert response.headers["Cache-Control"] == "no-store"
    # Rate-limited endpoints still answer: the limiter fails open.
    csrf = app.test_client()
    token = csrf.get("/api/auth/csrf").get_json()["csrf_token"]
    login = csrf.post(
        "/api/auth/login", json={"username": "nobody", "password": "x" * 12}, headers={"X-CSRF-Token": token}
    )
    assert login.status_code == 401


def test_an_unreachable_database_makes_the_instance_unready(make_app, monkeypatch):
    app = make_app(TEST_DATABASE_URL="sqlite:////nonexistent-directory/networkapp.db")
    response = app.test_client().get("/api/health")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable" and body["database"] == "unavailable"
    assert "nonexistent" not in response.get_data(as_text=True)
