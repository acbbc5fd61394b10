"""Relationship mapping: degrees of separation and shortest chains of connections.

The search is a bidirectional breadth-first search cut at three hops, run as a
handful of set-based queries over ``connection_edges`` (whose primary key
``(user_id, friend_id)`` and reverse index make every step an index lookup):

* hop 1: the viewer's connections ``A`` (one range scan);
* hop 2: the target's connections ``B``; ``A ∩ B`` are the shared connections;
* hop 3: the edges between ``A`` and ``B``, looked up from whichever side is
  smaller, so a target with thousands of connections costs what the viewer's
  short list costs.

People who blocked (or were blocked by) either end are never used as a link.
A block deletes the connection between the two people, so edges between
blocked people do not exist; the remaining case is an intermediary who blocked
the far end, which is filtered here.

Hubs: a frontier holds at most ``PATH_FRONTIER_CAP`` people (default 5 000),
and when a whole page of people is placed at once, each of their own lists at
most ``PATH_BATCH_FRONTIER_CAP`` (default 300).
Beyond that, a person's connections are sampled deterministically (lowest ids
first), so degrees and path counts for people linked only through the
uncounted tail of a hub may be reported one hop longer (or ``None``).  The
cap keeps every request bounded no matter how famous either end is.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app, g, has_request_context

from networkapp.database import among, built_once
from networkapp.extensions import db
from networkapp.models import Block, ConnectionEdge

DEFAULT_FRONTIER_CAP = 5000
# A page of people (search results, a hub's suggestions, the best-connected) is mostly hubs:
# their third hop is sampled tighter, or twenty of them would read a hundred thousand edges.
DEFAULT_BATCH_FRONTIER_CAP = 300
MAX_DEGREE = 3


def _frontier_cap() -> int:
    return int(current_app.config.get("PATH_FRONTIER_CAP", DEFAULT_FRONTIER_CAP))


def _batch_frontier_cap() -> int:
    return min(_frontier_cap(), int(current_app.config.get("PATH_BATCH_FRONTIER_CAP", DEFAULT_BATCH_FRONTIER_CAP)))


def _note_block(blocked: dict[uuid.UUID, set[uuid.UUID]], blocker: uuid.UUID, blockee: uuid.UUID) -> None:
    """Record a block as hiding each side from the other, for whichever side ``blocked`` tracks."""
    if blocker in blocked:
        blocked[blocker].add(blockee)
    if blockee in blocked:
        blocked[blockee].add(blocker)


def _blocked_counterparts(user_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, set[uuid.UUID]]:
    """For each of ``user_ids``, the people on the other side of a block (either direction)."""
    ids = list(set(user_ids))
    result: dict[uuid.UUID, set[uuid.UUID]] = {uid: set() for uid in ids}
    if not ids:
        return result
    rows = db.session.execute(
        sa.select(Block.blocker_id, Block.blocked_id).where(
            sa.or_(Block.blocker_id.in_(ids), Block.blocked_id.in_(ids))
        )
    ).all()
    for blocker, blocked in rows:
        _note_block(result, blocker, blocked)
    return result


def _friends(user_id: uuid.UUID) -> set[uuid.UUID]:
    rows = db.session.scalars(
        sa.select(ConnectionEdge.friend_id)
        .where(ConnectionEdge.user_id == user_id)
        .order_by(ConnectionEdge.friend_id)
        .limit(_frontier_cap())
    )
    return set(rows)


def _lists_statement(people: int, with_blocks: bool) -> sa.Executable:
    """``_friends_of_many``'s statement for this many people.

    Each person's list is one LIMITed range (``user_<i>``, ``cap_<i>``); the blocks around
    ``around`` are the optional last branch.
    """
    parts: list = [
        sa.select(
            sa.select(sa.literal("edge").label("kind"), ConnectionEdge.user_id, ConnectionEdge.friend_id)
            .where(ConnectionEdge.user_id == sa.bindparam(f"user_{i}", type_=sa.Uuid))
            .order_by(ConnectionEdge.friend_id)
            .limit(sa.bindparam(f"cap_{i}", type_=sa.Integer))
            .subquery()
        )
        for i in range(people)
    ]
    if with_blocks:
        around = sa.bindparam("around", expanding=True, type_=sa.Uuid)
        parts.append(
            sa.select(sa.literal("block"), Block.blocker_id, Block.blocked_id).where(
                sa.or_(Block.blocker_id.in_(around), Block.blocked_id.in_(around))
            )
        )
    return parts[0] if len(parts) == 1 else sa.union_all(*parts)


def _friends_of_many(
    caps: dict[uuid.UUID, int], *, blocks_around: list[uuid.UUID] | None = None
) -> tuple[dict[uuid.UUID, set[uuid.UUID]], dict[uuid.UUID, set[uuid.UUID]]]:
    """Connections of several people in one query, each list cut at its cap (lowest ids first).

    One LIMITed index range per person, glued with UNION ALL: a window function over
    everyone's edges would read every edge of every hub before cutting.  With
    ``blocks_around``, the same statement also returns the blocks around those people
    (second result, as ``_blocked_counterparts`` gives them).
    """
    result: dict[uuid.UUID, set[uuid.UUID]] = {uid: set() for uid in caps}
    blocked: dict[uuid.UUID, set[uuid.UUID]] = {uid: set() for uid in blocks_around or ()}
    if not caps:
        return result, blocked
    params: dict = {}
    for i, (uid, cap) in enumerate(caps.items()):
        params[f"user_{i}"], params[f"cap_{i}"] = uid, cap
    if blocks_around:
        params["around"] = list(blocks_around)
    # Built once per page size: built afresh, a page's 20-branch union cost more Python than the database
    # spent on it.
    shape = (len(caps), bool(blocks_around))
    stmt = built_once(("friend_lists", *shape), lambda: _lists_statement(*shape))
    for kind, left, right in db.session.execute(stmt, params).all():
        if kind == "edge":
            result[left].add(right)
        else:
            _note_block(blocked, left, right)
    return result, blocked


def _links(left: set[uuid.UUID], right: set[uuid.UUID]) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """Edges ``(l, r)`` with ``l`` in ``left`` and ``r`` in ``right``, probed from the smaller side."""
    if not left or not right:
        return []
    swap = len(right) < len(left)
    small, large = (right, left) if swap else (left, right)
    rows = db.session.execute(
        sa.select(ConnectionEdge.user_id, ConnectionEdge.friend_id).where(
            ConnectionEdge.user_id.in_(list(small)), among(ConnectionEdge.friend_id, large)
        )
    ).all()
    return [(friend, user) if swap else (user, friend) for user, friend in rows]


def degrees(
    viewer_id: uuid.UUID, other_ids: Iterable[uuid.UUID], *, beyond_second: bool = False
) -> dict[uuid.UUID, int | None]:
    """Degree of separation (1, 2, 3 or ``None``) from ``viewer_id`` to each of ``other_ids``.

    ``beyond_second`` is the caller's word that none of them is the viewer's
    connection or shares one with the viewer (suggestions know it from their
    exclusions and exact mutual counts): only the third hop is searched then.
    Remembered for the rest of the request: a service that ranks by degree and the
    response annotation (``connection_degree``) then share one computation.
    """
    others = list(dict.fromkeys(other_ids))
    cache: dict = g.setdefault("connection_degrees", {}) if has_request_context() else {}
    missing = [o for o in others if (viewer_id, o) not in cache]
    if missing:
        compute = _third_degrees if beyond_second else _compute_degrees
        for other, degree in compute(viewer_id, missing).items():
            cache[(viewer_id, other)] = degree
    return {o: cache[(viewer_id, o)] for o in others}


def _first_hop(viewer_id: uuid.UUID, others: list[uuid.UUID]):
    """The blocks around everyone involved, and which of ``others`` are the viewer's connections, in one query.

    Connections are probed through the ``(user_id, friend_id)`` key rather than by loading the
    viewer's whole list: a hub viewing a page of its own connections would otherwise read thousands
    of rows to answer twenty questions.
    """
    ids = list({viewer_id, *others})
    blocked: dict[uuid.UUID, set[uuid.UUID]] = {uid: set() for uid in ids}
    direct: set[uuid.UUID] = set()
    rows = db.session.execute(
        sa.union_all(
            sa.select(sa.literal("block").label("kind"), Block.blocker_id, Block.blocked_id).where(
                sa.or_(Block.blocker_id.in_(ids), Block.blocked_id.in_(ids))
            ),
            sa.select(sa.literal("edge"), ConnectionEdge.user_id, ConnectionEdge.friend_id).where(
                ConnectionEdge.user_id == viewer_id, ConnectionEdge.friend_id.in_(others)
            ),
        )
    ).all()
    for kind, left, right in rows:
        if kind == "edge":
            direct.add(right)
        else:
            _note_block(blocked, left, right)
    return blocked, direct


def _compute_degrees(viewer_id: uuid.UUID, other_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, int | None]:
    """Degree of separation for each of ``other_ids``, computed from the graph.

    A whole page of people costs at most four queries whatever its size: the
    blocks around everyone involved together with which of them are the
    viewer's connections, the edges from the rest into the viewer's
    connections, and for those further away their own connections with the
    viewer's (one statement), then the edges between the two sets.  Blocked pairs
    and the viewer themself get ``None``.
    """
    others = list(dict.fromkeys(other_ids))
    result: dict[uuid.UUID, int | None] = dict.fromkeys(others)
    if not others:
        return result
    blocked, direct = _first_hop(viewer_id, others)
    pending: list[uuid.UUID] = []
    for other in others:
        if other == viewer_id or other in blocked[viewer_id]:
            continue
        if other in direct:
            result[other] = 1
        else:
            pending.append(other)
    if not pending:
        return result

    # Second degree: an edge from each of them into my connections, probed through the
    # (user_id, friend_id) key in one query, so a well-connected person costs no more than
    # anyone else.  Only those still unplaced have their own connections loaded.
    via: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    my_friends = sa.select(ConnectionEdge.friend_id).where(ConnectionEdge.user_id == viewer_id)
    for other, near in db.session.execute(
        sa.select(ConnectionEdge.user_id, ConnectionEdge.friend_id).where(
            ConnectionEdge.user_id.in_(pending), ConnectionEdge.friend_id.in_(my_friends)
        )
    ):
        via[other].add(near)
    unplaced = []
    for other in pending:
        if via.get(other, set()) - blocked[other] - blocked[viewer_id]:
            result[other] = 2
        else:
            unplaced.append(other)
    if not unplaced:
        return result

    friends, _ = _friends_of_many(_third_hop_caps(viewer_id, unplaced))
    _place_third(viewer_id, unplaced, friends, blocked, result)
    return result


def _third_hop_caps(viewer_id: uuid.UUID, others: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    cap = _frontier_cap() if len(others) == 1 else _batch_frontier_cap()
    return {**dict.fromkeys(others, cap), viewer_id: _frontier_cap()}


def _place_third(viewer_id, others, friends, blocked, result) -> None:
    """Set ``result[other] = 3`` for each of ``others`` one of whose connections one of mine reaches."""
    mine = friends[viewer_id] - blocked[viewer_id]
    far: dict[uuid.UUID, set[uuid.UUID]] = {
        other: friends[other] - blocked[other] - blocked[viewer_id] - {viewer_id} for other in others
    }
    if not far:
        return
    # Which of my connections reach which of their connections in one hop.
    reach: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for near, remote in _links(mine, set().union(*far.values())):
        reach[remote].add(near)
    for other, links in far.items():
        for remote in links:
            if reach.get(remote, set()) - blocked[other] - {other}:
                result[other] = 3
                break


def _third_degrees(viewer_id: uuid.UUID, other_ids: list[uuid.UUID]) -> dict[uuid.UUID, int | None]:
    """``_compute_degrees`` for people known to be beyond the second degree: two queries.

    Their connections, mine and the blocks around us all come in one statement, then the
    edges between the two sides.
    """
    others = [o for o in other_ids if o != viewer_id]
    result: dict[uuid.UUID, int | None] = dict.fromkeys(other_ids)
    if not others:
        return result
    friends, blocked = _friends_of_many(_third_hop_caps(viewer_id, others), blocks_around=[viewer_id, *others])
    candidates = [o for o in others if o not in blocked[viewer_id]]
    _place_third(viewer_id, candidates, friends, blocked, result)
    return result


def degree(viewer_id: uuid.UUID, other_id: uuid.UUID) -> int | None:
    return degrees(viewer_id, [other_id])[other_id]


@dataclass
class Chains:
    """Every shortest chain (up to three hops) from ``source`` to ``target``, as id tuples."""

    source: uuid.UUID
    target: uuid.UUID
    degree: int | None = None
    chains: list[tuple[uuid.UUID, ...]] = field(default_factory=list)


def shortest_chains(source: uuid.UUID, target: uuid.UUID) -> Chains:
    """All shortest chains of connections from ``source`` to ``target``, at most three hops long.

    Intermediaries who blocked, or were blocked by, either end are never part
    of a chain.  The caller decides who on a chain may be named.
    """
    found = Chains(source, target)
    blocked = _blocked_counterparts([source, target])
    if target == source or target in blocked[source]:
        return found
    excluded = blocked[source] | blocked[target] | {source, target}
    near_all = _friends(source)
    if target in near_all:
        found.degree, found.chains = 1, [(source, target)]
        return found
    near = near_all - excluded
    far = _friends(target) - excluded
    shared = near & far
    if shared:
        found.degree = 2
        found.chains = [(source, middle, target) for middle in sorted(shared)]
        return found
    links = sorted(_links(near, far))
    if links:
        found.degree = 3
        found.chains = [(source, first, second, target) for first, second in links]
    return found
