"""Applications and their pipeline, for applicants and for posters."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import timedelta

import sqlalchemy as sa

from networkapp.connections import graph
from networkapp.database import commit, utcnow
from networkapp.errors import Conflict, Forbidden, Invalid, NotFound
from networkapp.extensions import db
from networkapp.jobs import pipeline
from networkapp.jobs.services import closed_reason, get_visible, is_open
from networkapp.models import ApplicationStatusChange, Job, JobApplication, User
from networkapp.notifications.services import notify
from networkapp.pagination import keyset_page


def _view(application: JobApplication) -> dict:
    return {c.key: getattr(application, c.key) for c in JobApplication.__table__.columns}


def _record(application: JobApplication, new_status: str, actor: User, note: str | None = None) -> None:
    db.session.add(
        ApplicationStatusChange(
            application_id=application.id,
            from_status=None if new_status == "applied" else application.status,
            to_status=new_status,
            changed_by_id=actor.id,
            note=note,
            changed_at=utcnow(),
        )
    )
    application.status = new_status
    application.updated_at = utcnow()


def apply(user: User, job_id: uuid.UUID, data: dict) -> dict:
    job = get_visible(job_id, user.id)
    if job.poster_id == user.id:
        raise Invalid("You cannot apply to your own job posting.", field="job_id")
    if not is_open(job):
        raise Conflict("This job posting is closed.")
    exists = db.session.scalar(
        sa.select(sa.exists().where(JobApplication.job_id == job.id, JobApplication.applicant_id == user.id))
    )
    if exists:
        raise Conflict("You have already applied to this job.")
    now = utcnow()
    application = JobApplication(
        job_id=job.id,
        applicant_id=user.id,
        status="applied",
        cover_letter=data.get("cover_letter"),
        resume_url=data.get("resume_url"),
        application_notes=data.get("application_notes"),
        applied_at=now,
        updated_at=now,
    )
    db.session.add(application)
    # The unique (job_id, applicant_id) constraint settles a race with a concurrent submit here (→ 409).
    db.session.flush()
    _record(application, "applied", user)
    notify(
        job.poster_id,
        "job_application",
        actor=user,
        data={"job_id": str(job.id), "application_id": str(application.id), "job_title": job.title},
    )
    db.session.flush()
    view = _view(application)
    commit()
    return view


def _load(application_id: uuid.UUID) -> tuple[JobApplication, Job]:
    row = db.session.execute(
        sa.select(JobApplication, Job)
        .join(Job, Job.id == JobApplication.job_id)
        .where(JobApplication.id == application_id)
    ).first()
    if row is None:
        raise NotFound("No such application.")
    return row[0], row[1]


def withdraw(user: User, application_id: uuid.UUID) -> dict:
    application, job = _load(application_id)
    if application.applicant_id != user.id:
        # Posters and strangers alike: only the applicant may withdraw, and others learn nothing.
        if job.poster_id == user.id:
            raise Forbidden("Only the applicant may withdraw an application.")
        raise NotFound("No such application.")
    if application.status not in pipeline.WITHDRAWABLE:
        raise Conflict(f"An application that is {application.status} cannot be withdrawn.")
    _record(application, "withdrawn", user)
    notify(
        job.poster_id,
        "application_status",
        actor=user,
        data={"job_id": str(job.id), "application_id": str(application.id), "status": "withdrawn"},
    )
    db.session.flush()
    view = _view(application)
    commit()
    return view


def move(user: User, application_id: uuid.UUID, status: str, note: str | None, interview: dict | None = None) -> dict:
    application, job = _load(application_id)
    if job.poster_id != user.id:
        if application.applicant_id == user.id:
            raise Forbidden("Only the job's poster may change the status of an application.")
        raise NotFound("No such application.")
    if not pipeline.poster_may_move(application.status, status):
        raise Conflict(f"An application cannot move from {application.status} to {status}.")
    _record(application, status, user, note)
    if application.first_response_at is None:
        application.first_response_at = application.updated_at
    data = {"job_id": str(job.id), "application_id": str(application.id), "status": status, "job_title": job.title}
    if interview and interview.get("interview_at"):
        if interview["interview_at"] <= utcnow():
            raise Invalid("The interview must be in the future.", field="interview_at")
        application.interview_at = interview["interview_at"]
        application.interview_minutes = interview.get("interview_minutes") or 60
        application.interview_location = interview.get("interview_location")
        data["interview_at"] = application.interview_at.isoformat()
    notify(application.applicant_id, "application_status", actor=user, data=data)
    db.session.flush()
    view = _view(application)
    commit()
    return view


def _histories(application_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[ApplicationStatusChange]]:
    result: dict[uuid.UUID, list[ApplicationStatusChange]] = defaultdict(list)
    if application_ids:
        for change in db.session.scalars(
            sa.select(ApplicationStatusChange)
            .where(ApplicationStatusChange.application_id.in_(application_ids))
            .order_by(ApplicationStatusChange.changed_at, ApplicationStatusChange.id)
        ):
            result[change.application_id].append(change)
    return result


def mine(user: User, args: dict):
    stmt = (
        sa.select(JobApplication, Job)
        .join(Job, Job.id == JobApplication.job_id)
        .where(JobApplication.applicant_id == user.id)
    )
    if args.get("status"):
        stmt = stmt.where(JobApplication.status == args["status"])
    if args.get("since"):
        stmt = stmt.where(JobApplication.applied_at >= args["since"])
    if args.get("until"):
        stmt = stmt.where(JobApplication.applied_at < args["until"])
    rows, next_cursor = keyset_page(
        db.session,
        stmt,
        columns=[JobApplication.applied_at, JobApplication.id],
        limit=args["limit"],
        cursor=args.get("cursor"),
        salt="my-applications",
    )
    histories = _histories([row[0].id for row in rows])
    items = []
    for application, job in rows:
        view = _view(application)
        view["job"] = {
            **{c.key: getattr(job, c.key) for c in Job.__table__.columns},
            "is_active": is_open(job),
            "closed_reason": closed_reason(job),
        }
        view["status_history"] = [
            {
                "status": change.to_status,
                "changed_at": change.changed_at,
                "changed_by": "applicant" if change.changed_by_id == user.id else "employer",
            }
            for change in histories[application.id]
        ]
        items.append(view)
    return items, next_cursor


def for_job(user: User, job_id: uuid.UUID, args: dict):
    job = get_visible(job_id, user.id)
    if job.poster_id != user.id:
        raise Forbidden("Only the poster may see a job's applicants.")
    stmt = (
        sa.select(JobApplication, User)
        .join(User, User.id == JobApplication.applicant_id)
        .where(JobApplication.job_id == job.id, JobApplication.applicant_id.not_in(graph.hidden_ids(user.id)))
    )
    if args.get("status"):
        stmt = stmt.where(JobApplication.status == args["status"])
    rows, next_cursor = keyset_page(
        db.session,
        stmt,
        columns=[JobApplication.applied_at, JobApplication.id],
        limit=args["limit"],
        cursor=args.get("cursor"),
        salt=f"job-applications:{job.id}",
    )
    histories = _histories([row[0].id for row in rows])
    items = []
    for application, applicant in rows:
        view = _view(application)
        view["applicant"] = applicant
        view["status_history"] = [
            {"status": c.to_status, "changed_at": c.changed_at, "changed_by": c.changed_by_id, "note": c.note}
            for c in histories[application.id]
        ]
        items.append(view)
    return items, next_cursor


def interview_ics(user: User, application_id: uuid.UUID) -> bytes:
    """The scheduled interview as an iCalendar invitation, for the applicant and the poster only."""
    import icalendar

    application, job = _load(application_id)
    if user.id not in (application.applicant_id, job.poster_id) or application.interview_at is None:
        raise NotFound("No interview is scheduled for this application.")
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//networkapp//interviews//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = icalendar.Event()
    # Stable per application, so a rescheduled interview updates the calendar entry.
    event.add("uid", f"interview-{application.id}@networkapp")
    event.add("dtstamp", utcnow())
    event.add("dtstart", application.interview_at)
    event.add("dtend", application.interview_at + timedelta(minutes=application.interview_minutes or 60))
    event.add("summary", f"Interview: {job.title} at {job.company}")
    if application.interview_location:
        event.add("location", application.interview_location)
    event.add("organizer", f"urn:uuid:{job.poster_id}")
    event.add("attendee", f"urn:uuid:{application.applicant_id}")
    calendar.add_component(event)
    return calendar.to_ical()
