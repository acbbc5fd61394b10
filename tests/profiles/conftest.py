"""Helpers for the profile tests: direct database reads and small setups."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from networkapp.extensions import db


@pytest.fixture(autouse=True)
def media_root(app, tmp_path):
    root = tmp_path / "media"
    app.config["MEDIA_ROOT"] = str(root)
    return root


@pytest.fixture
def scalar(app):
    """Run one SQL expression against the test database and return its scalar."""

    def run(stmt):
        with app.app_context():
            return db.session.scalar(stmt)

    return run


@pytest.fixture
def rows(app):
    def run(stmt):
        with app.app_context():
            return db.session.execute(stmt).all()

    return run


def uid(actor) -> uuid.UUID:
    return uuid.UUID(actor.id)


def block(app, blocker, blocked) -> None:
    from networkapp.models import Block

    with app.app_context():
        db.session.add(Block(blocker_id=uid(blocker), blocked_id=uid(blocked)))
        db.session.commit()


def usage(app, name: str) -> int | None:
    from networkapp.models import Skill

    with app.app_context():
        return db.session.scalar(sa.select(Skill.usage_count).where(Skill.name_key == name.lower()))


def usage_counts_off(app) -> int:
    """How many catalogue skills have a ``usage_count`` other than the number of profiles holding them."""
    from networkapp.models import Skill, UserSkill

    held = sa.select(sa.func.count()).where(UserSkill.skill_id == Skill.id).correlate(Skill).scalar_subquery()
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Skill).where(Skill.usage_count != held))


def put_profile(actor, **body):
    return actor.put(f"/api/profiles/{actor.id}", json=body)
