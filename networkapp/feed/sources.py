"""Where feed items come from: one function per item type, registered by name.

Each source returns the candidate events of the viewer's network inside the
context's time window (created before ``as_of``, at most ``cap`` of them),
already filtered by the visibility rules, each with a ``render`` callable that
builds the item's ``object`` (only the served page is rendered).  Sources run
a fixed number of queries whatever their result size, so the feed's statement
count is a constant.  Adding a type is one more decorated function.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

import sqlalchemy as sa

from networkapp.achievements.schemas import AchievementSchema
from networkapp.connections import graph
from networkapp.extensions import db
from networkapp.feed.scoring import COMMENT_POINTS, LIKE_POINTS
from networkapp.groups.schemas import GroupPostSchema
from networkapp.groups.services import group_posts_for_feed
from networkapp.jobs.schemas import JobSummarySchema
from networkapp.jobs.services import open_now
from networkapp.models import Achievement, ConnectionEdge, Experience, Job, Post, PostComment, PostLike, User
from networkapp.posts.schemas import PostSchema
from networkapp.posts.services import liked_post_ids, view
from networkapp.posts.visibility import post_visible
from networkapp.profiles import visibility
from networkapp.profiles.visibility import profile_visible
from networkapp.schemas import UserSummarySchema


@dataclass
class FeedContext:
    viewer: User
    as_of: datetime
    since: datetime
    cap: int

    @property
    def viewer_id(self) -> uuid.UUID:
        return self.viewer.id

    @property
    def friends(self) -> sa.Select:
        return graph.friend_ids(self.viewer_id)

    @property
    def authors(self) -> sa.CompoundSelect:
        """Me and my connections, as a subquery: the planner walks the (author, created_at) index per person."""
        return sa.union_all(self.friends, sa.select(sa.literal(self.viewer_id, sa.Uuid)))


@dataclass
class Candidate:
    type: str
    id: uuid.UUID
    actor_id: uuid.UUID
    created_at: datetime
    render: Callable[[], dict]
    engagement: float = 0.0
    score: float = field(default=0.0, compare=False)

    @property
    def key(self) -> str:
        return f"{self.type}:{self.id.hex}"


Source = Callable[[FeedContext], list[Candidate]]
SOURCES: dict[str, Source] = {}


def source(item_type: str) -> Callable[[Source], Source]:
    def register(fn: Source) -> Source:
        SOURCES[item_type] = fn
        return fn

    return register


def _window(column, ctx: FeedContext):
    return sa.and_(column < ctx.as_of, column >= ctx.since)


def _engagement(post_ids: list[uuid.UUID], as_of: datetime) -> dict[uuid.UUID, float]:
    """Likes and comments each post had at ``as_of``: later ones must not reorder pages already served."""
    if not post_ids:
        return {}
    likes = (
        sa.select(PostLike.post_id.label("post_id"), sa.literal("like").label("kind"), sa.func.count().label("n"))
        .where(PostLike.post_id.in_(post_ids), PostLike.created_at < as_of)
        .group_by(PostLike.post_id)
    )
    comments = (
        sa.select(PostComment.post_id, sa.literal("comment"), sa.func.count())
        .where(PostComment.post_id.in_(post_ids), PostComment.created_at < as_of)
        .group_by(PostComment.post_id)
    )
    points: dict[uuid.UUID, float] = {}
    for post_id, kind, n in db.session.execute(sa.union_all(likes, comments)):
        points[post_id] = points.get(post_id, 0.0) + n * (LIKE_POINTS if kind == "like" else COMMENT_POINTS)
    return points


@source("post")
def posts(ctx: FeedContext) -> list[Candidate]:
    rows = db.session.scalars(
        sa.select(Post)
        .where(Post.author_id.in_(ctx.authors), _window(Post.created_at, ctx), post_visible(ctx.viewer_id))
        .order_by(Post.created_at.desc(), Post.id.desc())
        .limit(ctx.cap)
    ).all()
    ids = [p.id for p in rows]
    engagement = _engagement(ids, ctx.as_of)
    liked = liked_post_ids(ctx.viewer, ids)
    schema = PostSchema()
    return [
        Candidate(
            "post",
            p.id,
            p.author_id,
            p.created_at,
            partial(lambda p: schema.dump(view(p, p.id in liked)), p),
            engagement.get(p.id, 0),
        )
        for p in rows
    ]


@source("achievement")
def achievements(ctx: FeedContext) -> list[Candidate]:
    rows = db.session.scalars(
        sa.select(Achievement)
        .join(User, User.id == Achievement.user_id)
        .where(
            Achievement.user_id.in_(ctx.authors),
            _window(Achievement.created_at, ctx),
            profile_visible(ctx.viewer_id, User),
        )
        .order_by(Achievement.created_at.desc(), Achievement.id.desc())
        .limit(ctx.cap)
    ).all()
    schema = AchievementSchema()
    return [Candidate("achievement", a.id, a.user_id, a.created_at, partial(schema.dump, a)) for a in rows]


@source("job_change")
def job_changes(ctx: FeedContext) -> list[Candidate]:
    rows = db.session.scalars(
        sa.select(Experience)
        .join(User, User.id == Experience.user_id)
        .where(
            Experience.user_id.in_(ctx.authors),
            Experience.is_current.is_(True),
            _window(Experience.created_at, ctx),
            profile_visible(ctx.viewer_id, User),
        )
        .order_by(Experience.created_at.desc(), Experience.id.desc())
        .limit(ctx.cap)
    ).all()
    return [Candidate("job_change", e.id, e.user_id, e.created_at, partial(_position, e)) for e in rows]


def _position(e: Experience) -> dict:
    return {
        "id": str(e.id),
        "position": e.position,
        "company": e.company,
        "location": e.location,
        "start_date": e.start_date.isoformat() if e.start_date else None,
    }


@source("new_connection")
def new_connections(ctx: FeedContext) -> list[Candidate]:
    edges = db.session.scalars(
        sa.select(ConnectionEdge)
        .where(
            ConnectionEdge.user_id.in_(ctx.friends),
            ConnectionEdge.friend_id != ctx.viewer_id,
            _window(ConnectionEdge.created_at, ctx),
        )
        .order_by(ConnectionEdge.created_at.desc(), ConnectionEdge.connection_id, ConnectionEdge.user_id)
        .limit(ctx.cap)
    ).all()
    if not edges:
        return []
    # The rule runs over the handful of people involved, by primary key: joined into the edge
    # query, PostgreSQL's planner turned it into a scan of every user.
    ids = {e.user_id for e in edges} | {e.friend_id for e in edges}
    visible = {
        u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(ids), profile_visible(ctx.viewer_id)))
    }
    schema = UserSummarySchema()
    seen: set[uuid.UUID] = set()
    items = []
    # Every actor is a connection of mine; the person they connected with may or may not be.
    rels = visibility.relations(ctx.viewer_id, {e.friend_id for e in edges if e.friend_id in visible})
    for edge in edges:
        actor, person = visible.get(edge.user_id), visible.get(edge.friend_id)
        # People who hide their connection list do not broadcast new ones, nor have them told by the other side.
        if actor is None or person is None or not visibility.shows_network(actor, visibility.Relation.CONNECTION):
            continue
        if not visibility.shows_network(person, rels[person.id]):
            continue
        # Two of my connections connecting is one event, told once.
        if edge.connection_id in seen:
            continue
        seen.add(edge.connection_id)
        items.append(
            Candidate(
                "new_connection",
                edge.connection_id,
                edge.user_id,
                edge.created_at,
                partial(lambda c, person: {"id": str(c), "user": schema.dump(person)}, edge.connection_id, person),
            )
        )
    return items


@source("job_posted")
def jobs_posted(ctx: FeedContext) -> list[Candidate]:
    """Open postings by me and my connections (a closed or expired one drops out of the feed)."""
    rows = db.session.scalars(
        sa.select(Job)
        .where(Job.poster_id.in_(ctx.authors), _window(Job.posted_at, ctx), open_now())
        .order_by(Job.posted_at.desc(), Job.id.desc())
        .limit(ctx.cap)
    ).all()
    schema = JobSummarySchema()
    return [Candidate("job_posted", j.id, j.poster_id, j.posted_at, partial(schema.dump, j)) for j in rows]


@source("group_post")
def group_posts(ctx: FeedContext) -> list[Candidate]:
    """Posts in the groups I belong to, by members other than me (blocked authors left out)."""
    rows = group_posts_for_feed(ctx.viewer_id, ctx.since, ctx.cap, before=ctx.as_of)
    schema = GroupPostSchema()
    return [Candidate("group_post", p.id, p.author_id, p.created_at, partial(schema.dump, p)) for p in rows]
