"""Job recommendations: a bounded candidate set from SQL, scored in Python.

Candidates are open postings that share a skill with the person, are in their
industry, or are near them (or remote) — the most recent ``PER_SOURCE`` of
each kind.  Each is scored 0..1:

* skills 0.45: the share of the job's skills the person has, weighted by
  their proficiency (5 = full weight, 1 = a fifth);
* industry 0.15, location 0.15 (remote postings count as near, at 0.10);
* seniority 0.15 when the title's level (junior / mid / senior words) fits
  the person's career length (under 2 years junior, 5+ senior);
* freshness up to 0.10, linear over the posting's first 30 days; people who
  are open to work get the full weight, others half (they are not in a hurry).
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from networkapp.connections import graph
from networkapp.database import utcnow
from networkapp.extensions import db
from networkapp.jobs import profile_match
from networkapp.jobs.services import job_views, open_now
from networkapp.models import Company, Job, JobApplication, JobSkill, Skill, User, UserSkill

PER_SOURCE = 200
WEIGHTS = {"skills": 0.45, "industry": 0.15, "location": 0.15, "seniority": 0.15, "freshness": 0.10}
FRESH_DAYS = 30


def _candidates(user: User, skill_ids: list[uuid.UUID]) -> list[uuid.UUID]:
    base = (
        sa.select(Job.id)
        .where(
            open_now(),
            Job.poster_id != user.id,
            Job.poster_id.not_in(graph.hidden_ids(user.id)),
            ~sa.exists().where(JobApplication.job_id == Job.id, JobApplication.applicant_id == user.id),
        )
        .order_by(Job.posted_at.desc())
        .limit(PER_SOURCE)
    )
    queries = []
    if skill_ids:
        queries.append(base.where(sa.exists().where(JobSkill.job_id == Job.id, JobSkill.skill_id.in_(skill_ids))))
    if user.industry:
        industry = sa.func.lower(sa.func.coalesce(Company.industry, User.industry))
        queries.append(
            base.join(User, User.id == Job.poster_id)
            .outerjoin(Company, Company.id == Job.company_id)
            .where(industry == user.industry.lower())
        )
    if user.location:
        queries.append(base.where(Job.location.icontains(user.location, autoescape=True)))
    queries.append(base.where(Job.workplace == "remote"))
    ids: dict[uuid.UUID, None] = {}
    for query in queries:
        for job_id in db.session.scalars(query):
            ids.setdefault(job_id, None)
    return list(ids)


def recommended(user: User, limit: int) -> list[dict]:
    my_skills = {
        skill_id: level
        for skill_id, level in db.session.execute(
            sa.select(UserSkill.skill_id, UserSkill.proficiency_level).where(UserSkill.user_id == user.id)
        )
    }
    candidate_ids = _candidates(user, list(my_skills))
    if not candidate_ids:
        return []
    rows = db.session.execute(
        sa.select(Job, sa.func.coalesce(Company.industry, User.industry))
        .join(User, User.id == Job.poster_id)
        .outerjoin(Company, Company.id == Job.company_id)
        .where(Job.id.in_(candidate_ids))
    ).all()
    job_skills: dict[uuid.UUID, list[tuple[uuid.UUID, str]]] = {job_id: [] for job_id in candidate_ids}
    for job_id, skill_id, name in db.session.execute(
        sa.select(JobSkill.job_id, JobSkill.skill_id, Skill.name)
        .join(Skill, Skill.id == JobSkill.skill_id)
        .where(JobSkill.job_id.in_(candidate_ids))
    ):
        job_skills[job_id].append((skill_id, name))
    years = profile_match.years_of_experience([user.id]).get(user.id, 0.0)
    my_level = profile_match.seniority_of_years(years)
    now = utcnow()

    scored = []
    for job, industry in rows:
        score, reasons = 0.0, []
        skills = job_skills[job.id]
        if skills:
            matched = [(name, my_skills[sid]) for sid, name in skills if sid in my_skills]
            if matched:
                score += WEIGHTS["skills"] * sum(level / 5 for _, level in matched) / len(skills)
                reasons.append("Matches your skills: " + ", ".join(sorted(name for name, _ in matched)))
        if user.industry and industry and industry.lower() == user.industry.lower():
            score += WEIGHTS["industry"]
            reasons.append(f"In your industry ({user.industry})")
        if user.location and job.location and user.location.lower() in job.location.lower():
            score += WEIGHTS["location"]
            reasons.append(f"Near you ({job.location})")
        elif job.workplace == "remote":
            score += WEIGHTS["location"] * 2 / 3
            reasons.append("Remote")
        if profile_match.seniority_of_title(job.title) == my_level:
            score += WEIGHTS["seniority"]
            reasons.append(f"Fits your experience level ({my_level})")
        age_days = max((now - job.posted_at).total_seconds() / 86400, 0)
        freshness = max(0.0, 1 - age_days / FRESH_DAYS) * (1 if user.open_to_work else 0.5)
        score += WEIGHTS["freshness"] * freshness
        scored.append((round(score, 4), job.posted_at, job.id.hex, job, reasons))
    scored.sort(key=lambda item: item[:3], reverse=True)
    top = scored[:limit]
    views = job_views([item[3] for item in top], user.id)
    return [{"job": view, "match_score": item[0], "reasons": item[4]} for view, item in zip(views, top, strict=True)]
