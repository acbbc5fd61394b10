"""Password hashing (argon2id) and the password policy."""

from __future__ import annotations

import threading
from functools import cache
from importlib import resources

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

from networkapp.concurrency import off_loop

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 256

# A syntactically valid hash of a random secret: verifying against it costs
# the same as a real account, so an unknown username is not faster to reject.
_DUMMY_PASSWORD = "no-such-account-timing-equaliser"  # noqa: S105 (not a credential)


def hasher() -> PasswordHasher:
    cfg = current_app.config
    return _hasher(cfg["ARGON2_TIME_COST"], cfg["ARGON2_MEMORY_COST"], cfg["ARGON2_PARALLELISM"])


@cache
def _hasher(time_cost: int, memory_cost: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism, type=Type.ID)


@cache
def _dummy_hash(time_cost: int, memory_cost: int, parallelism: int) -> str:
    return _hasher(time_cost, memory_cost, parallelism).hash(_DUMMY_PASSWORD)


@cache
def _hashing_slots(size: int) -> threading.BoundedSemaphore:
    return threading.BoundedSemaphore(size)


def _slot() -> threading.BoundedSemaphore:
    """At most ARGON2_MAX_CONCURRENCY hashes at once in this process.

    argon2-cffi releases the GIL, so without a bound a flood of sign-ins on 32
    server threads runs 32 hashes at once and every other request queues for a
    core behind them.  The default leaves one core to everything else: sign-in
    throughput is capped at the other cores' hashing rate, and the rest of the
    API keeps its latency during a flood.  Waiting threads sleep on the semaphore.
    """
    return _hashing_slots(max(1, int(current_app.config.get("ARGON2_MAX_CONCURRENCY") or 1)))


def hash_password(password: str) -> str:
    with _slot():
        return off_loop(hasher().hash, password)


def verify_password(password_hash: str | None, password: str) -> bool:
    ph = hasher()
    if password_hash is None:
        cfg = current_app.config
        password_hash = _dummy_hash(cfg["ARGON2_TIME_COST"], cfg["ARGON2_MEMORY_COST"], cfg["ARGON2_PARALLELISM"])
        password = password + "\x00"  # never matches
    try:
        with _slot():
            return off_loop(ph.verify, password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return hasher().check_needs_rehash(password_hash)


@cache
def _common_passwords() -> frozenset[str]:
    text = resources.files("networkapp.data").joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip())


def password_problems(password: str, *, username: str = "", email: str = "") -> list[str]:
    """Why a password is too weak (empty list: acceptable)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return [f"Use at least {MIN_PASSWORD_LENGTH} characters."]
    if len(password) > MAX_PASSWORD_LENGTH:
        return [f"Use at most {MAX_PASSWORD_LENGTH} characters."]
    lowered = password.lower()
    if lowered in _common_passwords():
        return ["This password is too common; choose another."]
    if len(set(password)) < 3:
        return ["This password is too easy to guess."]
    for identity in (username.lower(), email.lower().split("@")[0]):
        if identity and len(identity) >= 3 and lowered == identity:
            return ["The password must not be your username or e-mail address."]
    return []
