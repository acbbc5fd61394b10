"""Liveness and readiness for load balancers and orchestration."""

import threading
import time

import marshmallow as ma
import sqlalchemy as sa
from flask import current_app

from networkapp import database
from networkapp.api import Blueprint
from networkapp.extensions import limiter
from networkapp.schemas import StrictSchema

bp = Blueprint("health", __name__, url_prefix="/api", description="Service health")


class HealthSchema(ma.Schema):
    status = ma.fields.String()
    database = ma.fields.String()
    redis = ma.fields.String()


class PingSchema(ma.Schema):
    status = ma.fields.String(required=True)


class EchoSchema(StrictSchema):
    message = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.Length(max=1000))


class EchoResponseSchema(ma.Schema):
    status = ma.fields.String(required=True)
    message = ma.fields.String(allow_none=True)


# A readiness probe must answer within a second whatever the load: the checks run beside the
# request's own session, on a one-connection engine of their own (the request pool may be busy
# with the very load the probe is asked about), each bounded, all together within HEALTH_BUDGET.
HEALTH_BUDGET = 0.9


def _probe_engine() -> sa.Engine:
    engine = current_app.extensions.get("health_engine")
    if engine is None:
        url = current_app.config["SQLALCHEMY_DATABASE_URI"]
        if url.startswith("postgresql"):
            options: dict = {"pool_size": 1, "max_overflow": 0, "pool_timeout": HEALTH_BUDGET / 2}
            options["connect_args"] = {"connect_timeout": 1}
        else:  # opening an embedded database costs nothing worth pooling
            options = {"poolclass": sa.pool.NullPool}
        engine = sa.create_engine(url, **options)
        if engine.dialect.name == "postgresql":
            database.configure_postgres(
                engine,
                {"DATABASE_STATEMENT_TIMEOUT": HEALTH_BUDGET / 2, "DATABASE_IDLE_IN_TRANSACTION_TIMEOUT": 5},
            )
        engine = current_app.extensions.setdefault("health_engine", engine)
    return engine


def _database_state(engine: sa.Engine, log) -> str:
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        return "ok"
    except Exception:  # any failure means not ready; the reason is logged, never returned
        log.warning("health: database unreachable", exc_info=True)
        return "unavailable"


def _redis_state(url: str | None, log) -> str:
    if not url:
        return "not configured"
    import redis

    try:
        redis.Redis.from_url(url, socket_timeout=HEALTH_BUDGET / 2, socket_connect_timeout=HEALTH_BUDGET / 2).ping()
        return "ok"
    except redis.RedisError:
        log.warning("health: redis unreachable", exc_info=True)
        return "unavailable"


def _bounded(checks: dict) -> dict:
    """Run the checks at once; one that has not answered within the budget counts as unavailable."""
    results = dict.fromkeys(checks, "unavailable")

    def run(name, check):
        results[name] = check()

    threads = [threading.Thread(target=run, args=item, daemon=True) for item in checks.items()]
    deadline = time.monotonic() + HEALTH_BUDGET
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    return {
        name: results[name] if not thread.is_alive() else "unavailable"
        for name, thread in zip(checks, threads, strict=True)
    }


@bp.route("/health")
@limiter.exempt
@bp.response(200, HealthSchema)
@bp.alt_response(503, schema=HealthSchema, description="The database is unavailable")
def health():
    """Readiness: database and Redis reachability"""
    engine, url, log = _probe_engine(), current_app.config.get("REDIS_URL"), current_app.logger
    states = _bounded({"database": lambda: _database_state(engine, log), "redis": lambda: _redis_state(url, log)})
    database, redis_state = states["database"], states["redis"]
    # Without Redis the API still serves (rate limits fail open, live pushes pause), so a Redis
    # outage degrades an instance but must not take every instance out of the load balancer.
    if database != "ok":
        status = "unavailable"
    elif redis_state == "unavailable":
        status = "degraded"
    else:
        status = "ok"
    body = {"status": status, "database": database, "redis": redis_state}
    return body, 503 if status == "unavailable" else 200, {"Cache-Control": "no-store"}


# Probes poll often from a handful of addresses: a rate limit would turn a healthy instance "down".
@bp.route("/ping")
@limiter.exempt
@bp.response(200, PingSchema)
def ping():
    """Liveness: the process answers, without touching any dependency"""
    return {"status": "ok"}, 200, {"Cache-Control": "no-store"}


@bp.route("/ping", methods=["POST"])
@limiter.exempt
@bp.arguments(EchoSchema)
@bp.response(200, EchoResponseSchema)
@bp.problems(400, 403, 415, 422)
def echo(body):
    """Echo: the cost of a CSRF-checked JSON POST through the whole stack, without any I/O"""
    return {"status": "ok", "message": body["message"]}, 200, {"Cache-Control": "no-store"}
