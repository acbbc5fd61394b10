"""The activity feed: fan-out on read over the viewer's network, ranked in a frozen snapshot.

A first page fixes ``as_of`` (now); every later page of the same walk carries
``(as_of, score, key)`` in its cursor and re-ranks the same snapshot: only
events created before ``as_of``, scored with engagement and affinity counted
before ``as_of``.  New posts, likes or interactions therefore cannot reorder
a walk in progress, so no item repeats or is skipped; visibility and graph
changes still apply on every page (an item can only disappear).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from networkapp.database import utcnow
from networkapp.errors import BadRequest
from networkapp.extensions import db
from networkapp.feed.affinity import affinity_points
from networkapp.feed.scoring import score
from networkapp.feed.sources import SOURCES, Candidate, FeedContext
from networkapp.models import User
from networkapp.pagination import decode_cursor, encode_cursor

# Fan-out-on-read bounds: events older than the window score below 2^-30 of a fresh one anyway.
WINDOW = timedelta(days=30)
CANDIDATES_PER_SOURCE = 500
CURSOR_SALT = "feed"


def _decode(cursor: str) -> tuple[datetime, float, str]:
    as_of, last_score, last_key = decode_cursor(cursor, CURSOR_SALT, 3)
    valid = (
        isinstance(as_of, datetime)
        and as_of.tzinfo is not None
        and isinstance(last_score, int | float)
        and not isinstance(last_score, bool)
        and math.isfinite(last_score)
        and isinstance(last_key, str)
    )
    if not valid:
        raise BadRequest("The cursor is invalid or has been tampered with.")
    return as_of.astimezone(UTC), float(last_score), last_key


def rank(viewer: User, as_of: datetime) -> list[Candidate]:
    """Every candidate of the snapshot at ``as_of``, best first."""
    ctx = FeedContext(viewer=viewer, as_of=as_of, since=as_of - WINDOW, cap=CANDIDATES_PER_SOURCE)
    candidates = [c for fetch in SOURCES.values() for c in fetch(ctx)]
    actor_ids = sorted({c.actor_id for c in candidates if c.actor_id != viewer.id}, key=lambda u: u.hex)
    affinity = affinity_points(viewer.id, actor_ids, as_of)
    for c in candidates:
        age = (as_of - c.created_at).total_seconds()
        c.score = score(c.type, age, affinity.get(c.actor_id, 0.0), c.engagement)
    candidates.sort(key=lambda c: (c.score, c.key), reverse=True)
    return candidates


def feed(viewer: User, *, limit: int, cursor: str | None) -> dict:
    if cursor:
        as_of, last_score, last_key = _decode(cursor)
    else:
        as_of, last_score, last_key = utcnow(), None, None
    ranked = rank(viewer, as_of)
    if last_key is not None:
        ranked = [c for c in ranked if (c.score, c.key) < (last_score, last_key)]
    page = ranked[:limit]
    actors = {}
    if page:
        ids = {c.actor_id for c in page}
        actors = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(ids)))}
    items = [
        {
            "type": c.type,
            "actor": actors[c.actor_id],
            "object": c.render(),
            "created_at": c.created_at,
            "score": c.score,
        }
        for c in page
    ]
    next_cursor = None
    if len(ranked) > limit:
        last = page[-1]
        next_cursor = encode_cursor((as_of, last.score, last.key), CURSOR_SALT)
    return {"items": items, "next_cursor": next_cursor}
