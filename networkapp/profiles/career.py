"""Experience, education and portfolio projects: owner-only writes, newest first."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Session

from networkapp.database import commit
from networkapp.errors import Forbidden, Invalid, NotFound
from networkapp.extensions import db
from networkapp.models import Education, Experience, Project, User
from networkapp.pagination import keyset_page
from networkapp.profiles.visibility import Level, level, relation

SECTIONS = {"experience": Experience, "education": Education, "projects": Project}


def ordering(model) -> list:
    """Newest first: current positions, then by start date (undated last), then by creation."""
    order = []
    if model is Experience:
        order.append(Experience.is_current.desc())
    order += [
        sa.case((model.start_date.is_(None), 1), else_=0),
        model.start_date.desc(),
        model.created_at.desc(),
        model.id.desc(),
    ]
    return order


def items(model, user_id: uuid.UUID) -> list:
    return list(
        db.session.execute(sa.select(model).where(model.user_id == user_id).order_by(*ordering(model))).scalars()
    )


def _check_owner(actor: User, user_id: uuid.UUID) -> None:
    if actor.id != user_id:
        if db.session.get(User, user_id) is None:
            raise NotFound("No such profile.")
        raise Forbidden("You can only change your own profile.")


def _validate(item) -> None:
    if item.start_date and item.end_date and item.end_date < item.start_date:
        raise Invalid("end_date must not be before start_date.", field="end_date")
    if getattr(item, "is_current", False) and item.end_date is not None:
        raise Invalid("A current position has no end_date.", field="is_current")


def _build(model, user_id: uuid.UUID, data: dict):
    item = model(user_id=user_id, **data)
    if model is Experience and item.is_current is None:
        item.is_current = False
    _validate(item)
    return item


def create(actor: User, section: str, user_id: uuid.UUID, data: dict):
    _check_owner(actor, user_id)
    item = _build(SECTIONS[section], user_id, data)
    db.session.add(item)
    commit()
    return item


def _owned(actor: User, section: str, user_id: uuid.UUID, item_id: uuid.UUID):
    _check_owner(actor, user_id)
    model = SECTIONS[section]
    item = db.session.get(model, item_id)
    if item is None or item.user_id != user_id:
        raise NotFound(f"No such {section} item on this profile.")
    return item


def update(actor: User, section: str, user_id: uuid.UUID, item_id: uuid.UUID, data: dict):
    item = _owned(actor, section, user_id, item_id)
    for key, value in data.items():
        setattr(item, key, value)
    # Ending a current position: giving an end_date without is_current clears the flag.
    if section == "experience" and data.get("end_date") and "is_current" not in data:
        item.is_current = False
    _validate(item)
    commit()
    return item


def delete(actor: User, section: str, user_id: uuid.UUID, item_id: uuid.UUID) -> None:
    item = _owned(actor, section, user_id, item_id)
    db.session.delete(item)
    commit()


def replace(session: Session, section: str, user_id: uuid.UUID, entries: list[dict]) -> None:
    """``PUT /api/profiles/<id>`` with a list replaces that whole section (in the caller's transaction)."""
    model = SECTIONS[section]
    session.execute(sa.delete(model).where(model.user_id == user_id).execution_options(synchronize_session=False))
    session.add_all(_build(model, user_id, data) for data in entries)


def project_page(viewer, user_id: uuid.UUID, *, limit: int, cursor: str | None) -> dict:
    person = db.session.get(User, user_id)
    if person is None or level(person, relation(viewer, person)) is not Level.FULL:
        raise NotFound("No such profile.")
    rows, next_cursor = keyset_page(
        db.session,
        sa.select(Project).where(Project.user_id == user_id),
        columns=[Project.created_at, Project.id],
        limit=limit,
        cursor=cursor,
        salt="projects",
    )
    return {"items": [row[0] for row in rows], "next_cursor": next_cursor}
