"""Job alerts: saved searches that notify their owner when a matching job is posted.

Matching runs in the posting's own process right after its transaction
commits (see ``services._alerts_after_commit``), in a fresh session: one
query selects candidate alerts by the cheap, indexed columns (employment
type, workplace, salary floor), and the text, location and skill criteria
are checked in Python on that candidate set.
"""

from __future__ import annotations

import re
import uuid
from decimal import Decimal

import sqlalchemy as sa

from networkapp.connections import graph
from networkapp.database import commit, utcnow
from networkapp.errors import Conflict, NotFound
from networkapp.extensions import db
from networkapp.jobs import search
from networkapp.jobs.services import is_open, skills_by_job
from networkapp.models import Job, JobAlert, User
from networkapp.notifications.services import notify

MAX_ALERTS_PER_USER = 10
FIELDS = ("name", "q", "location", "employment_type", "workplace", "salary_min")


def _view(alert: JobAlert) -> dict:
    return {c.key: getattr(alert, c.key) for c in JobAlert.__table__.columns}


def _normalise_skills(names: list[str] | None) -> list[str]:
    seen: dict[str, None] = {}
    for name in names or []:
        seen.setdefault(name.strip().lower(), None)
    return list(seen)


def list_alerts(user: User) -> list[dict]:
    alerts = db.session.scalars(
        sa.select(JobAlert).where(JobAlert.user_id == user.id).order_by(JobAlert.created_at, JobAlert.id)
    ).all()
    return [_view(alert) for alert in alerts]


def create(user: User, data: dict) -> dict:
    # Serialise this person's alert creation so two parallel requests cannot both take the 10th slot.
    db.session.execute(sa.select(User.id).where(User.id == user.id).with_for_update())
    count = db.session.scalar(sa.select(sa.func.count()).select_from(JobAlert).where(JobAlert.user_id == user.id))
    if count >= MAX_ALERTS_PER_USER:
        raise Conflict(f"You can keep at most {MAX_ALERTS_PER_USER} job alerts; delete one first.")
    alert = JobAlert(user_id=user.id, skills=_normalise_skills(data.get("skills")))
    for field in FIELDS:
        setattr(alert, field, data.get(field))
    db.session.add(alert)
    db.session.flush()
    view = _view(alert)
    commit()
    return view


def _own(user: User, alert_id: uuid.UUID) -> JobAlert:
    alert = db.session.get(JobAlert, alert_id)
    if alert is None or alert.user_id != user.id:
        # Alerts are private: someone else's alert does not exist for you.
        raise NotFound("No such job alert.")
    return alert


def update(user: User, alert_id: uuid.UUID, data: dict) -> dict:
    alert = _own(user, alert_id)
    for field in FIELDS:
        if field in data:
            setattr(alert, field, data[field])
    if "skills" in data:
        alert.skills = _normalise_skills(data["skills"])
    alert.updated_at = utcnow()
    db.session.flush()
    view = _view(alert)
    commit()
    return view


def delete(user: User, alert_id: uuid.UUID) -> None:
    db.session.delete(_own(user, alert_id))
    commit()


# --- matching -------------------------------------------------------------------------------


def _words(*texts: str | None) -> set[str]:
    return {w.lower() for text in texts if text for w in re.findall(r"\w+", text)}


def matches(alert: JobAlert, job: Job, job_words: set[str], job_skills: set[str]) -> bool:
    """The Python half of matching (the SQL half already checked type, workplace and salary)."""
    if alert.location and (not job.location or alert.location.lower() not in job.location.lower()):
        return False
    if alert.skills and not job_skills.intersection(alert.skills):
        return False
    if alert.q:
        # Every word must start some word of the posting, as the search's prefix matching does.
        for token in search.tokens(alert.q):
            if not any(word.startswith(token) for word in job_words):
                return False
    return True


def candidates(job: Job) -> sa.Select:
    salary = job.salary_year_max if job.salary_year_max is not None else job.salary_year_min
    stmt = sa.select(JobAlert).where(
        JobAlert.user_id != job.poster_id,
        sa.or_(JobAlert.employment_type.is_(None), JobAlert.employment_type == job.employment_type),
        sa.or_(JobAlert.workplace.is_(None), JobAlert.workplace == job.workplace),
        JobAlert.user_id.not_in(graph.hidden_ids(job.poster_id)),
    )
    if salary is None:
        stmt = stmt.where(JobAlert.salary_min.is_(None))
    else:
        stmt = stmt.where(sa.or_(JobAlert.salary_min.is_(None), JobAlert.salary_min <= Decimal(salary)))
    return stmt


def fire_for_job(job_id: uuid.UUID) -> int:
    """Notify the owners of alerts that match a new posting (at most once per person); returns how many."""
    job = db.session.get(Job, job_id)
    if job is None or not is_open(job):
        return 0
    job_words = _words(job.title, job.company, job.description, job.requirements)
    job_skills = {name.lower() for name in skills_by_job([job.id])[job.id]}
    notified: set[uuid.UUID] = set()
    for alert in db.session.scalars(candidates(job)):
        if alert.user_id in notified or not matches(alert, job, job_words, job_skills):
            continue
        notified.add(alert.user_id)
        notify(
            alert.user_id,
            "job_alert",
            actor=job.poster_id,
            data={
                "job_id": str(job.id),
                "alert_id": str(alert.id),
                "alert_name": alert.name,
                "title": job.title,
                "company": job.company,
            },
        )
    commit()
    return len(notified)
