"""Test fixtures: a migrated database per test, and actors that speak the real API.

SQLite: the migrations run once into a template file that every test copies.
PostgreSQL (``TEST_DATABASE_URL``): the migrations run once; every test then
starts from truncated tables with the reference data (the skills catalogue)
put back.
"""

from __future__ import annotations

import os
import shutil
import threading
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from networkapp import create_app
from networkapp.extensions import db

PG_URL = os.environ.get("TEST_DATABASE_URL", "")
ON_POSTGRES = PG_URL.startswith("postgresql")
# Rows that migrations ship (reference data) and every test must see.
REFERENCE_TABLES = ("skills", "assessment_questions")


def _migrate(url: str) -> None:
    from flask_migrate import upgrade

    previous = os.environ.get("TEST_DATABASE_URL")
    os.environ["TEST_DATABASE_URL"] = url
    try:
        app = create_app("testing")
        with app.app_context():
            upgrade(directory=str(Path(__file__).resolve().parent.parent / "migrations"))
            db.session.remove()
            db.engine.dispose()
    finally:
        if previous is None:
            os.environ.pop("TEST_DATABASE_URL", None)
        else:
            os.environ["TEST_DATABASE_URL"] = previous


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    if ON_POSTGRES:
        engine = sa.create_engine(PG_URL)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        engine.dispose()
        _migrate(PG_URL)
        engine = sa.create_engine(PG_URL)
        meta = sa.MetaData()
        meta.reflect(engine)
        with engine.connect() as conn:
            reference = {
                name: [dict(r._mapping) for r in conn.execute(meta.tables[name].select())] for name in REFERENCE_TABLES
            }
        tables = [t for t in meta.sorted_tables if t.name != "alembic_version"]
        yield {"engine": engine, "meta": meta, "tables": tables, "reference": reference}
        engine.dispose()
    else:
        path = tmp_path_factory.mktemp("template") / "template.db"
        _migrate(f"sqlite:///{path}")
        yield {"path": path}


def _reset_postgres(template) -> None:
    # DELETE in dependency order is an order of magnitude faster than TRUNCATE on
    # many small tables (TRUNCATE swaps every table's files).
    with template["engine"].begin() as conn:
        for table in reversed(template["tables"]):
            conn.execute(table.delete())
        for name, rows in template["reference"].items():
            if rows:
                conn.execute(template["meta"].tables[name].insert(), rows)


@pytest.fixture
def database_url(database_template, tmp_path):
    if ON_POSTGRES:
        _reset_postgres(database_template)
        return PG_URL
    path = tmp_path / "test.db"
    shutil.copyfile(database_template["path"], path)
    return f"sqlite:///{path}"


@pytest.fixture
def make_app(database_url, monkeypatch):
    """Build an app on this test's database, with extra environment settings."""
    apps = []

    def factory(**env):
        if os.environ.get("REDIS_URL"):
            # Rate-limit counters live in Redis in this pass; each test starts from none.
            import redis

            redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()
        monkeypatch.setenv("TEST_DATABASE_URL", database_url)
        for key, value in env.items():
            monkeypatch.setenv(key, str(value))
        app = create_app("testing")
        apps.append(app)
        return app

    yield factory
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class Actor:
    """A browser session: its own cookies, and the CSRF header on every unsafe request."""

    def __init__(self, app, user: dict | None = None):
        self.app = app
        self.client = app.test_client()
        self.user = user
        self.csrf = None

    @property
    def id(self) -> str:
        return self.user["id"]

    def refresh_csrf(self) -> str:
        self.csrf = self.client.get("/api/auth/csrf").get_json()["csrf_token"]
        return self.csrf

    def open(self, method: str, path: str, *, csrf: bool = True, **kwargs):
        headers = dict(kwargs.pop("headers", None) or {})
        if csrf and method.upper() not in ("GET", "HEAD", "OPTIONS"):
            headers.setdefault("X-CSRF-Token", self.csrf or self.refresh_csrf())
        response = self.client.open(path, method=method.upper(), headers=headers, **kwargs)
        if "X-CSRF-Token" in response.headers:
            self.csrf = response.headers["X-CSRF-Token"]
        return response

    def get(self, path, **kw):
        return self.open("GET", path, **kw)

    def post(self, path, **kw):
        return self.open("POST", path, **kw)

    def put(self, path, **kw):
        return self.open("PUT", path, **kw)

    def patch(self, path, **kw):
        return self.open("PATCH", path, **kw)

    def delete(self, path, **kw):
        return self.open("DELETE", path, **kw)


PASSWORD = "correct horse battery staple"
# Statements the connection_degree annotation adds to a response that shows people
# (networkapp.relationships.annotate: one batch for the whole body).
DEGREE_QUERIES = 4


@pytest.fixture
def anon(app):
    return Actor(app)


@pytest.fixture
def make_user(app):
    """Register a user through the real endpoint and return a signed-in ``Actor``."""
    counter = iter(range(1, 10_000))

    def factory(username: str | None = None, *, password: str = PASSWORD, **profile) -> Actor:
        n = next(counter)
        username = username or f"user{n}{uuid.uuid4().hex[:6]}"
        actor = Actor(app)
        body = {
            "username": username,
            "email": profile.pop("email", f"{username}@example.com"),
            "password": password,
            "first_name": profile.pop("first_name", f"First{n}"),
            "last_name": profile.pop("last_name", f"Last{n}"),
            "industry": profile.pop("industry", "Software"),
        }
        response = actor.post("/api/auth/register", json=body)
        assert response.status_code == 201, response.get_json()
        actor.user = response.get_json()
        actor.password = password
        if profile:
            set_user_fields(app, actor.id, **profile)
        return actor

    return factory


def set_user_fields(app, user_id: str, **fields) -> None:
    """Set server-owned or not-yet-editable columns directly (test setup only)."""
    from networkapp.models import User

    with app.app_context():
        user = db.session.get(User, uuid.UUID(user_id))
        for key, value in fields.items():
            setattr(user, key, value)
        db.session.commit()


@pytest.fixture
def alice(make_user):
    return make_user("alice", first_name="Alice", last_name="Archer")


@pytest.fixture
def bob(make_user):
    return make_user("bob", first_name="Bob", last_name="Baker")


@contextmanager
def count_queries(app):
    """Count SQL statements the app runs inside the block (N+1 guards)."""
    statements: list[str] = []

    def before(conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA")):
            statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)


@pytest.fixture
def query_counter(app):
    return lambda: count_queries(app)


def run_together(calls) -> list:
    """Start every call at the same moment (one thread each); return their results in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(index, call):
        barrier.wait()
        results[index] = call()

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def connect(app, a: Actor, b: Actor) -> None:
    """Make ``a`` and ``b`` connections directly in the database (test setup)."""
    from networkapp.database import utcnow
    from networkapp.models import Connection, ConnectionEdge, User

    with app.app_context():
        ua, ub = db.session.get(User, uuid.UUID(a.id)), db.session.get(User, uuid.UUID(b.id))
        low, high = Connection.pair(ua.id, ub.id)
        connection = Connection(
            requester_id=ua.id,
            recipient_id=ub.id,
            user_low_id=low,
            user_high_id=high,
            status="accepted",
            responded_at=utcnow(),
        )
        db.session.add(connection)
        db.session.flush()
        db.session.add_all(
            [
                ConnectionEdge(user_id=ua.id, friend_id=ub.id, connection_id=connection.id),
                ConnectionEdge(user_id=ub.id, friend_id=ua.id, connection_id=connection.id),
            ]
        )
        ua.connection_count += 1
        ub.connection_count += 1
        db.session.commit()
