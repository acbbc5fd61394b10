"""The one error shape: RFC 9457 problem details, for every failure.

Services raise the domain exceptions below; framework errors (routing, webargs
validation, CSRF, rate limits, oversized bodies) arrive as ``HTTPException``;
integrity violations and unexpected exceptions are caught last.  All of them
leave as ``application/problem+json`` without stack traces, SQL or paths.
"""

from __future__ import annotations

import logging

from flask import Flask, json
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc as sa_exc
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from networkapp.api import PROBLEM_MIME

log = logging.getLogger(__name__)


class DomainError(Exception):
    status = 400
    title = "Bad Request"

    def __init__(self, detail: str | None = None, *, errors: dict | None = None, headers: dict | None = None):
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.errors = errors
        self.headers = headers or {}


class BadRequest(DomainError):
    status, title = 400, "Bad Request"


class Unauthorized(DomainError):
    status, title = 401, "Unauthorized"


class Forbidden(DomainError):
    status, title = 403, "Forbidden"


class NotFound(DomainError):
    status, title = 404, "Not Found"


class Conflict(DomainError):
    status, title = 409, "Conflict"


class PayloadTooLarge(DomainError):
    status, title = 413, "Payload Too Large"


class UnsupportedMediaType(DomainError):
    status, title = 415, "Unsupported Media Type"


class TooManyRequests(DomainError):
    """Raised with a ``Retry-After`` header."""

    status, title = 429, "Too Many Requests"


class Invalid(DomainError):
    """A request that parsed but breaks a rule; ``errors`` maps fields to messages."""

    status, title = 422, "Unprocessable Content"

    def __init__(self, detail: str | None = None, *, errors: dict | None = None, field: str | None = None, **kwargs):
        if field and detail and errors is None:
            errors = {field: [detail]}
        super().__init__(detail or "The request is invalid.", errors=errors, **kwargs)


class ServiceUnavailable(DomainError):
    status, title = 503, "Service Unavailable"


def problem(
    status: int,
    title: str,
    detail: str | None = None,
    *,
    errors: dict | None = None,
    headers: dict | None = None,
    type_: str = "about:blank",
):
    body = {"type": type_, "title": title, "status": status, "detail": detail or title}
    if errors:
        body["errors"] = errors
    from flask import current_app

    response = current_app.response_class(json.dumps(body), status=status, mimetype=PROBLEM_MIME)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _flatten_validation(messages) -> dict:
    """webargs nests errors by location ({"json": {...}}); clients want fields."""
    flat: dict = {}
    if not isinstance(messages, dict):
        return {"_schema": messages if isinstance(messages, list) else [str(messages)]}
    for location, fields in messages.items():
        if isinstance(fields, dict):
            for name, msgs in fields.items():
                flat.setdefault(name, msgs)
        else:
            flat.setdefault("_schema" if location in ("json", "form") else location, fields)
    return flat


def _rollback() -> None:
    """Roll the session back; on a connection that is already gone there is nothing to undo."""
    from networkapp.extensions import db

    try:
        db.session.rollback()
    except Exception:
        log.debug("rollback after an error failed", exc_info=True)


def database_unavailable(error: Exception) -> bool:
    """The database could not be reached, as opposed to a query that is wrong."""
    return isinstance(error, OperationalError) or (isinstance(error, DBAPIError) and error.connection_invalidated)


# SQLSTATEs of a transaction the database rolled back to settle a conflict with another one
# (serialization failure, deadlock, a lock not granted within ``lock_timeout``).  The driver
# reports them as an OperationalError, like an outage; the client's remedy is the same (try
# again), the operator's is not.
ROLLED_BACK_STATES = frozenset({"40001", "40P01", "55P03"})


def unavailable_response(error: DBAPIError):
    _rollback()
    if getattr(error.orig, "sqlstate", None) in ROLLED_BACK_STATES:
        log.warning("transaction rolled back by the database: %s", error.orig)
        detail = "The request collided with a concurrent change and was not applied; try again."
        return problem(503, "Service Unavailable", detail, headers={"Retry-After": "1"})
    log.error("database unavailable: %s", error.orig)
    return problem(503, "Service Unavailable", "The database is temporarily unavailable.", headers={"Retry-After": "2"})


def handle_http_exception(error: HTTPException):
    original = getattr(error, "original_exception", None)
    if isinstance(error, InternalServerError) and original is not None and database_unavailable(original):
        # Raised where Flask routes it here rather than to a handler by type (an after_request hook).
        return unavailable_response(original)
    _rollback()
    data = getattr(error, "data", None) or {}
    headers = dict(data.get("headers") or {})
    if error.response is not None and error.code == 429:
        headers.update({k: v for k, v in error.response.headers.items() if k.lower() != "content-type"})
    status = error.code or 500
    title = error.name
    detail = data.get("message") or error.description
    errors = None
    if "messages" in data:
        errors = _flatten_validation(data["messages"])
        if status == 422:
            title = "Unprocessable Content"
            detail = "The request body or query has invalid fields."
        elif status == 400:
            detail = "The request body is not valid JSON."
    if status == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    if isinstance(error, CSRFError):
        # Flask-WTF reports CSRF failures as 400; the contract says a refused token is 403.
        status, title = 403, "Forbidden"
        detail = "A valid X-CSRF-Token header is required (GET /api/auth/csrf)."
    if status == 413:
        detail = "The request body is too large."
    if status >= 500:
        detail = "An unexpected error occurred."
    return problem(status, title, detail, errors=errors, headers=headers)


def handle_domain_error(error: DomainError):
    _rollback()
    return problem(error.status, error.title, error.detail, errors=error.errors, headers=error.headers)


def handle_integrity_error(error: IntegrityError):
    """A constraint the database enforces won a race the service did not see."""
    _rollback()
    log.info("integrity conflict: %s", error.orig)
    return problem(409, "Conflict", "The request conflicts with the current state of the resource.")


def handle_database_error(error: DBAPIError):
    if database_unavailable(error):
        return unavailable_response(error)
    return handle_unexpected(error)


def handle_pool_timeout(error: sa_exc.TimeoutError):
    """Every pooled connection stayed busy for DATABASE_POOL_TIMEOUT seconds: shed this request."""
    _rollback()
    log.warning("no database connection free in time: %s", error)
    detail = "The service is busy; try again in a moment."
    return problem(503, "Service Unavailable", detail, headers={"Retry-After": "1"})


def handle_unexpected(error: Exception):
    log.exception("unhandled error", exc_info=error)
    return handle_http_exception(InternalServerError())


def register_errorhandlers(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(IntegrityError, handle_integrity_error)
    app.register_error_handler(DBAPIError, handle_database_error)
    app.register_error_handler(sa_exc.TimeoutError, handle_pool_timeout)
    app.register_error_handler(Exception, handle_unexpected)
