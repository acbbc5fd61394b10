"""Profile views: the counter on the user row and the record behind "who viewed my profile"."""

from __future__ import annotations

import uuid
from datetime import timedelta

import sqlalchemy as sa

from networkapp.connections import graph
from networkapp.database import utcnow, write_step
from networkapp.errors import Forbidden
from networkapp.extensions import db
from networkapp.models import ProfileView, User
from networkapp.pagination import keyset_page
from networkapp.profiles import visibility
from networkapp.profiles.skills import dialect_insert

VIEWER_WINDOW = timedelta(days=90)


def record(viewer_id: uuid.UUID | None, person: User) -> None:
    """Count a view of ``person`` (never one's own); a signed-in viewer counts once per UTC day.

    A repeat view is told apart by a read, so the common case never takes the
    write lock; only a view that counts writes, in a short transaction of its own.
    """
    if viewer_id == person.id:
        return
    now = utcnow()
    if viewer_id is not None and _counted(person.id, viewer_id, now.date()):
        return
    person_id = person.id
    with write_step():
        if viewer_id is not None:
            inserted = db.session.execute(
                dialect_insert(ProfileView.__table__)
                .values(id=uuid.uuid4(), profile_id=person_id, viewer_id=viewer_id, viewed_on=now.date(), viewed_at=now)
                .on_conflict_do_nothing(index_elements=["profile_id", "viewer_id", "viewed_on"])
                .returning(ProfileView.__table__.c.id)
            ).first()
            if inserted is None:
                return  # counted by a concurrent request of the same viewer
        # Atomic in the database: concurrent viewers never lose an increment.
        db.session.execute(
            sa.update(User)
            .where(User.id == person_id)
            .values(profile_views=User.profile_views + 1)
            .execution_options(synchronize_session=False)
        )


def _counted(profile_id: uuid.UUID, viewer_id: uuid.UUID, day) -> bool:
    return (
        db.session.scalar(
            sa.select(sa.literal(1)).where(
                ProfileView.profile_id == profile_id, ProfileView.viewer_id == viewer_id, ProfileView.viewed_on == day
            )
        )
        is not None
    )


def viewers(actor: User, user_id: uuid.UUID, *, limit: int, cursor: str | None):
    if actor.id != user_id:
        raise Forbidden("Only the profile's owner can see who viewed it.")
    stmt = (
        sa.select(ProfileView, User)
        .join(User, User.id == ProfileView.viewer_id)
        .where(
            ProfileView.profile_id == user_id,
            ProfileView.viewed_at >= utcnow() - VIEWER_WINDOW,
            ProfileView.viewer_id.not_in(graph.hidden_ids(user_id)),
        )
    )
    rows, next_cursor = keyset_page(
        db.session,
        stmt,
        columns=[ProfileView.viewed_at, ProfileView.id],
        limit=limit,
        cursor=cursor,
        salt="profile-viewers",
    )
    items = []
    for view, viewer in rows:
        anonymous = visibility.browses_anonymously(viewer)
        items.append(
            {
                "id": view.id,
                "viewed_at": view.viewed_at,
                "anonymous": anonymous,
                "viewer": None if anonymous else viewer,
            }
        )
    return items, next_cursor
