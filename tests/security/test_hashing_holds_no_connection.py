"""Argon2id never runs while its request holds a pooled connection or an open transaction.

A sign-in flood waits for the hashing slots; a request waiting there with a
connection checked out (``idle in transaction`` on PostgreSQL) starves every
other endpoint of the pool.  Every password hash and verification goes
through ``security._slot``; recording the pool there covers them all.
"""

from __future__ import annotations

import pytest

from networkapp import security
from networkapp.extensions import db
from tests.conftest import PASSWORD


@pytest.fixture
def hashing_moments(app, monkeypatch):
    """For every hash computed or verified: (connections checked out, session in a transaction)."""
    moments: list[tuple[int, bool]] = []
    real_slot = security._slot

    def recording_slot():
        moments.append((db.engine.pool.checkedout(), db.session().in_transaction()))
        return real_slot()

    monkeypatch.setattr(security, "_slot", recording_slot)
    return moments


def test_sign_in_verifies_with_no_connection_checked_out(app, alice, anon, hashing_moments):
    response = anon.post("/api/auth/login", json={"username": "alice", "password": PASSWORD})
    assert response.status_code == 200
    assert hashing_moments == [(0, False)]


@pytest.mark.parametrize("identity", ["alice", "alice@example.com", "nobody", "nobody@example.com"])
def test_a_failed_sign_in_verifies_with_no_connection_checked_out(app, alice, anon, hashing_moments, identity):
    response = anon.post("/api/auth/login", json={"username": identity, "password": "not the password"})
    assert response.status_code == 401
    assert hashing_moments == [(0, False)]


def test_sign_in_from_a_signed_in_session_releases_its_connection_too(app, alice, hashing_moments):
    # This request loads its session's user first, so it does hold a connection before the hash.
    response = alice.post("/api/auth/login", json={"username": "alice", "password": PASSWORD})
    assert response.status_code == 200
    assert hashing_moments == [(0, False)]


def test_registration_hashes_with_no_connection_checked_out(app, anon, hashing_moments):
    body = {
        "username": "carol",
        "email": "carol@example.com",
        "password": PASSWORD,
        "first_name": "Carol",
        "last_name": "Cole",
        "industry": "Software",
    }
    assert anon.post("/api/auth/register", json=body).status_code == 201
    assert hashing_moments == [(0, False)]


def test_a_password_change_verifies_and_hashes_with_no_connection_checked_out(app, alice, anon, hashing_moments):
    response = alice.post(
        "/api/auth/password", json={"current_password": PASSWORD, "new_password": "a much better passphrase"}
    )
    assert response.status_code == 204
    assert hashing_moments == [(0, False), (0, False)]
    # The change was written: the new password signs in, the old one no longer does.
    assert anon.post("/api/auth/login", json={"username": "alice", "password": PASSWORD}).status_code == 401
    relogin = anon.post("/api/auth/login", json={"username": "alice", "password": "a much better passphrase"})
    assert relogin.status_code == 200


def test_a_wrong_current_password_verifies_with_no_connection_checked_out(app, alice, hashing_moments):
    response = alice.post("/api/auth/password", json={"current_password": "wrong one", "new_password": "x" * 12})
    assert response.status_code == 403
    assert hashing_moments == [(0, False)]
