"""What a person's profile says about them as a candidate: skills, experience, seniority."""

from __future__ import annotations

import uuid
from datetime import date

import sqlalchemy as sa

from networkapp.extensions import db
from networkapp.models import Experience

DAYS_PER_YEAR = 365.25


def career_days():
    """SQL expression: days from a person's first job start to the end of their latest (or today).

    Counting the span rather than summing roles keeps overlapping roles from double-counting.
    """
    end = sa.func.max(sa.func.coalesce(Experience.end_date, sa.func.current_date()))
    start = sa.func.min(Experience.start_date)
    if db.engine.dialect.name == "postgresql":
        return end - start
    return sa.func.julianday(end) - sa.func.julianday(start)


def years_subquery():
    return (
        sa.select(Experience.user_id.label("user_id"), (career_days() / DAYS_PER_YEAR).label("years"))
        .where(Experience.start_date.is_not(None))
        .group_by(Experience.user_id)
        .subquery("career")
    )


def years_of_experience(user_ids: list[uuid.UUID]) -> dict[uuid.UUID, float]:
    if not user_ids:
        return {}
    rows = db.session.execute(
        sa.select(Experience.user_id, Experience.start_date, Experience.end_date).where(
            Experience.user_id.in_(user_ids), Experience.start_date.is_not(None)
        )
    ).all()
    spans: dict[uuid.UUID, tuple[date, date]] = {}
    today = date.today()
    for user_id, start, end in rows:
        end = end or today
        first, last = spans.get(user_id, (start, end))
        spans[user_id] = (min(first, start), max(last, end))
    return {user_id: round((last - first).days / DAYS_PER_YEAR, 1) for user_id, (first, last) in spans.items()}


SENIOR_WORDS = frozenset({"senior", "sr", "lead", "principal", "staff", "head", "director", "architect"})
JUNIOR_WORDS = frozenset({"junior", "jr", "intern", "internship", "graduate", "entry", "trainee", "apprentice"})


def seniority_of_title(title: str) -> str:
    words = {w.strip(".,()").lower() for w in title.split()}
    if words & SENIOR_WORDS:
        return "senior"
    if words & JUNIOR_WORDS:
        return "junior"
    return "mid"


def seniority_of_years(years: float) -> str:
    if years >= 5:
        return "senior"
    if years < 2:
        return "junior"
    return "mid"
