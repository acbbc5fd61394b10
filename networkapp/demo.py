"""The demo dataset behind ``flask seed demo``: idempotent, a handful of people."""

from __future__ import annotations

import sqlalchemy as sa

from networkapp.extensions import db
from networkapp.models import Connection, Skill, User, UserSkill
from networkapp.security import hash_password

DEMO_PASSWORD = "demo-password-2024"
DEMO_USERS = [
    # username, first, last, industry, location, headline, skills
    (
        "ada",
        "Ada",
        "Lovelace",
        "Software",
        "London",
        "Principal Engineer at Analytical Engines",
        ["Python", "Machine Learning", "Technical Writing"],
    ),
    (
        "grace",
        "Grace",
        "Hopper",
        "Software",
        "New York",
        "Compiler engineer and Navy veteran",
        ["Python", "Leadership", "Public Speaking"],
    ),
    (
        "alan",
        "Alan",
        "Turing",
        "Research",
        "Manchester",
        "Researcher in computability and AI",
        ["Machine Learning", "Mathematics"],
    ),
    (
        "katherine",
        "Katherine",
        "Johnson",
        "Aerospace",
        "Hampton",
        "Mathematician, orbital mechanics",
        ["Mathematics", "Data Analysis"],
    ),
    ("linus", "Linus", "Torvalds", "Software", "Portland", "Maintainer of a popular kernel", ["C", "Git", "Linux"]),
]
DEMO_CONNECTIONS = [("ada", "grace"), ("ada", "alan"), ("grace", "katherine"), ("alan", "katherine")]


def _skill(name: str) -> Skill:
    skill = db.session.execute(sa.select(Skill).where(Skill.name_key == name.lower())).scalar_one_or_none()
    if skill is None:
        skill = Skill(name=name, name_key=name.lower(), category="Other")
        db.session.add(skill)
        db.session.flush()
    return skill


def _connect(a: User, b: User) -> None:
    from networkapp.connections import services

    low, high = Connection.pair(a.id, b.id)
    exists = db.session.execute(
        sa.select(Connection.id).where(Connection.user_low_id == low, Connection.user_high_id == high)
    ).first()
    if exists:
        return
    request = services.request_connection(a, b.id, "Great to connect!")
    services.accept(b, request["id"])


def load() -> int:
    users: dict[str, User] = {}
    created = 0
    password_hash = None
    for username, first, last, industry, location, headline, skills in DEMO_USERS:
        user = db.session.execute(sa.select(User).where(User.username == username)).scalar_one_or_none()
        if user is None:
            password_hash = password_hash or hash_password(DEMO_PASSWORD)
            user = User(
                username=username,
                email=f"{username}@example.com",
                password_hash=password_hash,
                first_name=first,
                last_name=last,
                industry=industry,
                location=location,
                headline=headline,
                bio=f"{first} {last} — demo profile.",
            )
            db.session.add(user)
            db.session.flush()
            for name in skills:
                skill = _skill(name)
                db.session.add(UserSkill(user_id=user.id, skill_id=skill.id, proficiency_level=4, years_experience=5))
                skill.usage_count += 1
            created += 1
        users[username] = user
    for a, b in DEMO_CONNECTIONS:
        _connect(users[a], users[b])
    db.session.commit()
    return created
