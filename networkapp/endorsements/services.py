"""Skill endorsements: only between connections, only for skills on the endorsee's profile."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from networkapp.connections import graph
from networkapp.database import commit, utcnow
from networkapp.errors import Conflict, Forbidden, Invalid, NotFound
from networkapp.extensions import db
from networkapp.models import Skill, SkillEndorsement, User, UserSkill
from networkapp.notifications.services import notify
from networkapp.profiles import visibility

# Each skill group lists at most this many (newest) endorsers; ``count`` is always the full number.
ENDORSERS_SHOWN = 50


def _visible_person(viewer: User, user_id: uuid.UUID, *, locked: bool = False) -> User:
    """``locked``: hold the pair's lock to the commit, so that no block lands before the write that follows."""
    user = db.session.get(User, user_id)
    if user is None or (user_id != viewer.id and graph.is_blocked_between(viewer.id, user_id, lock=locked)):
        raise NotFound("No such user.")
    return user


def endorse(me: User, user_id: uuid.UUID, skill_id: uuid.UUID, text: str | None) -> dict:
    if user_id == me.id:
        raise Invalid("You cannot endorse yourself.", field="user_id")
    endorsee = _visible_person(me, user_id, locked=True)
    if not graph.are_connected(me.id, endorsee.id):
        raise Forbidden("You can only endorse your connections.")
    listed = db.session.get(UserSkill, (endorsee.id, skill_id))
    if listed is None:
        raise Invalid("This skill is not on their profile.", field="skill_id")
    endorsement = SkillEndorsement(
        endorser_id=me.id, endorsee_id=endorsee.id, skill_id=skill_id, endorsement_text=text, created_at=utcnow()
    )
    db.session.add(endorsement)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise Conflict("You have already endorsed this skill.") from None
    notify(
        endorsee.id,
        "endorsement",
        actor=me.id,
        data={"endorsement_id": str(endorsement.id), "skill_id": str(skill_id), "skill_name": listed.skill.name},
    )
    result = {c.key: getattr(endorsement, c.key) for c in SkillEndorsement.__table__.columns}
    commit()
    return result


def grouped(viewer: User, user_id: uuid.UUID | None) -> list[dict]:
    """Endorsements of the skills on a profile, grouped by skill (three queries)."""
    user = _visible_person(viewer, user_id or viewer.id)
    if not visibility.sees_in_full(viewer, user):
        raise NotFound("No such user.")
    skills = db.session.execute(
        sa.select(Skill.id, Skill.name)
        .join(UserSkill, UserSkill.skill_id == Skill.id)
        .where(UserSkill.user_id == user.id)
        .order_by(Skill.name)
    ).all()
    if not skills:
        return []
    # Endorsements by people hidden from the viewer are neither listed nor counted.
    visible = [
        SkillEndorsement.endorsee_id == user.id,
        SkillEndorsement.skill_id.in_([s.id for s in skills]),
        SkillEndorsement.endorser_id.not_in(graph.hidden_ids(viewer.id)),
    ]
    counts = dict(
        db.session.execute(
            sa.select(SkillEndorsement.skill_id, sa.func.count()).where(*visible).group_by(SkillEndorsement.skill_id)
        ).all()
    )
    rank = (
        sa.func.row_number()
        .over(
            partition_by=SkillEndorsement.skill_id,
            order_by=(SkillEndorsement.created_at.desc(), SkillEndorsement.id.desc()),
        )
        .label("rank")
    )
    newest = sa.select(SkillEndorsement.id, rank).where(*visible).subquery()
    rows = db.session.execute(
        sa.select(SkillEndorsement, User)
        .join(newest, newest.c.id == SkillEndorsement.id)
        .join(User, User.id == SkillEndorsement.endorser_id)
        .where(newest.c.rank <= ENDORSERS_SHOWN)
        .order_by(SkillEndorsement.created_at.desc(), SkillEndorsement.id.desc())
    ).all()
    by_skill: dict[uuid.UUID, list[dict]] = {s.id: [] for s in skills}
    for endorsement, endorser in rows:
        by_skill[endorsement.skill_id].append(
            {
                "id": endorsement.id,
                "endorser": endorser,
                "endorsement_text": endorsement.endorsement_text,
                "created_at": endorsement.created_at,
            }
        )
    items = [
        {"skill": {"id": s.id, "name": s.name}, "count": counts.get(s.id, 0), "endorsements": by_skill[s.id]}
        for s in skills
    ]
    items.sort(key=lambda item: -item["count"])
    return items
