import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from networkapp.extensions import db
from networkapp.models import AssessmentAttempt, AssessmentAttemptQuestion, AssessmentQuestion, Skill, UserSkill
from tests.conftest import PASSWORD, Actor


class Bank:
    """Test-side access to the database behind the assessment endpoints."""

    def __init__(self, app):
        self.app = app

    def skill_id(self, name: str) -> str:
        with self.app.app_context():
            return str(db.session.scalar(sa.select(Skill.id).where(Skill.name_key == name.lower())))

    def give_skill(self, actor, name: str) -> str:
        skill_id = self.skill_id(name)
        with self.app.app_context():
            db.session.add(UserSkill(user_id=uuid.UUID(actor.id), skill_id=uuid.UUID(skill_id)))
            db.session.commit()
        return skill_id

    def correct(self, attempt_id: str) -> dict[str, int]:
        """The right option of every question in an attempt: the answer key only the server knows."""
        with self.app.app_context():
            rows = db.session.execute(
                sa.select(AssessmentQuestion.id, AssessmentQuestion.correct_index)
                .join(AssessmentAttemptQuestion, AssessmentAttemptQuestion.question_id == AssessmentQuestion.id)
                .where(AssessmentAttemptQuestion.attempt_id == uuid.UUID(attempt_id))
            ).all()
        return {str(qid): index for qid, index in rows}

    def questions(self, attempt_id: str) -> dict[str, AssessmentQuestion]:
        with self.app.app_context():
            rows = db.session.scalars(
                sa.select(AssessmentQuestion)
                .join(AssessmentAttemptQuestion, AssessmentAttemptQuestion.question_id == AssessmentQuestion.id)
                .where(AssessmentAttemptQuestion.attempt_id == uuid.UUID(attempt_id))
            ).all()
            db.session.expunge_all()
        return {str(q.id): q for q in rows}

    def attempt(self, attempt_id: str) -> AssessmentAttempt:
        with self.app.app_context():
            attempt = db.session.get(AssessmentAttempt, uuid.UUID(attempt_id))
            db.session.expunge_all()
        return attempt

    def attempts(self, actor) -> list[AssessmentAttempt]:
        with self.app.app_context():
            rows = db.session.scalars(
                sa.select(AssessmentAttempt).where(AssessmentAttempt.user_id == uuid.UUID(actor.id))
            ).all()
            db.session.expunge_all()
        return list(rows)

    def answers(self, attempt_id: str) -> list[tuple]:
        with self.app.app_context():
            return [
                tuple(r)
                for r in db.session.execute(
                    sa.select(AssessmentAttemptQuestion.answer_index, AssessmentAttemptQuestion.is_correct).where(
                        AssessmentAttemptQuestion.attempt_id == uuid.UUID(attempt_id)
                    )
                )
            ]

    def shift(self, attempt_id: str, **delta) -> None:
        """Move an attempt into the past (its start and its deadline)."""
        with self.app.app_context():
            attempt = db.session.get(AssessmentAttempt, uuid.UUID(attempt_id))
            attempt.started_at -= timedelta(**delta)
            attempt.expires_at -= timedelta(**delta)
            db.session.commit()

    def passed_at(self, actor, name: str):
        with self.app.app_context():
            return db.session.get(UserSkill, (uuid.UUID(actor.id), uuid.UUID(self.skill_id(name)))).assessment_passed_at


@pytest.fixture
def bank(app):
    return Bank(app)


def second_session(app, actor) -> Actor:
    """Another browser signed in as the same person."""
    other = Actor(app, actor.user)
    response = other.post("/api/auth/login", json={"username": actor.user["username"], "password": PASSWORD})
    assert response.status_code == 200
    return other


def answers_with(correct: dict[str, int], right: int, options: int = 4) -> dict[str, int]:
    """Exactly ``right`` correct answers; the rest deliberately wrong."""
    chosen = {}
    for n, (qid, index) in enumerate(sorted(correct.items())):
        chosen[qid] = index if n < right else (index + 1) % options
    return chosen
