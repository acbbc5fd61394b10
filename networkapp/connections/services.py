"""The connection lifecycle and blocking.

Every change that touches several rows (a connection, its two edges and both
people's ``connection_count``) happens in one transaction.  Races are settled
by the database: the unique pair key on ``connections``, conditional
``UPDATE … WHERE status = 'pending'`` statements whose row count tells who won,
and a row lock (``FOR UPDATE`` on PostgreSQL; SQLite writers are serialised by
``BEGIN IMMEDIATE``) before a connection is removed.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from networkapp.connections import graph, suggestion_cache
from networkapp.database import commit, lock_in_order, utcnow
from networkapp.errors import Conflict, Forbidden, Invalid, NotFound
from networkapp.extensions import db
from networkapp.mentorship import services as mentorship
from networkapp.models import Block, Connection, ConnectionEdge, Notification, User
from networkapp.notifications.services import notify
from networkapp.pagination import keyset_page
from networkapp.profiles import visibility

# After a decline, the person who was declined may ask again only after this long.
DECLINE_COOLDOWN = timedelta(days=30)


def _visible_user(viewer: User, user_id: uuid.UUID, *, locked: bool = False) -> User:
    """The person ``user_id`` as ``viewer`` may see them; a block looks like a missing account.

    ``locked``: hold the pair's lock from here to the commit, so that no block lands between this
    check and the write that follows it.
    """
    user = db.session.get(User, user_id)
    if user is None or graph.is_blocked_between(viewer.id, user_id, lock=locked):
        raise NotFound("No such user.")
    return user


def _pair_row(a: uuid.UUID, b: uuid.UUID, *, lock: bool = False) -> Connection | None:
    low, high = Connection.pair(a, b)
    stmt = sa.select(Connection).where(Connection.user_low_id == low, Connection.user_high_id == high)
    if lock:
        stmt = stmt.with_for_update()
    return db.session.execute(stmt).scalar_one_or_none()


def _shift_counts(user_ids: tuple[uuid.UUID, uuid.UUID], delta: int) -> None:
    # Relative updates: concurrent changes to the same person's count never overwrite each other.
    # One row at a time, in id order: a single ``WHERE id IN (a, b)`` locks the two rows in
    # whatever order the scan meets them, and a burst of accepts and removals sharing people
    # then deadlocks on PostgreSQL.  A fixed order leaves nothing to wait on in a circle.
    for user_id in sorted(set(user_ids)):
        db.session.execute(
            sa.update(User)
            .where(User.id == user_id)
            .values(connection_count=User.connection_count + delta)
            .execution_options(synchronize_session=False)
        )


def request_connection(me: User, target_id: uuid.UUID, message: str | None) -> dict:
    if target_id == me.id:
        raise Invalid("You cannot connect with yourself.", field="target_user_id")
    target = _visible_user(me, target_id, locked=True)
    existing = _pair_row(me.id, target.id)
    now = utcnow()
    if existing is not None:
        if existing.status == "accepted":
            raise Conflict("You are already connected.")
        if existing.status == "pending":
            if existing.requester_id == me.id:
                raise Conflict("Your request is already pending.")
            raise Conflict("This person has already sent you a request; accept it instead.")
        # Declined: the person who declined may reach out at any time, the declined one after the cool-down.
        if existing.requester_id == me.id and existing.responded_at and existing.responded_at + DECLINE_COOLDOWN > now:
            raise Conflict("Your previous request was declined recently; try again later.")
        reused = db.session.execute(
            sa.update(Connection)
            .where(Connection.id == existing.id, Connection.status == "declined")
            .values(
                requester_id=me.id,
                recipient_id=target.id,
                status="pending",
                message=message,
                created_at=now,
                responded_at=None,
            )
            .execution_options(synchronize_session=False)
        )
        if reused.rowcount != 1:
            raise Conflict("The request changed meanwhile; reload and try again.")
        db.session.refresh(existing)
        connection = existing
    else:
        low, high = Connection.pair(me.id, target.id)
        connection = Connection(
            requester_id=me.id,
            recipient_id=target.id,
            user_low_id=low,
            user_high_id=high,
            status="pending",
            message=message,
            created_at=now,
        )
        db.session.add(connection)
        try:
            with db.session.begin_nested():
                db.session.flush()
        except IntegrityError:
            # The other person (or a double click) created the pair's row first.
            raise Conflict("A request between you already exists.") from None
    notify(
        target.id,
        "connection_request",
        actor=me.id,
        data={"connection_id": str(connection.id), "message": message},
    )
    snapshot = _snapshot(connection)
    commit()
    return snapshot


def _snapshot(connection: Connection) -> dict:
    # Taken before the commit: afterwards the row may already be gone (removed by the other person).
    return {c.key: getattr(connection, c.key) for c in Connection.__table__.columns}


def _party_connection(me: User, connection_id: uuid.UUID, *, lock: bool = False) -> Connection:
    stmt = sa.select(Connection).where(Connection.id == connection_id)
    if lock:
        stmt = stmt.with_for_update()
    connection = db.session.execute(stmt).scalar_one_or_none()
    if connection is None or me.id not in (connection.requester_id, connection.recipient_id):
        raise NotFound("No such connection.")
    return connection


def _respond(me: User, connection_id: uuid.UUID, new_status: str) -> dict:
    connection = _party_connection(me, connection_id)
    if connection.recipient_id != me.id:
        raise Forbidden("Only the recipient of a request can answer it.")
    if connection.status != "pending":
        raise Conflict(f"This request is no longer pending (it is {connection.status}).")
    # A block removes the pending row under the same lock; across one the request no longer exists.
    if graph.is_blocked_between(connection.requester_id, connection.recipient_id, lock=True):
        raise NotFound("No such connection.")
    now = utcnow()
    # The single conditional UPDATE is the arbiter: of concurrent answers exactly one sees 'pending'.
    result = db.session.execute(
        sa.update(Connection)
        .where(Connection.id == connection.id, Connection.status == "pending", Connection.recipient_id == me.id)
        .values(status=new_status, responded_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Conflict("This request is no longer pending.")
    if new_status == "accepted":
        pair = (connection.requester_id, connection.recipient_id)
        _shift_counts(pair, +1)
        db.session.add_all(
            [
                ConnectionEdge(user_id=pair[0], friend_id=pair[1], connection_id=connection.id, created_at=now),
                ConnectionEdge(user_id=pair[1], friend_id=pair[0], connection_id=connection.id, created_at=now),
            ]
        )
        notify(connection.requester_id, "connection_accepted", actor=me.id, data={"connection_id": str(connection.id)})
        # Both rankings are out of date: new friends of friends for each.
        suggestion_cache.invalidate(*pair)
    db.session.flush()
    db.session.refresh(connection)
    snapshot = _snapshot(connection)
    commit()
    return snapshot


def accept(me: User, connection_id: uuid.UUID) -> dict:
    return _respond(me, connection_id, "accepted")


def decline(me: User, connection_id: uuid.UUID) -> dict:
    return _respond(me, connection_id, "declined")


def _drop(connection: Connection) -> None:
    """Remove a pending or accepted pair row (caller holds its lock), fixing edges and counts."""
    was_accepted = connection.status == "accepted"
    db.session.execute(
        sa.delete(ConnectionEdge)
        .where(ConnectionEdge.connection_id == connection.id)
        .execution_options(synchronize_session=False)
    )
    result = db.session.execute(
        sa.delete(Connection)
        .where(Connection.id == connection.id, Connection.status == connection.status)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Conflict("The connection changed meanwhile; reload and try again.")
    if was_accepted:
        _shift_counts((connection.requester_id, connection.recipient_id), -1)
        suggestion_cache.invalidate(connection.requester_id, connection.recipient_id)
    db.session.expunge(connection)


def remove(me: User, connection_id: uuid.UUID) -> None:
    connection = _party_connection(me, connection_id, lock=True)
    if connection.status == "pending" and connection.recipient_id == me.id:
        raise Forbidden("Decline the request instead; only its sender can withdraw it.")
    if connection.status == "declined":
        raise Conflict("A declined request has nothing to remove.")
    _drop(connection)
    commit()


def block(me: User, user_id: uuid.UUID) -> dict:
    if user_id == me.id:
        raise Invalid("You cannot block yourself.", field="user_id")
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    # First the pair's lock: a request, answer, message, endorsement or mentorship request between the
    # two has committed before this point (and is settled below) or will see the block.
    graph.lock_pair(me.id, user_id)
    if db.session.get(Block, (me.id, user_id)) is not None:
        raise Conflict("You have already blocked this person.")
    connection = _pair_row(me.id, user_id, lock=True)
    # A declined row stays: it is what keeps the cool-down for the person who declined.
    if connection is not None and connection.status in ("pending", "accepted"):
        _drop(connection)
    # Both people's rows before the rows their cleanup touches, as an account deletion takes them:
    # otherwise a deletion that got to the notifications first would wait on this transaction while
    # this one waits for the deleted person's row (the block's foreign key).
    lock_in_order(User.id, [me.id, user_id])
    mentorship.close_for_block(me.id, user_id)
    _forget_notifications(me.id, user_id)
    entry = Block(blocker_id=me.id, blocked_id=user_id, created_at=utcnow())
    db.session.add(entry)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise Conflict("You have already blocked this person.") from None
    result = {"user": user, "created_at": entry.created_at}
    suggestion_cache.invalidate(me.id, user_id)
    # Out of the session, so the commit does not expire it: the person may delete their account the
    # moment this commits, and the answer describes whom the block was for.
    db.session.expunge(user)
    commit()
    return result


def _forget_notifications(a: uuid.UUID, b: uuid.UUID) -> None:
    """Delete what either person was notified of by the other: a block hides each from the other everywhere."""
    db.session.execute(
        sa.delete(Notification)
        .where(
            sa.or_(
                sa.and_(Notification.user_id == a, Notification.actor_id == b),
                sa.and_(Notification.user_id == b, Notification.actor_id == a),
            )
        )
        .execution_options(synchronize_session=False)
    )


def unblock(me: User, user_id: uuid.UUID) -> None:
    result = db.session.execute(sa.delete(Block).where(Block.blocker_id == me.id, Block.blocked_id == user_id))
    if result.rowcount != 1:
        raise NotFound("You have not blocked this person.")
    # The block kept each out of the other's suggestions; they may come back now, not after the TTL.
    suggestion_cache.invalidate(me.id, user_id)
    commit()


def blocked(me: User, *, limit: int, cursor: str | None):
    stmt = sa.select(Block, User).join(User, User.id == Block.blocked_id).where(Block.blocker_id == me.id)
    rows, next_cursor = keyset_page(
        db.session,
        stmt,
        columns=[Block.created_at, Block.blocked_id],
        limit=limit,
        cursor=cursor,
        salt="blocked",
    )
    return [{"user": user, "created_at": entry.created_at} for entry, user in rows], next_cursor


def _contains(column, text: str):
    return sa.func.lower(column).contains(text.lower(), autoescape=True)


def connections(
    me: User,
    *,
    limit: int,
    cursor: str | None,
    q: str | None = None,
    industry: str | None = None,
    location: str | None = None,
):
    """My accepted connections, newest first, each with mutual counts (two queries per page)."""
    stmt = (
        sa.select(ConnectionEdge, User)
        .join(User, User.id == ConnectionEdge.friend_id)
        .where(ConnectionEdge.user_id == me.id, ConnectionEdge.friend_id.not_in(graph.hidden_ids(me.id)))
    )
    if q:
        full_name = User.first_name + " " + User.last_name
        stmt = stmt.where(
            sa.or_(
                _contains(full_name, q),
                _contains(User.username, q),
                _contains(sa.func.coalesce(User.headline, ""), q),
            )
        )
    if industry or location:
        # Filtering by a fact a connection's profile hides from me would tell me the fact.
        stmt = stmt.where(visibility.profile_visible(me, User))
    if industry:
        stmt = stmt.where(sa.func.lower(User.industry) == industry.lower())
    if location:
        stmt = stmt.where(_contains(sa.func.coalesce(User.location, ""), location))
    rows, next_cursor = keyset_page(
        db.session,
        stmt,
        columns=[ConnectionEdge.created_at, ConnectionEdge.friend_id],
        limit=limit,
        cursor=cursor,
        salt="connections",
    )
    mutual = graph.mutual_counts(me.id, [user.id for _, user in rows])
    items = [
        {
            "id": edge.connection_id,
            "user": user,
            "connected_at": edge.created_at,
            "mutual_connections": mutual.get(user.id, 0),
        }
        for edge, user in rows
    ]
    return items, next_cursor


def requests(me: User, *, direction: str, limit: int, cursor: str | None):
    """Pending requests I received (``incoming``) or sent (``outgoing``), newest first."""
    mine, other = (
        (Connection.recipient_id, Connection.requester_id)
        if direction == "incoming"
        else (Connection.requester_id, Connection.recipient_id)
    )
    stmt = (
        sa.select(Connection, User)
        .join(User, User.id == other)
        .where(mine == me.id, Connection.status == "pending", other.not_in(graph.hidden_ids(me.id)))
    )
    rows, next_cursor = keyset_page(
        db.session,
        stmt,
        columns=[Connection.created_at, Connection.id],
        limit=limit,
        cursor=cursor,
        salt=f"requests-{direction}",
    )
    mutual = graph.mutual_counts(me.id, [user.id for _, user in rows])
    items = [
        {
            **_snapshot(connection),
            "user": user,
            "mutual_connections": mutual.get(user.id, 0),
        }
        for connection, user in rows
    ]
    return items, next_cursor
