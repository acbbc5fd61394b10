"""Fixtures for fault tests: private PostgreSQL/Redis instances and real gunicorn servers."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest

from tests.reliability.procs import Gunicorn, Postgres, Redis, migrate

REPORT_DIR = Path(os.environ.get("NETWORKAPP_FAULT_REPORTS", Path(tempfile.gettempdir()) / "networkapp-faults"))


@pytest.fixture(scope="session")
def postgres():
    """A private cluster with a migrated template database (each test copies it)."""
    instance = Postgres()
    try:
        instance.start()
        instance.execute('CREATE DATABASE "app_template"')
        migrate(instance.url("app_template"))
        yield instance
    finally:
        instance.destroy()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("fault-sqlite") / "template.db"
    migrate(f"sqlite:///{path}")
    return path


@pytest.fixture
def database(request, tmp_path):
    """A fresh migrated database URL; ``request.param`` (via indirect parametrize) picks the backend."""
    backend = getattr(request, "param", "postgres")
    if backend == "postgres":
        postgres = request.getfixturevalue("postgres")
        # Nobody else may be connected to a template while it is copied.
        postgres.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'app_template'")
        return postgres.url(postgres.create_database("app_template"))
    import shutil

    path = tmp_path / "app.db"
    shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
    return f"sqlite:///{path}"


@pytest.fixture
def redis_server():
    instance = Redis()
    instance.start()
    yield instance
    instance.stop()


@pytest.fixture
def servers(tmp_path):
    started: list[Gunicorn] = []

    def start(database_url: str, **kwargs) -> Gunicorn:
        server = Gunicorn(database_url, tmp_path, **kwargs)
        server.start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def report():
    """Record a fault's measured figures (printed, and kept as JSON for docs/reliability.md)."""

    def write(name: str, figures: dict) -> None:
        REPORT_DIR.mkdir(parents=True, exist_ok=True)
        path = REPORT_DIR / f"{name}.json"
        path.write_text(json.dumps(figures, indent=2, default=str))
        print(f"\n[{name}] {json.dumps(figures, default=str)}\n  saved to {path}")

    return write
