"""``flask seed scale``: a deterministic synthetic network whose stored counts are true."""

from __future__ import annotations

import sqlalchemy as sa

from networkapp.extensions import db
from networkapp.models import (
    Connection,
    ConnectionEdge,
    Experience,
    Job,
    JobApplication,
    JobSkill,
    Skill,
    User,
    UserSkill,
)
from tests.conftest import Actor


def test_scale_seed_builds_a_consistent_network(app, runner):
    result = runner.invoke(args=["seed", "scale", "--users", "60", "--connections", "300", "--hubs", "1"])
    assert result.exit_code == 0, result.output
    assert "scale-password-2024" in result.output
    with app.app_context():
        count = lambda model: db.session.scalar(sa.select(sa.func.count()).select_from(model))  # noqa: E731
        assert count(User) == 60
        assert count(Connection) == 300 and count(ConnectionEdge) == 600
        assert count(UserSkill) >= 60 * 3 and count(Experience) >= 60
        wrong_counts = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(User)
            .where(
                User.connection_count
                != sa.select(sa.func.count())
                .select_from(ConnectionEdge)
                .where(ConnectionEdge.user_id == User.id)
                .scalar_subquery()
            )
        )
        assert wrong_counts == 0
        usage = db.session.scalar(sa.select(sa.func.sum(Skill.usage_count)))
        assert usage == count(UserSkill)
        hub = db.session.scalar(sa.select(sa.func.max(User.connection_count)))
        assert hub >= 2 * (300 * 2 / 60)  # a hub stands far above the mean degree
        # Jobs in proportion (1 per 25 people), each open, with skills and applications from others.
        assert count(Job) == round(60 / 25)
        assert count(JobSkill) >= count(Job)
        assert 0 < count(JobApplication) <= 5 * count(Job)
        self_applied = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(JobApplication)
            .join(Job, Job.id == JobApplication.job_id)
            .where(Job.poster_id == JobApplication.applicant_id)
        )
        assert self_applied == 0
        job_title = db.session.scalar(sa.select(Job.title).limit(1))
        username = result.output.split("example:")[1].split()[0]
    login = Actor(app).post("/api/auth/login", json={"username": username, "password": "scale-password-2024"})
    assert login.status_code == 200
    # The seeded postings are in the full-text index: a search by a title word finds them.
    word = job_title.split()[0]
    found = login_actor_get(app, username, f"/api/jobs?q={word}")
    assert any(word.lower() in item["title"].lower() for item in found)


def login_actor_get(app, username, path):
    actor = Actor(app)
    assert (
        actor.post("/api/auth/login", json={"username": username, "password": "scale-password-2024"}).status_code == 200
    )
    response = actor.get(path)
    assert response.status_code == 200
    return response.get_json()["items"]


def test_scale_seed_is_deterministic_and_refuses_to_run_twice(app, runner):
    first = runner.invoke(args=["seed", "scale", "--users", "20", "--connections", "40", "--seed", "7"])
    assert first.exit_code == 0, first.output
    with app.app_context():
        usernames = db.session.scalars(sa.select(User.username).order_by(User.username)).all()
    again = runner.invoke(args=["seed", "scale", "--users", "20", "--connections", "40", "--seed", "7"])
    assert again.exit_code != 0 and "already" in again.output

    import random

    from networkapp.scale import Network, generate_people

    net = Network(rng=random.Random(7))
    generate_people(net, 20, "x")
    assert sorted(u["username"] for u in net.users) == usernames
