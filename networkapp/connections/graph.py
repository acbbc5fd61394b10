"""Graph questions every domain asks: who is connected, who is hidden from whom.

These return SQL fragments where they are used inside larger queries, so
callers never load a network into Python to filter it.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from networkapp.extensions import db
from networkapp.models import Block, ConnectionEdge


def are_connected(a: uuid.UUID, b: uuid.UUID) -> bool:
    return (
        db.session.scalar(sa.select(sa.exists().where(ConnectionEdge.user_id == a, ConnectionEdge.friend_id == b)))
        or False
    )


def is_blocked_between(a: uuid.UUID, b: uuid.UUID) -> bool:
    """True when either person has blocked the other (a block hides both ways)."""
    return (
        db.session.scalar(
            sa.select(
                sa.exists().where(
                    sa.or_(
                        sa.and_(Block.blocker_id == a, Block.blocked_id == b),
                        sa.and_(Block.blocker_id == b, Block.blocked_id == a),
                    )
                )
            )
        )
        or False
    )


def friend_ids(user_id: uuid.UUID) -> sa.Select:
    """SELECT of the ids of ``user_id``'s accepted connections."""
    return sa.select(ConnectionEdge.friend_id).where(ConnectionEdge.user_id == user_id)


def hidden_ids(user_id: uuid.UUID) -> sa.Select:
    """SELECT of the ids of people ``user_id`` must not see (blocked either way)."""
    return sa.union(
        sa.select(Block.blocked_id).where(Block.blocker_id == user_id),
        sa.select(Block.blocker_id).where(Block.blocked_id == user_id),
    )
