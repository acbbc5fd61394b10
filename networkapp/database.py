"""Database plumbing shared by every model: base class, column types, transactions."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.orm import DeclarativeBase

# Constraint names must be deterministic before the first migration, otherwise
# Alembic cannot drop or alter them later (SQLite and PostgreSQL name them differently).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_uuid() -> uuid.UUID:
    return uuid.uuid4()


class UTCDateTime(sa.TypeDecorator):
    """Timezone-aware UTC datetimes on every backend.

    SQLite has no time zone support, so values are stored as naive UTC and
    re-attached to UTC on the way out; PostgreSQL stores ``timestamptz``.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def configure_sqlite(engine: sa.Engine) -> None:
    """Make the embedded database safe for a threaded server.

    pysqlite's own transaction handling never emits BEGIN and upgrades read
    locks lazily, which is what produces "database is locked" under
    concurrent writers.  We take over: every connection runs in WAL with a
    busy timeout and foreign keys on, and a transaction that will write
    (any unsafe HTTP method, or a view marked ``writes_on_read``) starts with
    BEGIN IMMEDIATE so it queues for the write lock instead of failing
    half-way.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 15000")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _expects_write() else "BEGIN")


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _expects_write() -> bool:
    if has_request_context():
        if request.method not in SAFE_METHODS:
            return True
        return bool(g.get("writes_on_read"))
    # CLI commands and background work: they are the only writer around.
    return True


def writes_on_read(view: Callable) -> Callable:
    """Mark a GET view that records something (a profile view, a read receipt)."""
    from functools import wraps

    @wraps(view)
    def wrapper(*args, **kwargs):
        g.writes_on_read = True
        return view(*args, **kwargs)

    return wrapper


def after_commit(callback: Callable[[], None]) -> None:
    """Run ``callback`` once the current transaction has really committed.

    Live pushes, e-mails and anything else that leaves the process must only
    describe rows that exist; a rolled-back transaction drops its callbacks.
    """
    from networkapp.extensions import db

    db.session.info.setdefault("after_commit", []).append(callback)


def commit() -> None:
    """Commit the request's unit of work (services call this, never models).

    While an ``Idempotency-Key`` request is being served the commit is
    deferred to the idempotency layer, so the key, the created row and the
    stored response land in one transaction.
    """
    from networkapp.extensions import db

    if has_request_context() and g.get("defer_commit"):
        db.session.flush()
        return
    db.session.commit()


def install_session_hooks(session_factory) -> None:
    @event.listens_for(session_factory, "after_commit")
    def _run_callbacks(session):
        callbacks = session.info.pop("after_commit", [])
        for callback in callbacks:
            callback()

    @event.listens_for(session_factory, "after_soft_rollback")
    def _drop_callbacks(session, _previous_transaction):
        if not session.in_transaction():
            session.info.pop("after_commit", None)


# Full-text search structures are written by hand in migrations (SQLite FTS5
# virtual tables and their shadow tables, PostgreSQL tsvector columns and GIN
# indexes) and have no model.  Schema comparison (`flask db check`) must leave
# them alone: they are recognised by name (``fts_…``, ``ix_fts_…``, ``…_fts…``)
# or listed by a domain in ``Base.metadata.info["unmanaged_tables"]``.
UNMANAGED_PREFIXES = ("fts_", "ix_fts_")


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    if not (reflected and compare_to is None and name):
        return True
    if name.startswith(UNMANAGED_PREFIXES) or "_fts" in name:
        return False
    unmanaged = Base.metadata.info.get("unmanaged_tables", ())
    return not (type_ == "table" and any(name == t or name.startswith(f"{t}_") for t in unmanaged))
