"""Graph questions every domain asks: who is connected, who is hidden from whom.

These return SQL fragments where they are used inside larger queries, so
callers never load a network into Python to filter it.
"""

from __future__ import annotations

import hashlib
import uuid

import sqlalchemy as sa

from networkapp.extensions import db
from networkapp.models import Block, Connection, ConnectionEdge


def are_connected(a: uuid.UUID, b: uuid.UUID) -> bool:
    return (
        db.session.scalar(sa.select(sa.exists().where(ConnectionEdge.user_id == a, ConnectionEdge.friend_id == b)))
        or False
    )


def is_blocked_between(a: uuid.UUID, b: uuid.UUID, *, lock: bool = False) -> bool:
    """True when either person has blocked the other (a block hides both ways).

    ``lock``: the check guards a write between the two; take the pair's lock first (``lock_pair``),
    so that the answer holds until the transaction ends.
    """
    if lock:
        lock_pair(a, b)
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


# How long a write waits for another write between the same two people, when the transaction sets
# no bound of its own: past it the request ends in a retryable 503 instead of queueing forever.
PAIR_LOCK_TIMEOUT = "5s"

_PAIR_LOCK = sa.text(
    # The subquery carries a volatile function, so PostgreSQL evaluates it (the bound) before the lock.
    "SELECT pg_advisory_xact_lock(:key) FROM (SELECT set_config('lock_timeout', "
    "CASE current_setting('lock_timeout') WHEN '0' THEN :bound ELSE current_setting('lock_timeout') END, "
    "true)) AS bounded"
)


def pair_lock_key(a: uuid.UUID, b: uuid.UUID) -> int:
    """The advisory lock key of the unordered pair: the same for (a, b) and (b, a)."""
    low, high = Connection.pair(a, b)
    return int.from_bytes(hashlib.blake2b(low.bytes + high.bytes, digest_size=8).digest(), "big", signed=True)


def lock_pair(a: uuid.UUID, b: uuid.UUID) -> bool:
    """Serialise, until the transaction ends, every write that a block between ``a`` and ``b`` must settle.

    A block, and every write that must not cross one (a connection request or answer, a 1:1
    message, an endorsement, a mentorship request or answer, adding someone to a group
    conversation, a like or comment that notifies the author), takes this lock and reads the
    block only then.  So a block and such a write never overlap: either the write commits first
    and the block's own cleanup sees it, or the block commits first and the write's check sees
    the block.  The lock is taken before any row lock of the transaction, ahead of the
    lifecycle's order (``connections`` rows, then ``users`` rows); a transaction that needs
    several pairs takes them together and in key order (``lock_pairs``), so no two transactions
    wait on each other in a cycle.  SQLite admits one writer at a time, which already serialises
    these writes: nothing to take there.

    Returns whether a lock was taken, that is whether a block read earlier in the transaction
    may since have changed and must be read again.
    """
    return lock_pairs(a, [b])


def lock_pairs(a: uuid.UUID, others) -> bool:
    """``lock_pair`` for ``a`` with each of ``others`` (adding people to a group), in key order."""
    if db.session.get_bind().dialect.name != "postgresql":
        return False
    for key in sorted({pair_lock_key(a, b) for b in others}):
        db.session.execute(_PAIR_LOCK, {"key": key, "bound": PAIR_LOCK_TIMEOUT})
    return True


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
