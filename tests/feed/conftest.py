"""Setup helpers for the content tests: direct database edits where the API for them lives elsewhere."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa

from networkapp.extensions import db


def uid(value) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(value.id if hasattr(value, "id") else value)


def block(app, blocker, blocked, *, disconnect_too: bool = False) -> None:
    from networkapp.models import Block

    with app.app_context():
        db.session.add(Block(blocker_id=uid(blocker), blocked_id=uid(blocked)))
        db.session.commit()
    if disconnect_too:
        disconnect(app, blocker, blocked)


def disconnect(app, a, b) -> None:
    from networkapp.models import Connection, ConnectionEdge

    with app.app_context():
        low, high = Connection.pair(uid(a), uid(b))
        db.session.execute(
            sa.delete(ConnectionEdge).where(
                sa.or_(
                    sa.and_(ConnectionEdge.user_id == uid(a), ConnectionEdge.friend_id == uid(b)),
                    sa.and_(ConnectionEdge.user_id == uid(b), ConnectionEdge.friend_id == uid(a)),
                )
            )
        )
        db.session.execute(sa.delete(Connection).where(Connection.user_low_id == low, Connection.user_high_id == high))
        db.session.commit()


def set_created(app, model, row_id, when: datetime, column: str = "created_at") -> None:
    with app.app_context():
        db.session.execute(sa.update(model).where(model.id == uid(row_id)).values({column: when}))
        db.session.commit()


def add_experience(app, user, *, position="Engineer", company="Acme", current=True, created_at=None) -> str:
    from networkapp.models import Experience

    with app.app_context():
        row = Experience(user_id=uid(user), position=position, company=company, is_current=current)
        if created_at is not None:
            row.created_at = created_at
        db.session.add(row)
        db.session.commit()
        return str(row.id)


def endorse(app, endorser, endorsee, *, skill_index: int = 0, created_at=None) -> None:
    from networkapp.models import Skill, SkillEndorsement, UserSkill

    with app.app_context():
        skill = db.session.scalars(sa.select(Skill).order_by(Skill.name_key).offset(skill_index).limit(1)).one()
        if db.session.get(UserSkill, (uid(endorsee), skill.id)) is None:
            db.session.add(UserSkill(user_id=uid(endorsee), skill_id=skill.id))
        row = SkillEndorsement(endorser_id=uid(endorser), endorsee_id=uid(endorsee), skill_id=skill.id)
        if created_at is not None:
            row.created_at = created_at
        db.session.add(row)
        db.session.commit()


def notifications(app, user, type_: str) -> list:
    from networkapp.models import Notification

    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(Notification).where(Notification.user_id == uid(user), Notification.type == type_)
            )
        )


def post(actor, content="hello", **fields) -> dict:
    response = actor.post("/api/posts", json={"content": content, **fields})
    assert response.status_code == 201, response.get_json()
    return response.get_json()
