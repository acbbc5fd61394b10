"""Browsing the catalogue: small reference data, so substring matching on the name is enough."""

from __future__ import annotations

import sqlalchemy as sa

from networkapp.extensions import db
from networkapp.models import Skill
from networkapp.pagination import keyset_page


def catalogue(*, q: str | None, category: str | None, limit: int, cursor: str | None):
    stmt = sa.select(Skill)
    if q and q.strip():
        stmt = stmt.where(Skill.name_key.contains(q.strip().lower(), autoescape=True))
    if category and category.strip():
        stmt = stmt.where(sa.func.lower(Skill.category) == category.strip().lower())
    rows, next_cursor = keyset_page(
        db.session,
        stmt,
        columns=[Skill.name_key, Skill.id],
        limit=limit,
        cursor=cursor,
        salt="skills",
        descending=False,
    )
    return [row[0] for row in rows], next_cursor


def categories() -> list[dict]:
    rows = db.session.execute(
        sa.select(Skill.category, sa.func.count()).group_by(Skill.category).order_by(Skill.category)
    ).all()
    return [{"name": name, "count": count} for name, count in rows]
