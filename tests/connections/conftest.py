"""Helpers for the connection-graph tests: database reads that check what the API claims."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from networkapp.extensions import db


def scalar(app, stmt):
    with app.app_context():
        value = db.session.scalar(stmt)
        db.session.remove()
        return value


def rows(app, stmt):
    with app.app_context():
        result = db.session.execute(stmt).all()
        db.session.remove()
        return result


def connection_row(app, connection_id: str):
    from networkapp.models import Connection

    found = rows(app, sa.select(Connection.__table__).where(Connection.id == uuid.UUID(connection_id)))
    return found[0] if found else None


def count_of(app, user_id: str) -> int:
    from networkapp.models import User

    return scalar(app, sa.select(User.connection_count).where(User.id == uuid.UUID(user_id)))


def edges_of(app, user_id: str) -> int:
    from networkapp.models import ConnectionEdge

    return scalar(
        app, sa.select(sa.func.count()).select_from(ConnectionEdge).where(ConnectionEdge.user_id == uuid.UUID(user_id))
    )


def notifications_of(app, user_id: str, type_: str) -> list:
    from networkapp.models import Notification

    return rows(
        app,
        sa.select(Notification.__table__).where(Notification.user_id == uuid.UUID(user_id), Notification.type == type_),
    )


def assert_counts_match_edges(app) -> None:
    """The invariant: every user's connection_count is the number of their edges."""
    from networkapp.models import ConnectionEdge, User

    edge_counts = (
        sa.select(ConnectionEdge.user_id, sa.func.count().label("n")).group_by(ConnectionEdge.user_id).subquery()
    )
    mismatched = rows(
        app,
        sa.select(User.username, User.connection_count, edge_counts.c.n)
        .outerjoin(edge_counts, edge_counts.c.user_id == User.id)
        .where(User.connection_count != sa.func.coalesce(edge_counts.c.n, 0)),
    )
    assert mismatched == []


@pytest.fixture
def carol(make_user):
    return make_user("carol", first_name="Carol", last_name="Cruz")


@pytest.fixture
def request_between():
    """``a`` asks ``b``; returns the created connection's JSON."""

    def make(a, b, message=None):
        body = {"target_user_id": b.id}
        if message is not None:
            body["message"] = message
        response = a.post("/api/connections/request", json=body)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return make


def add_skills(app, user_id: str, *names: str) -> dict[str, str]:
    """Put catalogue skills on a profile directly (the profile editor is another domain); returns name → id."""
    from networkapp.models import Skill, UserSkill

    with app.app_context():
        found = {}
        for name in names:
            skill = db.session.execute(sa.select(Skill).where(Skill.name_key == name.lower())).scalar_one_or_none()
            if skill is None:
                skill = Skill(name=name, name_key=name.lower(), category="Other")
                db.session.add(skill)
                db.session.flush()
            db.session.add(UserSkill(user_id=uuid.UUID(user_id), skill_id=skill.id))
            found[name] = str(skill.id)
        db.session.commit()
        db.session.remove()
        return found


def add_career(app, user_id: str, *, jobs=(), schools=()) -> None:
    """Experience ``(company, position, start, end)`` and education institutions, inserted directly."""
    from networkapp.models import Education, Experience

    with app.app_context():
        for company, position, start, end in jobs:
            db.session.add(
                Experience(
                    user_id=uuid.UUID(user_id), company=company, position=position, start_date=start, end_date=end
                )
            )
        for institution in schools:
            db.session.add(Education(user_id=uuid.UUID(user_id), institution=institution))
        db.session.commit()
        db.session.remove()
