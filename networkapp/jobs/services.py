"""Postings: create, edit, close, list and search."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from networkapp.connections import graph
from networkapp.database import after_commit, commit, utcnow
from networkapp.errors import Conflict, Forbidden, Invalid, NotFound
from networkapp.extensions import db
from networkapp.jobs import search
from networkapp.jobs.salary import parse_salary
from networkapp.models import Company, CompanyAdmin, Job, JobApplication, JobSkill, Skill, User
from networkapp.pagination import keyset_page

log = logging.getLogger(__name__)

DEFAULT_LIFETIME = timedelta(days=60)
MAX_LIFETIME = timedelta(days=365)
SKILL_CATEGORY_FOR_NEW = "Other"


def open_now():
    """SQL condition: the posting is open (not closed, not past its expiry)."""
    return sa.and_(Job.is_active.is_(True), Job.expires_at > utcnow())


def is_open(job: Job) -> bool:
    return job.is_active and job.expires_at > utcnow()


def closed_reason(job: Job) -> str | None:
    if job.closed_reason:
        return job.closed_reason
    return None if is_open(job) else "expired"


def _user_id(user: User | None) -> uuid.UUID | None:
    return user.id if user is not None and getattr(user, "is_authenticated", False) else None


# --- skills ---------------------------------------------------------------------


def resolve_skills(names: list[str]) -> list[Skill]:
    """Catalogue skills for ``names`` (case-insensitive); unknown names join the catalogue as "Other"."""
    wanted: dict[str, str] = {}
    for name in names:
        wanted.setdefault(name.strip().lower(), name.strip())
    if not wanted:
        return []
    found = {s.name_key: s for s in db.session.scalars(sa.select(Skill).where(Skill.name_key.in_(list(wanted)))).all()}
    for key, name in wanted.items():
        if key in found:
            continue
        try:
            with db.session.begin_nested():
                skill = Skill(name=name, name_key=key, category=SKILL_CATEGORY_FOR_NEW)
                db.session.add(skill)
            found[key] = skill
        except IntegrityError:
            # Someone added the same name a moment ago: use theirs.
            found[key] = db.session.scalars(sa.select(Skill).where(Skill.name_key == key)).one()
    return [found[key] for key in wanted]


def skills_by_job(job_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    result: dict[uuid.UUID, list[str]] = {job_id: [] for job_id in job_ids}
    if not job_ids:
        return result
    rows = db.session.execute(
        sa.select(JobSkill.job_id, Skill.name)
        .join(Skill, Skill.id == JobSkill.skill_id)
        .where(JobSkill.job_id.in_(job_ids))
        .order_by(Skill.name)
    ).all()
    for job_id, name in rows:
        result[job_id].append(name)
    return result


def statuses_for(user_id: uuid.UUID | None, job_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    if user_id is None or not job_ids:
        return {}
    rows = db.session.execute(
        sa.select(JobApplication.job_id, JobApplication.status).where(
            JobApplication.applicant_id == user_id, JobApplication.job_id.in_(job_ids)
        )
    ).all()
    return dict(rows)


# --- views ----------------------------------------------------------------------------


def job_view(job: Job, *, skills: list[str], application_status: str | None = None, **extra) -> dict:
    view = {c.key: getattr(job, c.key) for c in Job.__table__.columns}
    view.update(
        is_active=is_open(job),
        closed_reason=closed_reason(job),
        skills=skills,
        application_status=application_status,
        **extra,
    )
    return view


def job_views(jobs: list[Job], viewer_id: uuid.UUID | None, scores: dict | None = None) -> list[dict]:
    ids = [job.id for job in jobs]
    skills = skills_by_job(ids)
    statuses = statuses_for(viewer_id, ids)
    scores = scores or {}
    return [
        job_view(job, skills=skills[job.id], application_status=statuses.get(job.id), score=scores.get(job.id))
        for job in jobs
    ]


def get_visible(job_id: uuid.UUID, viewer_id: uuid.UUID | None, *, for_update: bool = False) -> Job:
    stmt = sa.select(Job).where(Job.id == job_id)
    if for_update and db.engine.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    job = db.session.scalars(stmt).one_or_none()
    if job is None or (
        viewer_id is not None and viewer_id != job.poster_id and graph.is_blocked_between(viewer_id, job.poster_id)
    ):
        raise NotFound("No such job posting.")
    return job


def detail(job_id: uuid.UUID, viewer: User | None) -> dict:
    viewer_id = _user_id(viewer)
    job = get_visible(job_id, viewer_id)
    company = db.session.get(Company, job.company_id) if job.company_id else None
    applicant_count = None
    if viewer_id == job.poster_id:
        applicant_count = db.session.scalar(
            sa.select(sa.func.count()).select_from(JobApplication).where(JobApplication.job_id == job.id)
        )
    return job_view(
        job,
        skills=skills_by_job([job.id])[job.id],
        application_status=statuses_for(viewer_id, [job.id]).get(job.id),
        company_info=company,
        applicant_count=applicant_count,
    )


# --- writes -----------------------------------------------------------------------------


def _check_company(user: User, company_id: uuid.UUID | None) -> Company | None:
    if company_id is None:
        return None
    company = db.session.get(Company, company_id)
    if company is None:
        raise Invalid("No such company.", field="company_id")
    if db.session.get(CompanyAdmin, (company.id, user.id)) is None:
        raise Forbidden("Only an admin of the company may post or edit its jobs.")
    return company


def _check_expiry(expires_at: datetime | None, posted_at: datetime) -> datetime:
    if expires_at is None:
        return posted_at + DEFAULT_LIFETIME
    if expires_at.tzinfo is None:
        raise Invalid("Give a time zone (e.g. 2030-01-31T00:00:00Z).", field="expires_at")
    if expires_at <= utcnow():
        raise Invalid("The expiry must be in the future.", field="expires_at")
    if expires_at > posted_at + MAX_LIFETIME:
        raise Invalid("A posting may run for at most 365 days.", field="expires_at")
    return expires_at


def _apply_salary(job: Job) -> None:
    salary = parse_salary(job.salary_range)
    job.salary_min, job.salary_max = salary.minimum, salary.maximum
    job.salary_currency, job.salary_period = salary.currency, salary.period
    job.salary_year_min, job.salary_year_max = salary.yearly()


def _set_skills(job: Job, names: list[str]) -> None:
    db.session.execute(sa.delete(JobSkill).where(JobSkill.job_id == job.id))
    for skill in resolve_skills(names):
        db.session.add(JobSkill(job_id=job.id, skill_id=skill.id))


def create(user: User, data: dict) -> dict:
    company = _check_company(user, data.get("company_id"))
    now = utcnow()
    job = Job(
        poster_id=user.id,
        company_id=company.id if company else None,
        title=data["title"],
        company=data["company"],
        description=data.get("description"),
        requirements=data.get("requirements"),
        location=data.get("location"),
        workplace=data.get("workplace"),
        employment_type=data.get("employment_type"),
        salary_range=data.get("salary_range"),
        posted_at=now,
        updated_at=now,
        expires_at=_check_expiry(data.get("expires_at"), now),
    )
    _apply_salary(job)
    db.session.add(job)
    db.session.flush()
    _set_skills(job, data.get("skills") or [])
    db.session.flush()
    view = job_view(job, skills=skills_by_job([job.id])[job.id])
    _alerts_after_commit(job.id)
    commit()
    return view


def _alerts_after_commit(job_id: uuid.UUID) -> None:
    app = current_app._get_current_object()

    def run():
        from networkapp.jobs import alerts

        # A fresh app context is a fresh session: the request's transaction is over.
        with app.app_context():
            try:
                alerts.fire_for_job(job_id)
            except Exception:
                db.session.rollback()
                log.exception("job alert matching failed for job %s", job_id)
            finally:
                db.session.remove()

    after_commit(run)


def _own(user: User, job_id: uuid.UUID) -> Job:
    job = get_visible(job_id, user.id)
    if job.poster_id != user.id:
        raise Forbidden("Only the poster may change this job posting.")
    return job


def update(user: User, job_id: uuid.UUID, data: dict) -> dict:
    job = _own(user, job_id)
    if job.closed_reason:
        raise Conflict("This posting is closed; post a new one instead.")
    if "company_id" in data:
        company = _check_company(user, data["company_id"])
        job.company_id = company.id if company else None
    if "expires_at" in data:
        job.expires_at = _check_expiry(data["expires_at"], job.posted_at)
    for field in ("title", "company"):
        if field in data:
            if data[field] is None:
                raise Invalid("Must not be blank.", field=field)
            setattr(job, field, data[field])
    for field in ("description", "requirements", "location", "workplace", "employment_type", "salary_range"):
        if field in data:
            setattr(job, field, data[field])
    if "salary_range" in data:
        _apply_salary(job)
    if "skills" in data:
        _set_skills(job, data["skills"] or [])
    job.updated_at = utcnow()
    db.session.flush()
    view = job_view(job, skills=skills_by_job([job.id])[job.id])
    commit()
    return view


def close(user: User, job_id: uuid.UUID, reason: str | None) -> None:
    job = _own(user, job_id)
    if job.closed_reason:
        raise Conflict("This posting is already closed.")
    job.is_active = False
    job.closed_reason = reason or "withdrawn"
    job.closed_at = utcnow()
    commit()


# --- listing ------------------------------------------------------------------------------------


def _skill_ids(names: list[str]) -> list[uuid.UUID]:
    keys = {name.lower() for name in names}
    return list(db.session.scalars(sa.select(Skill.id).where(Skill.name_key.in_(keys))))


def listing(viewer: User | None, args: dict):
    """Open postings matching ``args``: ranked by relevance when text is searched, else newest first."""
    viewer_id = _user_id(viewer)
    for field in ("q", "title", "company"):
        if args.get(field) and not search.has_words(args[field]):
            raise Invalid("Give at least one word to search for.", field=field)
    stmt = sa.select(Job).where(open_now())
    hits = search.newest_hits(args.get("q"), args.get("title"), args.get("company"))
    if hits is not None:
        stmt = stmt.add_columns(hits.c.score).join(hits, hits.c.job_id == Job.id)
    if viewer_id is not None:
        stmt = stmt.where(Job.poster_id.not_in(graph.hidden_ids(viewer_id)))
    if args.get("location"):
        stmt = stmt.where(Job.location.icontains(args["location"].strip(), autoescape=True))
    if args.get("workplace"):
        stmt = stmt.where(Job.workplace == args["workplace"])
    if args.get("employment_type"):
        stmt = stmt.where(Job.employment_type == args["employment_type"])
    if args.get("salary_min") is not None:
        stmt = stmt.where(sa.func.coalesce(Job.salary_year_max, Job.salary_year_min) >= Decimal(args["salary_min"]))
    if args.get("posted_since"):
        stmt = stmt.where(Job.posted_at >= args["posted_since"])
    if args.get("skills"):
        skill_ids = _skill_ids(args["skills"])
        stmt = stmt.where(
            sa.exists().where(JobSkill.job_id == Job.id, JobSkill.skill_id.in_(skill_ids)) if skill_ids else sa.false()
        )
    if hits is not None:
        columns = [hits.c.score, Job.posted_at, Job.id]
        salt = "jobs-search"

        def key(row):
            return (row[1], row[0].posted_at, row[0].id)

    else:
        columns, salt, key = [Job.posted_at, Job.id], "jobs", None
    rows, next_cursor = keyset_page(
        db.session, stmt, columns=columns, limit=args["limit"], cursor=args.get("cursor"), salt=salt, key=key
    )
    jobs = [row[0] for row in rows]
    scores = {row[0].id: row[1] for row in rows} if hits is not None else None
    return job_views(jobs, viewer_id, scores), next_cursor
