"""Helpers for the job marketplace tests: postings, applications and direct database setup."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from networkapp.database import utcnow
from networkapp.extensions import db


def job_body(**fields) -> dict:
    body = {"title": "Backend Engineer", "company": "Acme"}
    body.update(fields)
    return body


@pytest.fixture
def post_job():
    def post(actor, **fields) -> dict:
        response = actor.post("/api/jobs", json=job_body(**fields))
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return post


@pytest.fixture
def apply_to():
    def apply(actor, job_id: str, **fields) -> dict:
        response = actor.post(f"/api/jobs/{job_id}/apply", json=fields)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return apply


@pytest.fixture
def db_session(app):
    """Run a block against the test database (setup and assertions on stored rows)."""

    class Runner:
        def __call__(self, fn):
            with app.app_context():
                try:
                    return fn(db.session)
                finally:
                    db.session.remove()

    return Runner()


def shift_job(app, job_id: str, **fields) -> None:
    """Move a posting's timestamps (expiry, posting date) directly: time travel for tests."""
    from networkapp.models import Job

    with app.app_context():
        job = db.session.get(Job, uuid.UUID(job_id))
        for key, value in fields.items():
            setattr(job, key, value)
        db.session.commit()
        db.session.remove()


def add_experience(app, user_id: str, years: float, *, current: bool = True) -> None:
    from networkapp.models import Experience

    with app.app_context():
        start = date.today() - timedelta(days=int(years * 365.25))
        db.session.add(
            Experience(
                user_id=uuid.UUID(user_id),
                company="Prior Co",
                position="Engineer",
                start_date=start,
                is_current=current,
            )
        )
        db.session.commit()
        db.session.remove()


def add_user_skills(app, user_id: str, skills: dict[str, int]) -> None:
    """Give a user catalogue skills {name: proficiency}."""
    import sqlalchemy as sa

    from networkapp.models import Skill, UserSkill

    with app.app_context():
        for name, level in skills.items():
            skill = db.session.scalars(sa.select(Skill).where(Skill.name_key == name.lower())).one_or_none()
            if skill is None:
                skill = Skill(name=name, name_key=name.lower(), category="Other")
                db.session.add(skill)
                db.session.flush()
            db.session.add(UserSkill(user_id=uuid.UUID(user_id), skill_id=skill.id, proficiency_level=level))
        db.session.commit()
        db.session.remove()


def past(days: float):
    return utcnow() - timedelta(days=days)
