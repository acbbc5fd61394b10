"""Taking a skill assessment: start, answer within the time limit, earn the skill's badge.

Scores belong to the taker alone; what others see is ``user_skills.assessment_passed_at``.
"""

from __future__ import annotations

import math
import secrets
import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from networkapp.database import commit, utcnow
from networkapp.errors import Conflict, Invalid, NotFound
from networkapp.extensions import db
from networkapp.models import AssessmentAttempt, AssessmentAttemptQuestion, AssessmentQuestion, Skill, User, UserSkill
from networkapp.pagination import keyset_page

_random = secrets.SystemRandom()


def _setting(name: str) -> int:
    return int(current_app.config[name])


def effective_status(attempt: AssessmentAttempt, now: datetime | None = None) -> str:
    """An unsubmitted attempt past its deadline is over even before anyone writes that down."""
    if attempt.status == "in_progress" and (now or utcnow()) > attempt.expires_at:
        return "expired"
    return attempt.status


def start_attempt(user: User, skill_id: uuid.UUID) -> AssessmentAttempt:
    skill = db.session.get(Skill, skill_id)
    if skill is None:
        raise NotFound("No such skill.")
    if db.session.get(UserSkill, (user.id, skill.id)) is None:
        raise Invalid("Add this skill to your profile before taking its assessment.", field="skill_id")
    question_ids = list(
        db.session.scalars(sa.select(AssessmentQuestion.id).where(AssessmentQuestion.skill_id == skill.id))
    )
    if not question_ids:
        raise NotFound("There is no assessment for this skill yet.")

    now = utcnow()
    last = db.session.scalars(
        sa.select(AssessmentAttempt)
        .where(AssessmentAttempt.user_id == user.id, AssessmentAttempt.skill_id == skill.id)
        .order_by(AssessmentAttempt.started_at.desc())
        .limit(1)
    ).first()
    if last is not None:
        ready = last.started_at + timedelta(hours=_setting("ASSESSMENT_RETAKE_COOLDOWN_HOURS"))
        if effective_status(last, now) == "in_progress":
            ready = max(ready, last.expires_at)
        if now < ready:
            wait = math.ceil((ready - now).total_seconds())
            raise Conflict(
                f"You can take this assessment again at {ready.isoformat()}.", headers={"Retry-After": str(wait)}
            )
        if last.status == "in_progress":
            # It ran out unsubmitted; record that so it no longer counts as the open attempt.
            last.status = "expired"

    chosen = _random.sample(question_ids, min(_setting("ASSESSMENT_QUESTION_COUNT"), len(question_ids)))
    attempt = AssessmentAttempt(
        user_id=user.id,
        skill_id=skill.id,
        started_at=now,
        expires_at=now + timedelta(seconds=_setting("ASSESSMENT_TIME_LIMIT_SECONDS")),
        question_count=len(chosen),
        pass_percent=_setting("ASSESSMENT_PASS_PERCENT"),
    )
    db.session.add(attempt)
    db.session.flush()
    db.session.add_all(
        AssessmentAttemptQuestion(attempt_id=attempt.id, question_id=qid, position=n)
        for n, qid in enumerate(chosen, start=1)
    )
    commit()
    return attempt


def get_attempt(user: User, attempt_id: uuid.UUID, *, for_update: bool = False) -> AssessmentAttempt:
    stmt = sa.select(AssessmentAttempt).where(AssessmentAttempt.id == attempt_id, AssessmentAttempt.user_id == user.id)
    if for_update:
        # Two submissions racing on PostgreSQL: the second waits, then sees the first's result.
        stmt = stmt.with_for_update(of=AssessmentAttempt)
    attempt = db.session.scalars(stmt).first()
    if attempt is None:
        raise NotFound("No such assessment attempt.")
    return attempt


def _items(attempt: AssessmentAttempt) -> list[AssessmentAttemptQuestion]:
    return list(
        db.session.scalars(
            sa.select(AssessmentAttemptQuestion)
            .where(AssessmentAttemptQuestion.attempt_id == attempt.id)
            .order_by(AssessmentAttemptQuestion.position)
        )
    )


def submit(user: User, attempt_id: uuid.UUID, answers: dict[uuid.UUID, int]) -> AssessmentAttempt:
    attempt = get_attempt(user, attempt_id, for_update=True)
    if attempt.status != "in_progress":
        raise Conflict("This attempt has already been submitted." if attempt.submitted_at else "This attempt is over.")
    now = utcnow()
    if now > attempt.expires_at:
        attempt.status = "expired"
        commit()
        raise Conflict("The time limit for this attempt has passed; it has been marked expired.")

    items = _items(attempt)
    by_question = {item.question_id: item for item in items}
    errors = {}
    for question_id, choice in answers.items():
        item = by_question.get(question_id)
        if item is None:
            errors[f"answers.{question_id}"] = ["This question is not part of the attempt."]
        elif choice >= len(item.question.options):
            errors[f"answers.{question_id}"] = [f"Choose an option from 0 to {len(item.question.options) - 1}."]
    if errors:
        raise Invalid("Some answers do not fit this attempt.", errors=errors)

    correct = 0
    for item in items:
        item.answer_index = answers.get(item.question_id)
        item.is_correct = item.answer_index == item.question.correct_index
        correct += item.is_correct
    total = len(items)
    passed = correct * 100 >= attempt.pass_percent * total
    attempt.correct_count = correct
    attempt.score = correct * 100 // total
    attempt.submitted_at = now
    attempt.status = "passed" if passed else "failed"
    if passed:
        db.session.execute(
            sa.update(UserSkill)
            .where(UserSkill.user_id == user.id, UserSkill.skill_id == attempt.skill_id)
            .values(assessment_passed_at=now)
        )
    commit()
    return attempt


def list_attempts(user: User, *, skill_id: uuid.UUID | None, limit: int, cursor: str | None):
    stmt = sa.select(AssessmentAttempt).where(AssessmentAttempt.user_id == user.id)
    if skill_id is not None:
        stmt = stmt.where(AssessmentAttempt.skill_id == skill_id)
    rows, next_cursor = keyset_page(
        db.session,
        stmt,
        columns=[AssessmentAttempt.started_at, AssessmentAttempt.id],
        limit=limit,
        cursor=cursor,
        salt="assessment-attempts",
    )
    now = utcnow()
    return [summary(row[0], now) for row in rows], next_cursor


def summary(attempt: AssessmentAttempt, now: datetime | None = None) -> dict:
    status = effective_status(attempt, now)
    return {
        "id": attempt.id,
        "skill": {"id": attempt.skill.id, "name": attempt.skill.name},
        "status": status,
        "started_at": attempt.started_at,
        "expires_at": attempt.expires_at,
        "submitted_at": attempt.submitted_at,
        "question_count": attempt.question_count,
        "pass_percent": attempt.pass_percent,
        "correct_count": attempt.correct_count,
        "score": attempt.score,
        "passed": None if attempt.submitted_at is None else status == "passed",
    }


def detail(attempt: AssessmentAttempt) -> dict:
    now = utcnow()
    view = summary(attempt, now)
    view["seconds_remaining"] = (
        max(0, math.floor((attempt.expires_at - now).total_seconds())) if view["status"] == "in_progress" else 0
    )
    view["questions"] = [
        {
            "id": item.question_id,
            "position": item.position,
            "text": item.question.text,
            "options": item.question.options,
            "answer_index": item.answer_index,
            "is_correct": item.is_correct,
            # An explanation often names the right option: only where mine was right.
            "explanation": item.question.explanation if item.is_correct else None,
        }
        for item in _items(attempt)
    ]
    return view


def passed_skill_ids(user_id: uuid.UUID) -> set[uuid.UUID]:
    """The skills whose assessment this user has passed: the public badges."""
    return set(
        db.session.scalars(
            sa.select(UserSkill.skill_id).where(
                UserSkill.user_id == user_id, UserSkill.assessment_passed_at.is_not(None)
            )
        )
    )
