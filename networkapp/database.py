"""Database plumbing shared by every model: base class, column types, transactions."""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import g, has_request_context, request
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import DeclarativeBase

log = logging.getLogger(__name__)

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


def configure_sqlite(engine: sa.Engine, timeout: float = 10.0) -> None:
    """Make the embedded database safe for a threaded server.

    pysqlite's own transaction handling never emits BEGIN and upgrades read
    locks lazily, which is what produces "database is locked" under
    concurrent writers.  We take over: every connection runs in WAL with a
    busy timeout and foreign keys on, and a transaction that will write
    (any unsafe HTTP method, or a step that sets ``g.writes_on_read``) starts with
    BEGIN IMMEDIATE so it queues for the write lock instead of failing
    half-way.

    SQLite admits one writer at a time, and its busy handler waits by polling
    with sleeps of up to 100 ms: under load those sleeps, not the work, made
    the latency (a profile read's p95 was over a second at 8 concurrent
    clients).  So writers of this process first queue on an in-process lock,
    which wakes the next one the moment the previous transaction ends; the
    busy timeout is left to arbitrate between processes.

    Both waits end after ``timeout`` seconds (``DATABASE_STATEMENT_TIMEOUT``): a
    writer that never lets go (another process stuck mid-transaction) costs the
    others a 503, not a hung request.
    """
    gate = threading.Lock()
    busy_ms = int(timeout * 1000)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {busy_ms}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        if not _expects_write():
            connection.exec_driver_sql("BEGIN")
            return
        # On a timeout, go on without the gate: SQLite's own busy timeout still decides.
        if gate.acquire(timeout=timeout):
            connection.info["write_gate"] = gate
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _release(connection.info)
            raise

    def _release(info: dict) -> None:
        held = info.pop("write_gate", None)
        if held is not None:
            held.release()

    @event.listens_for(engine, "commit")
    def _on_commit(connection):
        _release(connection.info)

    @event.listens_for(engine, "rollback")
    def _on_rollback(connection):
        _release(connection.info)

    # A connection handed back to the pool never keeps the gate, whatever path ended its transaction.
    @event.listens_for(engine.pool, "checkin")
    def _on_checkin(_dbapi_connection, record):
        _release(record.info)


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _expects_write() -> bool:
    if has_request_context():
        if g.get("writes_on_read"):
            return True
        return request.method not in SAFE_METHODS and not g.get("reads_first")
    # CLI commands and background work: they are the only writer around.
    return True


def reads_first(view: Callable) -> Callable:
    """Mark an unsafe view whose slow or read-only part must not hold SQLite's write lock.

    Its first transaction starts as a plain read; the view does its writes
    inside ``write_step()``.  Signing in is the case in point: the Argon2id
    verification takes tens of milliseconds, and holding the one write lock
    meanwhile would serialise every other writer behind it.
    """
    from functools import wraps

    @wraps(view)
    def wrapper(*args, **kwargs):
        g.reads_first = True
        return view(*args, **kwargs)

    return wrapper


def end_reads() -> None:
    """End the request's transaction and hand its connection back to the pool.

    Ending a transaction that wrote nothing expires nothing, so the objects
    already loaded are used as they are instead of being reloaded one
    statement each.  Slow work that needs no database (Argon2id) runs after
    this, so it neither holds a pooled connection nor sits idle in a transaction.
    """
    from networkapp.extensions import db

    session = db.session()
    if session.new or session.dirty or session.deleted:
        commit()
    else:
        expire, session.expire_on_commit = session.expire_on_commit, False
        try:
            session.commit()
        finally:
            session.expire_on_commit = expire


@contextmanager
def write_step() -> Iterator[None]:
    """Write in a transaction of its own, from a request that has only read so far.

    The read transaction ends first (``end_reads``: SQLite cannot safely upgrade
    a read snapshot to a writer); the write transaction begins as a writer and
    is committed on leaving the block.  On PostgreSQL this is simply two short
    transactions.
    """
    from networkapp.extensions import db

    end_reads()
    previous = g.get("writes_on_read", False)
    g.writes_on_read = True
    try:
        yield
        commit()
    except BaseException:
        db.session.rollback()
        raise
    finally:
        g.writes_on_read = previous


def _dialect() -> str:
    from networkapp.extensions import db

    return db.session.get_bind().dialect.name


def among(column, ids: Iterable[uuid.UUID]) -> sa.ColumnElement[bool]:
    """``column IN ids`` for hundreds or thousands of ids, bound as one parameter.

    An expanding ``IN`` renders and binds one parameter per id on every
    execution; for a few hundred ids that costs the driver (psycopg most of
    all) more than the index lookups themselves.  PostgreSQL takes one array,
    SQLite one JSON text unpacked by ``json_each`` (ids are stored as 32-digit
    hex there).
    """
    return _among(column, None, {"value": ids_value(ids)})


def among_param(column, name: str) -> sa.ColumnElement[bool]:
    """``among`` for a statement built once: the ids are bound at execution as ``{name: ids_value(ids)}``."""
    return _among(column, name, {})


def _among(column, name: str | None, value: dict) -> sa.ColumnElement[bool]:
    dialect = _dialect()
    if dialect == "postgresql":
        return column == sa.any_(sa.bindparam(name, type_=postgresql.ARRAY(sa.Uuid), **value))
    if dialect == "sqlite":
        values = sa.func.json_each(sa.bindparam(name, type_=sa.String, **value))
        return column.in_(sa.select(sa.column("value")).select_from(values))
    return column.in_(sa.bindparam(name, expanding=True, **value))


def ids_value(ids: Iterable[uuid.UUID]):
    """The value ``among`` (and ``among_param`` at execution) binds for ``ids`` on this database."""
    if _dialect() == "sqlite":
        return json.dumps([i.hex for i in ids])
    return list(ids)


_built: dict[tuple, sa.Executable] = {}


def built_once(key: tuple, build: Callable[[], sa.Executable]) -> sa.Executable:
    """The statement ``build()`` makes for ``key`` (its shape), built on first use for this database.

    For hot statements whose shape varies with the data (how many branches, which
    filters): values are bound at execution, and building the statement afresh for
    every request cost more Python than the database spent running it.  A built
    statement is immutable, so requests on every thread share it.
    """
    full = (_dialect(), *key)
    statement = _built.get(full)
    if statement is None:
        statement = _built[full] = build()
    return statement


def serial_plans() -> None:
    """Plan the rest of this transaction without parallel workers (PostgreSQL; elsewhere nothing).

    For requests whose statements each touch a few hundred rows by key: the planner
    costs such a statement high enough to gather workers, and their start-up took
    longer than the whole statement takes alone.  ``SET LOCAL`` ends with the
    transaction, so the rest of the request's session is unaffected.
    """
    from networkapp.extensions import db

    if _dialect() == "postgresql":
        db.session.execute(sa.text("SET LOCAL max_parallel_workers_per_gather = 0"))


def lock_in_order(column, ids) -> None:
    """Lock the rows whose ``column`` is among ``ids`` (values or a subquery), in ``column`` order.

    A multi-row ``UPDATE … WHERE id IN (…)`` locks its rows in whatever order the scan meets
    them, so two transactions counting on overlapping rows (two people swapping skills, say) can
    each hold one row the other waits for: PostgreSQL then aborts one as a deadlock.  Taken in
    one order first, the locks make the later updates wait in line instead.  SQLite admits one
    writer at a time, so there is nothing to order there.

    ``FOR NO KEY UPDATE``, the lock an update of a non-key column takes anyway: unlike ``FOR
    UPDATE`` it does not wait for the key-share locks that inserting a row referencing these
    (a ``user_skills`` row, say) holds, which would be a new way round to deadlock.
    """
    from networkapp.extensions import db

    if _dialect() == "postgresql":
        db.session.execute(sa.select(column).where(column.in_(ids)).order_by(column).with_for_update(key_share=True))


def after_commit(callback: Callable[[], None]) -> None:
    """Run ``callback`` once the current transaction has really committed.

    Live pushes, e-mails and anything else that leaves the process must only
    describe rows that exist; a rolled-back transaction drops its callbacks.
    Callbacks run after the commit has returned its connection (``Session.commit``):
    what they need from the database is best read before the commit, in the same
    transaction, so that the callback itself only talks to the outside.
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


def release_session(_error: BaseException | None = None) -> None:
    """End the request's session without letting a dead connection escape.

    When the database goes away mid-request, closing the session rolls back
    on a broken connection and raises after the response is built; Flask
    would hand that to the WSGI server, which answers with an HTML 500 in
    place of the response.  The connection is invalidated instead, so the
    pool replaces it, and the session is discarded.
    """
    from networkapp.extensions import db

    if not db.session.registry.has():
        return
    session = db.session.registry()
    try:
        session.close()
    except sa.exc.DBAPIError as error:
        log.warning("closing the session failed, connection discarded: %s", error.orig)
        try:
            session.invalidate()
        except sa.exc.SQLAlchemyError:
            log.debug("invalidating the session failed", exc_info=True)
    finally:
        db.session.registry.clear()


class Session(FlaskSession):
    """The request's session: ``after_commit`` callbacks run once ``commit()`` has fully returned.

    By then the transaction's connection is back in the pool, so a callback that reads or
    writes (in this session or an app context of its own) takes that same connection again
    instead of a second one: a request never holds two connections at once, whatever its
    callbacks do.  Inside SQLAlchemy's own ``after_commit`` event no SQL may run at all.
    """

    def commit(self) -> None:
        super().commit()
        callbacks = self.info.pop("after_commit", None)
        for callback in callbacks or ():
            # The transaction is committed whatever a callback does: a push that fails must not
            # turn the request's answer into an error for work that is done.
            try:
                callback()
            except Exception:
                log.exception("an after-commit callback failed")


def install_session_hooks(session_factory) -> None:
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


class StatementWatchdog:
    """A client-side bound on every PostgreSQL statement, for when the server cannot enforce its own.

    ``statement_timeout`` is enforced by the server: a server that is frozen (stopped, swapped
    out, behind a partitioned network that still ACKs) never answers at all, and psycopg waits
    on the socket forever.  Each statement arms a deadline a little past the server's timeout;
    one background thread (a greenlet under gevent) shuts down the socket of any statement
    still running at its deadline.  psycopg then fails that statement as a lost connection,
    SQLAlchemy discards the connection, and the request answers 503 instead of hanging.

    There is one watchdog per process (``WATCHDOG``), shared by every engine: each armed
    statement carries its own deadline, so an app factory called many times (tests, the health
    probe's engine) adds no threads.  The thread is started lazily in the process that arms
    first, so a forked worker starts its own.
    """

    interval = 0.25

    def __init__(self) -> None:
        self._armed: dict[int, tuple[float, object]] = {}
        self._pid: int | None = None
        self._start_lock = threading.Lock()

    def arm(self, dbapi_connection, seconds: float) -> None:
        if self._pid != os.getpid():
            self._start()
        self._armed[id(dbapi_connection)] = (time.monotonic() + seconds, dbapi_connection)

    def disarm(self, dbapi_connection) -> None:
        self._armed.pop(id(dbapi_connection), None)

    def _start(self) -> None:
        with self._start_lock:
            if self._pid != os.getpid():
                self._armed.clear()
                threading.Thread(target=self._watch, name="statement-watchdog", daemon=True).start()
                self._pid = os.getpid()

    def _watch(self) -> None:
        while True:
            time.sleep(self.interval)
            now = time.monotonic()
            for key, (deadline, dbapi_connection) in list(self._armed.items()):
                if deadline <= now and self._armed.pop(key, None) is not None:
                    self._cut(dbapi_connection)

    @staticmethod
    def _cut(dbapi_connection) -> None:
        try:
            fd = dbapi_connection.pgconn.socket
        except Exception:  # already closed: nothing waits on it
            return
        log.error("a database statement outlived its timeout; dropping its connection")
        try:
            with socket.socket(fileno=os.dup(fd)) as sock:
                sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            log.debug("shutting down a stuck database socket failed", exc_info=True)


WATCHDOG = StatementWatchdog()


def configure_postgres(engine: sa.Engine, config) -> None:
    """Bound every wait on PostgreSQL: connecting, checking out, each statement, idle transactions.

    The server's own limits (``statement_timeout``, ``idle_in_transaction_session_timeout``)
    are set for every connection at connect time; the watchdog covers a server that cannot
    answer at all.  The liveness ping that replaces ``pool_pre_ping`` runs under the same
    watchdog, so even a check-out cannot hang on a frozen server.
    """
    statement_ms = int(config["DATABASE_STATEMENT_TIMEOUT"] * 1000)
    idle_ms = int(config["DATABASE_IDLE_IN_TRANSACTION_TIMEOUT"] * 1000)
    # The grace past the server's own timeout lets a live server answer with its error first.
    grace = config["DATABASE_STATEMENT_TIMEOUT"] + 2
    watchdog = WATCHDOG if statement_ms > 0 else None

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        limit = statement_ms
        autocommit, dbapi_connection.autocommit = dbapi_connection.autocommit, True
        try:
            with dbapi_connection.cursor() as cursor:
                cursor.execute(f"SET statement_timeout = {limit}")
                cursor.execute(f"SET idle_in_transaction_session_timeout = {0 if limit == 0 else idle_ms}")
        finally:
            dbapi_connection.autocommit = autocommit

    @event.listens_for(engine.pool, "checkout")
    def _on_checkout(dbapi_connection, record, _proxy):
        # A connection just opened has nothing to prove (its record's info is emptied on invalidation).
        if not record.info.get("checked_out_before"):
            record.info["checked_out_before"] = True
            return
        if watchdog is not None:
            watchdog.arm(dbapi_connection, grace)
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise sa.exc.DisconnectionError(f"the pooled connection failed its ping: {error}") from error
        finally:
            if watchdog is not None:
                watchdog.disarm(dbapi_connection)
        if not alive:
            raise sa.exc.DisconnectionError("the pooled connection failed its ping")

    if watchdog is None:
        return

    @event.listens_for(engine, "before_cursor_execute")
    def _arm(conn, _cursor, _statement, _parameters, _context, _executemany):
        watchdog.arm(conn.connection.dbapi_connection, grace)

    @event.listens_for(engine, "after_cursor_execute")
    def _disarm(conn, _cursor, _statement, _parameters, _context, _executemany):
        watchdog.disarm(conn.connection.dbapi_connection)

    @event.listens_for(engine, "handle_error")
    def _disarm_on_error(context):
        if context.connection is not None and context.connection.connection.dbapi_connection is not None:
            watchdog.disarm(context.connection.connection.dbapi_connection)
