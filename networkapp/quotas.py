"""Per-person storage quotas: profile media (MEDIA_QUOTA_BYTES) and message attachments (ATTACHMENT_QUOTA_BYTES).

A quota is checked in the transaction that records the upload, after taking
a per-person lock, so two uploads racing each other are counted one after
the other and cannot both pass.  On PostgreSQL the lock is a transaction
advisory lock (no row lock, so no lock order to keep with the rest of the
app); SQLite already runs one writer at a time.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask import current_app

from networkapp.errors import PayloadTooLarge
from networkapp.extensions import db

# First key of the two-key advisory lock: this module's locks never meet anyone else's.
_LOCK_CLASS = 0x51_07A


def _serialise(user_id: uuid.UUID) -> None:
    if db.session.get_bind().dialect.name == "postgresql":
        key = int.from_bytes(user_id.bytes[:4], "big", signed=True)
        db.session.execute(sa.select(sa.func.pg_advisory_xact_lock(_LOCK_CLASS, key)))


def claim(user_id: uuid.UUID, incoming: int, *, used: sa.Select, setting: str, what: str) -> None:
    """Refuse (413) ``incoming`` more bytes if they take the person past ``setting``; 0 means no quota.

    ``used`` sums the bytes the person already stores; the caller records the
    upload in this same transaction.
    """
    limit = int(current_app.config.get(setting) or 0)
    if limit <= 0:
        return
    _serialise(user_id)
    stored = int(db.session.scalar(used) or 0)
    if stored + incoming > limit:
        detail = f"Your {what} may take at most {limit} bytes; {stored} are in use and this file has {incoming}."
        raise PayloadTooLarge(detail, errors={"file": [detail]})
