"""Failed sign-ins are limited per account (any spelling of it) and per client address.

The count is taken before the password is verified, so parallel guesses
cannot get past it: at most five reach Argon2id.
"""

from __future__ import annotations

import time

import pytest

from networkapp.auth import services
from tests.conftest import PASSWORD, Actor, run_together

WRONG = "not the password at all"


def _register(app, username: str) -> None:
    body = {
        "username": username,
        "email": f"{username}@example.com",
        "password": PASSWORD,
        "first_name": "T",
        "last_name": "T",
        "industry": "Software",
    }
    # Each from an address of its own: registration has its own per-address limit.
    registrar = _from(app, f"172.16.{len(username)}.{sum(map(ord, username)) % 250}")
    assert registrar.post("/api/auth/register", json=body).status_code == 201


def _from(app, address: str) -> Actor:
    actor = Actor(app)
    actor.client.environ_base["REMOTE_ADDR"] = address
    return actor


def _login(actor: Actor, identity: str, password: str, field: str = "username"):
    return actor.post("/api/auth/login", json={field: identity, "password": password})


def _assert_limited(response) -> None:
    assert response.status_code == 429, response.get_json()
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == 429
    assert 0 < int(response.headers["Retry-After"]) <= 15 * 60


@pytest.fixture
def limited_app(make_app):
    app = make_app(RATELIMIT_ENABLED="true")
    _register(app, "target")
    return app


@pytest.fixture
def verifications(monkeypatch):
    """How many password verifications the sign-in service ran."""
    calls = []
    real = services.verify_password

    def counting(password_hash, password):
        calls.append(password)
        return real(password_hash, password)

    monkeypatch.setattr(services, "verify_password", counting)
    return calls


SPELLINGS = ["target", "TARGET", " Target ", "target@example.com", "Target@Example.COM"]


def test_failures_under_every_spelling_count_against_one_account(limited_app, verifications):
    # Each attempt from its own address: only the account's counter can stop the sixth.
    for n, spelling in enumerate(SPELLINGS):
        field = "email" if "@" in spelling and n % 2 else "username"
        assert _login(_from(limited_app, f"10.0.0.{n + 1}"), spelling, WRONG, field).status_code == 401
    for spelling in ("target", "target@example.com"):
        _assert_limited(_login(_from(limited_app, "10.0.1.1"), spelling, PASSWORD))
    assert len(verifications) == 5


def test_an_unknown_identity_is_limited_exactly_like_an_account(limited_app):
    known = [_login(_from(limited_app, f"10.1.0.{n}"), "target", WRONG).status_code for n in range(6)]
    unknown = [_login(_from(limited_app, f"10.2.0.{n}"), "nobody", WRONG).status_code for n in range(6)]
    assert known == unknown == [401] * 5 + [429]
    a = _login(_from(limited_app, "10.3.0.1"), "TARGET", WRONG)
    b = _login(_from(limited_app, "10.3.0.2"), "NOBODY", WRONG)
    assert (a.status_code, a.get_json()["detail"], sorted(a.headers.keys())) == (
        b.status_code,
        b.get_json()["detail"],
        sorted(b.headers.keys()),
    )


def test_one_address_guessing_many_accounts_is_limited(limited_app, verifications):
    for n in range(5):
        _register(limited_app, f"victim{n}")
    attacker = _from(limited_app, "192.0.2.7")
    for n in range(5):
        assert _login(attacker, f"victim{n}", WRONG).status_code == 401
    _assert_limited(_login(attacker, "target", PASSWORD))
    # The accounts themselves are not locked for their owners elsewhere.
    assert _login(_from(limited_app, "198.51.100.1"), "target", PASSWORD).status_code == 200
    assert len(verifications) == 6


def test_successful_sign_ins_give_their_place_back(limited_app):
    owner = _from(limited_app, "10.4.0.1")
    for _ in range(4):
        assert _login(owner, "target", WRONG).status_code == 401
    for _ in range(6):
        assert _login(owner, "target@example.com", PASSWORD).status_code == 200
    assert _login(owner, "target", WRONG).status_code == 401
    _assert_limited(_login(owner, "target", PASSWORD))


def test_a_parallel_flood_reaches_the_password_check_at_most_five_times(limited_app, verifications):
    guessers = [_from(limited_app, f"10.5.{n // 200}.{n % 200}") for n in range(24)]
    for guesser in guessers:
        guesser.refresh_csrf()
    spellings = ["target", "TARGET", "target@example.com"]
    responses = run_together([lambda g=g, n=n: _login(g, spellings[n % 3], WRONG) for n, g in enumerate(guessers)])
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [401] * 5 + [429] * 19
    assert len(verifications) == 5
    _assert_limited(_login(_from(limited_app, "10.6.0.1"), "target", PASSWORD))


def test_a_parallel_flood_from_one_address_is_held_to_five_as_well(limited_app, verifications):
    for n in range(12):
        _register(limited_app, f"spread{n}")
    guessers = [_from(limited_app, "203.0.113.9") for _ in range(12)]
    for guesser in guessers:
        guesser.refresh_csrf()
    responses = run_together([lambda g=g, n=n: _login(g, f"spread{n}", WRONG) for n, g in enumerate(guessers)])
    assert sorted(r.status_code for r in responses) == [401] * 5 + [429] * 7
    assert len(verifications) == 5


def test_signing_in_works_again_after_the_window(limited_app):
    limited_app.config["RATELIMIT_LOGIN_FAILURES"] = "5 per 2 seconds"
    owner = _from(limited_app, "10.7.0.1")
    for _ in range(5):
        assert _login(owner, "target", WRONG).status_code == 401
    _assert_limited(_login(owner, "target", PASSWORD))
    time.sleep(2.2)
    assert _login(owner, "target@example.com", PASSWORD).status_code == 200


def test_without_rate_limits_failures_are_never_limited(app):
    _register(app, "free")
    for _ in range(8):
        assert _login(Actor(app), "free", WRONG).status_code == 401
    assert _login(Actor(app), "free", PASSWORD).status_code == 200
