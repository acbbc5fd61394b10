"""Schema, migrations, reference data and the embedded database under concurrency."""

from __future__ import annotations

import threading
import uuid

import pytest
import sqlalchemy as sa

from networkapp.database import include_object
from networkapp.extensions import db
from networkapp.models import Skill, User
from tests.conftest import ON_POSTGRES, PASSWORD, Actor


def test_models_match_the_migrations(app):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with app.app_context(), db.engine.connect() as connection:
        opts = {"compare_type": True, "include_object": include_object}
        context = MigrationContext.configure(connection, opts=opts)
        assert compare_metadata(context, db.metadata) == []


def test_skills_catalogue_ships_with_the_schema(app):
    with app.app_context():
        total = db.session.scalar(sa.select(sa.func.count()).select_from(Skill))
        categories = db.session.scalars(sa.select(Skill.category).distinct()).all()
        python = db.session.execute(sa.select(Skill).where(Skill.name_key == "python")).scalar_one()
    assert total >= 200
    assert len(categories) >= 10
    assert python.name == "Python" and python.category == "Programming Languages"


def test_uniqueness_lives_in_the_database(app):
    with app.app_context():
        db.session.add(User(username="dup", email="a@example.com", password_hash="x", first_name="a", last_name="b"))
        db.session.add(User(username="dup", email="b@example.com", password_hash="x", first_name="a", last_name="b"))
        try:
            db.session.commit()
            raised = False
        except sa.exc.IntegrityError:
            db.session.rollback()
            raised = True
    assert raised


def test_migrations_downgrade_and_upgrade_again(app, runner):
    if ON_POSTGRES:
        # The shared PostgreSQL test schema is reused by later tests; the SQLite pass covers the round trip.
        return
    assert runner.invoke(args=["db", "downgrade", "base"]).exit_code == 0
    with app.app_context():
        assert "users" not in sa.inspect(db.engine).get_table_names()
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Skill)) >= 200


def test_concurrent_writes_do_not_fail_with_locked_database(app):
    errors = []

    def register(n):
        actor = Actor(app)
        for attempt in range(3):
            response = actor.post(
                "/api/auth/register",
                json={
                    "username": f"burst{n}_{attempt}",
                    "email": f"burst{n}_{attempt}@example.com",
                    "password": PASSWORD,
                    "first_name": "B",
                    "last_name": "U",
                    "industry": "Software",
                },
            )
            if response.status_code != 201:
                errors.append(response.get_json())
            actor.post("/api/auth/logout")

    threads = [threading.Thread(target=register, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 24


def test_seed_demo_is_idempotent_and_prints_credentials(app, runner):
    first = runner.invoke(args=["seed", "demo"])
    assert first.exit_code == 0, first.output
    assert "ada / demo-password-2024" in first.output
    second = runner.invoke(args=["seed", "demo"])
    assert second.exit_code == 0 and "0 new users" in second.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 5
        ada = db.session.execute(sa.select(User).where(User.username == "ada")).scalar_one()
        assert ada.connection_count == 2
    response = Actor(app).post("/api/auth/login", json={"username": "ada", "password": "demo-password-2024"})
    assert response.status_code == 200
    assert response.get_json()["network_stats"]["connections"] == 2


def test_among_matches_exactly_the_ids_given_as_one_parameter(app, make_user, query_counter):
    from networkapp.database import among

    people = [make_user() for _ in range(5)]
    wanted = {uuid.UUID(p.id) for p in people[:3]} | {uuid.uuid4()}
    with app.app_context():
        with query_counter() as statements:
            found = set(db.session.scalars(sa.select(User.id).where(among(User.id, wanted))))
        nothing = db.session.scalars(sa.select(User.id).where(among(User.id, []))).all()
    assert found == {uuid.UUID(p.id) for p in people[:3]}
    assert nothing == []
    # One bound value for the whole set, not one per id.
    assert statements[0].count("?") + statements[0].count("%(") == 1


def test_every_engine_shares_one_statement_watchdog(make_app):
    # One thread per process, however many apps (and health-probe engines) are built: a thread
    # per engine would pile up with every create_app and spin for the life of the process.
    if not ON_POSTGRES:
        pytest.skip("the statement watchdog bounds PostgreSQL statements")
    for _ in range(3):
        app = make_app()
        with app.app_context():
            assert db.session.scalar(sa.text("SELECT 1")) == 1
            db.session.rollback()
        assert app.test_client().get("/api/health").status_code == 200
    watchdogs = [t for t in threading.enumerate() if t.name == "statement-watchdog"]
    assert len(watchdogs) == 1
