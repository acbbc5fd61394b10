"""Affinity: how much the viewer has interacted with each actor, as of the feed's snapshot time.

Each signal is a function returning a SELECT of ``(other_user_id, n)`` rows for
the viewer and a set of actors; its points per interaction are
``scoring.AFFINITY_WEIGHTS[name]``.  All signals run as one UNION ALL query.
Direct messages count too: every message exchanged one to one with the actor.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa

from networkapp.extensions import db
from networkapp.feed.scoring import AFFINITY_WEIGHTS
from networkapp.models import Message, Post, PostComment, PostLike, SkillEndorsement

Signal = Callable[[uuid.UUID, list[uuid.UUID], datetime], list[sa.Select]]
SIGNALS: dict[str, Signal] = {}


def signal(name: str) -> Callable[[Signal], Signal]:
    if name not in AFFINITY_WEIGHTS:
        raise ValueError(f"no affinity weight for {name!r}")

    def register(fn: Signal) -> Signal:
        SIGNALS[name] = fn
        return fn

    return register


@signal("endorsement")
def endorsements(viewer_id, actor_ids, as_of):
    given = (
        sa.select(SkillEndorsement.endorsee_id, sa.func.count())
        .where(
            SkillEndorsement.endorser_id == viewer_id,
            SkillEndorsement.endorsee_id.in_(actor_ids),
            SkillEndorsement.created_at < as_of,
        )
        .group_by(SkillEndorsement.endorsee_id)
    )
    received = (
        sa.select(SkillEndorsement.endorser_id, sa.func.count())
        .where(
            SkillEndorsement.endorsee_id == viewer_id,
            SkillEndorsement.endorser_id.in_(actor_ids),
            SkillEndorsement.created_at < as_of,
        )
        .group_by(SkillEndorsement.endorser_id)
    )
    return [given, received]


@signal("like")
def likes(viewer_id, actor_ids, as_of):
    return [
        sa.select(Post.author_id, sa.func.count())
        .select_from(PostLike)
        .join(Post, Post.id == PostLike.post_id)
        .where(PostLike.user_id == viewer_id, Post.author_id.in_(actor_ids), PostLike.created_at < as_of)
        .group_by(Post.author_id)
    ]


@signal("comment")
def comments(viewer_id, actor_ids, as_of):
    return [
        sa.select(Post.author_id, sa.func.count())
        .select_from(PostComment)
        .join(Post, Post.id == PostComment.post_id)
        .where(PostComment.author_id == viewer_id, Post.author_id.in_(actor_ids), PostComment.created_at < as_of)
        .group_by(Post.author_id)
    ]


def affinity_points(viewer_id: uuid.UUID, actor_ids: list[uuid.UUID], as_of: datetime) -> dict[uuid.UUID, float]:
    if not actor_ids:
        return {}
    selects = []
    for name, fn in SIGNALS.items():
        for stmt in fn(viewer_id, actor_ids, as_of):
            selects.append(stmt.add_columns(sa.literal(name)))
    points: dict[uuid.UUID, float] = {}
    for other_id, n, name in db.session.execute(sa.union_all(*selects)):
        points[other_id] = points.get(other_id, 0.0) + n * AFFINITY_WEIGHTS[name]
    return points


@signal("message")
def messages(viewer_id, actor_ids, as_of):
    sent = (
        sa.select(Message.recipient_id, sa.func.count())
        .where(Message.sender_id == viewer_id, Message.recipient_id.in_(actor_ids), Message.sent_at < as_of)
        .group_by(Message.recipient_id)
    )
    received = (
        sa.select(Message.sender_id, sa.func.count())
        .where(Message.recipient_id == viewer_id, Message.sender_id.in_(actor_ids), Message.sent_at < as_of)
        .group_by(Message.sender_id)
    )
    return [sent, received]
