"""Liveness and readiness for load balancers and orchestration."""

import marshmallow as ma
import sqlalchemy as sa
from flask import current_app

from networkapp.api import Blueprint
from networkapp.extensions import db, limiter
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


def _database_state() -> str:
    try:
        db.session.execute(sa.text("SELECT 1"))
        db.session.rollback()
        return "ok"
    except Exception:  # any failure means not ready; the reason is logged, never returned
        current_app.logger.warning("health: database unreachable", exc_info=True)
        db.session.rollback()
        return "unavailable"


def _redis_state() -> str:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return "not configured"
    import redis

    try:
        redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1).ping()
        return "ok"
    except redis.RedisError:
        current_app.logger.warning("health: redis unreachable", exc_info=True)
        return "unavailable"


@bp.route("/health")
@bp.response(200, HealthSchema)
@bp.alt_response(503, schema=HealthSchema, description="The database is unavailable")
def health():
    """Readiness: database and Redis reachability"""
    database, redis_state = _database_state(), _redis_state()
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
