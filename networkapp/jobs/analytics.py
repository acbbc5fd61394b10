"""Application analytics for seekers (how my applications fare) and posters (a job's funnel)."""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict

import sqlalchemy as sa

from networkapp.errors import Forbidden
from networkapp.extensions import db
from networkapp.jobs.pipeline import STAGES
from networkapp.jobs.services import get_visible
from networkapp.models import ApplicationStatusChange, JobApplication, User
from networkapp.models.jobs import APPLICATION_STATUSES


def _hours(seconds: float) -> float:
    return round(seconds / 3600, 2)


def seeker(user: User) -> dict:
    rows = db.session.execute(
        sa.select(JobApplication.status, JobApplication.applied_at, JobApplication.first_response_at).where(
            JobApplication.applicant_id == user.id
        )
    ).all()
    by_status = dict.fromkeys(APPLICATION_STATUSES, 0)
    by_status.update(Counter(row.status for row in rows))
    waits = [(row.first_response_at - row.applied_at).total_seconds() for row in rows if row.first_response_at]
    return {
        "total": len(rows),
        "by_status": by_status,
        "responded": len(waits),
        "response_rate": round(len(waits) / len(rows), 4) if rows else None,
        "avg_hours_to_first_response": _hours(sum(waits) / len(waits)) if waits else None,
    }


def job_funnel(user: User, job_id: uuid.UUID) -> dict:
    """How many applications reached each stage, and how long they stayed in it once they left."""
    job = get_visible(job_id, user.id)
    if job.poster_id != user.id:
        raise Forbidden("Only the poster may see a job's analytics.")
    apps = {
        row.id: row.status
        for row in db.session.execute(
            sa.select(JobApplication.id, JobApplication.status).where(JobApplication.job_id == job.id)
        )
    }
    history: dict[uuid.UUID, list] = defaultdict(list)
    if apps:
        for application_id, status, changed_at in db.session.execute(
            sa.select(
                ApplicationStatusChange.application_id,
                ApplicationStatusChange.to_status,
                ApplicationStatusChange.changed_at,
            )
            .join(JobApplication, JobApplication.id == ApplicationStatusChange.application_id)
            .where(JobApplication.job_id == job.id)
            .order_by(ApplicationStatusChange.changed_at, ApplicationStatusChange.id)
        ):
            history[application_id].append((status, changed_at))
    reached = Counter()
    time_in: dict[str, list[float]] = defaultdict(list)
    for changes in history.values():
        for index, (status, changed_at) in enumerate(changes):
            reached[status] += 1
            if index + 1 < len(changes):
                time_in[status].append((changes[index + 1][1] - changed_at).total_seconds())
    by_status = dict.fromkeys(APPLICATION_STATUSES, 0)
    by_status.update(Counter(apps.values()))
    funnel = [
        {
            "stage": stage,
            "count": reached[stage],
            "avg_hours_in_stage": _hours(sum(time_in[stage]) / len(time_in[stage])) if time_in[stage] else None,
        }
        for stage in STAGES
    ]
    return {"job_id": job.id, "total": len(apps), "by_status": by_status, "funnel": funnel}
