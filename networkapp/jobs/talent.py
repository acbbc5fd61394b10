"""Recruiter talent search over people who say they are open to work.

Privacy: only people the searcher may list (``profiles.visibility.listable``:
never private profiles, connections-only ones to their connections, nobody
across a block).  Results show the
minimal card plus the matching skills and career length, nothing more.
"""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa

from networkapp.extensions import db
from networkapp.jobs import profile_match
from networkapp.models import Skill, User, UserSkill
from networkapp.pagination import keyset_page
from networkapp.profiles import visibility


def search(viewer: User, args: dict):
    career = profile_match.years_subquery()
    stmt = (
        sa.select(User, sa.func.coalesce(career.c.years, 0.0))
        .outerjoin(career, career.c.user_id == User.id)
        .where(
            User.open_to_work.is_(True),
            User.id != viewer.id,
            visibility.listable(viewer),
        )
    )
    skill_ids: list = []
    if args.get("skills"):
        keys = {name.lower() for name in args["skills"]}
        skill_ids = list(db.session.scalars(sa.select(Skill.id).where(Skill.name_key.in_(keys))))
        stmt = stmt.where(
            sa.exists().where(UserSkill.user_id == User.id, UserSkill.skill_id.in_(skill_ids))
            if skill_ids
            else sa.false()
        )
    if args.get("location"):
        stmt = stmt.where(User.location.icontains(args["location"].strip(), autoescape=True))
    if args.get("industry"):
        stmt = stmt.where(sa.func.lower(User.industry) == args["industry"].strip().lower())
    if args.get("min_years") is not None:
        stmt = stmt.where(career.c.years >= args["min_years"])
    rows, next_cursor = keyset_page(
        db.session,
        stmt,
        columns=[User.created_at, User.id],
        limit=args["limit"],
        cursor=args.get("cursor"),
        salt="talent",
    )
    user_ids = [row[0].id for row in rows]
    matching: dict = defaultdict(list)
    if skill_ids and user_ids:
        for user_id, name in db.session.execute(
            sa.select(UserSkill.user_id, Skill.name)
            .join(Skill, Skill.id == UserSkill.skill_id)
            .where(UserSkill.user_id.in_(user_ids), UserSkill.skill_id.in_(skill_ids))
            .order_by(Skill.name)
        ):
            matching[user_id].append(name)
    items = [
        {
            "user": user,
            "industry": user.industry,
            "location": user.location,
            "matching_skills": matching[user.id],
            "years_experience": round(float(years), 1),
        }
        for user, years in rows
    ]
    return items, next_cursor
