"""Who may see a post: the content rule, written once as a SQL condition.

A single-item read (``GET /api/posts/<id>``), a list and the feed apply literally
the same function inside their queries.  ``viewer_id`` is None for an anonymous
visitor.  A post's audience works like a profile field's: its author always;
nobody in a blocked pair; ``public`` for everyone, ``connections`` for the
author's accepted connections, ``private`` for the author only.  What may be
seen of a person (their profile, achievements, job changes) is decided by
``networkapp.profiles.visibility``, which this calls for the audience rule.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from networkapp.models import Post
from networkapp.profiles.visibility import audience


def post_visible(viewer_id: uuid.UUID | None, post=Post) -> sa.ColumnElement[bool]:
    """Condition on ``post`` (the Post entity or an alias of it) true where ``viewer_id`` may see it."""
    return audience(viewer_id, post.author_id, post.visibility)
