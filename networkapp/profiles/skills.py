"""A person's skills: mapped onto the shared catalogue, with its usage counts kept exact."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from networkapp import counters
from networkapp.database import lock_in_order, new_uuid
from networkapp.extensions import db
from networkapp.models import Skill, SkillEndorsement, User, UserSkill

NEW_SKILL_CATEGORY = "Other"


def dialect_insert(table):
    """INSERT with ON CONFLICT support for the dialect in use."""
    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def catalogue_ids(names: list[str]) -> dict[str, uuid.UUID]:
    """Catalogue ids for ``names`` (case-insensitive), adding unknown ones under a neutral category."""
    keys = {name.lower(): name for name in names}
    if not keys:
        return {}
    found = dict(db.session.execute(sa.select(Skill.name_key, Skill.id).where(Skill.name_key.in_(keys))).all())
    missing = [key for key in keys if key not in found]
    if missing:
        # Two people adding the same new skill at once must both end up on the one catalogue row.
        db.session.execute(
            dialect_insert(Skill.__table__)
            .values(
                [
                    {
                        "id": new_uuid(),
                        "name": keys[key],
                        "name_key": key,
                        "category": NEW_SKILL_CATEGORY,
                        "usage_count": 0,
                    }
                    for key in missing
                ]
            )
            .on_conflict_do_nothing(index_elements=["name_key"])
        )
        found.update(db.session.execute(sa.select(Skill.name_key, Skill.id).where(Skill.name_key.in_(missing))).all())
    return found


def replace_skills(user: User, items: list[dict]) -> None:
    """Make ``items`` the user's whole skill set; catalogue usage counts move by the rows that changed.

    The counts follow what the statements really deleted or inserted (``counters``), not the set
    read before them, so a row someone else already removed or added is never counted again.
    """
    ids = catalogue_ids([item["name"] for item in items])
    wanted = {ids[item["name"].lower()]: item for item in items}
    current = {
        row.skill_id: row
        for row in db.session.execute(sa.select(UserSkill).where(UserSkill.user_id == user.id)).scalars()
    }
    removed = set(current) - set(wanted)
    added = set(wanted) - set(current)
    if removed or added:
        lock_in_order(Skill.id, list(removed | added))
    if removed:
        counters.delete_counted(
            sa.delete(UserSkill).where(UserSkill.user_id == user.id, UserSkill.skill_id.in_(list(removed))),
            Skill.usage_count,
            UserSkill.skill_id,
        )
        for skill_id in removed:
            db.session.expunge(current[skill_id])
    if added:
        counters.insert_counted(
            dialect_insert(UserSkill.__table__)
            .values(
                [
                    {
                        "user_id": user.id,
                        "skill_id": skill_id,
                        "proficiency_level": wanted[skill_id]["proficiency_level"],
                        "years_experience": wanted[skill_id]["years_experience"],
                    }
                    for skill_id in added
                ]
            )
            .on_conflict_do_nothing(index_elements=["user_id", "skill_id"]),
            Skill.usage_count,
            UserSkill.__table__.c.skill_id,
        )
    for skill_id, row in current.items():
        if skill_id in wanted:
            row.proficiency_level = wanted[skill_id]["proficiency_level"]
            row.years_experience = wanted[skill_id]["years_experience"]
    db.session.flush()


def profile_skills(user_id: uuid.UUID) -> list[dict]:
    """The profile's skills with endorsement counts: two queries whatever the number of skills."""
    rows = db.session.execute(
        sa.select(UserSkill, Skill)
        .join(Skill, Skill.id == UserSkill.skill_id)
        .where(UserSkill.user_id == user_id)
        .order_by(UserSkill.proficiency_level.desc(), Skill.name_key)
    ).all()
    if not rows:
        return []
    counts = dict(
        db.session.execute(
            sa.select(SkillEndorsement.skill_id, sa.func.count())
            .where(SkillEndorsement.endorsee_id == user_id)
            .group_by(SkillEndorsement.skill_id)
        ).all()
    )
    return [
        {
            "id": skill.id,
            "name": skill.name,
            "category": skill.category,
            "proficiency_level": user_skill.proficiency_level,
            "years_experience": user_skill.years_experience,
            "endorsement_count": counts.get(skill.id, 0),
            # The public badge of a passed skill assessment; scores stay private.
            "assessment_passed": user_skill.assessment_passed_at is not None,
        }
        for user_skill, skill in rows
    ]
