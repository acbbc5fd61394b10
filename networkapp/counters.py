"""Denormalised counts: how a stored count moves with the rows it counts.

A count (a post's ``comment_count``, a group's ``member_count``, a skill's ``usage_count``) is
only ever shifted by the number of rows a statement really inserted or deleted, in the same
transaction.  Deciding the shift from an earlier read is what breaks: two requests deleting the
same comment both read it, both delete (the second removes nothing), and both would take one off.
Here the deleted or inserted rows come back through ``RETURNING`` in the statement that changed
them, so a delete that lost a race, or a repeat of one, moves nothing.

Shifts are relative (``n = n + k``), so concurrent changes add up instead of overwriting each
other, and several rows are shifted one at a time in id order, the order ``database.lock_in_order``
takes locks in: transactions moving overlapping counts then queue instead of deadlocking.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

import sqlalchemy as sa

from networkapp.extensions import db


def shift(counter, owner_id, by: int) -> None:
    """Add ``by`` to ``counter`` (a model's count attribute) on the row whose primary key is ``owner_id``."""
    if not by:
        return
    model = counter.class_
    (key,) = sa.inspect(model).primary_key
    db.session.execute(
        sa.update(model)
        .where(key == owner_id)
        .values({counter.key: counter + by})
        .execution_options(synchronize_session=False)
    )


def shift_each(counter, deltas: Mapping) -> None:
    """``shift`` several owners, in id order (see the module docstring)."""
    for owner_id in sorted(deltas):
        shift(counter, owner_id, deltas[owner_id])


def _changed(statement, owner) -> list:
    return list(db.session.execute(statement.returning(owner).execution_options(synchronize_session=False)).scalars())


def delete_counted(statement: sa.Delete, counter, owner) -> int:
    """Run ``statement`` and take one off ``counter`` for every row it really removed.

    ``owner`` is the column of the deleted rows that names the counted row (``PostComment.post_id``
    for ``Post.comment_count``).  Returns how many rows went: 0 when they were already gone.
    """
    owners = _changed(statement, owner)
    shift_each(counter, {owner_id: -n for owner_id, n in Counter(owners).items()})
    return len(owners)


def insert_counted(statement: sa.Insert, counter, owner) -> int:
    """Run ``statement`` (an insert that skips conflicts) and add one to ``counter`` per row it really added."""
    owners = _changed(statement, owner)
    shift_each(counter, dict(Counter(owners)))
    return len(owners)


def release_account(user_id) -> None:
    """Before an account goes: delete the person's rows that other people's counts include.

    The foreign keys would cascade these rows away with the user, but a cascade moves no count:
    a group would keep counting a member who no longer exists.  Deleted here, each count drops
    by exactly the rows that went, even while another of the person's sessions removes one.
    """
    from networkapp.models import (
        Event,
        EventRsvp,
        Group,
        GroupMember,
        MentorshipProfile,
        MentorshipRequest,
        Post,
        PostComment,
        PostLike,
        Skill,
        UserSkill,
    )

    counted = (
        (sa.delete(PostLike).where(PostLike.user_id == user_id), Post.like_count, PostLike.post_id),
        (sa.delete(PostComment).where(PostComment.author_id == user_id), Post.comment_count, PostComment.post_id),
        (sa.delete(GroupMember).where(GroupMember.user_id == user_id), Group.member_count, GroupMember.group_id),
        (
            sa.delete(EventRsvp).where(EventRsvp.user_id == user_id, EventRsvp.status == "going"),
            Event.going_count,
            EventRsvp.event_id,
        ),
        (
            sa.delete(EventRsvp).where(EventRsvp.user_id == user_id, EventRsvp.status == "interested"),
            Event.interested_count,
            EventRsvp.event_id,
        ),
        (sa.delete(UserSkill).where(UserSkill.user_id == user_id), Skill.usage_count, UserSkill.skill_id),
        (
            sa.delete(MentorshipRequest).where(
                MentorshipRequest.mentee_id == user_id, MentorshipRequest.status == "active"
            ),
            MentorshipProfile.active_mentee_count,
            MentorshipRequest.mentor_id,
        ),
    )
    for statement, counter, owner in counted:
        delete_counted(statement, counter, owner)
