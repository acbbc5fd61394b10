"""Who may see what: the one place the content visibility rules are written.

Both rules return SQL conditions, so a single-item read (``GET /api/posts/<id>``),
a list and the feed apply literally the same function inside their queries.
``viewer_id`` is None for an anonymous visitor.

- A post: its author always; nobody in a blocked pair; ``public`` for everyone,
  ``connections`` for the author's accepted connections, ``private`` for the author only.
- A profile's content (achievements, job changes, connections): the owner always;
  nobody in a blocked pair; otherwise as the owner's ``profile_visibility`` says.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from networkapp.connections import graph
from networkapp.models import Post, User


def _audience(viewer_id: uuid.UUID | None, owner_id, setting) -> sa.ColumnElement[bool]:
    if viewer_id is None:
        return setting == "public"
    return sa.or_(
        owner_id == viewer_id,
        sa.and_(
            owner_id.not_in(graph.hidden_ids(viewer_id)),
            sa.or_(
                setting == "public",
                sa.and_(setting == "connections", owner_id.in_(graph.friend_ids(viewer_id))),
            ),
        ),
    )


def post_visible(viewer_id: uuid.UUID | None, post=Post) -> sa.ColumnElement[bool]:
    """Condition on ``post`` (the Post entity or an alias of it) true where ``viewer_id`` may see it."""
    return _audience(viewer_id, post.author_id, post.visibility)


def profile_visible(viewer_id: uuid.UUID | None, owner=User) -> sa.ColumnElement[bool]:
    """Condition on ``owner`` (User or an alias) true where ``viewer_id`` may see that person's profile content."""
    return _audience(viewer_id, owner.id, owner.profile_visibility)
