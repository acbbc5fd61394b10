"""Graph questions every domain asks: who is connected, who is hidden from whom.

These return SQL fragments where they are used inside larger queries, so
callers never load a network into Python to filter it.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from networkapp.extensions import db
from networkapp.models import Block, Connection, ConnectionEdge


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


def connection_status(viewer_id: uuid.UUID, other_id: uuid.UUID) -> str:
    """``self``, ``connected``, ``pending_sent``, ``pending_received`` or ``none``."""
    if viewer_id == other_id:
        return "self"
    low, high = Connection.pair(viewer_id, other_id)
    row = db.session.execute(
        sa.select(Connection.status, Connection.requester_id).where(
            Connection.user_low_id == low, Connection.user_high_id == high
        )
    ).first()
    if row is None or row.status == "declined":
        return "none"
    if row.status == "accepted":
        return "connected"
    return "pending_sent" if row.requester_id == viewer_id else "pending_received"


def pair_state(viewer_id: uuid.UUID, other_id: uuid.UUID) -> tuple[bool, str]:
    """Whether a block stands between the two, and ``connection_status``, in one query."""
    low, high = Connection.pair(viewer_id, other_id)
    pair = sa.and_(Connection.user_low_id == low, Connection.user_high_id == high)
    blocked, status, requester_id = db.session.execute(
        sa.select(
            sa.exists().where(
                sa.or_(
                    sa.and_(Block.blocker_id == viewer_id, Block.blocked_id == other_id),
                    sa.and_(Block.blocker_id == other_id, Block.blocked_id == viewer_id),
                )
            ),
            sa.select(Connection.status).where(pair).scalar_subquery(),
            sa.select(Connection.requester_id).where(pair).scalar_subquery(),
        )
    ).one()
    if status is None or status == "declined":
        return bool(blocked), "none"
    if status == "accepted":
        return bool(blocked), "connected"
    return bool(blocked), "pending_sent" if requester_id == viewer_id else "pending_received"


def mutual_count(a: uuid.UUID, b: uuid.UUID) -> int:
    """How many connections ``a`` and ``b`` share."""
    return mutual_counts(a, [b]).get(b, 0)


def mutual_counts(viewer_id: uuid.UUID, other_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    """Mutual-connection counts between ``viewer_id`` and each of ``other_ids``, in one query."""
    if not other_ids:
        return {}
    # Edges exist in both directions, so "friends of each other person that are also mine" is a probe of
    # the (user_id, friend_id) key from each of my friends: cost grows with my degree, not with theirs
    # (the people asked about are often well connected).
    edge = ConnectionEdge.__table__
    rows = db.session.execute(
        sa.select(edge.c.friend_id, sa.func.count())
        .where(edge.c.user_id.in_(friend_ids(viewer_id)), edge.c.friend_id.in_(other_ids))
        .group_by(edge.c.friend_id)
    ).all()
    return {user_id: count for user_id, count in rows}
