"""``Idempotency-Key`` support for create endpoints (IETF httpapi draft semantics).

A view opts in with ``@idempotent``.  The first request with a key runs
normally except that its commit is deferred here: the created rows, the key
and the stored response commit together, so a crash can never leave a key
without its row or a row without its key.  A retry with the same key and
body replays the stored response; the same key with another body is 422;
a retry racing the original is settled by the unique (user, key) constraint.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from functools import wraps

import sqlalchemy as sa
from flask import current_app, g, request
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from networkapp.database import utcnow
from networkapp.errors import Invalid
from networkapp.extensions import db
from networkapp.models import IdempotencyKey

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


def _fingerprint() -> str:
    body = request.get_json(silent=True)
    canonical = (
        json.dumps(body, sort_keys=True, separators=(",", ":")) if body is not None else request.get_data(as_text=True)
    )
    return hashlib.sha256(f"{request.method} {request.path}\n{canonical}".encode()).hexdigest()


def _find(user_id, key: str) -> IdempotencyKey | None:
    return db.session.execute(
        sa.select(IdempotencyKey).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
    ).scalar_one_or_none()


def _replay(record: IdempotencyKey, fingerprint: str):
    if record.fingerprint != fingerprint:
        raise Invalid(
            "This Idempotency-Key was used with a different request.",
            errors={HEADER: ["The key was already used with a different request body."]},
        )
    response = current_app.response_class(
        json.dumps(record.response_body), status=record.response_status, mimetype="application/json"
    )
    response.headers["Idempotent-Replayed"] = "true"
    return response


def idempotent(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None or not current_user.is_authenticated:
            return view(*args, **kwargs)
        key = key.strip().strip('"')
        if not key or len(key) > MAX_KEY_LENGTH:
            raise Invalid(
                f"{HEADER} must be 1-{MAX_KEY_LENGTH} characters.", errors={HEADER: ["Must be 1-255 characters."]}
            )
        user_id = current_user.id
        fingerprint = _fingerprint()
        existing = _find(user_id, key)
        if existing is not None:
            return _replay(existing, fingerprint)

        g.defer_commit = True
        try:
            response = current_app.make_response(view(*args, **kwargs))
        finally:
            g.defer_commit = False
        if response.status_code >= 400:
            db.session.rollback()
            return response
        db.session.add(
            IdempotencyKey(
                user_id=user_id,
                key=key,
                endpoint=request.endpoint or request.path,
                fingerprint=fingerprint,
                response_status=response.status_code,
                response_body=response.get_json(silent=True),
            )
        )
        # Keys are kept for the TTL; purge this user's expired ones as we go.
        db.session.execute(
            sa.delete(IdempotencyKey).where(
                IdempotencyKey.user_id == user_id,
                IdempotencyKey.created_at < utcnow() - current_app.config["IDEMPOTENCY_KEY_TTL"],
            )
        )
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            winner = _find(user_id, key)
            if winner is None:
                raise
            return _replay(winner, fingerprint)
        return response

    return wrapper


def purge_expired(ttl: timedelta) -> int:
    result = db.session.execute(sa.delete(IdempotencyKey).where(IdempotencyKey.created_at < utcnow() - ttl))
    db.session.commit()
    return result.rowcount or 0
