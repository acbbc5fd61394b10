"""Group rules: who sees a group, who may join, and who runs it.

A private group is discoverable by link only: outsiders who open it see its
name, description and size (enough to ask to join), never its members,
posts or events.  Every group keeps at least one admin while it has members.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa

from networkapp import counters
from networkapp.connections import graph
from networkapp.database import commit, utcnow
from networkapp.errors import Conflict, Forbidden, NotFound
from networkapp.extensions import db
from networkapp.models import Group, GroupJoinRequest, GroupMember, GroupPost, User, UserSkill
from networkapp.notifications.services import notify
from networkapp.pagination import keyset_page
from networkapp.profiles import visibility

PUBLIC_FIELDS = ("id", "name", "description", "member_count", "visibility")


# -- reading ---------------------------------------------------------------------------------------


def _get_group(group_id: uuid.UUID) -> Group:
    group = db.session.get(Group, group_id)
    if group is None:
        raise NotFound("No such group.")
    return group


def _membership(group_id: uuid.UUID, user_id: uuid.UUID) -> GroupMember | None:
    return db.session.get(GroupMember, (group_id, user_id))


def is_member(group_id: uuid.UUID, user_id: uuid.UUID) -> bool:
    return _membership(group_id, user_id) is not None


def can_see_inside(group: Group, user_id: uuid.UUID) -> bool:
    """Whether ``user_id`` may see the group's events (public group, or a member of a private one)."""
    return group.visibility == "public" or is_member(group.id, user_id)


def member_group_ids(user_id: uuid.UUID) -> sa.Select:
    """SELECT of the ids of the groups ``user_id`` belongs to."""
    return sa.select(GroupMember.group_id).where(GroupMember.user_id == user_id)


def visible_group_ids(user_id: uuid.UUID) -> sa.Select:
    """SELECT of the groups whose insides ``user_id`` may see: public ones and their own."""
    return sa.select(Group.id).where(sa.or_(Group.visibility == "public", Group.id.in_(member_group_ids(user_id))))


def _view(group: Group, role: str | None, request_status: str | None, creator_hidden: bool = False) -> dict:
    if group.visibility == "private" and role is None:
        view = {name: getattr(group, name) for name in PUBLIC_FIELDS}
    else:
        view = {column.key: getattr(group, column.key) for column in Group.__table__.columns}
        if creator_hidden:
            view["creator_id"] = None
    view["my_role"] = role
    view["my_request_status"] = request_status
    return view


def _views(groups: list[Group], user: User) -> list[dict]:
    """Group views with my role and request status, in three queries whatever the page size."""
    ids = [g.id for g in groups]
    if not ids:
        return []
    roles = dict(
        db.session.execute(
            sa.select(GroupMember.group_id, GroupMember.role).where(
                GroupMember.user_id == user.id, GroupMember.group_id.in_(ids)
            )
        ).all()
    )
    requests = dict(
        db.session.execute(
            sa.select(GroupJoinRequest.group_id, GroupJoinRequest.status).where(
                GroupJoinRequest.user_id == user.id,
                GroupJoinRequest.group_id.in_(ids),
                GroupJoinRequest.status != "approved",
            )
        ).all()
    )
    # Who founded a group is a fact about that person: nobody on the other side of a block learns it.
    hidden = visibility.hidden_among(user, {g.creator_id for g in groups})
    return [_view(g, roles.get(g.id), requests.get(g.id), g.creator_id in hidden) for g in groups]


def get_group(user: User, group_id: uuid.UUID) -> dict:
    return _views([_get_group(group_id)], user)[0]


def list_groups(user: User, *, q: str | None, industry: str | None, limit: int, cursor: str | None):
    stmt = sa.select(Group).where(sa.or_(Group.visibility == "public", Group.id.in_(member_group_ids(user.id))))
    if q:
        needle = q.lower()
        stmt = stmt.where(
            sa.or_(
                sa.func.lower(Group.name).contains(needle, autoescape=True),
                sa.func.lower(Group.description).contains(needle, autoescape=True),
            )
        )
    if industry:
        stmt = stmt.where(sa.func.lower(Group.industry) == industry.strip().lower())
    rows, next_cursor = keyset_page(
        db.session, stmt, columns=[Group.created_at, Group.id], limit=limit, cursor=cursor, salt="groups"
    )
    return _views([r[0] for r in rows], user), next_cursor


# -- creating and running a group ------------------------------------------------------------------


def create_group(user: User, *, name: str, visibility: str, description=None, industry=None) -> dict:
    group = Group(
        name=name,
        description=description or None,
        industry=industry or None,
        visibility=visibility,
        creator_id=user.id,
        member_count=1,
    )
    db.session.add(group)
    db.session.flush()
    db.session.add(GroupMember(group_id=group.id, user_id=user.id, role="admin"))
    commit()
    return _view(group, "admin", None)


def _require_admin(group: Group, user: User) -> GroupMember:
    membership = _membership(group.id, user.id)
    if membership is None or membership.role != "admin":
        raise Forbidden("Only the group's admins can do this.")
    return membership


def update_group(user: User, group_id: uuid.UUID, changes: dict) -> dict:
    group = _get_group(group_id)
    _require_admin(group, user)
    for key, value in changes.items():
        setattr(group, key, value or None if key in ("description", "industry") else value)
    group.updated_at = utcnow()
    commit()
    return _view(group, "admin", None)


def delete_group(user: User, group_id: uuid.UUID) -> None:
    group = _get_group(group_id)
    if group.creator_id != user.id:
        _require_admin(group, user)
    db.session.delete(group)
    commit()


def _admin_ids(group_id: uuid.UUID) -> list[uuid.UUID]:
    return list(
        db.session.scalars(
            sa.select(GroupMember.user_id).where(GroupMember.group_id == group_id, GroupMember.role == "admin")
        )
    )


def _add_member(group: Group, user_id: uuid.UUID, role: str = "member") -> GroupMember:
    membership = GroupMember(group_id=group.id, user_id=user_id, role=role, joined_at=utcnow())
    db.session.add(membership)
    # A concurrent duplicate fails here on the primary key (409), before the count moves.
    db.session.flush()
    counters.shift(Group.member_count, group.id, 1)
    return membership


def _remove_member(group: Group, membership: GroupMember) -> None:
    """Remove the membership; NotFound when another request already did (the count moves once)."""
    removed = counters.delete_counted(
        sa.delete(GroupMember).where(GroupMember.group_id == group.id, GroupMember.user_id == membership.user_id),
        Group.member_count,
        GroupMember.group_id,
    )
    if not removed:
        raise NotFound("Not a member of this group.")
    db.session.expunge(membership)


def _settle_members(group_id: uuid.UUID) -> None:
    """Take the group's row lock before reading who is in it, for a change that removes someone.

    The last-admin rule and "the last member to leave deletes the group" read the member list and
    then act on it; two members leaving at once would each see the other still there.  Holding the
    group row, the second waits and reads the list as the first left it.  ``FOR UPDATE``, the lock
    deleting the group needs: a weaker one now would have to be upgraded later while a join that
    inserted a member holds its key-share lock and waits for this one (a deadlock).
    """
    db.session.execute(sa.select(Group.id).where(Group.id == group_id).with_for_update())


def join(user: User, group_id: uuid.UUID) -> dict:
    group = _get_group(group_id)
    if _membership(group.id, user.id) is not None:
        raise Conflict("You are already a member of this group.")
    request = db.session.execute(
        sa.select(GroupJoinRequest).where(GroupJoinRequest.group_id == group.id, GroupJoinRequest.user_id == user.id)
    ).scalar_one_or_none()
    if group.visibility == "public":
        membership = _add_member(group, user.id)
        if request is not None:
            db.session.delete(request)
        # Taken before the commit: afterwards the row may already be gone (left from another session).
        joined = {
            "group_id": group.id,
            "user": user,
            "status": "member",
            "role": membership.role,
            "joined_at": membership.joined_at,
        }
        commit()
        return joined
    if request is not None and request.status == "pending":
        raise Conflict("Your request to join is already waiting for an admin.")
    if request is None:
        request = GroupJoinRequest(group_id=group.id, user_id=user.id)
        db.session.add(request)
    request.status, request.created_at, request.responded_at = "pending", utcnow(), None
    db.session.flush()
    for admin_id in _admin_ids(group.id):
        notify(admin_id, "group_join_request", actor=user, data={"group_id": str(group.id), "group_name": group.name})
    commit()
    return {"group_id": group.id, "user": user, "status": "pending", "requested_at": request.created_at}


def list_requests(user: User, group_id: uuid.UUID, *, limit: int, cursor: str | None):
    group = _get_group(group_id)
    _require_admin(group, user)
    stmt = sa.select(GroupJoinRequest).where(
        GroupJoinRequest.group_id == group.id,
        GroupJoinRequest.status == "pending",
        GroupJoinRequest.user_id.not_in(graph.hidden_ids(user.id)),
    )
    rows, next_cursor = keyset_page(
        db.session,
        stmt,
        columns=[GroupJoinRequest.created_at, GroupJoinRequest.id],
        limit=limit,
        cursor=cursor,
        salt="group-requests",
        descending=False,
    )
    return [r[0] for r in rows], next_cursor


def _pending_request(group: Group, user_id: uuid.UUID) -> GroupJoinRequest:
    request = db.session.execute(
        sa.select(GroupJoinRequest).where(GroupJoinRequest.group_id == group.id, GroupJoinRequest.user_id == user_id)
    ).scalar_one_or_none()
    if request is None:
        raise NotFound("This person has not asked to join.")
    if request.status != "pending":
        raise Conflict(f"This request was already {request.status}.")
    return request


def approve_request(user: User, group_id: uuid.UUID, user_id: uuid.UUID) -> GroupMember:
    group = _get_group(group_id)
    _require_admin(group, user)
    request = _pending_request(group, user_id)
    request.status, request.responded_at = "approved", utcnow()
    membership = _add_member(group, user_id)
    notify(user_id, "group_join_approved", actor=user, data={"group_id": str(group.id), "group_name": group.name})
    commit()
    db.session.refresh(membership)
    return membership


def decline_request(user: User, group_id: uuid.UUID, user_id: uuid.UUID) -> GroupJoinRequest:
    group = _get_group(group_id)
    _require_admin(group, user)
    request = _pending_request(group, user_id)
    request.status, request.responded_at = "declined", utcnow()
    commit()
    return request


def _ensure_admin_remains(group: Group, leaving: GroupMember) -> bool:
    """Refuse to lose the last admin while others remain; True when ``leaving`` is the last member."""
    if leaving.role != "admin":
        return False
    others = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(GroupMember)
        .where(GroupMember.group_id == group.id, GroupMember.user_id != leaving.user_id)
    )
    if others == 0:
        return True
    other_admins = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(GroupMember)
        .where(GroupMember.group_id == group.id, GroupMember.user_id != leaving.user_id, GroupMember.role == "admin")
    )
    if other_admins == 0:
        raise Conflict("The group's last admin cannot leave while others remain: make someone else admin first.")
    return False


def leave(user: User, group_id: uuid.UUID) -> None:
    _settle_members(group_id)
    group = _get_group(group_id)
    membership = _membership(group.id, user.id)
    if membership is None:
        raise NotFound("You are not a member of this group.")
    if _ensure_admin_remains(group, membership):
        # Nobody would be left to run it: an empty group goes with its last member.
        db.session.delete(group)
    else:
        _remove_member(group, membership)
    commit()


def _visible_member(group: Group, viewer: User, user_id: uuid.UUID) -> GroupMember:
    membership = _membership(group.id, user_id)
    if membership is None or graph.is_blocked_between(viewer.id, user_id):
        raise NotFound("This person is not a member of the group.")
    return membership


def set_role(user: User, group_id: uuid.UUID, user_id: uuid.UUID, role: str) -> GroupMember:
    group = _get_group(group_id)
    _require_admin(group, user)
    membership = _visible_member(group, user, user_id)
    if membership.role == "admin" and role == "member" and len(_admin_ids(group.id)) == 1:
        raise Conflict("A group needs at least one admin: promote someone else first.")
    membership.role = role
    commit()
    return membership


def remove_member(user: User, group_id: uuid.UUID, user_id: uuid.UUID) -> None:
    if user_id == user.id:
        return leave(user, group_id)
    _settle_members(group_id)
    group = _get_group(group_id)
    _require_admin(group, user)
    membership = _visible_member(group, user, user_id)
    _remove_member(group, membership)
    commit()
    return None


def list_members(user: User, group_id: uuid.UUID, *, role: str | None, limit: int, cursor: str | None):
    group = _get_group(group_id)
    if group.visibility == "private" and not is_member(group.id, user.id):
        raise Forbidden("Only members see who belongs to a private group.")
    stmt = sa.select(GroupMember).where(
        GroupMember.group_id == group.id, GroupMember.user_id.not_in(graph.hidden_ids(user.id))
    )
    if role:
        stmt = stmt.where(GroupMember.role == role)
    rows, next_cursor = keyset_page(
        db.session,
        stmt,
        columns=[GroupMember.joined_at, GroupMember.user_id],
        limit=limit,
        cursor=cursor,
        salt="group-members",
        descending=False,
    )
    return [r[0] for r in rows], next_cursor


# -- posts -------------------------------------------------------------------------------------------


def _require_member(group: Group, user: User) -> GroupMember:
    membership = _membership(group.id, user.id)
    if membership is None:
        raise Forbidden("Only members can read and write a group's posts.")
    return membership


def create_post(user: User, group_id: uuid.UUID, content: str) -> GroupPost:
    group = _get_group(group_id)
    _require_member(group, user)
    post = GroupPost(group_id=group.id, author_id=user.id, content=content.strip())
    db.session.add(post)
    commit()
    return post


def list_posts(user: User, group_id: uuid.UUID, *, limit: int, cursor: str | None):
    group = _get_group(group_id)
    _require_member(group, user)
    stmt = sa.select(GroupPost).where(
        GroupPost.group_id == group.id, GroupPost.author_id.not_in(graph.hidden_ids(user.id))
    )
    rows, next_cursor = keyset_page(
        db.session, stmt, columns=[GroupPost.created_at, GroupPost.id], limit=limit, cursor=cursor, salt="group-posts"
    )
    return [r[0] for r in rows], next_cursor


def delete_post(user: User, group_id: uuid.UUID, post_id: uuid.UUID) -> None:
    group = _get_group(group_id)
    membership = _require_member(group, user)
    post = db.session.get(GroupPost, post_id)
    if post is None or post.group_id != group.id:
        raise NotFound("No such post in this group.")
    if post.author_id != user.id and membership.role != "admin":
        raise Forbidden("Only the author or a group admin can delete a post.")
    db.session.delete(post)
    commit()


def group_posts_for_feed(
    user_id: uuid.UUID, since: datetime | None, limit: int, before: datetime | None = None
) -> list[GroupPost]:
    """Posts of the groups ``user_id`` belongs to, newest first, for the feed.

    Each ``GroupPost`` has ``author`` loaded (and ``group_id`` to link to);
    authors hidden from the reader (blocks) are left out, as are the reader's own posts.
    """
    stmt = (
        sa.select(GroupPost)
        .where(
            GroupPost.group_id.in_(member_group_ids(user_id)),
            GroupPost.author_id != user_id,
            GroupPost.author_id.not_in(graph.hidden_ids(user_id)),
        )
        .order_by(GroupPost.created_at.desc(), GroupPost.id.desc())
        .limit(limit)
    )
    if since is not None:
        stmt = stmt.where(GroupPost.created_at >= since)
    if before is not None:
        stmt = stmt.where(GroupPost.created_at < before)
    return list(db.session.scalars(stmt).unique())


# -- recommendations -------------------------------------------------------------------------------

INDUSTRY_WEIGHT = 3.0
FRIEND_WEIGHT = 2.0
SKILL_WEIGHT = 1.0
MAX_COUNTED = 5  # beyond a handful, more shared skills or friends says little more
CANDIDATES = 300


def recommended(user: User, *, limit: int) -> list[dict]:
    """Public groups I am not in, scored by industry, members' skills and connections who belong."""
    hidden = graph.hidden_ids(user.id)
    not_mine = sa.and_(Group.visibility == "public", Group.id.not_in(member_group_ids(user.id)))

    friend_rows = db.session.execute(
        sa.select(GroupMember.group_id, sa.func.count())
        .join(Group, Group.id == GroupMember.group_id)
        .where(not_mine, GroupMember.user_id.in_(graph.friend_ids(user.id)), GroupMember.user_id.not_in(hidden))
        .group_by(GroupMember.group_id)
        .order_by(sa.func.count().desc())
        .limit(CANDIDATES)
    ).all()
    friends = dict(friend_rows)

    my_skills = sa.select(UserSkill.skill_id).where(UserSkill.user_id == user.id)
    skill_rows = db.session.execute(
        sa.select(GroupMember.group_id, sa.func.count(sa.distinct(UserSkill.skill_id)))
        .join(Group, Group.id == GroupMember.group_id)
        .join(UserSkill, UserSkill.user_id == GroupMember.user_id)
        .join(User, User.id == GroupMember.user_id)
        # Only skills I could read on the member's profile: a count over hidden ones would tell them.
        .where(
            not_mine,
            UserSkill.skill_id.in_(my_skills),
            GroupMember.user_id != user.id,
            visibility.profile_visible(user, User),
        )
        .group_by(GroupMember.group_id)
        .order_by(sa.func.count(sa.distinct(UserSkill.skill_id)).desc())
        .limit(CANDIDATES)
    ).all()
    skills = dict(skill_rows)

    industry_ids: set = set()
    if user.industry:
        industry_ids = set(
            db.session.scalars(
                sa.select(Group.id)
                .where(not_mine, sa.func.lower(Group.industry) == user.industry.strip().lower())
                .order_by(Group.member_count.desc())
                .limit(CANDIDATES)
            )
        )

    candidate_ids = set(friends) | set(skills) | industry_ids
    if not candidate_ids:
        return []
    groups = db.session.scalars(sa.select(Group).where(Group.id.in_(candidate_ids))).all()
    scored = []
    for group in groups:
        score, reasons = 0.0, []
        if group.id in industry_ids:
            score += INDUSTRY_WEIGHT
            reasons.append(f"In your industry: {group.industry}")
        if friends.get(group.id):
            n = friends[group.id]
            score += FRIEND_WEIGHT * min(n, MAX_COUNTED)
            reasons.append(f"{n} of your connections {'is a member' if n == 1 else 'are members'}")
        if skills.get(group.id):
            n = skills[group.id]
            score += SKILL_WEIGHT * min(n, MAX_COUNTED)
            reasons.append(f"Members share {n} of your skills")
        scored.append((score, group, reasons))
    # Ties go to the larger group, then a stable order.
    scored.sort(key=lambda t: (-t[0], -t[1].member_count, t[1].id.hex))
    top = scored[:limit]
    views = _views([group for _, group, _ in top], user)
    return [
        {"group": view, "score": round(score, 2), "reasons": reasons}
        for (score, _, reasons), view in zip(top, views, strict=True)
    ]
