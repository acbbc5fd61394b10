"""``/api/ping``: the liveness probe and the no-I/O baseline of the benchmarks."""

from __future__ import annotations

import pytest

from tests.conftest import Actor


def test_ping_answers_without_touching_the_database(anon, query_counter):
    with query_counter() as statements:
        response = anon.get("/api/ping")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"
    assert statements == []


def test_echo_returns_the_message_without_touching_the_database(anon, query_counter):
    anon.refresh_csrf()
    with query_counter() as statements:
        response = anon.post("/api/ping", json={"message": "hello"})
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "message": "hello"}
    assert statements == []
    assert anon.post("/api/ping", json={}).get_json() == {"status": "ok", "message": None}


def test_echo_is_csrf_protected_like_every_post(anon):
    response = anon.post("/api/ping", json={"message": "hi"}, csrf=False)
    assert response.status_code == 403
    assert response.headers["Content-Type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"message": "x" * 1001}, "message"),
        ({"message": 5}, "message"),
        ({"status": "ok"}, "status"),
    ],
)
def test_echo_rejects_invalid_bodies(anon, body, field):
    response = anon.post("/api/ping", json=body)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_echo_requires_json(anon):
    response = anon.post("/api/ping", data="message=hi", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415


def test_probes_are_not_rate_limited(make_app):
    app = make_app(RATELIMIT_ENABLED="true", RATELIMIT_DEFAULT="3 per minute")
    client = Actor(app)
    assert all(client.get("/api/ping").status_code == 200 for _ in range(6))
