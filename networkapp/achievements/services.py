"""Achievements: CRUD by the owner, visibility by the owner's profile privacy, verification by the server."""

from __future__ import annotations

import uuid
from datetime import date
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app

from networkapp.database import commit, utcnow
from networkapp.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized
from networkapp.extensions import db
from networkapp.models import Achievement, User
from networkapp.models.content import ACHIEVEMENT_CATEGORIES
from networkapp.pagination import keyset_page
from networkapp.profiles.visibility import profile_visible

# The category view is one unpaginated response; this keeps it bounded.
MAX_PER_USER = 200


def _viewer_id(viewer: User | None) -> uuid.UUID | None:
    return viewer.id if viewer is not None and viewer.is_authenticated else None


def is_trusted_url(url: str | None) -> bool:
    """An https page on a configured issuer's host (exact host match: no suffix tricks)."""
    if not url:
        return False
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return parts.scheme == "https" and parts.port in (None, 443) and host in current_app.config["ACHIEVEMENT_VERIFIERS"]


def _visible_owner(viewer: User | None, user_id: uuid.UUID | None) -> uuid.UUID:
    viewer_id = _viewer_id(viewer)
    if user_id is None:
        if viewer_id is None:
            raise Unauthorized("Sign in, or say whose achievements with user_id.")
        return viewer_id
    owner = db.session.scalar(sa.select(User.id).where(User.id == user_id, profile_visible(viewer_id)))
    if owner is None:
        raise NotFound("No such user.")
    return owner


def listing(viewer: User | None, *, user_id, category, view: str, limit: int, cursor: str | None) -> dict:
    owner_id = _visible_owner(viewer, user_id)
    stmt = sa.select(Achievement).where(Achievement.user_id == owner_id)
    if category:
        stmt = stmt.where(Achievement.category == category)
    if view == "category":
        rows = db.session.scalars(stmt.order_by(Achievement.sort_date.desc(), Achievement.id.desc())).all()
        groups = []
        for name in ACHIEVEMENT_CATEGORIES:
            members = [a for a in rows if a.category == name]
            if members:
                groups.append({"category": name, "count": len(members), "items": members})
        return {"groups": groups, "items": [a for g in groups for a in g["items"]], "next_cursor": None}
    rows, next_cursor = keyset_page(
        db.session,
        stmt,
        columns=[Achievement.sort_date, Achievement.id],
        limit=limit,
        cursor=cursor,
        salt=f"achievements:{owner_id}",
    )
    return {"items": [row[0] for row in rows], "next_cursor": next_cursor}


def _check_date(value: date | None) -> None:
    if value is not None and value > utcnow().date():
        raise Invalid("An achievement date cannot be in the future.", field="date")


def create(owner: User, *, title: str, category: str, description=None, date=None, verification=None) -> Achievement:
    _check_date(date)
    count = db.session.scalar(sa.select(sa.func.count()).where(Achievement.user_id == owner.id))
    if count >= MAX_PER_USER:
        raise Conflict(f"A profile holds at most {MAX_PER_USER} achievements.")
    now = utcnow()
    achievement = Achievement(
        user_id=owner.id,
        title=title,
        category=category,
        description=description,
        achievement_date=date,
        verification_url=verification,
        is_verified=is_trusted_url(verification),
        sort_date=date or now.date(),
        created_at=now,
        updated_at=now,
    )
    db.session.add(achievement)
    commit()
    return achievement


def _own(user: User, achievement_id: uuid.UUID) -> Achievement:
    """The caller's achievement; 403 for someone else's they can see, 404 for one they cannot."""
    achievement = db.session.scalar(
        sa.select(Achievement)
        .join(User, User.id == Achievement.user_id)
        .where(Achievement.id == achievement_id, profile_visible(user.id))
    )
    if achievement is None:
        raise NotFound("No such achievement.")
    if achievement.user_id != user.id:
        raise Forbidden("Only the owner can change this achievement.")
    return achievement


def update(owner: User, achievement_id: uuid.UUID, **changes) -> Achievement:
    achievement = _own(owner, achievement_id)
    if "date" in changes:
        _check_date(changes["date"])
        achievement.achievement_date = changes.pop("date")
        achievement.sort_date = achievement.achievement_date or achievement.created_at.date()
    if "verification" in changes:
        url = changes.pop("verification")
        if url != achievement.verification_url:
            # Whatever vouched for the old page (issuer or administrator) says nothing about the new one.
            achievement.verification_url = url
            achievement.is_verified = is_trusted_url(url)
    for name, value in changes.items():
        setattr(achievement, name, value)
    commit()
    return achievement


def delete(owner: User, achievement_id: uuid.UUID) -> None:
    db.session.delete(_own(owner, achievement_id))
    commit()


def verify(achievement_id: uuid.UUID) -> Achievement:
    """Administrator verification (``flask achievements verify``)."""
    achievement = db.session.get(Achievement, achievement_id)
    if achievement is None:
        raise NotFound("No such achievement.")
    achievement.is_verified = True
    commit()
    return achievement


def for_profile(owner: User) -> list[dict]:
    """The achievements section of a profile (the caller has already decided the profile is visible)."""
    from networkapp.achievements.schemas import AchievementSchema

    rows = db.session.scalars(
        sa.select(Achievement)
        .where(Achievement.user_id == owner.id)
        .order_by(
            sa.func.coalesce(Achievement.achievement_date, sa.func.date(Achievement.created_at)).desc(),
            Achievement.id.desc(),
        )
        .limit(MAX_PER_USER)
    ).all()
    return AchievementSchema(many=True).dump(rows)
