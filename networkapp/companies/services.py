"""Company pages: anyone may create one and becomes its first admin; admins manage the page and each other."""

from __future__ import annotations

import re
import unicodedata
import uuid

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from networkapp.connections import graph
from networkapp.database import commit, utcnow
from networkapp.errors import Conflict, Forbidden, NotFound
from networkapp.extensions import db
from networkapp.jobs.services import job_views, open_now
from networkapp.models import Company, CompanyAdmin, Job, User

FIELDS = ("name", "industry", "size", "location", "website", "description", "logo_url")
OPEN_JOBS_SHOWN = 50


def slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:70].strip("-")
    return slug or "company"


def _slug_taken(slug: str) -> bool:
    return bool(db.session.scalar(sa.select(sa.exists().where(Company.slug == slug))))


def _free_slug(base: str) -> str:
    # A derived slug should never fail the request; an explicit one that is taken is the caller's conflict.
    slug, n = base, 1
    while _slug_taken(slug):
        n += 1
        slug = f"{base}-{n}"
    return slug


def is_admin(company_id: uuid.UUID, user_id: uuid.UUID | None) -> bool:
    return user_id is not None and db.session.get(CompanyAdmin, (company_id, user_id)) is not None


def _view(company: Company, viewer_id: uuid.UUID | None) -> dict:
    view = {c.key: getattr(company, c.key) for c in Company.__table__.columns}
    view["is_admin"] = is_admin(company.id, viewer_id)
    return view


def _get(company_id: uuid.UUID) -> Company:
    company = db.session.get(Company, company_id)
    if company is None:
        raise NotFound("No such company.")
    return company


def _admin_company(user: User, company_id: uuid.UUID) -> Company:
    company = _get(company_id)
    if not is_admin(company.id, user.id):
        raise Forbidden("Only the company's admins may do this.")
    return company


def create(user: User, data: dict) -> dict:
    if data.get("slug"):
        if _slug_taken(data["slug"]):
            raise Conflict("That company URL (slug) is taken.")
        slug = data["slug"]
    else:
        slug = _free_slug(slugify(data["name"]))
    company = Company(slug=slug, created_by_id=user.id, **{f: data.get(f) for f in FIELDS})
    db.session.add(company)
    db.session.flush()
    db.session.add(CompanyAdmin(company_id=company.id, user_id=user.id, added_by_id=user.id))
    db.session.flush()
    view = _view(company, user.id)
    commit()
    return view


def detail(company_id: uuid.UUID, viewer: User | None) -> dict:
    viewer_id = viewer.id if viewer is not None and viewer.is_authenticated else None
    company = _get(company_id)
    stmt = (
        sa.select(Job)
        .where(Job.company_id == company.id, open_now())
        .order_by(Job.posted_at.desc(), Job.id.desc())
        .limit(OPEN_JOBS_SHOWN)
    )
    if viewer_id is not None:
        stmt = stmt.where(Job.poster_id.not_in(graph.hidden_ids(viewer_id)))
    view = _view(company, viewer_id)
    view["open_jobs"] = job_views(list(db.session.scalars(stmt)), viewer_id)
    return view


def update(user: User, company_id: uuid.UUID, data: dict) -> dict:
    company = _admin_company(user, company_id)
    if data.get("slug") and data["slug"] != company.slug:
        if _slug_taken(data["slug"]):
            raise Conflict("That company URL (slug) is taken.")
        company.slug = data["slug"]
    for field in FIELDS:
        if field in data:
            if field == "name" and data[field] is None:
                continue
            setattr(company, field, data[field])
    company.updated_at = utcnow()
    db.session.flush()
    view = _view(company, user.id)
    commit()
    return view


def admins(user: User, company_id: uuid.UUID) -> list[CompanyAdmin]:
    company = _admin_company(user, company_id)
    return list(
        db.session.scalars(
            sa.select(CompanyAdmin)
            .where(CompanyAdmin.company_id == company.id)
            .order_by(CompanyAdmin.created_at, CompanyAdmin.user_id)
        )
    )


def add_admin(user: User, company_id: uuid.UUID, user_id: uuid.UUID) -> CompanyAdmin:
    company = _admin_company(user, company_id)
    other = db.session.get(User, user_id)
    if other is None or graph.is_blocked_between(user.id, other.id):
        raise NotFound("No such user.")
    if is_admin(company.id, other.id):
        raise Conflict("That person is already an admin.")
    admin = CompanyAdmin(company_id=company.id, user_id=other.id, added_by_id=user.id)
    db.session.add(admin)
    try:
        db.session.flush()
    except IntegrityError:
        raise Conflict("That person is already an admin.") from None
    commit()
    return admin


def remove_admin(user: User, company_id: uuid.UUID, user_id: uuid.UUID) -> None:
    company = _admin_company(user, company_id)
    admin = db.session.get(CompanyAdmin, (company.id, user_id))
    if admin is None:
        raise NotFound("That person is not an admin of this company.")
    remaining = db.session.scalar(
        sa.select(sa.func.count()).select_from(CompanyAdmin).where(CompanyAdmin.company_id == company.id)
    )
    if remaining <= 1:
        raise Conflict("A company keeps at least one admin; add another before leaving.")
    db.session.delete(admin)
    commit()
