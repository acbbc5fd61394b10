"""Accounts: registration, credentials, the current user's overview."""

from __future__ import annotations

import sqlalchemy as sa

from networkapp.auth import attempts, sessions
from networkapp.database import commit, end_reads, write_step
from networkapp.errors import Conflict, Forbidden, Invalid, Unauthorized
from networkapp.extensions import db
from networkapp.models import Connection, User, UserSkill
from networkapp.security import hash_password, needs_rehash, password_problems, verify_password

INVALID_CREDENTIALS = "The username/e-mail or password is incorrect."


def register(*, username: str, email: str, password: str, first_name: str, last_name: str, industry: str) -> User:
    username, email = username.lower(), email.lower()
    problems = password_problems(password, username=username, email=email)
    if problems:
        raise Invalid("The password is too weak.", errors={"password": problems})
    # Hashed with no transaction or connection held: on SQLite the first query takes the
    # write lock, and on any database a pooled connection must not wait through Argon2id.
    end_reads()
    password_hash = hash_password(password)
    taken = db.session.execute(
        sa.select(User.username, User.email).where(sa.or_(User.username == username, User.email == email))
    ).all()
    if taken:
        errors = {}
        if any(row.username == username for row in taken):
            errors["username"] = ["This username is taken."]
        if any(row.email == email for row in taken):
            errors["email"] = ["An account with this e-mail address exists."]
        raise Conflict("An account with this username or e-mail address already exists.", errors=errors)
    user = User(
        username=username,
        email=email,
        password_hash=password_hash,
        first_name=first_name,
        last_name=last_name,
        industry=industry,
    )
    db.session.add(user)
    db.session.flush()  # the unique constraints settle a concurrent registration here (→ 409)
    sessions.start_session(user)
    commit()
    return user


def login(*, identity: str, password: str, address: str | None) -> User:
    identity = identity.strip().lower()
    column = User.email if "@" in identity else User.username
    user = db.session.execute(sa.select(User).where(column == identity)).scalar_one_or_none()
    # The hash waits for a slot and takes tens of milliseconds: no connection is held meanwhile.
    end_reads()
    attempt = attempts.reserve(attempts.account_key(user.id if user else None, identity), attempts.address_key(address))
    # Verify even for unknown accounts so timing does not reveal which exist.
    if not verify_password(user.password_hash if user else None, password) or user is None:
        raise Unauthorized(INVALID_CREDENTIALS)
    attempt.refund()
    new_hash = hash_password(password) if needs_rehash(user.password_hash) else None
    with write_step():
        if new_hash:
            user.password_hash = new_hash
        sessions.start_session(user)
    return user


class WrongPassword(Forbidden):
    """The current password did not verify (counted towards the failed-attempt limit)."""


def change_password(user: User, *, current_password: str, new_password: str, address: str | None) -> None:
    """Rehash with ``new_password`` and end every session but the caller's.

    Someone who changes their password because it leaked expects the copies of
    their cookie held elsewhere to stop working at once.
    """
    end_reads()
    # The same counters as sign-in: a stolen session must not guess the password faster than a stranger.
    attempt = attempts.reserve(attempts.account_key(user.id, user.username), attempts.address_key(address))
    if not verify_password(user.password_hash, current_password):
        raise WrongPassword("The current password is incorrect.", errors={"current_password": ["Incorrect."]})
    attempt.refund()
    problems = password_problems(new_password, username=user.username, email=user.email)
    if not problems and new_password == current_password:
        problems = ["Choose a password different from the current one."]
    if problems:
        raise Invalid("The new password is not acceptable.", errors={"new_password": problems})
    new_hash = hash_password(new_password)
    with write_step():
        user.password_hash = new_hash
        sessions.revoke_other_sessions(user)


def logout(user: User) -> None:
    sessions.end_session(user)
    commit()


PROFILE_SECTIONS = (
    # (attribute or section, weight, tip)
    ("headline", 15, "Add a headline: your role and what you are known for, in one line."),
    ("bio", 15, "Write a short summary of your experience and what you are looking for."),
    ("location", 10, "Add your location so people and recruiters nearby can find you."),
    ("industry", 10, "Choose your industry to get better suggestions."),
    ("profile_image_url", 10, "Add a profile photo: profiles with photos get far more views."),
    ("skills", 20, "List at least 3 skills so others can endorse them."),
    ("experience", 10, "Add your current and past positions."),
    ("education", 10, "Add your education."),
)


# Filled by the profile domain (experience, education): name -> callable(user_id) -> a COUNT
# scalar subquery, so every count of the overview runs in one statement.  A missing counter
# counts as empty.
SECTION_COUNTERS: dict = {}


def _overview_counts(user: User) -> dict[str, int]:
    """Profile section counts and pending requests, one statement (the SPA asks on every start and sign-in)."""

    def pending(column):
        return (
            sa.select(sa.func.count())
            .select_from(Connection)
            .where(Connection.status == "pending", column == user.id)
            .scalar_subquery()
        )

    counts = {
        "skills": sa.select(sa.func.count())
        .select_from(UserSkill)
        .where(UserSkill.user_id == user.id)
        .scalar_subquery(),
        **{name: counter(user.id) for name, counter in SECTION_COUNTERS.items()},
        "pending_received": pending(Connection.recipient_id),
        "pending_sent": pending(Connection.requester_id),
    }
    row = db.session.execute(sa.select(*[expr.label(name) for name, expr in counts.items()])).one()
    return dict(row._mapping)


def profile_completion(user: User, counts: dict[str, int] | None = None) -> dict:
    counts = counts if counts is not None else _overview_counts(user)
    percent, missing, tips = 0, [], []
    for name, weight, tip in PROFILE_SECTIONS:
        if name in ("skills", "experience", "education"):
            needed = 3 if name == "skills" else 1
            done = counts.get(name, 0) >= needed
        else:
            done = bool(getattr(user, name))
        if done:
            percent += weight
        else:
            missing.append(name)
            tips.append(tip)
    return {"percent": percent, "missing": missing, "tips": tips}


def network_stats(user: User, counts: dict[str, int] | None = None) -> dict:
    counts = counts if counts is not None else _overview_counts(user)
    return {
        "connections": user.connection_count,
        "pending_received": counts["pending_received"],
        "pending_sent": counts["pending_sent"],
        "profile_views": user.profile_views,
    }


def self_view(user: User) -> dict:
    """The signed-in user's own record with the overview the SPA shows on load."""
    counts = _overview_counts(user)
    return {
        **{c.key: getattr(user, c.key) for c in User.__table__.columns if c.key != "password_hash"},
        "profile_completion": profile_completion(user, counts),
        "network_stats": network_stats(user, counts),
    }
