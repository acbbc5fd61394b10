"""Posts: publishing, likes, comments and mentions, under the rules of ``visibility``."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable

import sqlalchemy as sa

from networkapp import counters
from networkapp.connections import graph
from networkapp.database import commit, utcnow
from networkapp.errors import Conflict, Forbidden, NotFound
from networkapp.extensions import db
from networkapp.models import Post, PostComment, PostLike, User
from networkapp.notifications.services import notify
from networkapp.pagination import keyset_page
from networkapp.posts.visibility import post_visible

# A mention is "@" + a username that does not continue a word or another mention ("a@b.com" is no mention).
MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9_.-]{3,30})")
# Bounds the notification fan-out one post can cause.
MAX_MENTIONS = 20


def _viewer_id(viewer: User | None) -> uuid.UUID | None:
    return viewer.id if viewer is not None and viewer.is_authenticated else None


def visible_post(viewer: User | None, post_id: uuid.UUID) -> Post:
    """The post if ``viewer`` may see it; 404 otherwise, whether it exists or not."""
    post = db.session.scalar(sa.select(Post).where(Post.id == post_id, post_visible(_viewer_id(viewer))))
    if post is None:
        raise NotFound("No such post.")
    return post


def _own_post(user: User, post_id: uuid.UUID) -> Post:
    post = visible_post(user, post_id)
    if post.author_id != user.id:
        raise Forbidden("Only the author can change this post.")
    return post


def liked_post_ids(viewer: User | None, post_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    ids = list(post_ids)
    viewer_id = _viewer_id(viewer)
    if viewer_id is None or not ids:
        return set()
    return set(
        db.session.scalars(sa.select(PostLike.post_id).where(PostLike.user_id == viewer_id, PostLike.post_id.in_(ids)))
    )


def view(post: Post, liked: bool) -> dict:
    return {
        "id": post.id,
        "author": post.author,
        "content": post.content,
        "post_type": post.post_type,
        "visibility": post.visibility,
        "created_at": post.created_at,
        "updated_at": post.updated_at,
        "like_count": post.like_count,
        "comment_count": post.comment_count,
        "liked_by_me": liked,
    }


def post_view(viewer: User | None, post: Post) -> dict:
    return view(post, post.id in liked_post_ids(viewer, [post.id]))


def mentioned_usernames(text: str) -> list[str]:
    names: list[str] = []
    for match in MENTION.finditer(text):
        # Sentence punctuation right after a mention is not part of the name.
        name = match.group(1).rstrip(".-").lower()
        if len(name) >= 3 and name not in names:
            names.append(name)
        if len(names) == MAX_MENTIONS:
            break
    return names


def _notify_mentions(author: User, post: Post, text: str, *, skip: Iterable[str] = (), comment_id=None) -> None:
    names = [n for n in mentioned_usernames(text) if n not in set(skip) and n != author.username]
    if not names:
        return
    candidates = db.session.scalars(
        sa.select(User.id).where(User.username.in_(names), User.id.in_(graph.friend_ids(author.id)))
    ).all()
    data = {"post_id": str(post.id)}
    if comment_id is not None:
        data["comment_id"] = str(comment_id)
    for user_id in candidates:
        # Mentioning someone must not leak a post they could not open.
        if db.session.scalar(sa.select(sa.exists().where(Post.id == post.id, post_visible(user_id)))):
            notify(user_id, "mention", actor=author, data=data)


def create(author: User, *, content: str, post_type: str, visibility: str) -> dict:
    now = utcnow()
    post = Post(
        author_id=author.id,
        content=content,
        post_type=post_type,
        visibility=visibility,
        created_at=now,
        updated_at=now,
    )
    db.session.add(post)
    db.session.flush()
    _notify_mentions(author, post, content)
    commit()
    return view(post, False)


def update(author: User, post_id: uuid.UUID, **changes) -> dict:
    post = _own_post(author, post_id)
    previous = post.content
    if changes:
        for name, value in changes.items():
            setattr(post, name, value)
        post.updated_at = utcnow()
        db.session.flush()
        if "content" in changes:
            # Only people newly mentioned by the edit hear about it.
            _notify_mentions(author, post, post.content, skip=mentioned_usernames(previous))
    commit()
    return post_view(author, post)


def delete(author: User, post_id: uuid.UUID) -> None:
    post = _own_post(author, post_id)
    db.session.delete(post)
    commit()


def like(user: User, post_id: uuid.UUID) -> dict:
    post = visible_post(user, post_id)
    # The author hears of it: before any row write, the pair's lock, so a racing block is seen.
    graph.lock_pair(user.id, post.author_id)
    exists = db.session.scalar(sa.select(sa.exists().where(PostLike.post_id == post.id, PostLike.user_id == user.id)))
    if exists:
        raise Conflict("You already like this post.")
    db.session.add(PostLike(post_id=post.id, user_id=user.id))
    # A concurrent duplicate fails here on the primary key (409), before the count moves.
    db.session.flush()
    counters.shift(Post.like_count, post.id, 1)
    notify(post.author_id, "post_like", actor=user, data={"post_id": str(post.id)})
    commit()
    db.session.refresh(post)
    return view(post, True)


def unlike(user: User, post_id: uuid.UUID) -> dict:
    post = visible_post(user, post_id)
    removed = counters.delete_counted(
        sa.delete(PostLike).where(PostLike.post_id == post.id, PostLike.user_id == user.id),
        Post.like_count,
        PostLike.post_id,
    )
    if not removed:
        raise NotFound("You do not like this post.")
    commit()
    db.session.refresh(post)
    return view(post, False)


def comments(viewer: User | None, post_id: uuid.UUID, *, limit: int, cursor: str | None):
    post = visible_post(viewer, post_id)
    stmt = sa.select(PostComment).where(PostComment.post_id == post.id)
    viewer_id = _viewer_id(viewer)
    if viewer_id is not None:
        stmt = stmt.where(PostComment.author_id.not_in(graph.hidden_ids(viewer_id)))
    rows, next_cursor = keyset_page(
        db.session,
        stmt,
        columns=[PostComment.created_at, PostComment.id],
        limit=limit,
        cursor=cursor,
        salt=f"post-comments:{post.id}",
        descending=False,
    )
    return [row[0] for row in rows], next_cursor, post.comment_count


def add_comment(user: User, post_id: uuid.UUID, content: str) -> PostComment:
    post = visible_post(user, post_id)
    graph.lock_pair(user.id, post.author_id)  # as in like: the author's notification and a block
    comment = PostComment(post_id=post.id, author_id=user.id, content=content)
    db.session.add(comment)
    db.session.flush()
    counters.shift(Post.comment_count, post.id, 1)
    notify(post.author_id, "post_comment", actor=user, data={"post_id": str(post.id), "comment_id": str(comment.id)})
    _notify_mentions(user, post, content, skip=[post.author.username], comment_id=comment.id)
    commit()
    return comment


def delete_comment(user: User, post_id: uuid.UUID, comment_id: uuid.UUID) -> None:
    post = visible_post(user, post_id)
    comment = db.session.scalar(
        sa.select(PostComment).where(PostComment.id == comment_id, PostComment.post_id == post.id)
    )
    if comment is None:
        raise NotFound("No such comment on this post.")
    if user.id not in (comment.author_id, post.author_id):
        raise Forbidden("Only the comment's author or the post's author can delete it.")
    removed = counters.delete_counted(
        sa.delete(PostComment).where(PostComment.id == comment.id), Post.comment_count, PostComment.post_id
    )
    if not removed:
        # Another request deleted it since we read it: the same answer as deleting it again.
        raise NotFound("No such comment on this post.")
    db.session.expunge(comment)
    commit()
