"""Helpers shared by the community tests (groups, events, mentorship)."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
import sqlalchemy as sa

from networkapp.extensions import db


def give_skills(app, actor, *names: str, proficiency: int = 3) -> None:
    """Put catalogue skills on a profile directly (the profiles API is another domain's)."""
    from networkapp.models import Skill, UserSkill

    with app.app_context():
        for name in names:
            skill = db.session.execute(sa.select(Skill).where(Skill.name_key == name.lower())).scalar_one()
            db.session.add(UserSkill(user_id=uuid.UUID(actor.id), skill_id=skill.id, proficiency_level=proficiency))
        db.session.commit()


def add_experience(app, actor, position: str, start: date, end: date | None = None, company: str = "Acme") -> None:
    from networkapp.models import Experience

    with app.app_context():
        db.session.add(
            Experience(
                user_id=uuid.UUID(actor.id),
                company=company,
                position=position,
                start_date=start,
                end_date=end,
                is_current=end is None,
            )
        )
        db.session.commit()


def block(app, blocker, blocked) -> None:
    from networkapp.models import Block

    with app.app_context():
        db.session.add(Block(blocker_id=uuid.UUID(blocker.id), blocked_id=uuid.UUID(blocked.id)))
        db.session.commit()


def scalar(app, stmt):
    with app.app_context():
        return db.session.scalar(stmt)


def notifications_of(actor, type_: str) -> list[dict]:
    items = actor.get("/api/notifications?limit=100").get_json()["items"]
    return [n for n in items if n["type"] == type_]


@pytest.fixture
def carol(make_user):
    return make_user("carol", first_name="Carol", last_name="Cole")
