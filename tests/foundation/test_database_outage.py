"""The database failing part-way through a request: a problem+json answer, never the server's HTML 500.

The connection can die at any point of a request, not only inside the view:
while the response is being finished (people are annotated with their
degree of connection after the view returns) and while the session is
closed at the end.  The fault test in tests/reliability stops a real
PostgreSQL under load; these pin each of those points down.
"""

from __future__ import annotations

import psycopg.errors
import pytest
import sqlalchemy as sa
from flask import request
from sqlalchemy.orm import Session

from tests.foundation.test_http import assert_problem

PROBE = "/api/outage-probe"


def _lost(invalidated: bool = False) -> sa.exc.DBAPIError:
    orig = Exception("server closed the connection unexpectedly")
    if invalidated:
        return sa.exc.InterfaceError("SELECT 1", {}, orig, connection_invalidated=True)
    return sa.exc.OperationalError("SELECT 1", {}, orig)


@pytest.fixture
def app(make_app):
    """The application with a probe route; what it does is set per test through ``app.probe``."""
    application = make_app()

    def probe():
        return application.probe()

    application.add_url_rule(PROBE, "outage_probe", probe, methods=["GET", "POST"])

    @application.after_request
    def after(response):
        if request.path == PROBE and getattr(application, "fail_after", False):
            raise _lost()
        return response

    return application


def test_a_connection_lost_while_closing_the_session_leaves_the_response_alone(app, alice, monkeypatch):
    real_close = Session.close
    failures = []

    def close(session):
        if not failures:
            failures.append(session)
            raise _lost()
        return real_close(session)

    monkeypatch.setattr(Session, "close", close)
    response = alice.get(f"/api/profiles/{alice.id}")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["id"] == alice.id
    assert failures, "the session was closed at the end of the request"
    # The broken session was discarded: the next request gets a fresh one and works.
    assert alice.get(f"/api/profiles/{alice.id}").status_code == 200


def test_a_read_whose_degrees_cannot_be_computed_is_503(alice, bob, monkeypatch):
    def degrees(*_args):
        raise _lost()

    monkeypatch.setattr("networkapp.relationships.annotate.degrees", degrees)
    response = alice.get(f"/api/profiles/{bob.id}")
    body = assert_problem(response, 503)
    assert response.headers["Retry-After"] == "2"
    assert body["detail"] == "The database is temporarily unavailable."


def test_a_committed_write_keeps_its_result_when_degrees_cannot_be_computed(app, alice, bob, monkeypatch):
    app.probe = lambda: ({"id": bob.id, "first_name": "Bob", "last_name": "Baker"}, 201)

    def degrees(*_args):
        raise _lost()

    monkeypatch.setattr("networkapp.relationships.annotate.degrees", degrees)
    response = alice.post(PROBE, json={})
    assert response.status_code == 201
    assert response.get_json() == {"id": bob.id, "first_name": "Bob", "last_name": "Baker"}


@pytest.mark.parametrize("invalidated", [False, True])
def test_a_lost_connection_in_the_view_is_503(app, anon, invalidated):
    def probe():
        raise _lost(invalidated)

    app.probe = probe
    response = anon.get(PROBE)
    assert_problem(response, 503)
    assert response.headers["Retry-After"] == "2"


def test_a_database_error_that_is_not_an_outage_is_an_opaque_500(app, anon):
    def probe():
        raise sa.exc.ProgrammingError("SELECT nonsense", {}, Exception("syntax error at /work/x.py"))

    app.probe = probe
    app.config["PROPAGATE_EXCEPTIONS"] = False
    body = assert_problem(anon.get(PROBE), 500)
    assert "syntax" not in body["detail"]


def test_a_lost_connection_in_an_after_request_hook_is_503(app, anon):
    app.probe = lambda: {"ok": True}
    app.fail_after = True
    # As in production: Flask hands a failing hook to the 500 handler instead of raising it.
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = anon.get(PROBE)
    assert_problem(response, 503)
    assert response.headers["Retry-After"] == "2"


@pytest.mark.parametrize("error", [psycopg.errors.DeadlockDetected, psycopg.errors.SerializationFailure])
def test_a_transaction_the_database_rolled_back_is_503_to_retry_and_not_an_outage(app, anon, caplog, error):
    def probe():
        raise sa.exc.OperationalError("UPDATE users", {}, error("could not serialize"))

    app.probe = probe
    with caplog.at_level("WARNING", logger="networkapp.errors"):
        response = anon.get(PROBE)
    body = assert_problem(response, 503)
    assert response.headers["Retry-After"] == "1"
    assert "try again" in body["detail"]
    assert "temporarily unavailable" not in body["detail"]
    assert "serialize" not in body["detail"]
    records = [r for r in caplog.records if r.name == "networkapp.errors"]
    assert records and all(r.levelname == "WARNING" for r in records)
    assert "rolled back" in records[0].getMessage()
